"""Fixtures for the coordinator tests; the seeded programme is described in ``coordinator_seed``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from coordinator_seed import Seeded
from coordinator_seed import seed_programme

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.programme import ProgrammeConfig
from handlers.console.channel import ConsoleSession
from storage.uow import SqlUnitOfWorkFactory


@pytest.fixture
def programme() -> ProgrammeConfig:
    return ProgrammeConfig.default()


@pytest.fixture
def seeded(uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig) -> Seeded:
    return seed_programme(uow_factory, programme)


@pytest.fixture
def bot(uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock) -> MentorBot:
    return MentorBot(uow_factory, programme, clock)


@pytest.fixture
def session(bot: MentorBot) -> Callable[[str], ConsoleSession]:
    def open_session(email: str) -> ConsoleSession:
        return ConsoleSession(bot, email)

    return open_session
