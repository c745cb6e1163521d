"""Fixtures for the Slack end-to-end tests: mentorbot's serve app with Slack mounted, a fake Slack Web API on
loopback (reached through SLACK_API_URL), and requests signed exactly the way Slack signs them.

* ``fake_slack`` -- the fake Web API (fake_slack.py), with Slack users for the people below
* ``people`` -- a mentee (Eli, U0MENTEE) and their mentor (Maria, U0MENTOR) in one relationship, a
  coordinator (Cora, U0COORD), and a Slack user who is not in the programme (U0STRANGER)
* ``start_slack(**env)`` -- start a server with Slack on; ``slack`` -- one started with the defaults
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer
from fake_slack import FakeSlack
from pair_seed import seed_pair
from slack_harness import Harness
from slack_harness import People
from slack_harness import StartSlack
from slack_harness import make_runtime
from slack_harness import slack_env
from sqlalchemy import Engine

from bot.clock import FixedClock
from bot.programme import ProgrammeConfig
from mentorbot.channels import mount_slack
from mentorbot.server import build_app
from storage.uow import SqlUnitOfWorkFactory


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    fake.add_user("U0MENTEE", "mentee@example.org", "Europe/London", name="Eli")
    fake.add_user("U0MENTOR", "Mentor@Example.org", "America/New_York", name="Maria")
    fake.add_user("U0COORD", "coordinator@example.org", "Europe/London", name="Cora")
    fake.add_user("U0STRANGER", "stranger@example.org", "Europe/Paris", name="Sam")
    yield fake
    await fake.close()


@pytest.fixture
def programme() -> ProgrammeConfig:
    return ProgrammeConfig.default()


@pytest.fixture
def people(uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock) -> People:
    return People(*seed_pair(uow_factory, programme, clock))


@pytest.fixture
async def start_slack(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    fake_slack: FakeSlack,
) -> AsyncIterator[StartSlack]:
    """``await start_slack(**env_overrides)``: mentorbot serving with Slack on, against the fake."""
    clients: list[TestClient[web.Request, web.Application]] = []

    async def start(**overrides: str) -> Harness:
        runtime = make_runtime(engine, uow_factory, programme, clock, slack_env(fake_slack, **overrides))
        app = build_app(runtime, [mount_slack])
        client: TestClient[web.Request, web.Application] = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return Harness(client, fake_slack, runtime)

    yield start
    for client in clients:
        await client.close()


@pytest.fixture
async def slack(start_slack: StartSlack, people: People) -> Harness:
    return await start_slack()
