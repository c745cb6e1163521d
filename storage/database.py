"""Engines and sessions. Nothing connects at import time."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from storage.durability import track_writes
from storage.orm import start_mappers

DEFAULT_URL = "sqlite:///mentorbot.sqlite3"

_decode_json = json.JSONDecoder().decode


def _json_loads(data: str | bytes) -> Any:
    """``json.loads`` for a JSON column's value (UTF-8 text): given bytes, as psycopg passes them,
    ``json.loads`` first guesses their encoding in Python -- six times the cost of the parsing itself,
    a tenth of a catch-up plan pass on PostgreSQL (each person has three JSON columns)."""
    return _decode_json(data if isinstance(data, str) else bytes(data).decode())


def make_engine(url: str, *, ping_after: float | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url``. SQLite gets foreign keys on and a busy timeout, for several threads; a server
    database pings a pooled connection that sat idle for ``ping_after`` seconds (default
    :data:`IDLE_BEFORE_PING`) before handing it out."""
    start_mappers()
    kwargs.setdefault("json_deserializer", _json_loads)
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
    engine = create_engine(url, **kwargs)
    track_writes(engine)  # a turn that only records its delivery commits without waiting for the disk
    if not kwargs.get("pool_pre_ping"):
        ping_after_idle(engine, IDLE_BEFORE_PING if ping_after is None else ping_after)
    return engine


# A connection used within this many seconds is handed out without a ping. SQLAlchemy's pool_pre_ping
# pings on every checkout: one more round trip per turn (of about five), all the time, to catch the rare
# connection the server dropped while it sat in the pool. A connection that was in use a moment ago is
# almost certainly alive; a lost connection seen by any statement invalidates the whole pool anyway (so
# an outage costs each turn in flight one "try again shortly", and then connections are made anew).
IDLE_BEFORE_PING = 1.0


def ping_after_idle(engine: Engine, idle: float) -> None:
    """Ping a pooled connection on checkout only when it has been idle for ``idle`` seconds; one that
    does not answer is replaced (SQLAlchemy's pool retries the checkout with a new connection on a
    ``DisconnectionError``), as ``pool_pre_ping`` would."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < idle:
            return  # new, or in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            raise DisconnectionError("the database dropped a pooled connection") from err
        if not alive:
            raise DisconnectionError("the database dropped a pooled connection")


_IDLE_SINCE = "mentorbot_idle_since"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
