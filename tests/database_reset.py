"""Emptying a test database between tests (and within one, to build the same world twice)."""

from __future__ import annotations

from sqlalchemy import Engine, text

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
