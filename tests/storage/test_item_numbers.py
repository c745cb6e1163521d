"""Agenda and action items keep one number per relationship for life: given when stored, never reused,
and given to the rows that existed before migration 0009 in the order people saw them."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from database_reset import postgres_schema_engine
from sqlalchemy import Engine
from sqlalchemy import text

from bot.model import ActionItem
from bot.model import AgendaItem
from bot.model import AgendaStatus
from bot.model import Goal
from storage.database import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWorkFactory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database with no migration applied yet."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'before.sqlite3'}")
        yield engine
        engine.dispose()
    else:
        gen = postgres_schema_engine()
        yield next(gen)
        with contextlib.suppress(StopIteration):
            next(gen)


def _seed_before_numbers(engine: Engine) -> None:
    """Two relationships with items, written at revision 0008 (no numbers yet)."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO people (id, email, name, roles, cohort, stage, timezone, paused, opt_outs,"
                " active) VALUES (1, 'a@example.org', 'A', '[]', '', '', 'UTC', false, '[]', true)"
            )
        )
        for rid in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO relationships (id, kind, format, phase, started_on, cadence_days, status,"
                    " assessor_conflict, override_reason, external_ref) VALUES (:id, 'mentoring',"
                    " 'one_to_one', 'initiation', '2026-01-05', 28, 'active', false, '', '')"
                ),
                {"id": rid},
            )
        # agenda: ids in one order, positions in another (the order people saw is by position)
        for item_id, rid, position in [(1, 1, 3), (2, 1, 1), (3, 2, 1), (4, 1, 2)]:
            conn.execute(
                text(
                    "INSERT INTO agenda_items (relationship_id, author_id, text, position, status,"
                    " created_at) VALUES (:rid, 1, :t, :p, 'open', :at)"
                ),
                {"rid": rid, "t": f"agenda {item_id}", "p": position, "at": NOW},
            )
        for item_id, rid, day in [(1, 2, 3), (2, 2, 1), (3, 1, 2)]:
            conn.execute(
                text(
                    "INSERT INTO action_items (relationship_id, text, created_by, created_at, owner_name,"
                    " priority, status, guide_comment) VALUES (:rid, :t, 1, :at, '', 'must', 'open', '')"
                ),
                {"rid": rid, "t": f"action {item_id}", "at": NOW.replace(day=day)},
            )


def test_migration_numbers_existing_items_in_the_order_people_saw_them(fresh_engine: Engine) -> None:
    upgrade(fresh_engine, "0008_goals")
    _seed_before_numbers(fresh_engine)
    upgrade(fresh_engine)
    with fresh_engine.connect() as conn:
        agenda = dict(conn.execute(text("SELECT text, number FROM agenda_items")).all())
        actions = dict(conn.execute(text("SELECT text, number FROM action_items")).all())
    assert agenda == {"agenda 1": 3, "agenda 2": 1, "agenda 3": 1, "agenda 4": 2}
    assert actions == {"action 1": 2, "action 2": 1, "action 3": 1}

    # new items continue each relationship's numbering
    uow_factory = SqlUnitOfWorkFactory(fresh_engine)
    with uow_factory() as uow:
        uow.session.add(AgendaItem(1, 1, "new", 9, NOW))
        uow.session.add(ActionItem(2, "new", 1, NOW))
        uow.commit()
    with fresh_engine.connect() as conn:
        assert conn.execute(text("SELECT number FROM agenda_items WHERE text = 'new'")).scalar() == 4
        assert conn.execute(text("SELECT number FROM action_items WHERE text = 'new'")).scalar() == 3


def test_numbers_are_per_relationship_and_never_reused(fresh_engine: Engine) -> None:
    upgrade(fresh_engine, "0008_goals")
    _seed_before_numbers(fresh_engine)
    upgrade(fresh_engine)
    uow_factory = SqlUnitOfWorkFactory(fresh_engine)
    with uow_factory() as uow:
        # several in one flush each get their own number
        first, second = AgendaItem(2, 1, "x", 5, NOW), AgendaItem(2, 1, "y", 6, NOW)
        uow.session.add_all([first, second])
        uow.commit()
        assert (first.number, second.number) == (2, 3)
    with uow_factory() as uow:
        # the highest item is dropped: its number is still not given again
        dropped = uow.session.get(AgendaItem, second.id)
        assert dropped is not None
        dropped.status = AgendaStatus.DROPPED
        uow.commit()
    with uow_factory() as uow:
        third = AgendaItem(2, 1, "z", 7, NOW)
        uow.session.add(third)
        uow.commit()
        assert third.number == 4


def test_two_members_adding_at_the_same_instant_get_two_numbers(engine: Engine) -> None:
    """The second transaction waits for the first and then takes the next number, instead of failing on
    the unique constraint (Slack handles two people's requests side by side)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("a waiting transaction can be observed only on PostgreSQL (pg_stat_activity)")
    uow_factory = SqlUnitOfWorkFactory(engine)
    with engine.begin() as conn:
        _seed_people_and_relationship(conn)
    first = uow_factory()
    first.__enter__()
    first.session.add(AgendaItem(1, 1, "first", 1, NOW))
    first.session.flush()  # numbered, not committed yet
    outcome: list[object] = []
    backend: list[int] = []

    def second() -> None:
        try:
            with uow_factory() as uow:
                backend.append(int(uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one()))
                item = AgendaItem(1, 1, "second", 2, NOW)
                uow.session.add(item)
                uow.commit()
                outcome.append(item.number)
        except Exception as exc:  # reported below
            outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    _until_waiting(engine, backend)
    first.commit()
    first.__exit__(None, None, None)
    thread.join(timeout=30)
    assert outcome == [2]


def test_two_goals_added_at_the_same_instant_get_two_numbers(engine: Engine) -> None:
    """Goals are numbered like items: the second transaction waits for the first instead of failing on
    the unique constraint."""
    if engine.dialect.name != "postgresql":
        pytest.skip("a waiting transaction can be observed only on PostgreSQL (pg_stat_activity)")
    uow_factory = SqlUnitOfWorkFactory(engine)
    with engine.begin() as conn:
        _seed_people_and_relationship(conn)
        conn.execute(
            text("INSERT INTO memberships (relationship_id, person_id, side) VALUES (1, 1, 'learner')")
        )
    first = uow_factory()
    first.__enter__()
    person = first.people.get(1)
    assert person is not None
    first.content(person).add_goal(Goal(1, 1, 0, "first", NOW, NOW))
    outcome: list[object] = []
    backend: list[int] = []

    def second() -> None:
        try:
            with uow_factory() as uow:
                backend.append(int(uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one()))
                again = uow.people.get(1)
                assert again is not None
                goal = Goal(1, 1, 0, "second", NOW, NOW)
                uow.content(again).add_goal(goal)
                uow.commit()
                outcome.append(goal.number)
        except Exception as exc:  # reported below
            outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    _until_waiting(engine, backend)
    first.commit()
    first.__exit__(None, None, None)
    thread.join(timeout=30)
    assert outcome == [2]


def _seed_people_and_relationship(conn: Any) -> None:
    conn.execute(
        text(
            "INSERT INTO people (id, email, name, roles, cohort, stage, timezone, paused, opt_outs,"
            " active) VALUES (1, 'a@example.org', 'A', '[]', '', '', 'UTC', false, '[]', true)"
        )
    )
    conn.execute(
        text(
            "INSERT INTO relationships (id, kind, format, phase, started_on, cadence_days, status,"
            " assessor_conflict, override_reason, external_ref) VALUES (1, 'mentoring',"
            " 'one_to_one', 'initiation', '2026-01-05', 28, 'active', false, '', '')"
        )
    )


def _until_waiting(engine: Engine, backend: list[int]) -> None:
    """Poll until the second transaction's connection waits for a lock (it reached the first's)."""
    deadline = time.monotonic() + 20
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = (
                backend
                and conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid AND wait_event_type = 'Lock'"
                    ),
                    {"pid": backend[0]},
                ).scalar()
            )
            if waiting:
                return
            conn.rollback()
            time.sleep(0.01)  # polling for the other thread, not waiting for a time-dependent outcome
    raise AssertionError("the second transaction never waited for the first")
