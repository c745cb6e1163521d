"""Configuration from environment variables (the outside contract in architecture.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from storage.database import DEFAULT_URL


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
        return cls(
            database_url=env.get("MENTORBOT_DATABASE_URL") or DEFAULT_URL,
            programme_path=env.get("MENTORBOT_PROGRAM") or None,
            host=env.get("MENTORBOT_HOST") or "127.0.0.1",
            port=port,
            env=env,
        )
