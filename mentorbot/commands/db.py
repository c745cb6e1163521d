"""``mentorbot db upgrade``: apply migrations to the configured database."""

from __future__ import annotations

import argparse
from typing import Any

from mentorbot.settings import Settings
from storage.database import make_engine
from storage.migrate import current_revision, head_revision, upgrade


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("db", help="database operations")
    dbsub = parser.add_subparsers(dest="db_command", metavar="ACTION")
    dbsub.required = True
    up = dbsub.add_parser("upgrade", help="apply migrations up to the newest schema")
    up.set_defaults(func=run_upgrade)
    cur = dbsub.add_parser("current", help="show the schema revision of the database")
    cur.set_defaults(func=run_current)


def run_upgrade(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    print(f"database at {after} (was {before or 'empty'})")
    return 0


def run_current(args: argparse.Namespace) -> int:
    engine = make_engine(Settings.from_env().database_url)
    print(f"database at {current_revision(engine) or 'empty'}; newest is {head_revision()}")
    return 0
