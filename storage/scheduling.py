"""Storage for the scheduler: review marks, the planner's snapshot loader, and the outbox queries.

Review marks
    Every relationship has ``review_at`` (when the nudge planner next needs to look at it; NULL means
    "as soon as possible") and ``review_seq``.  A plan pass selects only relationships whose mark has
    come (an index range scan), so its cost grows with what is due, not with the table.  The planner
    sets the next mark from what it knows; whatever it cannot foresee -- a meeting booked, ground rules
    agreed, an action item added, a person pausing -- is caught here: an ORM flush that touches
    anything the planner depends on clears the relationship's mark and bumps ``review_seq`` in the
    same transaction (:func:`install_review_marks`).  The pass writes its new mark only if
    ``review_seq`` is still what it read, so a change made while it was planning is never lost.

Content
    The loader reads agenda and action items only for the members of the relationships being planned,
    joined through their current memberships, to be sent to those same members (purpose: nudges).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from bot.model import (
    ActionItem,
    AgendaItem,
    CheckIn,
    GroundRules,
    Meeting,
    Membership,
    NetworkEntry,
    Person,
    PhaseChange,
    Relationship,
)
from storage import tables

_installed = False

# content and structure the planner reads, keyed to their relationship
_WITH_RELATIONSHIP_ID = (Meeting, GroundRules, ActionItem, AgendaItem, CheckIn, Membership, PhaseChange)


def install_review_marks() -> None:
    """Clear the review mark of every relationship touched by an ORM flush (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    event.listen(Session, "after_flush", _mark_touched_relationships)


def _mark_touched_relationships(session: Session, _flush_context: Any) -> None:
    relationship_ids: set[int] = set()
    person_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _WITH_RELATIONSHIP_ID):
            rid = getattr(obj, "relationship_id", None)
            if rid is not None:
                relationship_ids.add(rid)
        elif isinstance(obj, Relationship):
            if obj.id is not None and obj not in session.new:
                relationship_ids.add(obj.id)
        elif isinstance(obj, Person | NetworkEntry):
            pid = obj.id if isinstance(obj, Person) else obj.person_id
            if pid is None:
                continue
            unchanged_person = isinstance(obj, Person) and obj in session.dirty
            if unchanged_person and not session.is_modified(obj, include_collections=False):
                continue
            person_ids.add(pid)
    if relationship_ids or person_ids:
        mark_for_review(session, relationship_ids, person_ids)


def mark_for_review(
    session: Session, relationship_ids: Iterable[int], person_ids: Iterable[int] = ()
) -> None:
    """Ask the planner to look at these relationships (and those of these people) on its next pass."""
    r, m = tables.relationships, tables.memberships
    rids, pids = sorted(set(relationship_ids)), sorted(set(person_ids))
    conditions = []
    if rids:
        conditions.append(r.c.id.in_(rids))
    if pids:
        conditions.append(r.c.id.in_(select(m.c.relationship_id).where(m.c.person_id.in_(pids))))
    if not conditions:
        return
    stmt = (
        update(r)
        .where(or_(*conditions))
        .values(review_at=None, review_seq=r.c.review_seq + 1)
        .execution_options(synchronize_session=False)
    )
    session.connection().execute(stmt)
