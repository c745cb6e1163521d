"""The pure planner (``scheduler.planner.plan``) on its own: facts and a clock instant in, what is due out.

No database and no dispatcher: each test builds the snapshot a plan pass would load and reads the
plan -- the deliveries (who, what kind, which dedupe key, when), the phase moves, the stall alerts and
when each relationship must be looked at again.  The programme is the example shipped with the bot
(Europe/Dublin, phases initiation 8w → cultivation open → separation 6w → closure 2w, daily cap 2,
quiet 20:00-07:30, weekends off, digests on Monday at 08:00).  January and February 2026: Dublin is on
UTC, New York five hours behind.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from bot.model import Format
from bot.model import Kind
from bot.model import Membership
from bot.model import Person
from bot.model import Relationship
from bot.model import Role
from bot.model import Side
from bot.programme import ProgrammeConfig
from bot.programme import load_programme
from bot.programme import programme_from_mapping
from bot.snapshot import ExistingDelivery
from bot.snapshot import RelationshipFacts
from bot.snapshot import Snapshot
from scheduler.planner import Plan
from scheduler.planner import plan

PROGRAMME = load_programme()
RID, MARIA, ELI = 7, 1, 2
STARTED = date(2026, 1, 5)  # a Monday


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def facts(*, eli: Person | None = None, phase: str = "initiation") -> RelationshipFacts:
    maria = Person("maria@example.org", "Maria Mentor", [Role.GUIDE], timezone="America/New_York", id=MARIA)
    eli = eli or Person("eli@example.org", "Eli Mentee", timezone="Europe/Dublin", id=ELI)
    rel = Relationship(
        kind=Kind.MENTORING,
        format=Format.ONE_TO_ONE,
        phase=phase,
        started_on=STARTED,
        members=[
            Membership(maria, Side.GUIDE, person_id=MARIA),
            Membership(eli, Side.LEARNER, person_id=ELI),
        ],
        created_at=utc("2026-01-01 10:00"),
        id=RID,
    )
    return RelationshipFacts(rel)


def planned(result: Plan) -> set[tuple[str, int, str, datetime]]:
    return {(d.kind, d.person_id, d.dedupe_key, d.due_at) for d in result.deliveries}


def run(
    now: str, f: RelationshipFacts | None = None, programme: ProgrammeConfig = PROGRAMME, **snap: object
) -> Plan:
    return plan(Snapshot([f or facts()], **snap), utc(now), programme)  # type: ignore[arg-type]


def test_nothing_is_planned_before_the_match_starts_and_the_relationship_wakes_at_its_first_day() -> None:
    before = run("2026-01-04 12:00")
    assert (before.deliveries, before.phase_steps, before.alerts) == ([], [], [])
    assert before.reviews == {RID: utc("2026-01-05 00:00")}  # the start of its first day, Dublin time

    # not even a guide's digest: the Monday before the start is not theirs to receive
    assert run("2026-01-04 23:59").deliveries == []


def test_on_the_first_day_each_member_is_welcomed_at_nine_in_their_own_zone() -> None:
    dublin_morning = run("2026-01-05 09:00")
    assert planned(dublin_morning) == {
        ("onboarding", ELI, f"onboarding:{RID}:{ELI}", utc("2026-01-05 09:00"))
    }
    # looked at again when the next thing falls due: Maria's first Monday digest, 08:00 in New York
    assert dublin_morning.reviews == {RID: utc("2026-01-05 13:00")}

    new_york_morning = run("2026-01-05 14:00")
    assert ("onboarding", MARIA, f"onboarding:{RID}:{MARIA}", utc("2026-01-05 14:00")) in planned(
        new_york_morning
    )
    assert ("weekly_digest", MARIA, "weekly_digest:1:2026-W02", utc("2026-01-05 13:00")) in planned(
        new_york_morning
    )


def test_what_is_already_in_the_outbox_is_not_planned_again() -> None:
    sent = ExistingDelivery(ELI, "onboarding", f"onboarding:{RID}:{ELI}", utc("2026-01-05 09:00"), "sent")
    assert run("2026-01-05 09:00", existing=[sent]).deliveries == []


def test_the_mentee_is_asked_to_book_a_first_meeting_two_days_in_and_the_guide_is_not() -> None:
    welcomed = [
        ExistingDelivery(p, "onboarding", f"onboarding:{RID}:{p}", utc("2026-01-05 09:00"), "sent")
        for p in (ELI, MARIA)
    ]
    digest = ExistingDelivery(
        MARIA, "weekly_digest", "weekly_digest:1:2026-W02", utc("2026-01-05 13:00"), "sent"
    )
    result = run("2026-01-07 09:00", existing=[*welcomed, digest])
    assert planned(result) == {
        ("first_meeting", ELI, f"first_meeting:{RID}:1:{ELI}", utc("2026-01-07 09:00")),
    }


def test_a_phase_that_does_not_list_a_family_sends_none_of_it() -> None:
    no_welcome = programme_from_mapping(
        {
            "name": "Quiet start",
            "timezone": "Europe/Dublin",
            "phases": [
                {"name": "initiation", "length": "8w", "nudges": ["first_meeting"]},
                {"name": "cultivation", "length": "open", "nudges": ["schedule"]},
            ],
        }
    )
    assert [
        d for d in run("2026-01-05 09:00", programme=no_welcome).deliveries if d.kind == "onboarding"
    ] == []


def test_the_phase_moves_at_its_boundary_and_the_members_are_told_that_day() -> None:
    # initiation lasts 8 weeks from the start of the first day, with nothing held and nothing agreed
    boundary = utc("2026-03-02 00:00")
    eve = run("2026-03-01 23:00")
    assert eve.phase_steps == []
    assert eve.reviews == {RID: boundary}

    morning = run("2026-03-02 09:00")
    (step,) = morning.phase_steps
    assert (step.relationship_id, step.from_phase, step.to_phase, step.at) == (
        RID,
        "initiation",
        "cultivation",
        boundary,
    )
    # told at nine in Dublin (Maria's nine in New York is still ahead); nothing of initiation's families
    # any more: the first-meeting and ground-rules prompts belong to the phase that ended
    assert planned(morning) == {
        ("phase_prompt", ELI, f"phase_prompt:{RID}:cultivation:20260302T0000:{ELI}", utc("2026-03-02 09:00")),
    }
    # and twice the rhythm (28 days) has passed since the start without a meeting: the coordinators hear
    (alert,) = morning.alerts
    assert (alert.line.relationship_id, alert.line.meetings_held, alert.due_on) == (RID, 0, date(2026, 3, 2))


def test_the_daily_cap_moves_a_nudge_to_the_next_day_and_keeps_its_time_to_live() -> None:
    today = [
        ExistingDelivery(ELI, "checkin", f"checkin:99:{ELI}:{n}", utc("2026-01-12 08:00"), "sent")
        for n in (1, 2)
    ]
    welcomed = [
        ExistingDelivery(p, "onboarding", f"onboarding:{RID}:{p}", utc("2026-01-05 09:00"), "sent")
        for p in (ELI, MARIA)
    ]
    (reminder,) = run("2026-01-12 09:00", existing=today + welcomed).deliveries
    assert (reminder.kind, reminder.person_id, reminder.dedupe_key) == (
        "ground_rules_reminder",
        ELI,
        f"ground_rules:{RID}:1:{ELI}",
    )
    assert reminder.due_at == utc("2026-01-13 09:00")  # the cap of 2 was reached on the 12th
    assert reminder.expires_at == utc("2026-01-13 09:00") + timedelta(days=7)


def test_an_opted_out_kind_and_a_paused_person_get_nothing() -> None:
    base = facts().relationship.members[1].person
    opted = run("2026-01-05 09:00", facts(eli=replace(base, opt_outs=["onboarding"])))
    assert opted.deliveries == []
    paused = run("2026-01-05 09:00", facts(eli=replace(base, paused=True, paused_until=date(2026, 1, 8))))
    assert paused.deliveries == []
    assert paused.reviews == {RID: utc("2026-01-05 13:00")}  # Maria's digest still comes first
