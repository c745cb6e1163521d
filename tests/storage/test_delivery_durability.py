"""A turn that only records its delivery commits without waiting for the disk on PostgreSQL; any other
write keeps the full guarantee (storage/durability.py, issue 15). Either way everything is stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select

from bot.model import Person
from storage import tables
from storage.uow import SqlUnitOfWorkFactory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RELAXED_COMMIT = "SET LOCAL synchronous_commit TO OFF"


@pytest.fixture
def postgres(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite under WAL never waits for the disk at a commit (storage/database.py)")
    return engine


@pytest.fixture
def sent(postgres: Engine) -> Iterator[list[str]]:
    """Every statement sent to the server while the test runs."""
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    event.listen(postgres, "before_cursor_execute", record)
    yield statements
    event.remove(postgres, "before_cursor_execute", record)


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_a_turn_that_only_records_its_delivery_does_not_wait_for_the_disk(
    postgres: Engine, sent: list[str]
) -> None:
    with SqlUnitOfWorkFactory(postgres)() as uow:  # (the hourly pruning of old keys may come first)
        assert uow.events.first_time("slack:T1:Ev0", NOW)
        uow.commit()
    sent.clear()
    with SqlUnitOfWorkFactory(postgres)() as uow:
        assert uow.people.all() == []  # reads
        assert uow.events.first_time("slack:T1:Ev1", NOW)
        uow.commit()
    assert sent[-1] == RELAXED_COMMIT
    assert _count(postgres, tables.processed_events) == 2
    with SqlUnitOfWorkFactory(postgres)() as uow:
        assert not uow.events.first_time("slack:T1:Ev1", NOW)  # a retry is still recognised


def test_a_turn_that_writes_anything_else_commits_durably(postgres: Engine, sent: list[str]) -> None:
    with SqlUnitOfWorkFactory(postgres)() as uow:
        uow.people.add(Person(email="ann@example.org", name="Ann", roles=["mentee"]))
        assert uow.events.first_time("slack:T1:Ev2", NOW)
        uow.commit()
    with SqlUnitOfWorkFactory(postgres)() as uow:
        assert uow.events.first_time("slack:T1:Ev3", NOW)
        uow.conversations.clear(1)  # a write that changes no row is still a write
        uow.commit()
    assert RELAXED_COMMIT not in sent
    assert _count(postgres, tables.people) == 1
    assert _count(postgres, tables.processed_events) == 2


def test_a_transaction_that_wrote_nothing_sends_nothing_more(postgres: Engine, sent: list[str]) -> None:
    with SqlUnitOfWorkFactory(postgres)() as uow:
        uow.people.all()
        uow.commit()
    assert RELAXED_COMMIT not in sent
