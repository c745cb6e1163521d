"""Events already handled, so that a platform's retry of the same event is handled once.

Slack retries an event it thinks was not acknowledged (same ``event_id``, up to three times within
minutes), and Socket Mode redelivers after a reconnect; the Bot Framework may redeliver an activity.
The first delivery inserts the key in the transaction of the turn that handles it; a retry conflicts
with it and is dropped (on PostgreSQL a retry handled by another process waits on the unique index for
the first turn to commit or roll back). Keys older than :data:`KEEP` are pruned now and then.
"""

from __future__ import annotations

import functools
import threading
import time
from datetime import datetime
from datetime import timedelta

from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from storage.durability import RELAXED
from storage.tables import processed_events

KEEP = timedelta(days=2)  # Slack stops retrying after about five minutes
PRUNE_EVERY_SECONDS = 3600.0
MAX_KEY = 300  # the width of processed_events.key

_last_prune = 0.0
_prune_lock = threading.Lock()


class SqlProcessedEvents:
    """:class:`bot.ports.ProcessedEvents` in the unit of work's session (and so its transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def first_time(self, key: str, now: datetime) -> bool:
        statement = _insert_new(self.session.get_bind().dialect.name)
        inserted = self.session.execute(statement, {"key": key[:MAX_KEY], "at": now}).first() is not None
        if inserted and _prune_due():
            self.session.execute(delete(processed_events).where(processed_events.c.at < now - KEEP))
        return inserted


@functools.cache
def _insert_new(dialect: str) -> ReturningInsert[tuple[str]]:
    """The key's insert, nothing when it is there (built once: every turn records its delivery)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(processed_events)
        .values(key=bindparam("key"), at=bindparam("at"))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(processed_events.c.key)  # rowcount is not reliable here across drivers
        # lost only in a database crash right after the commit: a retry is then answered twice
        .execution_options(**{RELAXED: True})
    )


def _prune_due() -> bool:
    """True about once an hour per process (the first time too)."""
    global _last_prune
    with _prune_lock:
        if _last_prune and time.monotonic() - _last_prune < PRUNE_EVERY_SECONDS:
            return False
        _last_prune = time.monotonic()
        return True
