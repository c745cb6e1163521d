"""Helpers shared by the benchmarks: databases to run on, rows written in bulk, where results go."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import Table
from sqlalchemy import insert
from sqlalchemy import text

from storage import tables
from storage.database import make_engine
from storage.migrate import upgrade

RESULTS = Path(__file__).parent / "results"
CHUNK = 5000  # rows per INSERT statement
PG_URL = os.environ.get(
    "MENTORBOT_BENCH_POSTGRES_URL",
    os.environ.get("MENTORBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
)


@dataclass
class Database:
    name: str
    engine: Engine


def backends() -> list[str]:
    """SQLite always; PostgreSQL when it answers (MENTORBOT_BENCH_POSTGRES_URL, else the test server)."""
    found = ["sqlite"]
    try:
        probe = make_engine(PG_URL, connect_args={"connect_timeout": 3})
        with probe.connect() as conn:
            conn.execute(text("select 1"))
        probe.dispose()
        found.append("postgresql")
    except Exception as exc:  # no server: SQLite only, and say so
        print(f"(PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}; SQLite only)")
    return found


@contextmanager
def database(backend: str) -> Iterator[Database]:
    """A fresh, migrated database: an SQLite file in a temporary folder, or a PostgreSQL schema."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{folder}/bench.sqlite3")
            upgrade(engine)
            try:
                yield Database("SQLite", engine)
            finally:
                engine.dispose()
        return
    schema = f"mb_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        yield Database("PostgreSQL", engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def insert_chunked(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """``rows`` into ``table`` with multi-row inserts of :data:`CHUNK` rows (SQLAlchemy Core, no ORM)."""
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[start : start + CHUNK])


def person_row(pid: int, email: str, name: str, tz: str, role: str, now: datetime) -> dict[str, object]:
    """A ``people`` row: one person with one role, in the time zone ``tz``, created at ``now``."""
    return {
        "id": pid,
        "email": email,
        "name": name,
        "roles": [role],
        "timezone": tz,
        "opt_outs": [],
        "created_at": now,
    }


@dataclass
class ProgrammeRows:
    """A programme's rows by table, written in bulk by :meth:`write`."""

    people: list[dict[str, Any]] = field(default_factory=list)
    relationships: list[dict[str, Any]] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    meetings: list[dict[str, Any]] = field(default_factory=list)
    ground_rules: list[dict[str, Any]] = field(default_factory=list)
    chat_identities: list[dict[str, Any]] = field(default_factory=list)

    def write(self, engine: Engine) -> None:
        """Every table's rows in one transaction, in the order their foreign keys need; then, on
        PostgreSQL, the id sequences of ``people`` and ``relationships`` moved past the ids written here
        (so rows the app adds later get new ones) and the statistics refreshed, as autovacuum would after
        a large import."""
        with engine.begin() as conn:
            for table, rows in (
                (tables.people, self.people),
                (tables.relationships, self.relationships),
                (tables.memberships, self.memberships),
                (tables.meetings, self.meetings),
                (tables.ground_rules, self.ground_rules),
                (tables.chat_identities, self.chat_identities),
            ):
                insert_chunked(conn, table, rows)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                for name in ("people", "relationships"):
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
                    )
                conn.exec_driver_sql(f"ANALYZE {OWN_TABLES}")


# the benchmark schema's tables (on its search path): a bare ANALYZE or VACUUM goes through every schema of
# the shared test database, other runs' too, and can deadlock with one being dropped
OWN_TABLES = ", ".join(t.name for t in tables.metadata.sorted_tables)


def sizes(default: tuple[int, ...]) -> tuple[int, ...]:
    raw = os.environ.get("MENTORBOT_BENCH_SIZES")
    return tuple(int(x) for x in raw.split(",")) if raw else default


def machine() -> str:
    """A line saying where the numbers come from (the load average shows other work on the machine)."""
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"Measured on {os.cpu_count()} CPUs; load average at the end (1 / 5 / 15 min): {load}."


def write_results(name: str, markdown: str) -> None:
    markdown = markdown.rstrip("\n") + "\n\n" + machine() + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(markdown)
    print(markdown)
