"""``mentorbot db upgrade``: apply migrations to the configured database."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import NoSuchModuleError
from sqlalchemy.exc import OperationalError

from bot.errors import Unavailable
from mentorbot.settings import Settings
from storage.database import make_engine
from storage.migrate import current_revision
from storage.migrate import head_revision
from storage.migrate import upgrade


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "db", help="database schema: apply migrations (upgrade) or show the revision (current)"
    )
    dbsub = parser.add_subparsers(dest="db_command", metavar="ACTION")
    dbsub.required = True
    up = dbsub.add_parser("upgrade", help="apply migrations up to the newest schema")
    up.set_defaults(func=run_upgrade)
    cur = dbsub.add_parser("current", help="show the schema revision of the database")
    cur.set_defaults(func=run_current)


class DatabaseUnusable(Exception):
    """The configured database cannot be opened or written; ``str()`` is one line saying what to check."""


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Turn "the database is unreachable, missing or read-only" into :class:`DatabaseUnusable` (one line,
    exit 2 in the commands) instead of a hundred lines of traceback."""
    try:
        yield
    except (OperationalError, ArgumentError, NoSuchModuleError, Unavailable) as err:
        raise DatabaseUnusable(_describe(url, err)) from err
    except DBAPIError as err:
        if not err.connection_invalidated and "connect" not in str(err.orig).lower():
            raise
        raise DatabaseUnusable(_describe(url, err)) from err


def _describe(url: str, err: Exception) -> str:
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        shown = "(not a database URL)"
    cause = getattr(err, "orig", None) or err.__cause__ or err
    reason = " ".join(str(cause).split("\n")[0].split()) or type(cause).__name__
    return (
        f"cannot use the database at {shown}: {reason[:300]} "
        "(check MENTORBOT_DATABASE_URL, that the server is running, and that the path is writable)"
    )


def configuration_problem(url: str) -> str | None:
    """What is wrong with the database URL itself, found without connecting: not a URL, a driver that is
    unknown or not installed, an SQLite file in a folder that does not exist. None when it looks usable
    (whether the database answers is another matter: ``serve`` waits for it, see server.py)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return (
            "MENTORBOT_DATABASE_URL is not a database URL "
            "(expected e.g. sqlite:///mentorbot.sqlite3 or postgresql+psycopg://user@host/db)"
        )
    shown = parsed.render_as_string(hide_password=True)
    try:
        parsed.get_dialect()
        make_engine(url).dispose()
    except (NoSuchModuleError, ImportError, ArgumentError) as err:
        reason = " ".join(str(err).split())[:200] or type(err).__name__
        return f"cannot use the database at {shown}: unknown or missing database driver ({reason})"
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path and path != ":memory:" and not path.startswith("file:"):
            folder = Path(path).expanduser().resolve().parent
            if not folder.is_dir():
                return (
                    f"cannot use the database at {shown}: the folder {folder} does not exist "
                    "(create it, or point MENTORBOT_DATABASE_URL at another path)"
                )
    return None


def fail(command: str, err: DatabaseUnusable) -> int:
    print(f"mentorbot {command}: {err}", file=sys.stderr)
    return 2


def run_upgrade(args: argparse.Namespace) -> int:
    def use(engine: Engine) -> str:
        before = current_revision(engine)
        upgrade(engine)
        return f"database at {current_revision(engine)} (was {before or 'empty'})"

    return on_database("db upgrade", Settings.from_env().database_url, use)


def run_current(args: argparse.Namespace) -> int:
    def use(engine: Engine) -> str:
        return f"database at {current_revision(engine) or 'empty'}; newest is {head_revision()}"

    return on_database("db current", Settings.from_env().database_url, use)


def on_database(command: str, url: str, use: Callable[[Engine], str]) -> int:
    """Open an engine on ``url``, print what ``use`` makes of it and let the engine go; a database that
    cannot be used is one line on stderr and exit 2."""
    try:
        with database_errors(url):
            engine = make_engine(url)
            try:
                said = use(engine)
            finally:
                engine.dispose()
    except DatabaseUnusable as err:
        return fail(command, err)
    print(said)
    return 0
