"""Configuration from environment variables (the outside contract in architecture.md).

The default database is one SQLite file per user, wherever the command is run from:
``$XDG_DATA_HOME/mentorbot/mentorbot.sqlite3`` (``~/.local/share/mentorbot/mentorbot.sqlite3`` when
``XDG_DATA_HOME`` is unset). It used to be ``mentorbot.sqlite3`` in the working directory, so running a
command from another folder silently started a new, empty programme; a file left there by older versions
is no longer read, and a warning says so and how to keep using it.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

LEGACY_FILE = "mentorbot.sqlite3"
_warned: set[Path] = set()  # one warning per process, however often the settings are read


def default_database_path(env: Mapping[str, str]) -> Path:
    """Where the embedded database lives when ``MENTORBOT_DATABASE_URL`` is unset."""
    base = env.get("XDG_DATA_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"
    return root / "mentorbot" / "mentorbot.sqlite3"


def _default_url() -> str:
    return f"sqlite:///{default_database_path(os.environ)}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_url)
    programme_path: str | None = None
    host: str = "127.0.0.1"
    port: int = 3978
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def metrics_token(self) -> str:
        """``MENTORBOT_METRICS_TOKEN``: when set, ``GET /metrics`` needs ``Authorization: Bearer <it>``."""
        return (self.env.get("MENTORBOT_METRICS_TOKEN") or "").strip()

    @property
    def is_embedded_database(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        port_text = env.get("MENTORBOT_PORT", "3978")
        try:
            port = int(port_text)
        except ValueError:
            raise SystemExit(f"MENTORBOT_PORT must be a port number, got {port_text!r}") from None
        database_url = env.get("MENTORBOT_DATABASE_URL") or _prepare_default(env)
        return cls(
            database_url=database_url,
            programme_path=env.get("MENTORBOT_PROGRAM") or None,
            host=env.get("MENTORBOT_HOST") or "127.0.0.1",
            port=port,
            env=env,
        )


def _prepare_default(env: Mapping[str, str]) -> str:
    """The default database's URL, its folder created; a warning when an old one sits in the working
    directory (where older versions kept it), since that file is not the one in use."""
    path = default_database_path(env)
    # when the folder cannot be made, opening the database fails with one line naming it (commands/db.py)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
    legacy = Path.cwd() / LEGACY_FILE
    if legacy.is_file() and legacy.resolve() != path.resolve() and legacy not in _warned:
        _warned.add(legacy)
        log.warning(
            "%s in this folder is NOT used: the database is %s. To keep using the old file, set "
            "MENTORBOT_DATABASE_URL=sqlite:///%s (or move it there)",
            LEGACY_FILE,
            path,
            legacy,
        )
    return f"sqlite:///{path}"
