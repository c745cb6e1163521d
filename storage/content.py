"""Membership-checked access to what members of a relationship write.

This module is the one place where agenda items, action items, notes, check-ins, ground rules,
meetings, development goals and closing reflections are read or added. Every query is filtered by a
relationship the viewer is a current member of; nothing here can list content of a relationship the
viewer is not in.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from typing import Generic
from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy import Table
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload

from bot.errors import NotFound
from bot.errors import NotPermitted
from bot.model import ActionItem
from bot.model import AgendaItem
from bot.model import CheckIn
from bot.model import ClosingReflection
from bot.model import Goal
from bot.model import GroundRules
from bot.model import Meeting
from bot.model import Membership
from bot.model import NetworkAsk
from bot.model import NetworkEntry
from bot.model import Note
from bot.model import Person
from bot.model import Relationship
from storage import tables
from storage.ids import storable
from storage.numbering import lock_relationship

T = TypeVar("T")


# The statements of the hot read path (every "my relationships"), built once with bound parameters:
# building a statement costs more than SQLAlchemy's cached compile of it (bench/results/slack_dm.md).


@functools.cache
def _relationships_of_viewer() -> Select[tuple[Relationship]]:
    """The relationships the ``viewer`` is a current member of, with all their members and the members'
    people in the same statement; the members' own chat identities only if something asks for them."""
    m = tables.memberships
    return (
        select(Relationship)
        .join(Membership, m.c.relationship_id == tables.relationships.c.id)
        .where(m.c.person_id == bindparam("viewer"), m.c.left_at.is_(None))
        .order_by(tables.relationships.c.id)
        .options(
            # an inner join: the viewer's own membership is one of the members (and an outer join of
            # memberships with people makes SQLite read every membership)
            joinedload(Relationship.members, innerjoin=True)  # type: ignore[arg-type]
            .joinedload(Membership.person, innerjoin=True)  # type: ignore[arg-type]
            .lazyload(Person.identities)  # type: ignore[arg-type]
        )
    )


@dataclass(frozen=True)
class _Kind(Generic[T]):
    """A kind of content kept per relationship: its class, its table, and what its lists are ordered by
    (then by id)."""

    cls: type[T]
    table: Table
    order: tuple[Any, ...]


GROUND_RULES = _Kind(GroundRules, tables.ground_rules, (tables.ground_rules.c.version,))
MEETINGS = _Kind(Meeting, tables.meetings, (tables.meetings.c.created_at,))
AGENDA = _Kind(AgendaItem, tables.agenda_items, (tables.agenda_items.c.position,))
ACTIONS = _Kind(ActionItem, tables.action_items, (tables.action_items.c.created_at,))
NOTES = _Kind(Note, tables.notes, (tables.notes.c.created_at,))
REFLECTIONS = _Kind(ClosingReflection, tables.closing_reflections, (tables.closing_reflections.c.written_at,))
GOALS = _Kind(Goal, tables.goals, (tables.goals.c.number,))


@functools.cache
def _of_relationships(kind: _Kind[T]) -> Select[tuple[T]]:
    """Items of ``kind`` in the relationships ``ids`` (checked by the caller), in one statement; ground
    rules with their confirmations joined in."""
    table = kind.table
    stmt = (
        select(kind.cls)
        .where(table.c.relationship_id.in_(bindparam("ids", expanding=True)))
        .order_by(table.c.relationship_id, *kind.order, table.c.id)
    )
    if kind.cls is GroundRules:
        stmt = stmt.options(joinedload(GroundRules.confirmations))  # type: ignore[arg-type]
    return stmt


@functools.cache
def _of_relationship(kind: _Kind[T]) -> Select[tuple[T]]:
    """Items of ``kind`` in the relationship ``relationship_id`` (checked by the caller)."""
    table = kind.table
    return (
        select(kind.cls)
        .where(table.c.relationship_id == bindparam("relationship_id"))
        .order_by(*kind.order, table.c.id)
    )


@functools.cache
def _by_id_for_member(kind: _Kind[T]) -> Select[tuple[T]]:
    """The item of ``kind`` with the id ``item_id``, only if it is in a relationship the ``viewer`` is a
    current member of."""
    m, table = tables.memberships, kind.table
    viewers = select(m.c.relationship_id).where(m.c.person_id == bindparam("viewer"), m.c.left_at.is_(None))
    return select(kind.cls).where(table.c.id == bindparam("item_id"), table.c.relationship_id.in_(viewers))


class SqlContentAccess:
    def __init__(self, session: Session, viewer_id: int) -> None:
        self.session = session
        self.viewer_id = viewer_id

    # -- membership ---------------------------------------------------------------------------
    def relationship(self, relationship_id: int) -> Relationship:
        rel = self.session.get(Relationship, relationship_id) if storable(relationship_id) else None
        if rel is None or not rel.is_member(self.viewer_id):
            raise NotPermitted("error.not_member")
        return rel

    def relationships(self) -> list[Relationship]:
        return list(self.session.scalars(_relationships_of_viewer(), {"viewer": self.viewer_id}).unique())

    def _list(self, kind: _Kind[T], relationship_id: int) -> list[T]:
        self.relationship(relationship_id)
        return list(self.session.scalars(_of_relationship(kind), {"relationship_id": relationship_id}))

    def _lists(self, kind: _Kind[T], relationship_ids: Collection[int]) -> dict[int, list[T]]:
        """:meth:`_list` for several relationships, in one query."""
        wanted = sorted(set(relationship_ids))
        for relationship_id in wanted:
            self.relationship(relationship_id)  # the viewer's own (from the identity map when loaded)
        found: dict[int, list[T]] = {relationship_id: [] for relationship_id in wanted}
        if wanted:
            for item in self.session.scalars(_of_relationships(kind), {"ids": wanted}).unique():
                found[item.relationship_id].append(item)  # type: ignore[attr-defined]
        return found

    def _one(self, kind: _Kind[T], item_id: int) -> T:
        if not storable(item_id):
            raise NotFound("error.not_found")
        found = self.session.scalars(_by_id_for_member(kind), {"item_id": item_id, "viewer": self.viewer_id})
        item = found.first()
        if item is None:
            raise NotFound("error.not_found")
        return item

    def _add(self, item: Any) -> None:
        self.relationship(item.relationship_id)
        self.session.add(item)
        self.session.flush()

    # -- what every member reads and adds: ground rules, meetings, agenda, actions, notes ---------------
    # (read by relationship, or by id within one of the viewer's relationships; added to one of them)
    ground_rules = functools.partialmethod(_list, GROUND_RULES)
    ground_rules_of = functools.partialmethod(_lists, GROUND_RULES)
    meetings = functools.partialmethod(_list, MEETINGS)
    meetings_of = functools.partialmethod(_lists, MEETINGS)
    meeting = functools.partialmethod(_one, MEETINGS)
    agenda = functools.partialmethod(_list, AGENDA)
    agenda_item = functools.partialmethod(_one, AGENDA)
    actions = functools.partialmethod(_list, ACTIONS)
    action = functools.partialmethod(_one, ACTIONS)
    notes = functools.partialmethod(_list, NOTES)
    add_ground_rules = add_meeting = add_agenda_item = add_action = add_note = _add

    # -- check-ins: own, or shared by another member --------------------------------------------
    def checkins(self, relationship_id: int) -> list[CheckIn]:
        self.relationship(relationship_id)
        c = tables.checkins
        stmt = (
            select(CheckIn)
            .where(c.c.relationship_id == relationship_id)
            .where(or_(c.c.person_id == self.viewer_id, c.c.shared.is_(True)))
            .order_by(c.c.at, c.c.id)
        )
        return list(self.session.scalars(stmt))

    def add_checkin(self, checkin: CheckIn) -> None:
        if checkin.person_id != self.viewer_id:
            raise NotPermitted("error.not_permitted")
        self._add(checkin)

    # -- closing reflections: every member of the relationship reads them, each writes their own ----
    closing_reflections = functools.partialmethod(_list, REFLECTIONS)

    def add_closing_reflection(self, reflection: ClosingReflection) -> None:
        if reflection.person_id != self.viewer_id:
            raise NotPermitted("error.not_permitted")
        self._add(reflection)

    # -- development goals: the learner writes their own, every member reads them ------------------
    goals = functools.partialmethod(_list, GOALS)
    goal = functools.partialmethod(_one, GOALS)

    def add_goal(self, goal: Goal) -> None:
        if goal.owner_id != self.viewer_id:
            raise NotPermitted("error.not_permitted")
        self.relationship(goal.relationship_id)
        g = tables.goals
        lock_relationship(self.session, goal.relationship_id)  # two adds at once: see storage.numbering
        highest = self.session.scalar(
            select(func.max(g.c.number)).where(g.c.relationship_id == goal.relationship_id)
        )
        goal.number = (highest or 0) + 1
        self._add(goal)

    # -- the viewer's own mentoring network: their entries and asks, nobody else's -------------------
    def _own(self, cls: type[T], table: Any) -> list[T]:
        stmt = select(cls).where(table.c.person_id == self.viewer_id).order_by(table.c.id)
        return list(self.session.scalars(stmt))

    def _add_own(self, item: NetworkEntry | NetworkAsk) -> None:
        if item.person_id != self.viewer_id:
            raise NotPermitted("error.not_permitted")
        self.session.add(item)
        self.session.flush()

    network = functools.partialmethod(_own, NetworkEntry, tables.network_entries)
    network_asks = functools.partialmethod(_own, NetworkAsk, tables.network_asks)
    add_network_entry = add_network_ask = _add_own

    def remove_network_entry(self, entry_id: int) -> None:
        if not storable(entry_id):
            raise NotFound("error.not_found")
        n = tables.network_entries
        stmt = select(NetworkEntry).where(n.c.id == entry_id, n.c.person_id == self.viewer_id)
        entry = self.session.scalars(stmt).first()
        if entry is None:
            raise NotFound("error.not_found")
        self.session.delete(entry)


class SqlSystemContent:
    """The bot acting on behalf of a member (nudges to that member, their own data export)."""

    def __init__(self, session: Session, purpose: str) -> None:
        self.session = session
        self.purpose = purpose

    def as_member(self, person_id: int) -> SqlContentAccess:
        return SqlContentAccess(self.session, person_id)
