"""Announcements: the audience, the preview, one outbox delivery per recipient, refusals, and status."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from coordinator_seed import Seeded

from bot.announcements import KIND
from bot.announcements import fan_out
from bot.clock import FixedClock
from bot.model import DeliveryStatus
from bot.programme import ProgrammeConfig
from bot.serialize import message_from_dict
from handlers.console.channel import ConsoleSession
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands.announce import announce
from storage.uow import SqlUnitOfWorkFactory

MENTEES_2026 = ("eli", "bo", "cy", "di", "ed", "fay")


@dataclass(frozen=True)
class Sent:
    person_id: int
    dedupe_key: str
    status: str
    due_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True)
class Audited:
    action: str
    actor_id: int | None
    target: str
    outcome: str
    detail: dict[str, Any]


def announcement_deliveries(uow_factory: SqlUnitOfWorkFactory, seeded: Seeded) -> list[Sent]:
    with uow_factory() as uow:
        return [
            Sent(d.person_id, d.dedupe_key, d.status, d.due_at, d.payload)
            for pid in seeded.ids.values()
            for d in uow.deliveries.for_person(pid)
            if d.kind == KIND
        ]


def audit_events(uow_factory: SqlUnitOfWorkFactory) -> list[Audited]:
    with uow_factory() as uow:
        return [
            Audited(e.action, e.actor_id, e.target, e.outcome, e.detail) for e in uow.audit.events(limit=1000)
        ]


def compose(s: ConsoleSession, **values: str) -> str:
    s.send("announce")
    assert s.last_form() is not None
    s.submit({"title": "Spring social", "body": "Join us in the atrium on Friday at 5.", **values})
    return s.text()


def test_an_announcement_reaches_exactly_its_audience_once_each(
    seeded: Seeded,
    session: Callable[[str], ConsoleSession],
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
) -> None:
    cora = session("coordinator@example.org")
    preview = compose(cora, roles="mentee", cohorts="2026")
    assert "It will reach *6 people*" in preview
    assert "for example Eli Mentee, Bo Learner, Cy Student, Di Group, Ed Group and 1 more" in preview
    assert "Spring social" in preview  # shown as recipients will see it
    assert announcement_deliveries(uow_factory, seeded) == []  # a preview sends nothing

    cora.press("Send now")
    assert "Announcement #1 is on its way to 6 people" in cora.text()
    sent = announcement_deliveries(uow_factory, seeded)
    assert sorted(d.person_id for d in sent) == sorted(seeded.ids[k] for k in MENTEES_2026)
    for d in sent:
        assert d.dedupe_key == f"announcement:1:{d.person_id}"
        assert d.status == DeliveryStatus.PENDING
        assert d.due_at == clock.now()
        message = message_from_dict(d.payload["message"])
        assert message.summary == "Spring social"
        assert "From Cora Coordinator, Mentoring Programme" in repr(message)

    # pressing Send again (a retried click, a stale button) adds nothing
    cora.act("announce.send", {"v": "2"})
    assert "older message" in cora.text()
    # planning the same announcement again adds nothing either
    with uow_factory() as uow:
        announcement = uow.announcements.get(1)
        assert announcement is not None and announcement.recipient_count == 6
        people = [p for p in uow.people.all() if p.id in {d.person_id for d in sent}]
        assert fan_out(uow, programme, announcement, "Cora Coordinator", people, clock.now()) == 0
        uow.commit()
    assert len(announcement_deliveries(uow_factory, seeded)) == 6
    done = [e for e in audit_events(uow_factory) if e.action == "announce" and e.outcome == "ok"]
    assert [(e.target, e.detail["recipients"], e.actor_id) for e in done] == [
        ("announcement:1", 6, seeded.ids["cora"])
    ]


def test_phase_and_kind_must_hold_on_the_same_relationship(
    seeded: Seeded, session: Callable[[str], ConsoleSession], uow_factory: SqlUnitOfWorkFactory
) -> None:
    cora = session("coordinator@example.org")
    preview = compose(cora, kinds="coaching", phases="initiation")
    assert "It will reach *2 people*" in preview  # Maria and Bo, of the coaching relationship in initiation
    assert "Maria Mentor, Bo Learner" in preview

    cora.press("Edit")
    cora.submit({"kinds": "coaching", "phases": "cultivation"})
    assert "matches this audience right now (phase: cultivation; kind: coaching)" in cora.text()
    assert "Nothing was sent" in cora.text()
    assert announcement_deliveries(uow_factory, seeded) == []


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"roles": ""}, "Please choose who the announcement is for"),
        (
            {"roles": "students"},
            "“students” is not a role in Mentoring Programme. Choose from: mentee, guide, coordinator",
        ),
        ({"cohorts": "1999"}, "“1999” is not a cohort in Mentoring Programme. Choose from: 2025, 2026"),
        ({"roles": "mentee", "send_at": "2026-03-01 09:00"}, "That time has already passed"),
        ({"roles": "mentee", "send_at": "next week"}, "I couldn't read “next week” as a date and time"),
        (
            {"roles": "mentee", "title": "x" * 151},
            "That title is too long. Please keep it under 150 characters.",
        ),
        (
            {"roles": "mentee", "body": "y" * 2001},
            "That message is too long. Please keep it under 2000 characters.",
        ),
        ({"roles": "mentee", "body": "   "}, "Please fill in the message"),
    ],
)
def test_bad_input_gets_a_clear_answer_and_nothing_is_sent(
    seeded: Seeded,
    session: Callable[[str], ConsoleSession],
    uow_factory: SqlUnitOfWorkFactory,
    values: dict[str, str],
    expected: str,
) -> None:
    cora = session("coordinator@example.org")
    text = compose(cora, **values)
    assert "Nothing was sent." in text
    assert expected in text
    form = cora.last_form()
    assert form is not None  # the form comes back with what was typed, to fix and resubmit
    assert any(expected in i.error for i in form.inputs)
    assert announcement_deliveries(uow_factory, seeded) == []
    with uow_factory() as uow:
        assert uow.announcements.recent() == []
    rejected = [e for e in audit_events(uow_factory) if e.action == "announce" and e.outcome == "rejected"]
    assert len(rejected) == 1

    cora.submit({"roles": "guide", "title": "Fixed", "body": "Now right.", "send_at": "", "cohorts": ""})
    assert "It will reach *4 people*" in cora.text()  # the corrected form is accepted


def test_a_scheduled_announcement_is_due_at_its_time_and_a_time_that_passed_meanwhile_is_refused(
    seeded: Seeded,
    session: Callable[[str], ConsoleSession],
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
) -> None:
    cora = session("coordinator@example.org")
    compose(cora, roles="guide", send_at="2026-03-04 08:30")
    assert "It will be sent on Wed 4 Mar 2026, 08:30 UTC" in cora.text()
    cora.press("Schedule")
    assert "Announcement #1 is scheduled for Wed 4 Mar 2026, 08:30 UTC and will reach 4 people" in cora.text()
    deliveries = announcement_deliveries(uow_factory, seeded)
    assert len(deliveries) == 4
    assert {d.due_at for d in deliveries} == {datetime(2026, 3, 4, 8, 30, tzinfo=UTC)}

    compose(cora, roles="mentee", send_at="2026-03-02 10:00")
    clock.advance(timedelta(hours=2))  # the preview stayed open past the chosen time
    cora.press("Schedule")
    assert "That time has already passed" in cora.text()
    assert len(announcement_deliveries(uow_factory, seeded)) == 4


def test_a_non_coordinator_is_refused_and_the_attempt_audited(
    seeded: Seeded, session: Callable[[str], ConsoleSession], uow_factory: SqlUnitOfWorkFactory
) -> None:
    eli = session("mentee@example.org")
    eli.send("announce")
    assert "only the programme's coordinators can do that" in eli.text()
    assert eli.last_form() is None
    eli.act("announce.send", {"v": "1"})  # a forged button press
    assert "only the programme's coordinators" in eli.text()
    eli.send("announce status 1")
    assert "only the programme's coordinators" in eli.text()
    eli.send("help")
    assert "announce" not in eli.text()  # not offered in help either

    refused = [e for e in audit_events(uow_factory) if e.outcome == "refused"]
    assert sorted((e.action, e.actor_id) for e in refused) == [
        ("announce", seeded.ids["eli"]),
        ("announce", seeded.ids["eli"]),
        ("announce.status", seeded.ids["eli"]),
    ]
    assert announcement_deliveries(uow_factory, seeded) == []


def test_status_shows_sent_failed_unreachable_and_who(
    seeded: Seeded, session: Callable[[str], ConsoleSession], uow_factory: SqlUnitOfWorkFactory
) -> None:
    cora = session("coordinator@example.org")
    compose(cora, roles="mentee", cohorts="2026")
    cora.press("Send now")
    outcome = {
        "eli": DeliveryStatus.SENT,
        "bo": DeliveryStatus.SENT,
        "cy": DeliveryStatus.UNREACHABLE,
        "di": DeliveryStatus.DEAD,
        "ed": DeliveryStatus.FAILED,
    }
    with uow_factory() as uow:
        for key, status in outcome.items():
            (delivery,) = [d for d in uow.deliveries.for_person(seeded.ids[key]) if d.kind == KIND]
            delivery.status = status
        uow.commit()

    cora.send("announce status 1")
    text = cora.text()
    assert "Announcement #1 “Spring social”" in text and "6 deliveries" in text
    fields = dict(pair for m in cora.last for b in m.blocks for pair in getattr(b, "pairs", ()))
    assert fields == {"Sent": "2", "Waiting or retrying": "2", "Failed": "1", "Could not be reached": "1"}
    assert "Who could not be reached" in text and "Cy Student" in text

    cora.send("announce status")
    assert "#1 “Spring social”: 6 recipients" in cora.text()
    cora.send("announce status 9")
    assert "There is no announcement #9" in cora.text()
    cora.send("announce status soon")
    assert "Please give the announcement's number" in cora.text()


def cli_args(**overrides: object) -> argparse.Namespace:
    values: dict[str, object] = {
        "email": "coordinator@example.org",
        "title": "Exam-week drop-in",
        "body": "Coffee and questions, Tuesday 4pm.",
        "roles": [],
        "cohorts": [],
        "stages": [],
        "phases": [],
        "kinds": [],
        "at": None,
        "preview": False,
    }
    values.update(overrides)
    return argparse.Namespace(**values)


def test_the_cli_previews_sends_and_refuses_like_the_chat(
    seeded: Seeded,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = announce(
        CommandScope(uow_factory, programme, clock, out, err), cli_args(stages=["preclinical"], preview=True)
    )
    assert code == 0
    assert (
        "It will reach 4 people (stage: preclinical), for example Di Group, Ed Group, Fay Group, Ida Alone."
        in (out.getvalue())
    )
    assert announcement_deliveries(uow_factory, seeded) == []

    out = io.StringIO()
    code = announce(
        CommandScope(uow_factory, programme, clock, out, err),
        cli_args(roles=["mentee,guide"], cohorts=["2025"]),
    )
    assert code == 0, err.getvalue()
    assert "Announcement #1 is on its way to 2 people" in out.getvalue()
    assert sorted(d.person_id for d in announcement_deliveries(uow_factory, seeded)) == sorted(
        [seeded.ids["gil"], seeded.ids["ida"]]
    )

    cases = [
        (cli_args(email="mentee@example.org", roles=["mentee"]), "only the programme's coordinators"),
        (
            cli_args(email="nobody@example.org", roles=["mentee"]),
            "Nobody in Mentoring Programme has the e-mail",
        ),
        (cli_args(roles=["mentee"], at="2026-03-01T08:00"), "That time has already passed"),
        (cli_args(), "Please choose who the announcement is for"),
        (cli_args(kinds=["sponsorship"]), "Nobody in Mentoring Programme matches this audience"),
        (cli_args(roles=["mentee"], title="t" * 200), "That title is too long"),
    ]
    for args, message in cases:
        err = io.StringIO()
        assert announce(CommandScope(uow_factory, programme, clock, io.StringIO(), err), args) == 2
        assert message in err.getvalue()
    assert len(announcement_deliveries(uow_factory, seeded)) == 2  # still only the one announcement
    refused = [e for e in audit_events(uow_factory) if e.action == "announce" and e.outcome != "ok"]
    assert [e.outcome for e in refused].count("refused") == 1
    assert [e.outcome for e in refused].count("rejected") == 4  # the unknown sender is not a person to audit

    out = io.StringIO()
    code = announce(
        CommandScope(uow_factory, programme, clock, out),
        cli_args(roles=["guide"], at="2026-03-05T14:00+01:00"),
    )
    assert code == 0
    assert "scheduled for Thu 5 Mar 2026, 13:00 UTC" in out.getvalue()
