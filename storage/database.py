"""Engines and sessions. Nothing connects at import time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from storage.orm import start_mappers

DEFAULT_URL = "sqlite:///mentorbot.sqlite3"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``. SQLite gets foreign keys on and a busy timeout, for several threads."""
    start_mappers()
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
                cursor.execute("PRAGMA journal_mode=WAL")
                # In WAL mode NORMAL is SQLite's recommended setting: the database stays consistent
                # whatever happens, and a crash of mentorbot loses nothing; only an OS crash or power cut
                # can undo the last commits before a checkpoint. FULL syncs the disk on every commit,
                # which was most of a DM's time (see bench/results/slack_dm.md)
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
