"""The plan pass and the dispatcher reach the database only through the unit of work, so a database
that cannot be reached reaches them as ``Unavailable`` -- what ``serve``'s scheduler logs once as an
outage instead of a traceback per pass -- never as a raw driver error."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.errors import Unavailable
from bot.programme import ProgrammeConfig
from scheduler.dispatch import Dispatcher
from scheduler.planpass import PlanPass
from storage.database import make_engine
from storage.uow import SqlUnitOfWorkFactory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def unreachable(tmp_path: Path) -> SqlUnitOfWorkFactory:
    # a database file in a folder that does not exist: every connection attempt fails
    return SqlUnitOfWorkFactory(make_engine(f"sqlite:///{tmp_path / 'gone' / 'mentorbot.sqlite3'}"))


def test_a_plan_pass_meets_an_unreachable_database_as_unavailable(unreachable: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(Unavailable):
        PlanPass(unreachable, ProgrammeConfig.default()).run(NOW)


async def test_a_dispatch_pass_meets_an_unreachable_database_as_unavailable(
    unreachable: SqlUnitOfWorkFactory,
) -> None:
    dispatcher = Dispatcher(unreachable, ProgrammeConfig.default(), FixedClock(NOW), {})
    with pytest.raises(Unavailable):
        await dispatcher.drain()
