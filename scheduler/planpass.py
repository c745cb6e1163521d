"""One plan pass: load what is due, run the pure planner, write the outcome -- chunk by chunk.

For each chunk of relationships whose review mark has come, in one unit of work (through the
:class:`bot.ports.SchedulingStore` port, which ``storage.scheduling`` implements): load the snapshot,
plan, apply the phase moves, write the deliveries (and the ``batched`` marker rows of batched items)
with ``ON CONFLICT (dedupe_key) DO NOTHING``, and set each relationship's next review mark -- guarded,
so a change made meanwhile is looked at again on the next pass.

A relationship whose last phase (closure) is over ends here, by itself, in the same transaction: the
ending rule is the coordinators' own (``bot.coordinator.ending``), the write is guarded by status and
phase (``storage.scheduling.end_relationship``) so it happens once however many passes see it, and only
the pass that ended it tells the coordinators (facts only: number, kind, names, planned end) and the
members (how long their closing reflection stays open).

On PostgreSQL a transaction-scoped advisory lock lets one process plan at a time; a second ``serve``
process simply skips its pass.  Even without it, two passes planning the same thing insert the same
dedupe keys, so nothing is sent twice.

This runs synchronously: call it in a thread (``asyncio.to_thread``) from the event loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from bot import closure
from bot.coordinator import ending
from bot.messages import Button as ChatButton
from bot.messages import Buttons
from bot.messages import Message
from bot.messages import Text
from bot.model import DeliveryStatus
from bot.model import Person
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.notices import NOTICE_PRIORITY
from bot.ports import SchedulerUnitOfWorkFactory
from bot.ports import SchedulingStore
from bot.programme import ProgrammeConfig
from bot.relationship_view import join_names
from bot.relationship_view import kind_label
from bot.serialize import message_to_dict
from bot.snapshot import EXISTING_WINDOW
from bot.snapshot import Snapshot
from bot.timefmt import show_date
from scheduler.phases import PhaseOutcome
from scheduler.phases import evaluate
from scheduler.planner import Planned
from scheduler.planner import address_alerts
from scheduler.planner import plan

log = logging.getLogger(__name__)


@dataclass
class PlanSummary:
    planned: int = 0  # messages written to the outbox
    phase_changes: int = 0
    ended: int = 0  # relationships that ended by themselves (closure over)
    reviewed: int = 0  # relationships looked at
    chunks: int = 0
    busy: bool = False  # another process was planning (PostgreSQL)
    seconds: float = 0.0


class PlanPass:
    def __init__(
        self,
        uow_factory: SchedulerUnitOfWorkFactory,
        programme: ProgrammeConfig,
        *,
        chunk_size: int = 2000,  # per chunk ~20 queries: larger chunks halve a catch-up's database time
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
            with self.uow_factory() as uow:
                store = uow.scheduling
                if not store.try_plan_lock():
                    summary.busy = True
                    break
                ids = store.due_relationship_ids(now, self.chunk_size)
                fresh = [i for i in ids if i not in seen]
                if not fresh:
                    break
                seen.update(fresh)
                self._chunk(store, fresh, now, summary)
                uow.commit()
            summary.chunks += 1
            if len(ids) < self.chunk_size:
                break
        summary.seconds = time.perf_counter() - started
        if summary.planned or summary.phase_changes or summary.ended:
            log.info(
                "plan pass at %s: %d message(s) planned, %d phase change(s), %d ended, %d relationship(s)"
                " in %.2fs",
                now.isoformat(), summary.planned, summary.phase_changes, summary.ended, summary.reviewed,
                summary.seconds,
            )  # fmt: skip
        return summary

    def _chunk(self, store: SchedulingStore, ids: list[int], now: datetime, summary: PlanSummary) -> None:
        snapshot = store.load_snapshot(ids, now)
        outcome = plan(snapshot, now, self.programme)
        deliveries = list(outcome.deliveries)
        if outcome.alerts:
            coordinators = store.coordinators()
            existing = store.existing_deliveries(
                [c.id for c in coordinators if c.id is not None], now - EXISTING_WINDOW
            )
            deliveries += address_alerts(outcome.alerts, coordinators, now, self.programme, existing)
        for step in outcome.phase_steps:
            if store.apply_phase_step(step.from_phase, step.change):
                summary.phase_changes += 1
        deliveries += self._end_finished(store, snapshot, outcome.phases, now, summary)
        summary.planned += write_deliveries(store, deliveries, now)
        store.write_reviews(outcome.reviews, {f.id: f.review_seq for f in snapshot.relationships})
        summary.reviewed += len(snapshot.relationships)

    def _end_finished(
        self,
        store: SchedulingStore,
        snapshot: Snapshot,
        phases: Mapping[int, PhaseOutcome],
        now: datetime,
        summary: PlanSummary,
    ) -> list[Planned]:
        """End every live relationship whose last phase is over; the notices of those this pass ended.
        ``phases``: what the phase engine told the planner (asked again only for those it did not ask)."""
        last = self.programme.phases[-1] if self.programme.phases else None
        if last is None or last.length is None:
            return []
        notices: list[Planned] = []
        coordinators: list[Person] | None = None
        for facts in snapshot.relationships:
            rel = facts.relationship
            if rel.status == RelationshipStatus.ENDED:
                continue
            outcome = phases.get(facts.id) or evaluate(facts, now, self.programme)
            if not outcome.finished:
                continue
            end = ending(rel, None, outcome.state.entered_at + last.length, now, reason="closure over")
            if not store.end_relationship(facts.id, outcome.state.phase, end):
                continue  # another pass (or a coordinator) got there first
            summary.ended += 1
            rel.status, rel.ended_at, rel.planned_end = end.status, end.ended_at, end.planned_end
            if coordinators is None:
                coordinators = store.coordinators()
            notices += ended_notices(self.programme, rel, coordinators, now)
        return notices


NOTICE_VALID_FOR = timedelta(days=14)


def ended_notices(
    programme: ProgrammeConfig, rel: Relationship, coordinators: list[Person], now: datetime
) -> list[Planned]:
    """Coordinators: which relationship ended, its kind, members' names and planned end (no content).
    Members: it has come to a close, and how long their closing reflection stays open."""
    assert rel.id is not None
    until = closure.reflection_until(rel, programme.zone)
    values = {
        "number": rel.id,
        "until": show_date(until) if until is not None else "—",
        "planned_end": show_date(rel.planned_end) if rel.planned_end is not None else "—",
    }
    to_coordinators = Message(
        (
            Text(
                programme.text(
                    "closure.notice.coordinator",
                    kind=kind_label(programme, rel.kind),
                    names=join_names([m.person for m in rel.current_members()], programme),
                    **values,
                )
            ),
        )
    )
    to_members = Message(
        (
            Text(programme.text("closure.notice.member", **values)),
            Buttons(
                (
                    ChatButton(
                        programme.text("closure.reflection.button_label"), "closure.open", {"r": str(rel.id)}
                    ),
                )
            ),
        )
    )
    out = [
        _notice(c.id, f"relationship_ended:{rel.id}:{c.id}", to_coordinators, rel.id, now)
        for c in coordinators
        if c.id is not None
    ]
    out += [
        _notice(m.person.id, f"closure_ended:{rel.id}:{m.person.id}", to_members, rel.id, now)
        for m in rel.current_members()
        if m.person.id is not None and m.person.in_programme
    ]
    return out


def _notice(person_id: int, key: str, message: Message, relationship_id: int, now: datetime) -> Planned:
    return Planned(
        person_id=person_id,
        kind="notice",
        dedupe_key=key,
        due_at=now,
        expires_at=now + NOTICE_VALID_FOR,
        priority=NOTICE_PRIORITY,
        relationship_id=relationship_id,
        message=message,
    )


def write_deliveries(store: SchedulingStore, planned: list[Planned], now: datetime) -> int:
    """Write planned deliveries; returns how many messages were new. Batched items go first, as marker
    rows: a batch is sent only with the items nobody sent yet (none left: no message)."""
    markers = [
        _row(p, item, now, status=DeliveryStatus.BATCHED, payload={"batch": p.dedupe_key})
        for p in planned
        for item in p.items
    ]
    fresh_items = store.insert_deliveries(markers)
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
    return len(store.insert_deliveries(rows))


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
