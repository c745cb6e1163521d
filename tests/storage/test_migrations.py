"""The migrations build exactly the schema the code expects, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from storage.migrate import head_revision
from storage.migrate import is_up_to_date
from storage.migrate import upgrade
from storage.tables import metadata


def test_migrated_database_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], f"migrations and storage/tables.py disagree: {diff}"


def test_database_is_at_head_and_upgrade_is_idempotent(engine: Engine) -> None:
    assert is_up_to_date(engine)
    upgrade(engine)  # running it again changes nothing and does not fail
    assert head_revision() is not None
    assert is_up_to_date(engine)
