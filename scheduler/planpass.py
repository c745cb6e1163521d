"""One plan pass: load what is due, run the pure planner, write the outcome -- chunk by chunk.

For each chunk of relationships whose review mark has come (``storage.scheduling``), in one
transaction: load the snapshot, plan, apply the phase moves, write the deliveries (and the ``batched``
marker rows of batched items) with ``ON CONFLICT (dedupe_key) DO NOTHING``, and set each relationship's
next review mark -- guarded, so a change made meanwhile is looked at again on the next pass.

On PostgreSQL a transaction-scoped advisory lock lets one process plan at a time; a second ``serve``
process simply skips its pass.  Even without it, two passes planning the same thing insert the same
dedupe keys, so nothing is sent twice.

This runs synchronously: call it in a thread (``asyncio.to_thread``) from the event loop.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.model import DeliveryStatus
from bot.programme import ProgrammeConfig
from bot.serialize import message_to_dict
from scheduler.planner import Planned, address_alerts, plan
from storage import scheduling as store
from storage.uow import SqlUnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass
class PlanSummary:
    planned: int = 0  # messages written to the outbox
    phase_changes: int = 0
    reviewed: int = 0  # relationships looked at
    chunks: int = 0
    busy: bool = False  # another process was planning (PostgreSQL)
    seconds: float = 0.0


class PlanPass:
    def __init__(
        self,
        uow_factory: SqlUnitOfWorkFactory,
        programme: ProgrammeConfig,
        *,
        chunk_size: int = 500,
        stop: threading.Event | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.programme = programme
        self.chunk_size = chunk_size
        self.stop = stop or threading.Event()

    def run(self, now: datetime) -> PlanSummary:
        """Plan everything due at ``now``. Stops early (between chunks) when ``stop`` is set."""
        started = time.perf_counter()
        summary = PlanSummary()
        seen: set[int] = set()
        while not self.stop.is_set():
            with self.uow_factory.session_factory() as session:
                if not store.try_plan_lock(session):
                    summary.busy = True
                    break
                ids = store.due_relationship_ids(session, now, self.chunk_size)
                fresh = [i for i in ids if i not in seen]
                if not fresh:
                    break
                seen.update(fresh)
                self._chunk(session, fresh, now, summary)
                session.commit()
            summary.chunks += 1
            if len(ids) < self.chunk_size:
                break
        summary.seconds = time.perf_counter() - started
        if summary.planned or summary.phase_changes:
            log.info(
                "plan pass at %s: %d message(s) planned, %d phase change(s), %d relationship(s) in %.2fs",
                now.isoformat(), summary.planned, summary.phase_changes, summary.reviewed, summary.seconds,
            )  # fmt: skip
        return summary

    def _chunk(self, session: Session, ids: list[int], now: datetime, summary: PlanSummary) -> None:
        snapshot = store.load_snapshot(session, ids, now)
        outcome = plan(snapshot, now, self.programme)
        deliveries = list(outcome.deliveries)
        if outcome.alerts:
            coordinators = store.coordinators(session)
            existing = store.existing_deliveries(
                session, [c.id for c in coordinators if c.id is not None], now - store.EXISTING_WINDOW
            )
            deliveries += address_alerts(outcome.alerts, coordinators, now, self.programme, existing)
        for step in outcome.phase_steps:
            if store.apply_phase_step(session, step.relationship_id, step.from_phase, step.to_phase, step.at,
                                      step.reason):  # fmt: skip
                summary.phase_changes += 1
        summary.planned += write_deliveries(session, deliveries, now)
        store.write_reviews(session, outcome.reviews, {f.id: f.review_seq for f in snapshot.relationships})
        summary.reviewed += len(snapshot.relationships)


def write_deliveries(session: Session, planned: list[Planned], now: datetime) -> int:
    """Write planned deliveries; returns how many messages were new. Batched items go first, as marker
    rows: a batch is sent only with the items nobody sent yet (none left: no message)."""
    markers = [
        _row(p, item, now, status=DeliveryStatus.BATCHED, payload={"batch": p.dedupe_key})
        for p in planned
        for item in p.items
    ]
    fresh_items = store.insert_deliveries(session, markers)
    rows = []
    for p in planned:
        message = p.message
        if p.items:
            items = tuple(i for i in p.items if i in fresh_items)
            if not items:
                continue
            if items != p.items and p.recompose is not None:
                message = p.recompose(items)
        rows.append(_row(p, p.dedupe_key, now, payload={"message": message_to_dict(message)}))
    return len(store.insert_deliveries(session, rows))


def _row(
    p: Planned, key: str, now: datetime, *, payload: dict[str, Any], status: str = DeliveryStatus.PENDING
) -> dict[str, Any]:
    return {
        "person_id": p.person_id,
        "kind": p.kind,
        "dedupe_key": key,
        "payload": payload,
        "due_at": p.due_at,
        "channel": "",
        "status": str(status),
        "priority": p.priority,
        "expires_at": p.expires_at,
        "attempts": 0,
        "lease_until": None,
        "last_error": "",
        "relationship_id": p.relationship_id,
        "created_at": now,
        "sent_at": None,
    }
