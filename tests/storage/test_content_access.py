"""``uow.content(viewer)`` refuses every method for anyone who is not a current member.

Runs on SQLite and PostgreSQL.  The viewers tried: someone in no relationship, a member of another
relationship, a coordinator, and a former member (``left_at`` set).  A last test makes sure every
method of the content access is covered here, so a method added later cannot skip the check.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import select

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
from bot.ports import ContentAccess
from storage import tables
from storage.content import SqlContentAccess
from storage.uow import SqlUnitOfWorkFactory

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
CONTENT_TABLES = (
    tables.agenda_items,
    tables.action_items,
    tables.notes,
    tables.checkins,
    tables.ground_rules,
    tables.meetings,
    tables.network_entries,
    tables.network_asks,
    tables.closing_reflections,
    tables.goals,
)


@dataclass(frozen=True)
class World:
    rel: int
    other_rel: int
    mentor: int
    mentee: int
    outsider: int
    other_member: int
    coordinator: int
    former: int
    meeting: int
    agenda: int
    action: int
    network_entry: int
    goal: int


def _person(email: str, roles: list[str]) -> Person:
    return Person(email=email, name=email.split("@")[0], roles=roles)


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory) -> World:
    with uow_factory() as uow:
        people = {
            key: _person(f"{key}@example.org", roles)
            for key, roles in (
                ("mentor", ["guide"]),
                ("mentee", ["mentee"]),
                ("outsider", ["mentee"]),
                ("other", ["mentee"]),
                ("otherguide", ["guide"]),
                ("coordinator", ["coordinator"]),
                ("former", ["guide"]),
            )
        }
        for p in people.values():
            uow.people.add(p)

        def relationship(members: list[tuple[str, str, datetime | None]]) -> Relationship:
            rel = Relationship(
                kind="mentoring",
                format="one-to-one",
                phase="initiation",
                started_on=date(2026, 1, 1),
                members=[Membership(person=people[k], side=side, left_at=left) for k, side, left in members],
            )
            uow.relationships.add(rel)
            return rel

        rel = relationship([("mentor", "guide", None), ("mentee", "learner", None), ("former", "guide", NOW)])
        other = relationship([("otherguide", "guide", None), ("other", "learner", None)])
        uow.session.flush()
        mentee_id = people["mentee"].id
        assert rel.id and other.id and mentee_id
        content = uow.content(people["mentee"])
        meeting = Meeting(rel.id, "confirmed", mentee_id, NOW, starts_at=NOW)
        content.add_meeting(meeting)
        agenda = AgendaItem(rel.id, mentee_id, "private agenda", 1, NOW)
        content.add_agenda_item(agenda)
        action = ActionItem(rel.id, "private action", mentee_id, NOW)
        content.add_action(action)
        goal = Goal(rel.id, mentee_id, 0, "private goal", NOW, NOW)
        content.add_goal(goal)
        content.add_note(Note(rel.id, mentee_id, "private note", NOW))
        content.add_checkin(CheckIn(rel.id, mentee_id, 2, 2, 2, "stasis", NOW, shared=True))
        content.add_ground_rules(GroundRules(rel.id, 1, {"boundaries": "private"}, mentee_id, NOW))
        entry = NetworkEntry(mentee_id, "coaching", "Dr Private", NOW)
        content.add_network_entry(entry)
        content.add_network_ask(NetworkAsk(mentee_id, "sponsorship", "private ask", NOW, asked_of="Prof"))
        uow.commit()
        ids = {k: p.id for k, p in people.items()}
        assert all(ids.values()) and meeting.id and agenda.id and action.id and entry.id and goal.id
        return World(
            rel=rel.id,
            other_rel=other.id,
            mentor=ids["mentor"] or 0,
            mentee=mentee_id,
            outsider=ids["outsider"] or 0,
            other_member=ids["other"] or 0,
            coordinator=ids["coordinator"] or 0,
            former=ids["former"] or 0,
            meeting=meeting.id,
            agenda=agenda.id,
            action=action.id,
            network_entry=entry.id,
            goal=goal.id,
        )


# every ContentAccess method, called as a non-member would call it on the world's relationship; the
# error it must raise (None: it must simply return nothing of the relationship's or mentee's)
Attempt = Callable[[ContentAccess, World], object]
ATTEMPTS: dict[str, tuple[Attempt, type[Exception] | None]] = {
    "relationship": (lambda c, w: c.relationship(w.rel), NotPermitted),
    "relationships": (lambda c, w: [r.id for r in c.relationships() if r.id == w.rel], None),
    "ground_rules": (lambda c, w: c.ground_rules(w.rel), NotPermitted),
    "ground_rules_of": (lambda c, w: c.ground_rules_of([w.rel]), NotPermitted),
    "add_ground_rules": (
        lambda c, w: c.add_ground_rules(GroundRules(w.rel, 2, {}, c.viewer_id, NOW)),
        NotPermitted,
    ),
    "meetings": (lambda c, w: c.meetings(w.rel), NotPermitted),
    "meetings_of": (lambda c, w: c.meetings_of([w.rel]), NotPermitted),
    "meeting": (lambda c, w: c.meeting(w.meeting), NotFound),
    "add_meeting": (lambda c, w: c.add_meeting(Meeting(w.rel, "proposed", c.viewer_id, NOW)), NotPermitted),
    "agenda": (lambda c, w: c.agenda(w.rel), NotPermitted),
    "agenda_item": (lambda c, w: c.agenda_item(w.agenda), NotFound),
    "add_agenda_item": (
        lambda c, w: c.add_agenda_item(AgendaItem(w.rel, c.viewer_id, "x", 9, NOW)),
        NotPermitted,
    ),
    "actions": (lambda c, w: c.actions(w.rel), NotPermitted),
    "action": (lambda c, w: c.action(w.action), NotFound),
    "add_action": (lambda c, w: c.add_action(ActionItem(w.rel, "x", c.viewer_id, NOW)), NotPermitted),
    "notes": (lambda c, w: c.notes(w.rel), NotPermitted),
    "add_note": (lambda c, w: c.add_note(Note(w.rel, c.viewer_id, "x", NOW)), NotPermitted),
    "checkins": (lambda c, w: c.checkins(w.rel), NotPermitted),
    "add_checkin": (
        lambda c, w: c.add_checkin(CheckIn(w.rel, c.viewer_id, 3, 3, 3, "stasis", NOW)),
        NotPermitted,
    ),
    "closing_reflections": (lambda c, w: c.closing_reflections(w.rel), NotPermitted),
    "add_closing_reflection": (
        lambda c, w: c.add_closing_reflection(ClosingReflection(w.rel, c.viewer_id, "x", "", "", NOW, NOW)),
        NotPermitted,
    ),
    "goals": (lambda c, w: c.goals(w.rel), NotPermitted),
    "goal": (lambda c, w: c.goal(w.goal), NotFound),
    "add_goal": (lambda c, w: c.add_goal(Goal(w.rel, c.viewer_id, 0, "x", NOW, NOW)), NotPermitted),
    # the network is per person: another person's is never listed, changed or added to
    "network": (lambda c, w: [e.guide_name for e in c.network() if e.person_id == w.mentee], None),
    "add_network_entry": (
        lambda c, w: c.add_network_entry(NetworkEntry(w.mentee, "peer", "x", NOW)),
        NotPermitted,
    ),
    "remove_network_entry": (lambda c, w: c.remove_network_entry(w.network_entry), NotFound),
    "network_asks": (lambda c, w: [a.ask for a in c.network_asks() if a.person_id == w.mentee], None),
    "add_network_ask": (lambda c, w: c.add_network_ask(NetworkAsk(w.mentee, "peer", "x", NOW)), NotPermitted),
}


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in CONTENT_TABLES
        }


@pytest.mark.parametrize("viewer", ["outsider", "other_member", "coordinator", "former"])
@pytest.mark.parametrize("method", sorted(ATTEMPTS))
def test_a_non_member_is_refused_by_every_method(
    world: World, uow_factory: SqlUnitOfWorkFactory, engine: Engine, viewer: str, method: str
) -> None:
    attempt, error = ATTEMPTS[method]
    before = _counts(engine)
    with uow_factory() as uow:
        person = uow.people.get(getattr(world, viewer))
        assert person is not None
        content = uow.content(person)
        if error is None:
            assert attempt(content, world) == []
        else:
            with pytest.raises(error):
                attempt(content, world)
        uow.commit()  # even committing afterwards stores nothing
    assert _counts(engine) == before


def test_members_can_read_what_others_are_refused(world: World, uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        mentor = uow.people.get(world.mentor)
        assert mentor is not None
        content = uow.content(mentor)
        assert content.agenda_item(world.agenda).text == "private agenda"
        assert content.action(world.action).text == "private action"
        assert [n.text for n in content.notes(world.rel)] == ["private note"]
        assert [(g.number, g.text) for g in content.goals(world.rel)] == [(1, "private goal")]
        assert [c.quadrant for c in content.checkins(world.rel)] == ["stasis"]  # it was shared
        assert content.network() == []  # the mentee's network is theirs alone


def test_a_person_without_an_id_gets_nothing(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(NotPermitted):
        uow.content(_person("nobody@example.org", []))


def test_every_method_of_content_access_is_covered() -> None:
    methods = {
        name
        for name, member in inspect.getmembers(SqlContentAccess, inspect.isfunction)
        if not name.startswith("_")
    }
    assert methods == set(ATTEMPTS)
