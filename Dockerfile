# syntax=docker/dockerfile:1
# mentorbot: multi-stage build. The first stage builds wheels; the second runs as a non-root user.

FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m pip install --no-cache-dir --upgrade pip wheel
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scheduler ./scheduler
COPY storage ./storage
COPY mentorbot ./mentorbot
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels '.[charts]'

FROM python:3.11-slim AS run
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MENTORBOT_HOST=0.0.0.0 \
    MENTORBOT_PORT=3978 \
    MENTORBOT_LOG_FORMAT=json \
    MENTORBOT_DATABASE_URL=sqlite:////data/mentorbot.sqlite3
RUN groupadd --system mentorbot && useradd --system --gid mentorbot --home-dir /data --create-home mentorbot
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir --no-index --find-links=/wheels 'mentorbot[charts]' && rm -rf /wheels
USER mentorbot
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os,sys,urllib.request; p=os.environ.get('MENTORBOT_PORT','3978'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{p}/healthz', timeout=4).status == 200 else 1)"
ENTRYPOINT ["mentorbot"]
CMD ["serve"]
