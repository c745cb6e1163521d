"""Fixtures for the hostile-input tests: two relationships with content, mentorbot serving Slack or Teams
against the loopback fakes of tests/slack and tests/teams (reused, not copied), and what to look for in
whatever reaches a chat.

* ``world`` -- relationship A (Maria guides Eli) and relationship B (Olu guides Bea), a coordinator
  (Cora); B holds an agenda item, an action item, a held and a proposed meeting, a ground-rules proposal
  waiting for Olu, and Bea's check-in: the things A's members will try to reach
* ``slack`` -- mentorbot serving ``/slack/events`` against the fake Slack Web API
* ``teams`` -- mentorbot serving ``/api/messages`` in local anonymous mode; ``teams_with_app_id`` with
  Bot Framework credentials
"""

# ruff: noqa: E402  (the channel tests' helper folders go on sys.path before their modules are imported)
from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
for helpers in (TESTS / "slack", TESTS / "teams"):  # the fakes and harnesses of the channel tests
    if str(helpers) not in sys.path:
        sys.path.insert(0, str(helpers))

from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import date
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer
from fake_connector import FakeConnector
from fake_slack import FakeSlack
from hostile_support import BEA
from hostile_support import COORDINATOR
from hostile_support import OLU
from hostile_support import World
from slack_harness import Harness
from slack_harness import make_runtime
from slack_harness import slack_env
from sqlalchemy import Engine
from teams_harness import MENTEE
from teams_harness import MENTOR
from teams_harness import STRANGER
from teams_harness import TeamsHarness

from bot.clock import FixedClock
from bot.model import ActionItem
from bot.model import AgendaItem
from bot.model import CheckIn
from bot.model import Format
from bot.model import GroundRules
from bot.model import Kind
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Membership
from bot.model import Person
from bot.model import Relationship
from bot.model import Role
from bot.model import Side
from bot.programme import ProgrammeConfig
from mentorbot.channels import mount_slack
from mentorbot.channels import mount_teams
from mentorbot.server import build_app
from storage.uow import SqlUnitOfWorkFactory


@pytest.fixture
def programme() -> ProgrammeConfig:
    return ProgrammeConfig.default()


def _person(
    uow: Any, prog_id: int | None, email: str, name: str, role: Role, tz: str = "Europe/London"
) -> Person:
    person = Person(email=email, name=name, roles=[role], programme_id=prog_id, timezone=tz)
    uow.people.add(person)
    return person


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock) -> World:
    now = clock.now()
    with uow_factory() as uow:
        prog = uow.programmes.get_or_create(programme.slug, programme.name)
        mentee = _person(uow, prog.id, "mentee@example.org", "Eli Mentee", Role.MENTEE)
        mentor = _person(uow, prog.id, "mentor@example.org", "Maria Mentor", Role.GUIDE, "America/New_York")
        coordinator = _person(uow, prog.id, "coordinator@example.org", "Cora Coordinator", Role.COORDINATOR)
        bea = _person(uow, prog.id, "bea@example.org", "Bea Other", Role.MENTEE)
        olu = _person(uow, prog.id, "olu@example.org", "Olu Other", Role.GUIDE)
        uow.commit()
        rels = []
        for guide, learner in ((mentor, mentee), (olu, bea)):
            rel = Relationship(
                kind=Kind.MENTORING,
                format=Format.ONE_TO_ONE,
                phase="initiation",
                started_on=now.date(),
                members=[
                    Membership(person=guide, side=Side.GUIDE),
                    Membership(person=learner, side=Side.LEARNER),
                ],
                programme_id=prog.id,
            )
            uow.relationships.add(rel)
            rels.append(rel)
        uow.commit()
        rel_a, rel_b = rels
        assert rel_b.id is not None and bea.id is not None and olu.id is not None
        content = uow.system_content("test setup").as_member(bea.id)
        held = Meeting(
            relationship_id=rel_b.id,
            status=MeetingStatus.HELD,
            scheduled_by=bea.id,
            created_at=now - timedelta(days=3),
            options=[(now - timedelta(days=2)).isoformat()],
            starts_at=now - timedelta(days=2),
            held_minutes=60,
            updated_at=now,
        )
        proposed_at = (now + timedelta(days=5)).isoformat()
        proposed = Meeting(
            relationship_id=rel_b.id,
            status=MeetingStatus.PROPOSED,
            scheduled_by=olu.id,
            created_at=now,
            options=[proposed_at],
            updated_at=now,
        )
        content.add_meeting(held)
        content.add_meeting(proposed)
        agenda = AgendaItem(rel_b.id, bea.id, "B's agenda topic", 1, now)
        content.add_agenda_item(agenda)
        action = ActionItem(rel_b.id, "B's next step", bea.id, now, owner_id=bea.id, due_on=date(2026, 3, 20))
        content.add_action(action)
        rules = GroundRules(rel_b.id, 1, {"frequency": "every two weeks"}, bea.id, now)
        content.add_ground_rules(rules)
        checkin = CheckIn(rel_b.id, bea.id, 2, 4, 3, "retreat", now, shared=False)
        content.add_checkin(checkin)
        uow.commit()
        ids = (mentee.id, mentor.id, coordinator.id, rel_a.id, agenda.id, action.id, held.id, proposed.id)
        assert all(ids) and rules.id and checkin.id
        return World(
            mentee.id,  # type: ignore[arg-type]
            mentor.id,  # type: ignore[arg-type]
            coordinator.id,  # type: ignore[arg-type]
            rel_a.id,  # type: ignore[arg-type]
            bea.id,
            olu.id,
            rel_b.id,
            agenda.id,  # type: ignore[arg-type]
            action.id,  # type: ignore[arg-type]
            held.id,  # type: ignore[arg-type]
            proposed.id,  # type: ignore[arg-type]
            proposed_at,
            rules.id,
            checkin.id,
        )


# -- Slack --------------------------------------------------------------------------------------------------


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    fake.add_user("U0MENTEE", "mentee@example.org", "Europe/London", name="Eli")
    fake.add_user("U0MENTOR", "mentor@example.org", "America/New_York", name="Maria")
    fake.add_user("U0COORD", "coordinator@example.org", "Europe/London", name="Cora")
    fake.add_user("U0BEA", "bea@example.org", "Europe/London", name="Bea")
    fake.add_user("U0OLU", "olu@example.org", "Europe/London", name="Olu")
    fake.add_user("U0STRANGER", "stranger@example.org", "Europe/Paris", name="Sam")
    yield fake
    await fake.close()


@pytest.fixture
async def slack(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    fake_slack: FakeSlack,
    world: World,
) -> AsyncIterator[Harness]:
    runtime = make_runtime(engine, uow_factory, programme, clock, slack_env(fake_slack))
    client: TestClient[Any, Any] = TestClient(TestServer(build_app(runtime, [mount_slack])))
    await client.start_server()
    yield Harness(client, fake_slack, runtime)
    await client.close()


# -- Teams --------------------------------------------------------------------------------------------------

StartTeams = Callable[..., Awaitable[TeamsHarness]]
APP_ID = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"


@pytest.fixture
async def fake_connector() -> AsyncIterator[FakeConnector]:
    fake = await FakeConnector().start()
    for user in (MENTEE, MENTOR, STRANGER, COORDINATOR, BEA, OLU):
        fake.members[user.user_id] = user.member()
    yield fake
    await fake.stop()


@pytest.fixture
async def start_teams(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    fake_connector: FakeConnector,
    world: World,
) -> AsyncIterator[StartTeams]:
    clients: list[TestClient[Any, Any]] = []

    async def start(**env: str) -> TeamsHarness:
        runtime = make_runtime(engine, uow_factory, programme, clock, dict(env))
        client: TestClient[Any, Any] = TestClient(TestServer(build_app(runtime, [mount_teams])))
        await client.start_server()
        clients.append(client)
        return TeamsHarness(client, fake_connector, runtime)

    yield start
    for client in clients:
        await client.close()


@pytest.fixture
async def teams(start_teams: StartTeams) -> TeamsHarness:
    return await start_teams(MENTORBOT_TEAMS_LOCAL="1")


@pytest.fixture
async def teams_with_app_id(start_teams: StartTeams) -> TeamsHarness:
    """Teams with Bot Framework credentials: every request needs a token Microsoft issued."""
    return await start_teams(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="not-a-real-secret")
