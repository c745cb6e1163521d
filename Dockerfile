# syntax=docker/dockerfile:1
# mentorbot: multi-stage build. The first stage installs mentorbot into a virtual environment at the
# versions in requirements.lock; the second copies only that environment and runs as a non-root user.
# No wheel or build tool is left in any layer of the final image.
#
# HEALTHCHECK is part of the Docker image format only: an OCI-format build (buildah and podman's
# default) drops it. Build with `podman build --format docker` / `buildah bud --format docker`, or let
# the orchestrator probe GET /healthz itself.

# The base image, pinned by digest so that every build starts from the same bytes (a tag such as
# 3.11-slim moves with every Debian and Python patch release). To move to a newer one: look up the
# current digest with `docker buildx imagetools inspect python:3.11-slim` (or `skopeo inspect
# docker://docker.io/library/python:3.11-slim`), put it here, rebuild and run the tests in the image.
# A mirror or a locally built base: `--build-arg PYTHON_IMAGE=registry.example.org/python:3.11-slim@sha256:…`.
ARG PYTHON_IMAGE=python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
# the same path in both stages: the scripts in the environment name its interpreter by absolute path
RUN python -m venv /opt/mentorbot
WORKDIR /src
COPY requirements.lock pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scheduler ./scheduler
COPY storage ./storage
COPY mentorbot ./mentorbot
# requirements.lock as constraints: only what the image needs (mentorbot and its charts extra) is
# installed, each at the version the test suite ran with
RUN /opt/mentorbot/bin/pip install --constraint requirements.lock '.[charts]'

FROM ${PYTHON_IMAGE} AS run
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/mentorbot/bin:$PATH \
    MPLCONFIGDIR=/tmp/matplotlib \
    MENTORBOT_HOST=0.0.0.0 \
    MENTORBOT_PORT=3978 \
    MENTORBOT_LOG_FORMAT=json \
    MENTORBOT_DATABASE_URL=sqlite:////data/mentorbot.sqlite3
RUN groupadd --system mentorbot && useradd --system --gid mentorbot --home-dir /data --create-home mentorbot
COPY --from=build /opt/mentorbot /opt/mentorbot
USER mentorbot
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os,sys,urllib.request; p=os.environ.get('MENTORBOT_PORT','3978'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{p}/healthz', timeout=4).status == 200 else 1)"
ENTRYPOINT ["mentorbot"]
CMD ["serve"]
