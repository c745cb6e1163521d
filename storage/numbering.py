"""Stable item numbers: every agenda and action item gets the next number of its relationship when it
is first stored, and keeps it for life.

People refer to items by number (``agenda remove 3``, ``actions done 2``). A number that is the item's
place in a list would shift when the list is sorted differently or an item leaves it, so ``3`` could
mean another item a minute later. The number is given here, at flush time, rather than by each
repository method, so that every way an item is stored (workflows, the importer, test seeds) numbers
it the same way: one past the highest the relationship ever had, so a number is never reused.

Two members may add items to one relationship at the same instant (Slack handles requests side by
side). Before reading the highest number, the relationship's row is locked with a no-op update, so the
second transaction waits for the first to commit and then sees its number: on PostgreSQL a row lock
(``FOR NO KEY UPDATE``, which leaves inserts that merely reference the row alone), on SQLite the
database's write lock. The unique constraint ``(relationship_id, number)`` stays as the last guard.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.model import ActionItem
from bot.model import AgendaItem
from storage import tables

_NUMBERED: dict[type, Any] = {AgendaItem: tables.agenda_items, ActionItem: tables.action_items}


def install_item_numbers() -> None:
    """Number new agenda and action items on every ORM flush (idempotent)."""
    if not event.contains(Session, "before_flush", _number_new_items):
        event.listen(Session, "before_flush", _number_new_items)


def _number_new_items(session: Session, _flush_context: Any, _instances: Any) -> None:
    highest: dict[tuple[type, int], int] = {}
    for obj in session.new:
        table = _NUMBERED.get(type(obj))
        if table is None or obj.number:
            continue
        key = (type(obj), obj.relationship_id)
        if key not in highest:
            with session.no_autoflush:
                lock_relationship(session, obj.relationship_id)
                found = session.execute(
                    select(func.max(table.c.number)).where(table.c.relationship_id == obj.relationship_id)
                ).scalar()
            highest[key] = found or 0
        highest[key] += 1
        obj.number = highest[key]


def lock_relationship(session: Session, relationship_id: int) -> None:
    """Hold the relationship's row until commit, so the next number is read by one transaction at a
    time (a no-op update: a row lock on PostgreSQL, the write lock on SQLite)."""
    rel = tables.relationships
    session.execute(update(rel).where(rel.c.id == relationship_id).values(kind=rel.c.kind))
