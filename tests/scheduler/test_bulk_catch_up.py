"""The catch-up pass loads and plans in chunks; what it plans is exactly what planning one relationship
at a time plans.

A mixed programme (pairs in every phase, a guide with three mentees, a group, meetings proposed,
confirmed, held and missed, ground rules agreed and half-confirmed, action items due and overdue,
check-ins, a paused person, an opt-out, a late joiner, someone who left, an ended match, a match not
started yet, people in five time zones) is planned twice from the same stored state at the same instant:
once one relationship per chunk, as a per-relationship loop would, and once in chunks. The outbox, the
review marks and the phase moves must be the same, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from database_reset import empty_database
from scheduler_world import World
from sqlalchemy import Engine
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm.exc import UnmappedInstanceError

from bot.model import CheckIn
from bot.model import GroundRules
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Relationship
from bot.model import Role
from scheduler.planpass import PlanPass
from storage import scheduling
from storage import tables

NOW = "2026-03-02 09:00"  # a Monday: digest day


def populate(world: World) -> None:
    w = world
    zones = ["Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "Europe/Berlin"]
    # a guide with three mentees, each match in another phase and state
    gail = w.person("gail@example.org", "Gail", "Europe/London", roles=[Role.GUIDE])
    mentees = [w.person(f"m{i}@example.org", f"Mentee {i}", zones[i % 5]) for i in range(1, 4)]
    new = w.relationship([gail], [mentees[0]], started_on=date(2026, 2, 23))
    grown = w.relationship([gail], [mentees[1]], started_on=date(2025, 12, 1), phase="cultivation")
    w.agree_rules(grown, gail, [mentees[1]], frequency="every 2 weeks")
    w.meeting(grown, w.at("2026-01-20 15:00"), by=mentees[1], status=MeetingStatus.HELD)
    w.action(grown, mentees[1], "Read the guideline", date(2026, 3, 3))
    w.action(grown, mentees[1], "Draft the audit", date(2026, 2, 25))
    due_move = w.relationship([gail], [mentees[2]], started_on=date(2025, 12, 29))  # initiation is over
    w.meeting(due_move, w.at("2026-03-03 10:00"), by=mentees[2])
    # pairs with one thing each
    for i in range(5, 17):
        guide = w.person(f"g{i}@example.org", f"Guide {i}", zones[i % 5], roles=[Role.GUIDE])
        mentee = w.person(f"m{i}@example.org", f"Mentee {i}", zones[(i + 2) % 5])
        started = date(2026, 3, 2) - timedelta(days=9 * i)
        phase = "initiation" if i < 8 else "cultivation"
        rel = w.relationship([guide], [mentee], started_on=started, phase=phase, cadence_days=14 + i)
        if i % 3 == 0:
            w.agree_rules(rel, mentee, [guide], frequency="every 3 weeks")
        if i % 4 == 0:
            w.meeting(rel, w.at("2026-03-02 16:00") + timedelta(days=i % 3), by=mentee)
        if i % 5 == 0:
            w.meeting(rel, w.at("2026-02-10 12:00"), by=guide, status=MeetingStatus.PROPOSED)
        if i % 6 == 0:
            w.meeting(rel, w.at("2026-02-27 12:00"), by=guide)  # confirmed, over: "did you meet?"
        if i % 7 == 0:
            w.action(rel, guide, "Introduce to the team", date(2026, 3, 1))
        if i == 8:  # proposed by the mentee, the guide has not confirmed yet
            w.agree_rules(rel, mentee, [], frequency="every 3 weeks")
            with w.uow_factory() as uow:
                gr = tables.ground_rules
                uow.session.execute(  # type: ignore[attr-defined]
                    gr.update().where(gr.c.relationship_id == rel).values(status="proposed", agreed_at=None)
                )
                uow.commit()
        if i == 9:
            w.update_person(mentee, paused=True, paused_until=date(2026, 3, 9))
        if i == 10:
            w.update_person(mentee, opt_outs=["checkin", "schedule"])
        if i == 11:
            with w.uow_factory() as uow:
                s: Any = uow.session  # type: ignore[attr-defined]
                s.add(CheckIn(relationship_id=rel, person_id=mentee, support=4, challenge=3, safety=4,
                              quadrant="growth", at=w.at("2026-01-02 10:00")))  # fmt: skip
                uow.commit()
        if i == 12:
            late = w.person("late@example.org", "Late Joiner", "Asia/Tokyo")
            with w.uow_factory() as uow:
                s = uow.session  # type: ignore[attr-defined]
                s.execute(
                    tables.memberships.insert().values(
                        relationship_id=rel,
                        person_id=late,
                        side="learner",
                        joined_at=w.at("2026-02-26 10:00"),
                    )
                )
                uow.commit()
        if i == 13:
            with w.uow_factory() as uow:
                s = uow.session  # type: ignore[attr-defined]
                m = tables.memberships
                s.execute(m.update().where(m.c.person_id == mentee).values(left_at=w.at("2026-02-20 10:00")))
                uow.commit()
        if i == 14:
            rr = tables.relationships
            with w.uow_factory() as uow:
                uow.session.execute(  # type: ignore[attr-defined]
                    rr.update()
                    .where(rr.c.id == rel)
                    .values(status="ended", ended_at=w.at("2026-02-01 10:00"))
                )
                uow.commit()
    # a group with two guides, half-agreed rules, and a match that starts next week
    g1 = w.person("ga@example.org", "Group Guide A", "Europe/Berlin", roles=[Role.GUIDE])
    g2 = w.person("gb@example.org", "Group Guide B", "America/New_York", roles=[Role.GUIDE])
    peers = [w.person(f"p{i}@example.org", f"Peer {i}", zones[i % 5]) for i in range(4)]
    group = w.relationship([g1, g2], peers, started_on=date(2026, 2, 2), format="group")
    w.agree_rules(group, g1, [g2, *peers])
    w.relationship([g2], [w.person("soon@example.org", "Soon", "Europe/London")], started_on=date(2026, 3, 9))
    with w.uow_factory() as uow:
        gr = tables.ground_rules
        uow.session.execute(  # type: ignore[attr-defined]
            gr.update().where(gr.c.relationship_id == new).values(status="agreed")
        )
        uow.commit()
    assert new


def outcome(engine: Engine) -> dict[str, Any]:
    d, r, pc = tables.deliveries, tables.relationships, tables.phase_changes
    with engine.connect() as conn:
        outbox = sorted(
            (row.dedupe_key, row.person_id, row.kind, row.status, row.due_at, row.expires_at, row.priority,
             row.relationship_id, repr(row.payload))
            for row in conn.execute(select(d))
        )  # fmt: skip
        marks = sorted(conn.execute(select(r.c.id, r.c.phase, r.c.status, r.c.review_at)).all())
        moves = sorted(conn.execute(select(pc.c.relationship_id, pc.c.phase, pc.c.at, pc.c.reason)).all())
    return {"outbox": outbox, "marks": marks, "moves": moves}


def catch_up(world: World, engine: Engine, chunk_size: int, at: datetime) -> dict[str, Any]:
    empty_database(engine)
    world.clock.set(world.at("2026-02-01 09:00"))
    populate(world)
    world.clock.set(at)
    summary = PlanPass(world.uow_factory, world.programme, chunk_size=chunk_size).run(at)
    assert summary.reviewed >= 15 and summary.planned > 10, summary
    return outcome(engine)


@pytest.mark.parametrize("at", [NOW, "2026-03-05 13:30"])
def test_a_chunked_catch_up_plans_exactly_what_one_relationship_at_a_time_plans(
    world: World, engine: Engine, at: str
) -> None:
    instant = world.at(at)
    one_by_one = catch_up(world, engine, 1, instant)
    assert one_by_one["moves"], "the population has a phase move due"
    assert any(k.startswith("weekly_digest:") for k, *_ in one_by_one["outbox"]) or at != NOW
    for chunk in (4, 500):
        assert catch_up(world, engine, chunk, instant) == one_by_one, f"chunks of {chunk}"


def _columns(obj: Any) -> dict[str, Any]:
    # the loader's objects are of a detached (unmapped) twin of the domain class: read the domain class's
    mapped = next(c for c in type(obj).__mro__ if inspect(c, raiseerr=False) is not None)
    return {a.key: getattr(obj, a.key) for a in inspect(mapped).column_attrs}


def test_the_snapshot_holds_what_the_orm_loads_for_each_relationship(world: World, engine: Engine) -> None:
    """Every fact the chunk loader builds from rows is what the ORM (the repositories' path) loads."""
    world.clock.set(world.at("2026-02-01 09:00"))
    populate(world)
    now = world.at(NOW)
    with world.uow_factory() as uow:
        s: Any = uow.session  # type: ignore[attr-defined]
        ids = scheduling.due_relationship_ids(s, now, 1000)
        snapshot = scheduling.load_snapshot(s, ids, now)
    assert len(snapshot.relationships) == len(ids) >= 15
    with world.uow_factory() as uow:
        s = uow.session  # type: ignore[attr-defined]
        for facts in snapshot.relationships:
            rel = s.get(Relationship, facts.id)
            assert _columns(facts.relationship) == _columns(rel)
            got = [(_columns(m), _columns(m.person), [_columns(i) for i in m.person.identities])
                   for m in facts.relationship.members]  # fmt: skip
            assert got == [
                (_columns(m), _columns(m.person), [_columns(i) for i in m.person.identities])
                for m in rel.members
            ]
            rules = s.scalars(
                select(GroundRules).where(tables.ground_rules.c.relationship_id == facts.id)
                .order_by(tables.ground_rules.c.version)
            ).all()  # fmt: skip
            assert [(_columns(g), [_columns(c) for c in g.confirmations]) for g in facts.rules] == [
                (_columns(g), [_columns(c) for c in g.confirmations])
                for g in rules
                if g.status in ("agreed", "proposed")
            ]
            meetings = s.scalars(
                select(Meeting)
                .where(tables.meetings.c.relationship_id == facts.id)
                .order_by(tables.meetings.c.id)
            ).all()
            shown = [
                m for m in meetings
                if m.status in (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)
                or (m.starts_at is not None and m.starts_at >= now - scheduling.MEETING_WINDOW)
            ]  # fmt: skip
            assert sorted((_columns(m) for m in facts.meetings), key=lambda c: c["id"]) == [
                _columns(m) for m in shown
            ]
            held = [m for m in meetings if m.status == MeetingStatus.HELD]
            assert facts.meetings_held == len(held)
            assert facts.last_met_at == max((m.starts_at for m in held), default=None)
    # people shared between relationships are one object, as in the ORM's identity map
    gail = [
        m.person for f in snapshot.relationships for m in f.relationship.members if m.person.name == "Gail"
    ]
    assert len(gail) == 3 and all(p is gail[0] for p in gail)


def test_a_snapshot_is_read_only_no_session_takes_its_objects(world: World, engine: Engine) -> None:
    """The planner's facts are detached copies: handing one to a session (to write a planning change
    by accident) is refused, so nothing the planner touches can reach the database but through the
    plan pass's own guarded writes. They are still the domain's objects, with the domain's methods."""
    world.clock.set(world.at("2026-02-01 09:00"))
    populate(world)
    now = world.at(NOW)
    with world.uow_factory() as uow:
        s: Any = uow.session  # type: ignore[attr-defined]
        snapshot = scheduling.load_snapshot(s, scheduling.due_relationship_ids(s, now, 1000), now)
    facts = snapshot.relationships[0]
    rel = facts.relationship
    assert isinstance(rel, Relationship) and rel.current_members() and rel.guides()
    for obj in (rel, rel.members[0], rel.members[0].person, *facts.meetings, *facts.rules):
        with world.uow_factory() as uow:
            s = uow.session  # type: ignore[attr-defined]
            with pytest.raises(UnmappedInstanceError):
                s.add(obj)


def test_a_review_mark_is_not_set_over_a_change_made_while_planning(world: World, engine: Engine) -> None:
    """The pass writes a chunk's next review marks in one statement, each guarded by the ``review_seq``
    it read: a relationship changed meanwhile keeps its cleared mark (it is looked at on the next pass),
    the others get theirs."""
    world.clock.set(world.at("2026-02-01 09:00"))
    populate(world)
    now = world.at(NOW)
    with world.uow_factory() as uow:
        s: Any = uow.session  # type: ignore[attr-defined]
        snapshot = scheduling.load_snapshot(s, scheduling.due_relationship_ids(s, now, 1000), now)
    seqs = {f.id: f.review_seq for f in snapshot.relationships}
    changed, *others = sorted(seqs)
    with world.uow_factory() as uow:  # a member acts while the pass plans
        s = uow.session  # type: ignore[attr-defined]
        scheduling.mark_for_review(s, [changed])
        uow.commit()
    later = {rid: now + timedelta(hours=rid) for rid in seqs}
    with world.uow_factory() as uow:
        s = uow.session  # type: ignore[attr-defined]
        scheduling.write_reviews(s, later, seqs)
        uow.commit()
    r = tables.relationships
    with engine.connect() as conn:
        marks = dict(conn.execute(select(r.c.id, r.c.review_at).where(r.c.id.in_(list(seqs)))).all())
    assert marks[changed] is None
    assert {rid: marks[rid] for rid in others} == {rid: later[rid] for rid in others}
