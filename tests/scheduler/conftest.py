"""Fixtures for the scheduler tests (see ``scheduler_world``): ``programme`` and ``world``."""

from __future__ import annotations

import pytest
from scheduler_world import RecordingSender
from scheduler_world import World

from bot.clock import FixedClock
from bot.model import Platform
from bot.programme import ProgrammeConfig
from storage.uow import SqlUnitOfWorkFactory


@pytest.fixture
def programme() -> ProgrammeConfig:
    return ProgrammeConfig.default()


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock) -> World:
    return World(uow_factory, programme, clock, RecordingSender(Platform.CONSOLE.value, clock))
