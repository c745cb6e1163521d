"""The programme the Slack and Teams channel tests share: a mentee, a mentor, a coordinator, one pair."""

from __future__ import annotations

from bot.clock import FixedClock
from bot.model import Format
from bot.model import Kind
from bot.model import Membership
from bot.model import Person
from bot.model import Relationship
from bot.model import Role
from bot.model import Side
from bot.programme import ProgrammeConfig
from storage.uow import SqlUnitOfWorkFactory


def seed_pair(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> tuple[int, int, int, int]:
    """Eli Mentee, Maria Mentor (America/New_York), Cora Coordinator, and a one-to-one mentoring
    relationship between Maria and Eli; returns the (mentee, mentor, coordinator, relationship) ids."""
    with uow_factory() as uow:
        prog = uow.programmes.get_or_create(programme.slug, programme.name)
        mentee = Person(
            email="mentee@example.org", name="Eli Mentee", roles=[Role.MENTEE], programme_id=prog.id
        )
        mentor = Person(
            email="mentor@example.org",
            name="Maria Mentor",
            roles=[Role.GUIDE],
            programme_id=prog.id,
            timezone="America/New_York",
        )
        coordinator = Person(
            email="coordinator@example.org",
            name="Cora Coordinator",
            roles=[Role.COORDINATOR],
            programme_id=prog.id,
        )
        for person in (mentee, mentor, coordinator):
            uow.people.add(person)
        uow.commit()
        rel = Relationship(
            kind=Kind.MENTORING,
            format=Format.ONE_TO_ONE,
            phase="initiation",
            started_on=clock.now().date(),
            members=[
                Membership(person=mentor, side=Side.GUIDE),
                Membership(person=mentee, side=Side.LEARNER),
            ],
            programme_id=prog.id,
        )
        uow.relationships.add(rel)
        uow.commit()
        assert mentee.id and mentor.id and coordinator.id and rel.id
        return mentee.id, mentor.id, coordinator.id, rel.id
