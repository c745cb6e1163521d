"""Emptying a test database between tests (and within one, to build the same world twice)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy import text

from storage.database import make_engine
from storage.tables import metadata


def empty_database(engine: Engine) -> None:
    """Every table emptied; on PostgreSQL the id sequences restart too (SQLite reuses ids from 1)."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())


PG_URL = os.environ.get("MENTORBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("MENTORBOT_REQUIRE_POSTGRES") == "1"


def postgres_admin() -> Engine:
    """An engine on the test server's default schema; skipped when no server answers, unless CI requires
    one."""
    admin = make_engine(PG_URL)
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        admin.dispose()
        if REQUIRE_PG:
            raise RuntimeError(f"PostgreSQL is required but unreachable at {PG_URL}: {exc}") from exc
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    return admin


def postgres_schema_engine() -> Iterator[Engine]:
    """A PostgreSQL engine in a schema of its own (dropped afterwards)."""
    admin = postgres_admin()
    schema = f"mb_test_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
