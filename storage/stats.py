"""Operational counts for /metrics: the outbox by status. No content is read."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import select

from storage import tables


def delivery_counts(engine: Engine) -> dict[str, int]:
    d = tables.deliveries
    with engine.connect() as conn:
        rows = conn.execute(select(d.c.status, func.count()).group_by(d.c.status))
        return {str(status): int(n) for status, n in rows}
