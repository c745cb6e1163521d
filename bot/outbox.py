"""The outbox as the scheduler sees it: a claimed delivery and what became of it.

``storage.scheduling`` claims and records them; ``scheduler.dispatch`` sends them. Plain values, so the
dispatcher never touches a database session (see :class:`bot.ports.SchedulingStore`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Claimed:
    """A delivery this dispatcher holds until ``lease_until``; every later change is guarded by ``token``."""

    id: int
    person_id: int
    kind: str
    dedupe_key: str
    payload: dict[str, Any]
    due_at: datetime
    expires_at: datetime | None
    channel: str
    priority: int
    attempts: int  # including this one
    relationship_id: int | None
    lease_until: datetime
    token: str


@dataclass(frozen=True)
class Outcome:
    """What became of a claimed delivery."""

    delivery_id: int
    token: str
    status: str
    attempts: int
    due_at: datetime
    last_error: str = ""
    channel: str = ""
    sent_at: datetime | None = None
