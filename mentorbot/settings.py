"""Configuration from environment variables (the outside contract in architecture.md).

Without ``MENTORBOT_DATABASE_URL`` the database is ``mentorbot.sqlite3`` in the working directory, as the
contract says: each checkout (and each ``make run``) has its own, and a fresh clone starts fresh. What
used to go wrong is that a command run from another folder *silently* started a new, empty programme
there; now, when the default file does not exist yet, the command says on stderr which file it is about
to create and how to use the one you meant.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from storage.database import DEFAULT_URL

log = logging.getLogger(__name__)

DEFAULT_FILE = "mentorbot.sqlite3"
_told: set[Path] = set()  # one notice per process, however often the settings are read


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
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
    """The default database's URL; a notice on stderr when its file does not exist yet in this folder
    (a new, empty programme is about to start here, which is right for a first ``make run`` and a
    surprise when you meant the one in another folder)."""
    path = Path.cwd() / DEFAULT_FILE
    if not path.exists() and path not in _told:
        _told.add(path)
        log.warning(
            "no %s in %s: a new, empty database is created here. To use an existing one, run from its "
            "folder or set MENTORBOT_DATABASE_URL=sqlite:////path/to/%s",
            DEFAULT_FILE,
            path.parent,
            DEFAULT_FILE,
        )
    return DEFAULT_URL
