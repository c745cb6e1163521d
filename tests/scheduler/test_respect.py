"""Respecting people: their quiet hours, pauses and opt-outs, the weekend, a daily cap, and a misfire
policy that sends what is still worth sending after downtime and nothing that is not."""

from __future__ import annotations

import dataclasses
from datetime import date

from scheduler_world import World
from scheduler_world import local

from bot.messages import text_message
from bot.model import Delivery
from bot.model import Role
from bot.serialize import message_to_dict

BERLIN, LONDON, NEW_YORK = "Europe/Berlin", "Europe/London", "America/New_York"


def sent(w: World, person_id: int, tz: str) -> list[tuple[str, str]]:
    return [(s.kind, local(s.sent_at, tz)) for s in w.outbox(person_id) if s.status == "sent"]


def pair(
    w: World, *, started_on: date = date(2026, 3, 2), phase: str = "initiation", mentee_tz: str = LONDON,
    **mentee: object,
) -> tuple[int, int, int]:  # fmt: skip
    """Maria (mentor, New York) and Eli (mentee); returns their ids and the relationship's."""
    maria = w.person("mentor@example.org", "Maria Mentor", NEW_YORK, [Role.GUIDE])
    eli = w.person("mentee@example.org", "Eli Mentee", mentee_tz, **mentee)  # type: ignore[arg-type]
    rid = w.relationship([maria], [eli], started_on=started_on, phase=phase)
    return maria, eli, rid


def test_nudges_wait_for_the_end_of_a_persons_own_quiet_hours(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-02 06:00"))
    _, eli, _ = pair(w, mentee_tz=BERLIN, quiet_start="21:30", quiet_end="10:15")
    w.run_until(w.at("2026-03-04 23:00"))
    assert sent(w, eli, BERLIN) == [
        ("onboarding", "Mon 2026-03-02 10:15"),  # not 09:00: Eli's quiet hours end at 10:15
        ("first_meeting", "Wed 2026-03-04 10:15"),
    ]


def test_a_message_queued_in_the_night_is_delivered_when_quiet_hours_end(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-03 23:30", LONDON))
    eli = w.person("mentee@example.org", "Eli Mentee", LONDON)
    with w.uow_factory() as uow:  # what a workflow does when Maria confirms a meeting late at night
        uow.deliveries.enqueue(
            Delivery(person_id=eli, kind="notice", dedupe_key="notice:1", priority=20, due_at=w.clock.now(),
                     payload={"message": message_to_dict(text_message("Maria confirmed Tuesday 15:00"))})
        )  # fmt: skip
        uow.commit()
    _, summary = w.tick()
    assert (summary.sent, summary.deferred) == (0, 1)
    (waiting,) = w.outbox(eli)
    assert (waiting.status, local(waiting.due_at, LONDON)) == ("pending", "Wed 2026-03-04 08:00")
    w.move_to(w.at("2026-03-04 08:00", LONDON))
    w.tick()
    assert sent(w, eli, LONDON) == [("notice", "Wed 2026-03-04 08:00")]
    assert [r.message.summary for r in w.inbox(eli)] == ["Maria confirmed Tuesday 15:00"]


def test_a_paused_person_gets_nothing_until_the_pause_ends_and_then_what_is_still_due(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-02 06:00"))
    maria, eli, _ = pair(w, paused=True, paused_until=date(2026, 3, 9))
    w.run_until(w.at("2026-03-08 23:00"))
    assert sent(w, eli, LONDON) == []
    assert [k for k, _ in sent(w, maria, NEW_YORK)] == ["weekly_digest", "onboarding"]  # Maria is not paused
    w.run_until(w.at("2026-03-09 23:00"))
    assert sent(w, eli, LONDON) == [
        ("onboarding", "Mon 2026-03-09 09:00"),  # still worth sending a week late
        ("ground_rules_reminder", "Mon 2026-03-09 09:00"),
    ]  # the first-meeting prompts of 4 March fell in the pause; the second one is due on the 11th
    w.run_until(w.at("2026-03-11 23:00"))
    assert sent(w, eli, LONDON)[-1] == ("first_meeting", "Wed 2026-03-11 09:00")


def test_pausing_after_a_nudge_was_planned_keeps_it_from_being_sent(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-02 06:00"))
    _, eli, _ = pair(w)
    w.move_to(w.at("2026-03-02 09:00", LONDON))
    w.plan()  # the onboarding message is queued ...
    w.update_person(eli, paused=True)  # ... and Eli pauses before it goes out
    w.tick()
    (welcome,) = [s for s in w.outbox(eli) if s.kind == "onboarding"]
    assert (welcome.status, welcome.last_error) == ("skipped", "Eli Mentee paused reminders")
    assert w.inbox(eli) == []
    w.update_person(eli, paused=False)
    w.run_until(w.at("2026-03-04 23:00"))
    assert [k for k, _ in sent(w, eli, LONDON)] == ["first_meeting"]  # the skipped one is not revived


def test_an_opted_out_kind_is_never_sent_and_other_kinds_still_are(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-02 06:00"))
    maria, _, _ = pair(w)
    w.update_person(maria, opt_outs=["weekly_digest"])
    w.run_until(w.at("2026-03-16 23:00"))
    kinds = [k for k, _ in sent(w, maria, NEW_YORK)]
    assert "weekly_digest" not in kinds
    assert kinds == ["onboarding", "ground_rules_reminder"]


def test_opting_out_after_planning_skips_what_is_queued(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-02 13:35"))
    maria, _, _ = pair(w)
    w.plan()  # Maria's digest (08:30 in New York) is queued
    w.update_person(maria, opt_outs=["weekly_digest"])
    w.dispatch()
    (digest,) = [s for s in w.outbox(maria) if s.kind == "weekly_digest"]
    assert (digest.status, digest.last_error) == ("skipped", "Maria Mentor opted out of weekly_digest")


def test_routine_nudges_keep_to_the_programmes_own_weekend(world: World) -> None:
    w = world
    w.programme = dataclasses.replace(w.programme, weekend_days=(4, 5))  # Friday and Saturday
    w.start_at(w.at("2026-03-04 06:00"))  # a Wednesday
    _, eli, _ = pair(w, started_on=date(2026, 3, 4))
    w.run_until(w.at("2026-03-09 23:00"))
    assert sent(w, eli, LONDON)[:2] == [
        ("onboarding", "Wed 2026-03-04 09:00"),
        ("first_meeting", "Sun 2026-03-08 09:00"),  # due Friday, the weekend here; Sunday is a workday
    ]


def test_over_the_daily_cap_the_less_important_nudges_move_to_the_next_day(world: World) -> None:
    w = world
    w.programme = dataclasses.replace(w.programme, daily_nudge_cap=2)
    w.start_at(w.at("2026-03-02 06:00"))
    eli = w.person("mentee@example.org", "Eli Mentee", LONDON)
    guides = [w.person(f"g{i}@example.org", f"Guide {i}", LONDON, [Role.GUIDE]) for i in range(3)]
    # a relationship in its fourth week: its cadence nudge, check-in and network tip all fall on 2 March
    w.relationship([guides[0]], [eli], started_on=date(2026, 2, 2), phase="cultivation")
    # two new matches the same day: two welcome messages
    for g in guides[1:]:
        w.relationship([g], [eli], started_on=date(2026, 3, 2))
    w.run_until(w.at("2026-03-03 23:00"))
    assert sent(w, eli, LONDON) == [
        ("onboarding", "Mon 2026-03-02 09:00"),
        ("onboarding", "Mon 2026-03-02 09:00"),
        ("cadence", "Tue 2026-03-03 09:00"),  # deferred, not dropped
        ("checkin", "Tue 2026-03-03 09:00"),
    ]
    w.run_until(w.at("2026-03-06 23:00"))
    by_day: dict[str, list[str]] = {}
    for kind, at in sent(w, eli, LONDON):
        by_day.setdefault(at[:14], []).append(kind)
    assert all(len(kinds) <= 2 for kinds in by_day.values())
    assert "network_tip" in by_day["Wed 2026-03-04"]  # the least important waited longest
    assert {s.status for s in w.outbox(eli)} == {"sent"}  # nothing was dropped


def test_after_downtime_a_digest_is_still_sent_but_a_stale_agenda_is_not(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-06 06:00"))  # Friday
    maria, eli, rid = pair(w, started_on=date(2026, 1, 5), phase="cultivation")
    w.agree_rules(rid, eli, [maria])
    w.meeting(rid, w.at("2026-03-09 15:00", LONDON), by=eli)  # Monday afternoon
    w.tick()  # Friday morning: the agenda request is due on Saturday
    # the server is down from Friday until Tuesday 10:00 UTC, then runs normally
    w.move_to(w.at("2026-03-10 10:00"))
    w.run_until(w.at("2026-03-10 23:00"))
    # a week's digest is still worth reading, and "did you meet?" still useful (after Maria's quiet hours)
    assert sorted(sent(w, maria, NEW_YORK)) == [
        ("followup", "Tue 2026-03-10 08:00"),
        ("weekly_digest", "Tue 2026-03-10 08:00"),
    ]
    assert ("followup", "Tue 2026-03-10 10:00") in sent(w, eli, LONDON)
    kinds = {s.kind for s in w.outbox()}
    assert "agenda_request" not in kinds and "agenda_compiled" not in kinds  # the meeting has happened


def test_a_queued_reminder_that_misses_its_deadline_is_skipped_not_sent(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-06 06:00"))
    maria, eli, rid = pair(w, started_on=date(2026, 1, 5), phase="cultivation")
    w.meeting(rid, w.at("2026-03-09 15:00", LONDON), by=eli)
    w.move_to(w.at("2026-03-08 15:00"))
    w.plan()  # the compiled agenda for Maria is queued for Sunday 11:00 in New York ...
    w.move_to(w.at("2026-03-09 15:30"))
    w.dispatch()  # ... but nothing is sent until after the meeting started
    compiled = next(s for s in w.outbox(maria) if s.kind == "agenda_compiled")
    assert compiled.status == "skipped" and compiled.last_error.startswith("expired at 2026-03-09T15:00")
    assert not [r for r in w.inbox(maria) if "agenda" in r.message.summary.lower()]
