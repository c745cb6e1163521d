"""The chunks of a plan pass: which relationships it looks at next, and their snapshot.

A chunk is loaded in its own transaction -- or, where the store says it pays (``reads_ahead``: on
PostgreSQL the server works on the queries while this process plans), *read ahead*: while one chunk is
planned, a second connection loads the next.  What the read-ahead saw may change before the next chunk's
transaction begins (the previous chunk's own phase moves, endings and outbox rows, or anyone else's
writes), so that transaction, under the plan lock and after the previous chunk's commit, checks it first:

* each relationship in the snapshot still has the ``review_seq``, phase and status it was read with (a
  change the planner depends on bumps ``review_seq``, see ``storage.scheduling``; the plan pass's own
  moves and endings change phase or status), and the chunk's own relationships are still due (nobody
  reviewed them meanwhile); otherwise the chunk is loaded again, in the transaction;
* the outbox rows of its people (the daily cap, the dedupe keys) are read again, in the transaction.

The read-ahead leaves out the relationships of the chunk being planned (their next review marks are not
written yet), as the next due query would once they are.
"""

from __future__ import annotations

import logging
from collections.abc import Set
from concurrent.futures import Future
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime

from bot.ports import SchedulerUnitOfWorkFactory
from bot.ports import SchedulingStore
from bot.snapshot import EXISTING_WINDOW
from bot.snapshot import Snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chunk:
    ids: list[int]  # the due relationships it was loaded for (the snapshot also holds their guides' others)
    snapshot: Snapshot
    more: bool  # the due query gave all it was asked for: more may be due


def load(store: SchedulingStore, now: datetime, size: int, skip: Set[int], extra: int = 0) -> Chunk | None:
    """Up to ``size`` due relationships not in ``skip`` and their snapshot (None: nothing left). ``extra``:
    how many more to ask for, to make up for those in ``skip`` that may still be due."""
    limit = size + extra
    ids = store.due_relationship_ids(now, limit)
    fresh = [i for i in ids if i not in skip][:size]
    if not fresh:
        return None
    return Chunk(fresh, store.load_snapshot(fresh, now), len(ids) >= limit)


def read_ahead(
    uow_factory: SchedulerUnitOfWorkFactory, now: datetime, size: int, planning: Chunk, seen: Set[int]
) -> Chunk | None:
    """The chunk after ``planning`` (whose review marks are not written yet), in a unit of work of its
    own; run in a thread while ``planning`` is planned."""
    planned = {f.id for f in planning.snapshot.relationships}
    with uow_factory() as uow:
        return load(uow.scheduling, now, size, seen | planned, extra=len(planned))


def checked(store: SchedulingStore, ahead: Future[Chunk | None], now: datetime) -> Chunk | None:
    """The chunk read ahead, if it still holds (see the module docstring), with its people's outbox rows
    read in ``store``'s transaction; None when it must be loaded again."""
    try:
        chunk = ahead.result()
    except Exception:  # its connection failed: the chunk is loaded in the transaction, which tells
        log.warning("plan pass: reading the next chunk ahead failed; loading it now", exc_info=True)
        return None
    if chunk is None:
        return None
    facts = chunk.snapshot.relationships
    marks = store.relationship_marks([f.id for f in facts], now)
    for f in facts:
        mark, rel = marks.get(f.id), f.relationship
        if mark is None or mark[:3] != (f.review_seq, rel.phase, rel.status):
            return None
    if not all(marks[i].due for i in chunk.ids):
        return None
    people = sorted(
        {m.person_id for f in facts for m in f.relationship.current_members() if m.person_id is not None}
    )
    existing = store.existing_deliveries(people, now - EXISTING_WINDOW)
    return replace(chunk, snapshot=replace(chunk.snapshot, existing=existing))
