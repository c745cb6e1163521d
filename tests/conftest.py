"""Shared fixtures: a real database (SQLite, and PostgreSQL when reachable), a clock, a programme.

PostgreSQL tests run against ``MENTORBOT_TEST_POSTGRES_URL`` (default: the local server) in a schema of
their own, so parallel runs do not collide. They are skipped when no server answers, unless
``MENTORBOT_REQUIRE_POSTGRES=1`` (CI), where an unreachable server is an error.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from urllib.parse import quote

import pytest
from database_reset import empty_database
from database_reset import postgres_schema_engine
from hypothesis import settings
from sqlalchemy import Engine
from sqlalchemy import text

from bot.clock import FixedClock
from storage.database import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWorkFactory

# CI replays the same examples every run (a failure there is reproducible); locally each run explores anew.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def migrated_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One migrated database per backend per test session."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        yield engine
        engine.dispose()
    else:
        gen = postgres_schema_engine()
        engine = next(gen)
        upgrade(engine)
        yield engine
        with contextlib.suppress(StopIteration):
            next(gen)


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """A clean, migrated database for one test (all tables emptied before it runs)."""
    empty_database(migrated_engine)
    return migrated_engine


@pytest.fixture
def cli_database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point ``mentorbot`` commands run in-process at the test database (its own schema on PostgreSQL),
    with the example programme, as a coordinator's shell would."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        # the test engine works in a schema of its own (set through connect_args); say so in the URL
        with engine.connect() as conn:
            schema = conn.execute(text("select current_schema()")).scalar_one()
        url += "?options=" + quote(f"-csearch_path={schema}", safe="")
    monkeypatch.setenv("MENTORBOT_DATABASE_URL", url)
    monkeypatch.delenv("MENTORBOT_PROGRAM", raising=False)


@pytest.fixture
def uow_factory(engine: Engine) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(engine)


@pytest.fixture
def clock() -> FixedClock:
    """Monday 2026-03-02 09:00 UTC unless a test moves it."""
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
