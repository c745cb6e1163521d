"""Fixtures for the Teams tests: people in a relationship, a fake Bot Connector on loopback (the
``serviceUrl`` of every activity the tests send), and mentorbot's serve app with Teams mounted.

* ``people`` -- a mentee (Eli) and their mentor (Maria) in one relationship, and a coordinator; the
  stranger (Sam) has a Teams account but is not in the programme
* ``fake_connector`` -- the fake Bot Connector (fake_connector.py), whose roster knows all four
* ``start_teams(**env)`` -- start a server with Teams mounted; ``teams`` -- one in local mode
  (``MENTORBOT_TEAMS_LOCAL=1``)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer
from fake_connector import FakeConnector
from pair_seed import seed_pair
from sqlalchemy import Engine
from teams_harness import MENTEE
from teams_harness import MENTOR
from teams_harness import STRANGER
from teams_harness import TeamsHarness
from teams_harness import make_runtime

from bot.clock import FixedClock
from bot.programme import ProgrammeConfig
from mentorbot.channels import mount_teams
from mentorbot.server import build_app
from storage.uow import SqlUnitOfWorkFactory


@dataclass(frozen=True)
class People:
    mentee_id: int
    mentor_id: int
    coordinator_id: int
    relationship_id: int


StartTeams = Callable[..., Awaitable[TeamsHarness]]


@pytest.fixture
def programme() -> ProgrammeConfig:
    return ProgrammeConfig.default()


@pytest.fixture
def people(uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock) -> People:
    return People(*seed_pair(uow_factory, programme, clock))


@pytest.fixture
async def fake_connector() -> AsyncIterator[FakeConnector]:
    fake = await FakeConnector().start()
    for user in (MENTEE, MENTOR, STRANGER):
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
) -> AsyncIterator[StartTeams]:
    clients: list[TestClient] = []  # type: ignore[type-arg]

    async def start(**env: str) -> TeamsHarness:
        runtime = make_runtime(engine, uow_factory, programme, clock, dict(env))
        app = build_app(runtime, [mount_teams])
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return TeamsHarness(client, fake_connector, runtime)

    yield start
    for client in clients:
        await client.close()


@pytest.fixture
async def teams(start_teams: StartTeams, people: People) -> TeamsHarness:
    return await start_teams(MENTORBOT_TEAMS_LOCAL="1")
