"""The phase engine moves a relationship through the programme's phases, keeps the history, and lets a
coordinator set a phase by hand."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from scheduler_world import World
from sqlalchemy import select

from bot.coordinator import apply_change
from bot.coordinator import refuse_unless_coordinator
from bot.errors import InvalidInput
from bot.errors import NotPermitted
from bot.model import MeetingStatus
from bot.model import Relationship
from bot.model import Role
from storage import tables

LONDON, NEW_YORK = "Europe/London", "America/New_York"


def history(w: World, rid: int) -> list[tuple[str, str, str, int | None]]:
    with w.uow_factory() as uow:
        rows = uow.session.execute(  # type: ignore[attr-defined]
            select(tables.phase_changes).where(tables.phase_changes.c.relationship_id == rid)
            .order_by(tables.phase_changes.c.id)
        ).mappings().all()  # fmt: skip
    return [(r["phase"], r["at"].strftime("%Y-%m-%d %H:%M"), r["reason"], r["by_person_id"]) for r in rows]


def phase_of(w: World, rid: int) -> str:
    with w.uow_factory() as uow:
        rel = uow.relationships.get(rid)
        assert rel is not None
        return rel.phase


def pair(w: World, **kw: object) -> tuple[int, int, int]:
    maria = w.person("mentor@example.org", "Maria Mentor", NEW_YORK, [Role.GUIDE])
    eli = w.person("mentee@example.org", "Eli Mentee", LONDON)
    return maria, eli, w.relationship([maria], [eli], **kw)  # type: ignore[arg-type]


def test_initiation_ends_once_the_pair_has_met_and_agreed_ground_rules(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-02 06:00"))
    maria, eli, rid = pair(w, started_on=date(2026, 3, 2))
    meeting = w.meeting(rid, w.at("2026-03-05 14:00"), by=eli)
    w.run_until(w.at("2026-03-05 16:00"))
    w.set_meeting(meeting, status=MeetingStatus.HELD)
    w.plan()
    assert phase_of(w, rid) == "initiation"  # met, but no ground rules yet
    w.move_to(w.at("2026-03-06 10:00"))
    w.agree_rules(rid, eli, [maria])
    w.plan()
    assert phase_of(w, rid) == "cultivation"
    assert history(w, rid) == [
        ("cultivation", "2026-03-06 10:00", "first meeting held and ground rules agreed", None)
    ]


def test_initiation_ends_after_its_length_even_without_a_meeting(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-02 06:00"))
    _, _, rid = pair(w, started_on=date(2026, 3, 2))
    w.move_to(w.at("2026-04-26 23:00"))
    w.plan()
    assert phase_of(w, rid) == "initiation"
    w.move_to(w.at("2026-04-27 00:00"))  # eight weeks
    w.plan()
    assert history(w, rid) == [("cultivation", "2026-04-27 00:00", "initiation phase length passed", None)]


def test_separation_and_closure_follow_the_planned_end_and_then_nothing_more_is_sent(world: World) -> None:
    w = world
    w.start_at(w.at("2026-06-01 06:00"))
    _, _, rid = pair(w, started_on=date(2026, 1, 5), planned_end=date(2026, 7, 31), phase="cultivation")
    w.run_until(w.at("2026-08-20 00:00"))
    assert [(p, at) for p, at, _, _ in history(w, rid)] == [
        ("separation", "2026-06-19 00:00"),  # six weeks before the end
        ("closure", "2026-07-31 00:00"),
    ]
    # the closure phase lasts two weeks; after that the relationship ends and the pair hears no more
    # nudges, only (once) that it has ended
    late = [s for s in w.outbox() if s.due_at >= w.at("2026-08-14 00:00")]
    assert [s.kind for s in late] == ["notice", "notice"]
    assert all("has now come to a close" in s.payload["message"]["blocks"][0]["text"] for s in late)


def test_without_a_planned_end_the_open_phase_lasts(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-02 06:00"))
    _, _, rid = pair(w, started_on=date(2026, 1, 5), phase="cultivation")
    w.move_to(w.at("2027-03-02 06:00"))
    w.plan()
    assert phase_of(w, rid) == "cultivation" and history(w, rid) == []


def test_a_coordinator_sets_a_phase_by_hand_and_the_engine_respects_it(world: World) -> None:
    w = world
    w.start_at(w.at("2026-06-22 09:00"))
    cora = w.person("coordinator@example.org", "Cora Coordinator", LONDON, [Role.COORDINATOR])
    _, _, rid = pair(w, started_on=date(2026, 1, 5), planned_end=date(2026, 7, 31), phase="cultivation")
    w.plan()
    assert phase_of(w, rid) == "separation"
    with w.uow_factory() as uow:  # the pair asked for more time: back to cultivation
        coordinator = uow.people.get(cora)
        rel = uow.relationships.get(rid)
        assert coordinator is not None and rel is not None
        apply_change(uow, w.programme, rel, "phase", coordinator, w.clock.now(), phase="cultivation")
        uow.commit()
    w.move_to(w.at("2026-06-29 09:00"))
    w.plan()
    assert phase_of(w, rid) == "cultivation"  # the engine does not undo a coordinator's decision
    w.move_to(w.at("2026-07-31 00:00"))
    w.plan()
    assert phase_of(w, rid) == "closure"  # ... but the planned end still comes
    assert [(p, by) for p, _, _, by in history(w, rid)] == [
        ("separation", None),
        ("cultivation", cora),
        ("closure", None),
    ]
    with w.uow_factory() as uow:
        (event,) = [e for e in uow.audit.events() if e.action == "relationship.phase"]
        assert (event.actor_id, event.target, event.detail) == (
            cora, f"relationship:{rid}",
            {"from": "separation", "to": "cultivation"},
        )  # fmt: skip
    sent = [s for s in w.outbox() if s.kind == "phase_prompt"]
    assert {s.dedupe_key.split(":")[2] for s in sent} == {"separation", "cultivation", "closure"}


def test_only_coordinators_set_phases_and_only_the_programmes_phases(world: World) -> None:
    w = world
    maria, _, rid = pair(w, started_on=date(2026, 3, 2))
    cora = w.person("coordinator@example.org", "Cora Coordinator", LONDON, [Role.COORDINATOR])
    now = datetime(2026, 3, 3, tzinfo=UTC)
    with w.uow_factory() as uow:
        rel, mentee, coordinator = uow.relationships.get(rid), uow.people.get(maria), uow.people.get(cora)
        assert rel is not None and mentee is not None and coordinator is not None
        with pytest.raises(NotPermitted):
            refuse_unless_coordinator(uow, mentee, "relationship.phase", now)
        with pytest.raises(InvalidInput) as bad:
            apply_change(uow, w.programme, rel, "phase", coordinator, now, phase="graduation")
        assert w.programme.text(bad.value.key, **bad.value.values) == (
            "“graduation” is not a phase of Mentoring Programme. "
            "Phases: initiation, cultivation, separation, closure."
        )
        with pytest.raises(InvalidInput) as already:
            apply_change(uow, w.programme, rel, "phase", coordinator, now, phase="initiation")
        assert already.value.key == "coordinator.phase.already"
    assert phase_of(w, rid) == "initiation"
    with w.uow_factory() as uow:
        rel = uow.relationships.get(rid)
        assert isinstance(rel, Relationship) and rel.phase_history == []
