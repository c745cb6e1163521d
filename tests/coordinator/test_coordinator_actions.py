"""Coordinator actions in chat: pause, resume, end, set a phase, re-match, add a person -- each audited,
members told, and refused (and audited) for anyone who is not a coordinator."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from coordinator_seed import Seeded

from bot.clock import FixedClock
from bot.model import RelationshipStatus
from bot.model import Side
from bot.programme import ProgrammeConfig
from bot.serialize import message_from_dict
from handlers.console.channel import ConsoleSession
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands.relationship import change
from storage.uow import SqlUnitOfWorkFactory


@dataclass(frozen=True)
class Audited:
    action: str
    actor_id: int | None
    target: str
    outcome: str
    detail: dict[str, Any]


def audit_events(uow_factory: SqlUnitOfWorkFactory) -> list[Audited]:
    with uow_factory() as uow:
        events = uow.audit.events(limit=1000)
        return [Audited(e.action, e.actor_id, e.target, e.outcome, e.detail) for e in reversed(events)]


def status_of(uow_factory: SqlUnitOfWorkFactory, rid: int) -> tuple[str, str]:
    with uow_factory() as uow:
        rel = uow.relationships.get(rid)
        assert rel is not None
        return rel.status, rel.phase


def notices(uow_factory: SqlUnitOfWorkFactory, person_id: int) -> list[str]:
    with uow_factory() as uow:
        return [
            repr(message_from_dict(d.payload["message"]))
            for d in uow.deliveries.for_person(person_id)
            if d.kind == "notice"
        ]


@pytest.fixture
def cora(seeded: Seeded, session: Callable[[str], ConsoleSession]) -> ConsoleSession:
    return session("coordinator@example.org")


def test_pause_resume_and_end_a_relationship(
    seeded: Seeded, cora: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    r1 = seeded.rels["r1"]
    cora.send(f"pause relationship {r1}")
    assert f"Relationship #{r1} is paused" in cora.text()
    assert status_of(uow_factory, r1)[0] == RelationshipStatus.PAUSED
    assert any(
        "has been paused by the programme coordinator" in n for n in notices(uow_factory, seeded.ids["eli"])
    )
    assert any("has been paused" in n for n in notices(uow_factory, seeded.ids["maria"]))

    cora.send(f"pause relationship #{r1}")
    assert "is already paused" in cora.text()
    cora.send(f"resume relationship {r1}")
    assert "is active again" in cora.text()
    assert status_of(uow_factory, r1)[0] == RelationshipStatus.ACTIVE

    cora.send(f"end relationship {r1}")
    assert f"Relationship #{r1} has ended" in cora.text()
    assert status_of(uow_factory, r1)[0] == RelationshipStatus.ENDED
    cora.send(f"end relationship {r1}")
    assert "has already ended" in cora.text()
    cora.send("report")
    assert "Active relationships: 3" in cora.text().replace("  ", "").replace(" :", ":")

    done = [(e.action, e.target, e.actor_id) for e in audit_events(uow_factory) if e.outcome == "ok"]
    cora_id = seeded.ids["cora"]
    assert done[-3:] == [
        ("relationship.pause", f"relationship:{r1}", cora_id),
        ("relationship.resume", f"relationship:{r1}", cora_id),
        ("relationship.end", f"relationship:{r1}", cora_id),
    ]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("pause relationship", "Please give the relationship's number"),
        ("pause relationship soon", "Please give the relationship's number, for example"),
        ("end relationship 999", "There is no relationship #999"),
        ("phase 1", "Which phase should relationship #1 move to?"),
        (
            "phase 1 blossoming",
            "“blossoming” is not a phase of Mentoring Programme. Phases: initiation, cultivation",
        ),
        ("phase 1 cultivation", "Relationship #1 is already in cultivation"),
        ("add person", "Write it as *add person EMAIL NAME ROLE*"),
        ("add person not-an-email Nia New mentee", "“not-an-email” does not look like an e-mail address"),
        ("add person nia@example.org Nia New wizard", "“wizard” is not a role in Mentoring Programme"),
        ("add person MENTEE@example.org Eli Again mentee", "already in the programme"),
    ],
)
def test_bad_input_gets_a_specific_answer_and_changes_nothing(
    seeded: Seeded, cora: ConsoleSession, uow_factory: SqlUnitOfWorkFactory, command: str, expected: str
) -> None:
    before = audit_events(uow_factory)
    cora.send(command)
    assert expected.replace("*", "") in cora.text().replace("*", "")
    assert status_of(uow_factory, seeded.rels["r1"]) == (RelationshipStatus.ACTIVE, "cultivation")
    assert audit_events(uow_factory) == before


def test_setting_a_phase_by_hand_keeps_history_tells_members_once_and_is_audited(
    seeded: Seeded, cora: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    r1 = seeded.rels["r1"]
    cora.send(f"phase {r1} Separation")
    assert f"Relationship #{r1} moved from cultivation to separation" in cora.text()
    with uow_factory() as uow:
        rel = uow.relationships.get(r1)
        assert rel is not None and rel.phase == "separation"
        assert [(c.phase, c.by_person_id) for c in rel.phase_history] == [("separation", seeded.ids["cora"])]
    # the news is the scheduler's phase prompt alone (tests/scheduler/test_phases.py); no second notice now
    assert not any("separation" in n for n in notices(uow_factory, seeded.ids["eli"]))
    assert "hear about it once" in cora.text()
    (event,) = [e for e in audit_events(uow_factory) if e.action == "relationship.phase"]
    assert event.detail == {"from": "cultivation", "to": "separation"}
    assert event.actor_id == seeded.ids["cora"] and event.target == f"relationship:{r1}"


def test_rematch_offers_guides_with_room_and_starts_a_new_relationship(
    seeded: Seeded, cora: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    r2 = seeded.rels["r2"]  # Bo with Maria, coaching, stalled
    cora.send(f"rematch {r2}")
    form = cora.last_form()
    assert form is not None
    (guide_input,) = [i for i in form.inputs if i.name == "guide"]
    # Gus has 4 of 3, Hana 1 of 1, Maria already guides Bo: only Vera has room
    assert [o.label for o in guide_input.options] == ["Vera Volunteer (0 of 3 learners)"]

    cora.submit({"guide": str(seeded.ids["vera"])})
    assert "relationship #2 has ended" in cora.text() and "for Bo Learner with Vera Volunteer" in cora.text()
    assert status_of(uow_factory, r2)[0] == RelationshipStatus.ENDED
    with uow_factory() as uow:
        (new,) = [r for r in uow.relationships.of_person(seeded.ids["bo"]) if r.id != r2]
        assert (new.kind, new.phase, new.cadence_days, new.status) == ("coaching", "initiation", 14, "active")
        assert sorted((m.person_id, m.side) for m in new.members) == sorted(
            [(seeded.ids["vera"], Side.GUIDE), (seeded.ids["bo"], Side.LEARNER)]
        )
        assert not new.assessor_conflict
        new_id = new.id
    assert any("You have a new guide: Vera Volunteer" in n for n in notices(uow_factory, seeded.ids["bo"]))
    assert any("You have been matched with Bo Learner" in n for n in notices(uow_factory, seeded.ids["vera"]))
    assert any(f"relationship #{r2} has been ended" in n for n in notices(uow_factory, seeded.ids["maria"]))
    (event,) = [e for e in audit_events(uow_factory) if e.action == "relationship.rematch"]
    assert event.target == f"relationship:{r2}" and event.detail["new_relationship"] == new_id
    assert event.detail["guide"] == seeded.ids["vera"] and event.detail["assessor_conflict"] is False


def test_rematch_refuses_an_assessor_without_a_reason_and_a_guide_without_room(
    seeded: Seeded, cora: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    r2 = seeded.rels["r2"]
    cora.send(f"rematch {r2} gus@example.org")  # Gus is named, but has no room
    cora.submit({})
    assert "Gus Guide already has 4 of 3 learners" in cora.text()
    assert status_of(uow_factory, r2)[0] == RelationshipStatus.ACTIVE

    cora.submit({"guide": str(seeded.ids["vera"]), "assesses": "yes", "override_reason": ""})
    assert "A guide should not formally assess the person they guide" in cora.text()
    assert status_of(uow_factory, r2)[0] == RelationshipStatus.ACTIVE

    reason = "Vera sits on Bo's progress panel; another member reviews Bo's file."
    cora.submit({"guide": str(seeded.ids["vera"]), "assesses": "yes", "override_reason": reason})
    assert "Bo Learner with Vera Volunteer" in cora.text()
    with uow_factory() as uow:
        (new,) = [r for r in uow.relationships.of_person(seeded.ids["bo"]) if r.id != r2]
        assert new.assessor_conflict and new.override_reason == reason

    cora.send("rematch 999")
    assert "There is no relationship #999" in cora.text()
    cora.send(f"rematch {seeded.rels['r4']}")
    assert "works on a relationship with one learner" in cora.text()


def test_add_person(seeded: Seeded, cora: ConsoleSession, uow_factory: SqlUnitOfWorkFactory) -> None:
    cora.send("add person Nia.New@Example.org Nia van der New guide")
    assert "Nia van der New has joined Mentoring Programme as a guide" in cora.text()
    with uow_factory() as uow:
        nia = uow.people.by_email("nia.new@example.org")
        assert nia is not None and nia.roles == ["guide"] and nia.name == "Nia van der New"
        nia_id = nia.id
    (event,) = [e for e in audit_events(uow_factory) if e.action == "person.add"]
    assert (event.target, event.actor_id, event.detail) == (
        f"person:{nia_id}",
        seeded.ids["cora"],
        {"role": "guide"},
    )


@pytest.mark.parametrize(
    ("command", "action"),
    [
        ("report", "report"),
        ("audit", "audit"),
        ("pause relationship 1", "relationship.pause"),
        ("resume relationship 1", "relationship.resume"),
        ("end relationship 1", "relationship.end"),
        ("phase 1 closure", "relationship.phase"),
        ("rematch 1", "relationship.rematch"),
        ("add person x@example.org X Y mentee", "person.add"),
    ],
)
def test_anyone_else_is_refused_and_the_attempt_audited(
    seeded: Seeded,
    session: Callable[[str], ConsoleSession],
    uow_factory: SqlUnitOfWorkFactory,
    command: str,
    action: str,
) -> None:
    maria = session("mentor@example.org")  # a guide, and a member of relationship 1
    maria.send(command)
    assert "only the programme's coordinators can do that" in maria.text()
    assert status_of(uow_factory, seeded.rels["r1"]) == (RelationshipStatus.ACTIVE, "cultivation")
    refused = [e for e in audit_events(uow_factory) if e.outcome == "refused"]
    assert [(e.action, e.actor_id) for e in refused] == [(action, seeded.ids["maria"])]
    with uow_factory() as uow:
        assert uow.people.by_email("x@example.org") is None


def test_a_forged_rematch_form_from_a_non_coordinator_is_refused(
    seeded: Seeded, session: Callable[[str], ConsoleSession], uow_factory: SqlUnitOfWorkFactory
) -> None:
    bo = session("bo@example.org")
    bo.act("rematch.submit", {"v": "1", "guide": str(seeded.ids["vera"])})
    assert "only the programme's coordinators" in bo.text()
    assert status_of(uow_factory, seeded.rels["r2"])[0] == RelationshipStatus.ACTIVE
    assert [(e.action, e.outcome) for e in audit_events(uow_factory)][-1] == (
        "relationship.rematch",
        "refused",
    )


def cli(**values: object) -> argparse.Namespace:
    defaults: dict[str, object] = {
        "email": "coordinator@example.org",
        "assesses": False,
        "override_reason": "",
    }
    return argparse.Namespace(**{**defaults, **values})


def test_the_same_changes_from_the_cli(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    r1, r2 = seeded.rels["r1"], seeded.rels["r2"]
    out = io.StringIO()
    assert change(CommandScope(uow_factory, programme, clock, out), cli(change="pause", number=str(r1))) == 0
    assert (
        change(CommandScope(uow_factory, programme, clock, out), cli(change="resume", number=f"#{r1}")) == 0
    )
    assert (
        change(
            CommandScope(uow_factory, programme, clock, out),
            cli(change="phase", number=str(r1), phase="closure"),
        )
        == 0
    )
    args = cli(change="rematch", number=str(r2), guide="vera@example.org")
    assert change(CommandScope(uow_factory, programme, clock, out), args) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"Relationship #{r1} is paused")
    assert lines[2] == (
        f"Relationship #{r1} moved from cultivation to closure. "
        "Its members hear about it once, in their next morning's message."
    )
    assert "for Bo Learner with Vera Volunteer" in lines[3]
    assert status_of(uow_factory, r1) == (RelationshipStatus.ACTIVE, "closure")
    assert status_of(uow_factory, r2)[0] == RelationshipStatus.ENDED
    assert not any("closure phase" in n for n in notices(uow_factory, seeded.ids["eli"]))
    assert any("You have a new guide: Vera Volunteer" in n for n in notices(uow_factory, seeded.ids["bo"]))
    done = [(e.action, e.actor_id) for e in audit_events(uow_factory) if e.outcome == "ok"]
    cora_id = seeded.ids["cora"]
    assert done[-4:] == [
        ("relationship.pause", cora_id),
        ("relationship.resume", cora_id),
        ("relationship.phase", cora_id),
        ("relationship.rematch", cora_id),
    ]

    for args, message in (
        (cli(change="end", number=str(r1), email="mentor@example.org"), "only the programme's coordinators"),
        (cli(change="end", number="999"), "There is no relationship #999"),
        (cli(change="phase", number=str(r1), phase="bloom"), "“bloom” is not a phase"),
        (cli(change="rematch", number=str(r1), guide="hana@example.org"), "Hana Helper already has 1 of 1"),
        (cli(change="rematch", number=str(r1), guide="nobody@example.org"), "has the e-mail address nobody@"),
    ):
        err = io.StringIO()
        assert change(CommandScope(uow_factory, programme, clock, io.StringIO(), err), args) == 2
        assert message in err.getvalue()
    assert status_of(uow_factory, r1) == (RelationshipStatus.ACTIVE, "closure")
    refused = [(e.action, e.actor_id) for e in audit_events(uow_factory) if e.outcome == "refused"]
    assert refused == [("relationship.end", seeded.ids["maria"])]
