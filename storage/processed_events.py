"""Events already handled, so that a platform's retry of the same event is handled once.

Slack retries an event it thinks was not acknowledged (same ``event_id``, up to three times within
minutes), and Socket Mode redelivers after a reconnect. The first delivery inserts the key; a retry
conflicts with it and is dropped. Keys older than :data:`KEEP` are pruned now and then.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from bot.errors import Unavailable
from storage.tables import processed_events
from storage.uow import is_connection_problem

KEEP = timedelta(days=2)  # Slack stops retrying after about five minutes
PRUNE_EVERY_SECONDS = 3600.0

_last_prune = 0.0
_prune_lock = threading.Lock()


def first_time(engine: Engine, key: str, now: datetime) -> bool:
    """Record ``key``; True the first time it is seen, False for every later call (from any process).
    Raises :class:`bot.errors.Unavailable` when the database cannot be reached."""
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(processed_events)
        .values(key=key[:300], at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(processed_events.c.key)  # rowcount is not reliable here across drivers
    )
    try:
        with engine.begin() as conn:
            inserted = conn.execute(statement).first() is not None
    except DBAPIError as exc:
        if is_connection_problem(exc):
            raise Unavailable("database") from exc
        raise
    _maybe_prune(engine, now)
    return inserted


class SqlEventLog:
    """:class:`bot.ports.EventLog` on the engine (one short transaction per key, outside any unit of work:
    a chat event is checked before its turn starts)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def first_time(self, key: str, now: datetime) -> bool:
        return first_time(self.engine, key, now)


def forget_before(engine: Engine, cutoff: datetime) -> int:
    """Delete keys recorded before ``cutoff``; returns how many."""
    with engine.begin() as conn:
        return conn.execute(delete(processed_events).where(processed_events.c.at < cutoff)).rowcount


def _maybe_prune(engine: Engine, now: datetime) -> None:
    global _last_prune
    with _prune_lock:
        if time.monotonic() - _last_prune < PRUNE_EVERY_SECONDS and _last_prune:
            return
        _last_prune = time.monotonic()
    forget_before(engine, now - KEEP)
