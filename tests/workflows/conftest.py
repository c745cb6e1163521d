"""Shared fixtures for the workflow tests: people, relationships and console sessions on a real database.

Every test that uses these runs twice, on SQLite and on PostgreSQL (through ``uow_factory``).

* ``programme`` -- ``ProgrammeConfig.default()``
* ``bot`` -- a :class:`MentorBot` on the test database and the fixed ``clock``
* ``restart()`` -- a *new* MentorBot on the same database (to resume a flow "after a restart")
* ``pair`` -- a one-to-one mentoring relationship: mentor@example.org (guide, America/New_York) and
  mentee@example.org (mentee, Europe/London)
* ``group`` -- a group mentoring relationship: lead@example.org (guide, Europe/Berlin) with
  learner1..3@example.org (Europe/London, Asia/Kolkata, America/Los_Angeles)
* ``outsider`` -- outsider@example.org, in the programme but in neither relationship
* ``coordinator`` -- coordinator@example.org (role coordinator, no relationship)
* ``session(email, bot=None)`` -- a :class:`ConsoleSession` as that person
* ``notices(email)`` -- the messages waiting for that person in the outbox, oldest first
* ``receive(session)`` -- put the person's newest outbox message on their screen, so ``press`` works
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date

import pytest

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.messages import Message
from bot.model import Format
from bot.model import Kind
from bot.model import Membership
from bot.model import Person
from bot.model import Relationship
from bot.model import Role
from bot.model import Side
from bot.programme import ProgrammeConfig
from bot.serialize import message_from_dict
from handlers.console.channel import ConsoleSession
from storage.uow import SqlUnitOfWorkFactory


@dataclass(frozen=True)
class Member:
    email: str
    name: str
    id: int
    timezone: str


@dataclass(frozen=True)
class Rel:
    """A relationship as the tests see it: its id and its members by role."""

    id: int
    kind: str
    format: str
    guides: tuple[Member, ...]
    learners: tuple[Member, ...]
    members: tuple[Member, ...] = field(default=())

    @property
    def guide(self) -> Member:
        return self.guides[0]

    @property
    def learner(self) -> Member:
        return self.learners[0]

    # the one-to-one pair's names, for readability
    @property
    def mentor(self) -> Member:
        return self.guides[0]

    @property
    def mentee(self) -> Member:
        return self.learners[0]


@pytest.fixture
def programme() -> ProgrammeConfig:
    return ProgrammeConfig.default()


@pytest.fixture
def bot(uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock) -> MentorBot:
    return MentorBot(uow_factory, programme, clock)


@pytest.fixture
def restart(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> Callable[[], MentorBot]:
    """Build a fresh MentorBot on the same database: nothing survives but what was stored."""

    def build() -> MentorBot:
        return MentorBot(SqlUnitOfWorkFactory(uow_factory.engine), programme, clock)

    return build


def add_person(
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    email: str,
    name: str,
    timezone: str,
    roles: list[str],
) -> Member:
    with uow_factory() as uow:
        prog = uow.programmes.get_or_create(programme.slug, programme.name)
        person = Person(email=email, name=name, roles=roles, timezone=timezone, programme_id=prog.id)
        uow.people.add(person)
        uow.commit()
        assert person.id is not None
        return Member(email, name, person.id, timezone)


def add_relationship(
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    started_on: date,
    guides: list[Member],
    learners: list[Member],
    *,
    kind: str = Kind.MENTORING,
    format: str = Format.ONE_TO_ONE,
    phase: str = "initiation",
    cadence_days: int = 28,
) -> Rel:
    with uow_factory() as uow:
        prog = uow.programmes.get_or_create(programme.slug, programme.name)
        members: list[Membership] = []
        for m, side in [*((g, Side.GUIDE) for g in guides), *((lr, Side.LEARNER) for lr in learners)]:
            person = uow.people.get(m.id)
            assert person is not None
            members.append(Membership(person=person, side=side))
        rel = Relationship(
            kind=kind,
            format=format,
            phase=phase,
            started_on=started_on,
            cadence_days=cadence_days,
            members=members,
            programme_id=prog.id,
        )
        uow.relationships.add(rel)
        uow.commit()
        assert rel.id is not None
        return Rel(rel.id, kind, format, tuple(guides), tuple(learners), (*guides, *learners))


@pytest.fixture
def make_person(uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig) -> Callable[..., Member]:
    """``make_person(email, name, timezone="UTC", roles=("mentee",))`` adds someone to the programme."""

    def make(email: str, name: str, timezone: str = "UTC", roles: tuple[str, ...] = (Role.MENTEE,)) -> Member:
        return add_person(uow_factory, programme, email, name, timezone, list(roles))

    return make


@pytest.fixture
def make_relationship(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> Callable[..., Rel]:
    """``make_relationship(guides, learners, kind=..., format=..., phase=...)`` starting today."""

    def make(guides: list[Member], learners: list[Member], **kw: object) -> Rel:
        return add_relationship(uow_factory, programme, clock.now().date(), guides, learners, **kw)  # type: ignore[arg-type]

    return make


@pytest.fixture
def pair(make_person: Callable[..., Member], make_relationship: Callable[..., Rel]) -> Rel:
    mentor = make_person("mentor@example.org", "Maria Mentor", "America/New_York", (Role.GUIDE,))
    mentee = make_person("mentee@example.org", "Eli Mentee", "Europe/London", (Role.MENTEE,))
    return make_relationship([mentor], [mentee])


@pytest.fixture
def group(make_person: Callable[..., Member], make_relationship: Callable[..., Rel]) -> Rel:
    lead = make_person("lead@example.org", "Lena Lead", "Europe/Berlin", (Role.GUIDE,))
    learners = [
        make_person("learner1@example.org", "Lee One", "Europe/London"),
        make_person("learner2@example.org", "Lin Two", "Asia/Kolkata"),
        make_person("learner3@example.org", "Lou Three", "America/Los_Angeles"),
    ]
    return make_relationship([lead], learners, format=Format.GROUP)


@pytest.fixture
def outsider(make_person: Callable[..., Member]) -> Member:
    return make_person("outsider@example.org", "Olly Outsider", "Europe/London", (Role.MENTEE,))


@pytest.fixture
def coordinator(make_person: Callable[..., Member]) -> Member:
    return make_person("coordinator@example.org", "Cora Coordinator", "Europe/London", (Role.COORDINATOR,))


@pytest.fixture
def session(bot: MentorBot) -> Callable[..., ConsoleSession]:
    def open_session(email: str, on: MentorBot | None = None) -> ConsoleSession:
        return ConsoleSession(on or bot, email)

    return open_session


@pytest.fixture
def notices(uow_factory: SqlUnitOfWorkFactory) -> Callable[[str], list[Message]]:
    """What the bot has queued for a person (the outbox), oldest first."""

    def read(email: str) -> list[Message]:
        with uow_factory() as uow:
            person = uow.people.by_email(email)
            assert person is not None
            assert person.id is not None
            deliveries = sorted(uow.deliveries.for_person(person.id), key=lambda d: d.id or 0)
            return [message_from_dict(d.payload["message"]) for d in deliveries if "message" in d.payload]

    return read


@pytest.fixture
def receive(notices: Callable[[str], list[Message]]) -> Callable[[ConsoleSession], str]:
    """Show the person's newest outbox message as if it had just arrived; returns its text."""

    def show(s: ConsoleSession) -> str:
        queued = notices(s.sender.email or "")
        assert queued, f"nothing queued for {s.sender.email}"
        s.last = [queued[-1]]
        return s.text()

    return show


# -- added by the growth workflows (agenda, actions, check-ins, network, settings) ------------------------


@pytest.fixture
def add_meeting(uow_factory: SqlUnitOfWorkFactory, clock: FixedClock) -> Callable[..., int]:
    """``add_meeting(rel, starts_at, status="confirmed", minutes=60)`` stores a meeting directly; its id.

    For tests that need a meeting in a given state without walking through scheduling.
    """
    from datetime import datetime

    from bot.model import Meeting
    from bot.model import MeetingStatus

    def add(rel: Rel, starts_at: datetime, status: str = MeetingStatus.CONFIRMED, minutes: int = 60) -> int:
        with uow_factory() as uow:
            meeting = Meeting(
                relationship_id=rel.id,
                status=status,
                scheduled_by=rel.learners[0].id if rel.learners else rel.members[0].id,
                created_at=clock.now(),
                options=[starts_at.isoformat()],
                starts_at=starts_at,
                duration_minutes=minutes,
                held_minutes=minutes if status == MeetingStatus.HELD else None,
                updated_at=clock.now(),
            )
            uow.system_content("test setup").as_member(meeting.scheduled_by).add_meeting(meeting)
            uow.commit()
            assert meeting.id is not None
            return meeting.id

    return add


@pytest.fixture
def set_meeting_status(uow_factory: SqlUnitOfWorkFactory) -> Callable[[Rel, int, str], None]:
    """``set_meeting_status(rel, meeting_id, "held")``: what the meetings workflow records afterwards."""

    def change(rel: Rel, meeting_id: int, status: str) -> None:
        with uow_factory() as uow:
            meeting = uow.system_content("test setup").as_member(rel.members[0].id).meeting(meeting_id)
            meeting.status = status
            if status == "held":
                meeting.held_minutes = meeting.duration_minutes
            uow.commit()

    return change
