"""The image and its lock file, checked where no container runtime is at hand: what goes into the build
context, that the base is pinned, that no wheel stays in a layer, that compose builds one image, and
that requirements.lock still satisfies pyproject.toml (a stale lock fails here, not in a build)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def lock() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text("utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if found:
            pins[canonicalize_name(found.group(1))] = found.group(2)
    return pins


def test_the_build_context_leaves_out_the_venv_caches_databases_secrets_and_git() -> None:
    ignored = {
        line.strip() for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines() if line.strip()
    }
    for entry in (".venv/", ".cache/", "*.sqlite3", ".env", ".git/"):
        assert entry in ignored, entry


def test_the_base_is_pinned_by_digest_and_no_wheels_stay_in_a_layer() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    arg = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, re.M)
    assert arg is not None and re.search(r"@sha256:[0-9a-f]{64}$", arg.group(1))
    froms = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert froms and all(f == "${PYTHON_IMAGE}" for f in froms)
    run_stage = dockerfile.split(" AS run", 1)[1]
    assert "/wheels" not in dockerfile
    assert "pip install" not in run_stage  # the run stage only copies the installed environment
    assert "COPY --from=build /opt/mentorbot /opt/mentorbot" in run_stage
    assert "--constraint requirements.lock" in dockerfile


def test_compose_builds_one_image_for_every_mentorbot_service() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    ours = {name: s for name, s in compose["services"].items() if name != "db"}
    assert {s["image"] for s in ours.values()} == {"mentorbot:local"}
    assert [name for name, s in ours.items() if "build" in s] == ["mentorbot"]


def test_the_lock_pins_every_dependency_at_a_version_pyproject_allows() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pins = lock()
    wanted = [*project["dependencies"]]
    for extra in ("test", "charts"):
        wanted += project["optional-dependencies"][extra]
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock has {name}=={pins[name]}, pyproject.toml wants {requirement.specifier}: "
            "run `make lock`"
        )
