"""Membership-checked access to what members of a relationship write.

This module is the one place where agenda items, action items, notes, check-ins, ground rules,
meetings, development goals and closing reflections are read or added. Every query is filtered by a
relationship the viewer is a current member of; nothing here can list content of a relationship the
viewer is not in.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any
from typing import TypeVar

from sqlalchemy import Select
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


@functools.cache
def _of_relationships(cls: type[T], table: Any, order: tuple[Any, ...]) -> Select[tuple[T]]:
    """Items of ``cls`` in the relationships ``ids`` (checked by the caller), in one statement; ground
    rules with their confirmations joined in."""
    stmt = (
        select(cls)
        .where(table.c.relationship_id.in_(bindparam("ids", expanding=True)))
        .order_by(table.c.relationship_id, *order, table.c.id)
    )
    if cls is GroundRules:
        stmt = stmt.options(joinedload(GroundRules.confirmations))  # type: ignore[arg-type]
    return stmt


class SqlContentAccess:
    def __init__(self, session: Session, viewer_id: int) -> None:
        self.session = session
        self.viewer_id = viewer_id

    # -- membership ---------------------------------------------------------------------------
    def _member_relationship_ids(self) -> Any:
        m = tables.memberships
        return select(m.c.relationship_id).where(m.c.person_id == self.viewer_id, m.c.left_at.is_(None))

    def relationship(self, relationship_id: int) -> Relationship:
        rel = self.session.get(Relationship, relationship_id) if storable(relationship_id) else None
        if rel is None or not rel.is_member(self.viewer_id):
            raise NotPermitted("error.not_member")
        return rel

    def relationships(self) -> list[Relationship]:
        return list(self.session.scalars(_relationships_of_viewer(), {"viewer": self.viewer_id}).unique())

    def _list(self, cls: type[T], table: Any, relationship_id: int, *order: Any) -> list[T]:
        self.relationship(relationship_id)
        stmt = select(cls).where(table.c.relationship_id == relationship_id).order_by(*order, table.c.id)
        return list(self.session.scalars(stmt))

    def _lists(
        self, cls: type[T], table: Any, relationship_ids: Collection[int], *order: Any
    ) -> dict[int, list[T]]:
        """:meth:`_list` for several relationships, in one query."""
        wanted = sorted(set(relationship_ids))
        for relationship_id in wanted:
            self.relationship(relationship_id)  # the viewer's own (from the identity map when loaded)
        found: dict[int, list[T]] = {relationship_id: [] for relationship_id in wanted}
        if wanted:
            for item in self.session.scalars(_of_relationships(cls, table, order), {"ids": wanted}).unique():
                found[item.relationship_id].append(item)  # type: ignore[attr-defined]
        return found

    def _one(self, cls: type[T], table: Any, item_id: int) -> T:
        if not storable(item_id):
            raise NotFound("error.not_found")
        stmt = select(cls).where(
            table.c.id == item_id, table.c.relationship_id.in_(self._member_relationship_ids())
        )
        item = self.session.scalars(stmt).first()
        if item is None:
            raise NotFound("error.not_found")
        return item

    def _add(self, item: Any) -> None:
        self.relationship(item.relationship_id)
        self.session.add(item)
        self.session.flush()

    # -- ground rules ---------------------------------------------------------------------------
    def ground_rules(self, relationship_id: int) -> list[GroundRules]:
        return self._list(GroundRules, tables.ground_rules, relationship_id, tables.ground_rules.c.version)

    def ground_rules_of(self, relationship_ids: Collection[int]) -> dict[int, list[GroundRules]]:
        return self._lists(GroundRules, tables.ground_rules, relationship_ids, tables.ground_rules.c.version)

    def add_ground_rules(self, rules: GroundRules) -> None:
        self._add(rules)

    # -- meetings -------------------------------------------------------------------------------
    def meetings(self, relationship_id: int) -> list[Meeting]:
        return self._list(Meeting, tables.meetings, relationship_id, tables.meetings.c.created_at)

    def meetings_of(self, relationship_ids: Collection[int]) -> dict[int, list[Meeting]]:
        return self._lists(Meeting, tables.meetings, relationship_ids, tables.meetings.c.created_at)

    def meeting(self, meeting_id: int) -> Meeting:
        return self._one(Meeting, tables.meetings, meeting_id)

    def add_meeting(self, meeting: Meeting) -> None:
        self._add(meeting)

    # -- agenda ---------------------------------------------------------------------------------
    def agenda(self, relationship_id: int) -> list[AgendaItem]:
        return self._list(AgendaItem, tables.agenda_items, relationship_id, tables.agenda_items.c.position)

    def agenda_item(self, item_id: int) -> AgendaItem:
        return self._one(AgendaItem, tables.agenda_items, item_id)

    def add_agenda_item(self, item: AgendaItem) -> None:
        self._add(item)

    # -- actions --------------------------------------------------------------------------------
    def actions(self, relationship_id: int) -> list[ActionItem]:
        return self._list(ActionItem, tables.action_items, relationship_id, tables.action_items.c.created_at)

    def action(self, action_id: int) -> ActionItem:
        return self._one(ActionItem, tables.action_items, action_id)

    def add_action(self, item: ActionItem) -> None:
        self._add(item)

    # -- notes ----------------------------------------------------------------------------------
    def notes(self, relationship_id: int) -> list[Note]:
        return self._list(Note, tables.notes, relationship_id, tables.notes.c.created_at)

    def add_note(self, note: Note) -> None:
        self._add(note)

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
    def closing_reflections(self, relationship_id: int) -> list[ClosingReflection]:
        t = tables.closing_reflections
        return self._list(ClosingReflection, t, relationship_id, t.c.written_at)

    def add_closing_reflection(self, reflection: ClosingReflection) -> None:
        if reflection.person_id != self.viewer_id:
            raise NotPermitted("error.not_permitted")
        self._add(reflection)

    # -- development goals: the learner writes their own, every member reads them ------------------
    def goals(self, relationship_id: int) -> list[Goal]:
        return self._list(Goal, tables.goals, relationship_id, tables.goals.c.number)

    def goal(self, goal_id: int) -> Goal:
        return self._one(Goal, tables.goals, goal_id)

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

    # -- the viewer's own mentoring network -----------------------------------------------------
    def network(self) -> list[NetworkEntry]:
        n = tables.network_entries
        stmt = select(NetworkEntry).where(n.c.person_id == self.viewer_id).order_by(n.c.id)
        return list(self.session.scalars(stmt))

    def add_network_entry(self, entry: NetworkEntry) -> None:
        if entry.person_id != self.viewer_id:
            raise NotPermitted("error.not_permitted")
        self.session.add(entry)
        self.session.flush()

    def remove_network_entry(self, entry_id: int) -> None:
        if not storable(entry_id):
            raise NotFound("error.not_found")
        n = tables.network_entries
        stmt = select(NetworkEntry).where(n.c.id == entry_id, n.c.person_id == self.viewer_id)
        entry = self.session.scalars(stmt).first()
        if entry is None:
            raise NotFound("error.not_found")
        self.session.delete(entry)

    def network_asks(self) -> list[NetworkAsk]:
        a = tables.network_asks
        stmt = select(NetworkAsk).where(a.c.person_id == self.viewer_id).order_by(a.c.id)
        return list(self.session.scalars(stmt))

    def add_network_ask(self, ask: NetworkAsk) -> None:
        if ask.person_id != self.viewer_id:
            raise NotPermitted("error.not_permitted")
        self.session.add(ask)
        self.session.flush()


class SqlSystemContent:
    """The bot acting on behalf of a member (nudges to that member, their own data export)."""

    def __init__(self, session: Session, purpose: str) -> None:
        self.session = session
        self.purpose = purpose

    def as_member(self, person_id: int) -> SqlContentAccess:
        return SqlContentAccess(self.session, person_id)
