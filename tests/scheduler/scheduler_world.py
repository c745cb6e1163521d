"""A small world of people and relationships on a real database, for the scheduler tests.

Test data is set up directly through the domain objects and the unit of work (not through the
conversational workflows), and time only moves when a test moves the injected clock.

* ``world`` -- a :class:`World`: add people, relationships, meetings, ground rules and action items;
  ``tick()`` runs one plan pass and then dispatches until nothing is due, as ``mentorbot tick`` does;
  ``inbox`` lists what each person received, in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.clock import FixedClock
from bot.messages import Message
from bot.model import ActionItem
from bot.model import AgreementStatus
from bot.model import ChatIdentity
from bot.model import GroundRuleConfirmation
from bot.model import GroundRules
from bot.model import Kind
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Membership
from bot.model import Person
from bot.model import Platform
from bot.model import Relationship
from bot.model import Role
from bot.model import Side
from bot.programme import ProgrammeConfig
from bot.sending import RateLimit
from handlers.console.render import render_message
from scheduler.dispatch import Dispatcher
from scheduler.dispatch import DispatchSummary
from scheduler.planpass import PlanPass
from scheduler.planpass import PlanSummary
from storage import tables
from storage.uow import SqlUnitOfWorkFactory


@dataclass
class Received:
    person_id: int
    email: str
    platform: str
    message: Message
    at: datetime

    @property
    def text(self) -> str:
        return render_message(self.message)


class RecordingSender:
    """A channel that keeps what it was given (stands in for the console/log channel or a chat platform)."""

    def __init__(self, platform: str, clock: FixedClock, *, rate: float = 10_000.0) -> None:
        self.platform = platform
        self.clock = clock
        self.rate_limit = RateLimit(per_second=rate, global_per_second=rate)
        self.received: list[Received] = []

    def rate_key(self, identity: ChatIdentity) -> str:
        return identity.external_id

    async def send(self, person: Person, identity: ChatIdentity, message: Message) -> None:
        assert person.id is not None
        self.received.append(Received(person.id, person.email, self.platform, message, self.clock.now()))


@dataclass
class Sent:
    """A delivery as the outbox recorded it."""

    id: int
    person_id: int
    kind: str
    dedupe_key: str
    status: str
    due_at: datetime
    sent_at: datetime | None
    channel: str
    attempts: int
    last_error: str
    payload: dict[str, Any]


@dataclass
class World:
    uow_factory: SqlUnitOfWorkFactory
    programme: ProgrammeConfig
    clock: FixedClock
    console: RecordingSender
    senders: dict[str, Any] = field(default_factory=dict)

    # -- people and relationships ------------------------------------------------------------------------
    def person(
        self,
        email: str,
        name: str,
        timezone: str = "Europe/London",
        roles: Sequence[str] = (Role.MENTEE,),
        *,
        platform: str | None = Platform.CONSOLE.value,
        **attrs: Any,
    ) -> int:
        """A person; by default a console person (as after ``mentorbot chat``), whose messages the
        world's console sender records. ``platform=None``: someone who never talked to the bot."""
        with self.uow_factory() as uow:
            person = Person(email=email, name=name, roles=list(roles), timezone=timezone, **attrs)
            if platform is not None:
                external = email.lower() if platform == Platform.CONSOLE else f"{platform}:{email}"
                person.identities.append(
                    ChatIdentity(platform=platform, external_id=external, updated_at=self.clock.now())
                )
            uow.people.add(person)
            uow.commit()
            assert person.id is not None
            return person.id

    def relationship(
        self,
        guides: Sequence[int],
        learners: Sequence[int],
        *,
        started_on: date,
        planned_end: date | None = None,
        kind: str = Kind.MENTORING,
        format: str = "one-to-one",
        phase: str = "initiation",
        cadence_days: int = 28,
    ) -> int:
        with self.uow_factory() as uow:
            members = [Membership(person=_get(uow, g), side=Side.GUIDE) for g in guides]
            members += [Membership(person=_get(uow, lr), side=Side.LEARNER) for lr in learners]
            rel = Relationship(
                kind=kind, format=format, phase=phase, started_on=started_on, planned_end=planned_end,
                cadence_days=cadence_days, members=members, created_at=self.clock.now(),
            )  # fmt: skip
            uow.relationships.add(rel)
            uow.commit()
            assert rel.id is not None
            return rel.id

    def meeting(
        self, relationship_id: int, starts_at: datetime, *, by: int, status: str = MeetingStatus.CONFIRMED,
        minutes: int = 60,
    ) -> int:  # fmt: skip
        with self.uow_factory() as uow:
            m = Meeting(
                relationship_id=relationship_id, status=status, scheduled_by=by, created_at=self.clock.now(),
                starts_at=starts_at, duration_minutes=minutes, updated_at=self.clock.now(),
            )  # fmt: skip
            uow.system_content("test setup").as_member(by).add_meeting(m)
            uow.commit()
            assert m.id is not None
            return m.id

    def set_meeting(self, meeting_id: int, **changes: Any) -> None:
        with self.uow_factory() as uow:
            m = uow.session.get(Meeting, meeting_id)  # type: ignore[attr-defined]
            assert m is not None
            for k, v in changes.items():
                setattr(m, k, v)
            m.updated_at = self.clock.now()
            uow.commit()

    def agree_rules(self, relationship_id: int, by: int, others: Sequence[int], **items: str) -> None:
        now = self.clock.now()
        with self.uow_factory() as uow:
            content = uow.system_content("test setup").as_member(by)
            version = len(content.ground_rules(relationship_id)) + 1
            answers = dict(self.programme.ground_rule_defaults) | items
            rules = GroundRules(
                relationship_id=relationship_id, version=version, items=answers, proposed_by=by,
                proposed_at=now, status=AgreementStatus.AGREED, agreed_at=now,
                confirmations=[GroundRuleConfirmation(person_id=p, at=now) for p in (by, *others)],
            )  # fmt: skip
            content.add_ground_rules(rules)
            uow.commit()

    def action(self, relationship_id: int, owner: int, text: str, due_on: date) -> int:
        with self.uow_factory() as uow:
            item = ActionItem(
                relationship_id=relationship_id, text=text, created_by=owner, created_at=self.clock.now(),
                owner_id=owner, due_on=due_on,
            )  # fmt: skip
            uow.system_content("test setup").as_member(owner).add_action(item)
            uow.commit()
            assert item.id is not None
            return item.id

    def update_person(self, person_id: int, **changes: Any) -> None:
        with self.uow_factory() as uow:
            person = _get(uow, person_id)
            for k, v in changes.items():
                setattr(person, k, v)
            uow.commit()

    # -- time ------------------------------------------------------------------------------------------------
    def at(self, when: str, tz: str = "UTC") -> datetime:
        """``"2026-03-02 09:00"`` in ``tz`` as a UTC instant."""
        return datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)

    def start_at(self, when: datetime) -> None:
        """Set the clock before anything has happened."""
        self.clock.set(when)

    def move_to(self, when: datetime) -> None:
        assert when >= self.clock.now(), "time only moves forward"
        self.clock.set(when)

    # -- the scheduler -----------------------------------------------------------------------------------
    def dispatcher(self, **kw: Any) -> Dispatcher:
        senders = {Platform.CONSOLE.value: self.console, **self.senders}
        return Dispatcher(self.uow_factory, self.programme, self.clock, senders, **kw)

    def plan(self) -> PlanSummary:
        return PlanPass(self.uow_factory, self.programme).run(self.clock.now())

    def dispatch(self, **kw: Any) -> DispatchSummary:
        return asyncio.run(self.dispatcher(**kw).drain())

    def tick(self) -> tuple[PlanSummary, DispatchSummary]:
        return self.plan(), self.dispatch()

    def next_event(self) -> datetime | None:
        """When something is next due: the earliest review mark or pending delivery (stored state)."""
        r, d = tables.relationships, tables.deliveries
        with self.uow_factory() as uow:
            s = uow.session  # type: ignore[attr-defined]
            review = s.execute(
                select(r.c.review_at).where(r.c.status != "ended", r.c.review_at.is_not(None))
                .order_by(r.c.review_at).limit(1)
            ).scalar()  # fmt: skip
            due = s.execute(
                select(d.c.due_at).where(d.c.status.in_(["pending", "failed"])).order_by(d.c.due_at).limit(1)
            ).scalar()
        found = [t for t in (review, due) if t is not None]
        return min(found) if found else None

    def run_until(self, end: datetime) -> None:
        """Tick whenever something becomes due, up to ``end`` (``serve`` checks minute by minute)."""
        self.tick()
        while True:
            nxt = self.next_event()
            if nxt is None or nxt > end:
                break
            self.move_to(max(nxt, self.clock.now()))
            self.tick()
        self.move_to(max(end, self.clock.now()))

    # -- what happened ---------------------------------------------------------------------------------
    def outbox(self, person_id: int | None = None) -> list[Sent]:
        d = tables.deliveries
        with self.uow_factory() as uow:
            stmt = select(d).order_by(d.c.id)
            if person_id is not None:
                stmt = stmt.where(d.c.person_id == person_id)
            rows = uow.session.execute(stmt).mappings().all()  # type: ignore[attr-defined]
        return [
            Sent(r["id"], r["person_id"], r["kind"], r["dedupe_key"], r["status"], r["due_at"], r["sent_at"],
                 r["channel"], r["attempts"], r["last_error"], r["payload"])
            for r in rows
        ]  # fmt: skip

    def inbox(self, person_id: int) -> list[Received]:
        return [r for r in self.console.received if r.person_id == person_id]


def _get(uow: Any, person_id: int) -> Person:
    person = uow.people.get(person_id)
    assert person is not None
    return person


def local(at: datetime | None, tz: str) -> str:
    """An instant as the person saw it: ``"Mon 2026-03-02 09:00"``."""
    assert at is not None
    return at.astimezone(ZoneInfo(tz)).strftime("%a %Y-%m-%d %H:%M")
