"""The injected clock. Everything time-dependent asks a :class:`Clock`, never ``datetime.now``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: for tests, ``mentorbot tick --now`` and demos."""

    def __init__(self, at: datetime) -> None:
        self._at = as_utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = as_utc(at)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def as_utc(at: datetime) -> datetime:
    """Return ``at`` as an aware UTC datetime; naive values are taken to be UTC already."""
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)
