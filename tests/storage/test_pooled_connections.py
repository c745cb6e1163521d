"""A pooled PostgreSQL connection the server dropped while it sat idle (a restart, an idle timeout, a
failover) is replaced before a turn uses it, without a ping round trip on every turn (issue 15): a
connection idle longer than ``ping_after`` is pinged when handed out, one used a moment ago is not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy import text

from bot.errors import Unavailable
from storage.database import make_engine
from storage.uow import SqlUnitOfWorkFactory


def _pool_of_one(engine: Engine, ping_after: float) -> Engine:
    """A second engine on ``engine``'s database and schema, with one pooled connection."""
    with engine.connect() as conn:
        search_path = str(conn.exec_driver_sql("SHOW search_path").scalar())
    return make_engine(
        engine.url.render_as_string(hide_password=False),
        ping_after=ping_after,
        pool_size=1,
        max_overflow=0,
        connect_args={"options": f"-csearch_path={search_path}"},
    )


@pytest.fixture
def postgres(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("a server dropping a connection: PostgreSQL")
    return engine


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _drop(admin: Engine, pid: int) -> None:
    """The server ends the session of ``pid`` (as a restart or an idle timeout would)."""
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()


@pytest.fixture
def idle_pool(postgres: Engine) -> Iterator[Engine]:
    pool = _pool_of_one(postgres, ping_after=0.0)  # every checkout counts as after an idle spell
    yield pool
    pool.dispose()


@pytest.fixture
def busy_pool(postgres: Engine) -> Iterator[Engine]:
    pool = _pool_of_one(postgres, ping_after=3600.0)  # every checkout counts as just used
    yield pool
    pool.dispose()


def test_a_connection_dropped_while_idle_is_replaced_before_the_turn_uses_it(
    postgres: Engine, idle_pool: Engine
) -> None:
    dropped = _backend_pid(idle_pool)
    _drop(postgres, dropped)
    with SqlUnitOfWorkFactory(idle_pool)() as uow:
        assert uow.people.all() == []  # answered, not "the database is unavailable"
    assert _backend_pid(idle_pool) != dropped


def test_a_connection_used_a_moment_ago_is_not_pinged_and_a_drop_costs_one_turn_only(
    postgres: Engine, busy_pool: Engine
) -> None:
    dropped = _backend_pid(busy_pool)
    _drop(postgres, dropped)
    # no ping: the turn finds out by using it, and says the database is unavailable ...
    with pytest.raises(Unavailable), SqlUnitOfWorkFactory(busy_pool)() as uow:
        uow.people.all()
    # ... and the pool was invalidated, so the next turn gets a new connection
    with SqlUnitOfWorkFactory(busy_pool)() as uow:
        assert uow.people.all() == []
    assert _backend_pid(busy_pool) != dropped
