"""The injected clock. Everything time-dependent asks a :class:`Clock`, never ``datetime.now``."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
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


class ShiftedClock:
    """Real time, moved by an offset: ``mentorbot chat --now`` starts at a chosen instant and time keeps
    passing from there; the console's ``/time`` moves it on (or back)."""

    def __init__(self, at: datetime | None = None, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._offset = timedelta(0) if at is None else as_utc(at) - self._base.now()

    def now(self) -> datetime:
        return self._base.now() + self._offset

    def set(self, at: datetime) -> None:
        self._offset = as_utc(at) - self._base.now()

    def advance(self, delta: timedelta) -> None:
        self._offset += delta


def as_utc(at: datetime) -> datetime:
    """Return ``at`` as an aware UTC datetime; naive values are taken to be UTC already."""
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)
