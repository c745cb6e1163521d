"""Fixtures for the fault tests: a fresh database that other processes can open by URL (an SQLite file,
or a PostgreSQL schema of its own named in the URL's ``search_path``), migrated with ``mentorbot db
upgrade``; the loopback fake Slack Web API; the drill's programme file; and ``serve`` processes that are
always stopped after the test (their log is printed, so a failure shows what the server said).

PostgreSQL follows the suite's rules (see tests/conftest.py): ``MENTORBOT_TEST_POSTGRES_URL``, skipped
when unreachable unless ``MENTORBOT_REQUIRE_POSTGRES=1``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest
from database_reset import PG_URL
from database_reset import postgres_admin
from fake_slack_api import FakeSlackWebApi
from population import write_programme
from serve_process import Database
from serve_process import ServeProcess
from serve_process import StartServe
from serve_process import mentorbot_env
from serve_process import run_cli
from sqlalchemy import Engine
from sqlalchemy import text

from bot.programme import ProgrammeConfig
from storage.database import make_engine


def postgres_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture
def make_database(tmp_path: Path) -> Iterator[Callable[[str], Database]]:
    """``make_database("sqlite" | "postgresql")``: a fresh database, migrated by ``mentorbot db upgrade``."""
    cleanups: list[Callable[[], None]] = []

    def make(kind: str) -> Database:
        if kind == "sqlite":
            url = f"sqlite:///{tmp_path / f'drill-{uuid.uuid4().hex[:6]}.sqlite3'}"
        else:
            admin = postgres_admin()
            schema = f"mb_fault_{uuid.uuid4().hex[:10]}"
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))

            def drop(admin: Engine = admin, schema: str = schema) -> None:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()

            cleanups.append(drop)
            url = postgres_url(PG_URL, schema)
        run_cli(["db", "upgrade"], mentorbot_env(url, None))
        engine = make_engine(url)
        cleanups.append(engine.dispose)
        return Database(kind, url, engine)

    yield make
    for cleanup in reversed(cleanups):
        cleanup()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, make_database: Callable[[str], Database]) -> Database:
    return make_database(request.param)


@pytest.fixture
def postgres(make_database: Callable[[str], Database]) -> Database:
    return make_database("postgresql")


@pytest.fixture
def programme(tmp_path: Path) -> tuple[Path, ProgrammeConfig]:
    return write_programme(tmp_path)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackWebApi]:
    fake = FakeSlackWebApi().start()
    yield fake
    fake.close()


@pytest.fixture
def start_serve(
    tmp_path: Path, fake_slack: FakeSlackWebApi, programme: tuple[Path, ProgrammeConfig]
) -> Iterator[StartServe]:
    """``start_serve(database, **env)``: a ``mentorbot serve`` process on that database, Slack on the
    fake, the drill's programme, and quick scheduler passes; waited for until it is healthy."""
    started: list[ServeProcess] = []

    def start(database: Database, *, ready: bool = True, **env: str) -> ServeProcess:
        settings = {
            "MENTORBOT_PROGRAM": str(programme[0]),
            "MENTORBOT_DISPATCH_INTERVAL": "0.5",
            "MENTORBOT_PLAN_INTERVAL": "5",
            "SLACK_SEND_RATE": "1000",
            **env,
        }
        serve = ServeProcess(
            mentorbot_env(database.url, fake_slack, **settings), tmp_path / f"serve-{len(started) + 1}.log"
        ).start()
        started.append(serve)
        if ready:
            serve.wait_ready()
        return serve

    yield start
    for serve in started:
        serve.stop()
        print(f"--- {serve.log_path.name} (last lines) ---\n{serve.log()}")
