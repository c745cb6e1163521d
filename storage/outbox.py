"""The one insert-if-new writer of the outbox: every row a workflow, an announcement or the plan pass
puts in ``deliveries`` goes through :func:`insert_deliveries`, so a dedupe key is refused the same way
wherever it comes from."""

from __future__ import annotations

import json
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from enum import Enum

from sqlalchemy import ColumnDefault
from sqlalchemy import text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage import tables

# rows per statement: a 20,000-person announcement is 20 round trips, not 20,000 (each statement built
# and compiled on its own costs ~2.5 ms, ~50 s in all, holding the write)
CHUNK = 1000


def insert_deliveries(session: Session, rows: Sequence[Mapping[str, object]]) -> set[str]:
    """Insert outbox rows, skipping any whose dedupe key exists (ON CONFLICT DO NOTHING on both
    databases, a key repeated within ``rows`` included); returns the keys actually inserted."""
    if not rows:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        return _insert_as_json(session, rows)
    d = tables.deliveries
    # RETURNING, not rowcount: the number of rows an INSERT .. ON CONFLICT DO NOTHING skipped is not
    # reported the same way by every driver
    stmt = sqlite_insert(d).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(d.c.dedupe_key)
    inserted: set[str] = set()
    for start in range(0, len(rows), CHUNK):
        inserted |= set(session.scalars(stmt, [dict(r) for r in rows[start : start + CHUNK]]))
    return inserted


def _insert_as_json(session: Session, rows: Sequence[Mapping[str, object]]) -> set[str]:
    """PostgreSQL: the rows go as one JSON parameter, turned back into ``deliveries`` rows by the server
    (``json_populate_recordset``). A multi-row ``VALUES`` of 1,000 rows has 15,000 placeholders, which
    psycopg parses in Python on every call (too long for its cache): 0.2 s of a 0.3 s insert."""
    d = tables.deliveries
    unknown = set(rows[0]) - set(d.c.keys())
    if unknown:
        raise KeyError(f"not columns of deliveries: {sorted(unknown)}")
    # columns left out get their default, as in an INSERT that SQLAlchemy writes
    defaults = {
        c.name: c.default.arg
        for c in d.columns
        if c.name not in rows[0] and isinstance(c.default, ColumnDefault) and c.default.is_scalar
    }
    names = ", ".join([*rows[0], *defaults])
    stmt = text(
        f"INSERT INTO deliveries ({names}) SELECT {names}"
        " FROM json_populate_recordset(NULL::deliveries, CAST(:rows AS json))"
        " ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key"
    )
    inserted: set[str] = set()
    for start in range(0, len(rows), CHUNK):
        part = json.dumps([{**defaults, **r} for r in rows[start : start + CHUNK]], default=_json_value)
        inserted |= set(session.scalars(stmt, {"rows": part}))
    return inserted


def _json_value(value: object) -> object:
    """What the columns' types would bind: instants in UTC (a naive one is refused, as by
    :class:`storage.types.UTCDateTime`), enumerations by value."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
