"""Commits that need not wait for the disk: a transaction whose only write is a delivery's record.

On PostgreSQL a commit waits until its WAL is on disk (``synchronous_commit=on``): an fdatasync, 3 ms at
the median on the benchmark machine and 15 ms at the 90th percentile, most of a PostgreSQL turn that only
reads ("my relationships", "help"; bench/results/slack_dm.md). Such a turn still writes one row: the
delivery's key (:mod:`storage.processed_events`), so that a platform's retry is not answered twice.

A transaction whose only writes are rows marked :data:`RELAXED` (that key) commits with
``synchronous_commit`` off for that transaction alone: the commit is as atomic and as visible as ever,
and a crash of the database server within a fraction of a second afterwards can lose the row, which
costs at most a second answer to a retry of that one delivery. Any other write in the transaction (a
person's identity or address, whatever the workflow changed, a notice queued) keeps the full guarantee.
SQLite needs none of this: under WAL with ``synchronous=NORMAL`` no commit waits for the disk
(:mod:`storage.database`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import Select
from sqlalchemy import event

RELAXED = "mentorbot_relaxed_durability"  # execution option: this statement's rows may be lost in a crash

_WROTE = "mentorbot_wrote"  # Connection.info: a write that must be durable, in this transaction
_WROTE_RELAXED = "mentorbot_wrote_relaxed"  # Connection.info: a RELAXED write, in this transaction


def track_writes(engine: Engine) -> None:
    """On every connection of ``engine``, note what the current transaction writes (a statement that is
    not a compiled SELECT counts as a durable write unless it is marked :data:`RELAXED`), and commit a
    transaction whose writes were all RELAXED without waiting for the disk. At the connection's commit,
    so that every way of committing is covered (a unit of work, ``engine.begin()``, the scheduler)."""

    @event.listens_for(engine, "begin")
    def _begun(conn: Connection) -> None:
        conn.info[_WROTE] = conn.info[_WROTE_RELAXED] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _executing(
        conn: Connection, _cursor: Any, _statement: str, _parameters: Any, context: Any, _many: bool
    ) -> None:
        compiled = getattr(context, "compiled", None)
        if compiled is not None and isinstance(compiled.statement, Select):
            return
        if context is not None and context.execution_options.get(RELAXED):
            conn.info[_WROTE_RELAXED] = True
        else:
            conn.info[_WROTE] = True

    @event.listens_for(engine, "commit")
    def _committing(conn: Connection) -> None:
        if conn.info.get(_WROTE_RELAXED) and conn.info.get(_WROTE) is False:
            conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
