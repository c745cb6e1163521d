"""The one insert-if-new writer of the outbox: every row a workflow, an announcement or the plan pass
puts in ``deliveries`` goes through :func:`insert_deliveries`, so a dedupe key is refused the same way
wherever it comes from."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence

from sqlalchemy.dialects.postgresql import insert as pg_insert
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
    d = tables.deliveries
    ins = pg_insert(d) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(d)
    # RETURNING, not rowcount: psycopg reports rowcount -1 for INSERT .. ON CONFLICT DO NOTHING
    stmt = ins.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(d.c.dedupe_key)
    inserted: set[str] = set()
    for start in range(0, len(rows), CHUNK):
        inserted |= set(session.scalars(stmt, [dict(r) for r in rows[start : start + CHUNK]]))
    return inserted
