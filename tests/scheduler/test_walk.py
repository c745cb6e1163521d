"""A relationship walked from match to closure with an injected clock, across two daylight-saving changes.

Eli (mentee, Europe/London) and Maria (mentor, America/New_York) are matched on Monday 2 March 2026 with
a planned end on 11 May 2026. The United States change to summer time on 8 March, the United Kingdom on
29 March: each nudge still arrives at the same local time, and the UTC instant moves instead.
"""

from __future__ import annotations

from datetime import date

from scheduler_world import World
from scheduler_world import local

from bot.model import MeetingStatus
from bot.model import Role

LONDON, NEW_YORK = "Europe/London", "America/New_York"

# (who, kind, local time of arrival), in the order the outbox recorded them
EXPECTED = [
    ("Eli", "onboarding", "Mon 2026-03-02 09:00"),
    ("Maria", "weekly_digest", "Mon 2026-03-02 08:30"),
    ("Maria", "onboarding", "Mon 2026-03-02 09:00"),
    ("Eli", "first_meeting", "Wed 2026-03-04 09:00"),  # the mentee books, by the default ground rule
    # the first meeting gets its agenda too, whatever the phase: a day before the agenda is due (48h lead)
    ("Eli", "agenda_request", "Sat 2026-03-07 15:00"),  # meeting-bound: weekend or not
    ("Maria", "agenda_compiled", "Sun 2026-03-08 11:00"),  # 48h before; New York moved to summer time at 2:00
    ("Eli", "ground_rules_reminder", "Mon 2026-03-09 09:00"),
    ("Maria", "weekly_digest", "Mon 2026-03-09 08:30"),  # New York is on summer time: 12:30 UTC, not 13:30
    ("Maria", "ground_rules_reminder", "Mon 2026-03-09 09:00"),
    ("Maria", "followup", "Tue 2026-03-10 13:00"),  # "did you meet?" an hour after the meeting ended
    ("Eli", "followup", "Tue 2026-03-10 17:00"),
    ("Maria", "phase_prompt", "Tue 2026-03-10 13:30"),  # met and agreed ground rules: cultivation
    ("Eli", "phase_prompt", "Tue 2026-03-10 17:30"),
    ("Maria", "weekly_digest", "Mon 2026-03-16 08:30"),
    ("Eli", "action_reminder", "Wed 2026-03-18 09:00"),  # due Friday 20th
    ("Eli", "action_reminder", "Mon 2026-03-23 09:00"),  # overdue; not on the weekend
    ("Maria", "weekly_digest", "Mon 2026-03-23 08:30"),
    ("Eli", "cadence", "Tue 2026-03-24 09:00"),  # "every 2 weeks" since 10 March, nothing booked
    ("Eli", "phase_prompt", "Mon 2026-03-30 09:00"),  # separation, six weeks before the end; London on BST
    ("Eli", "network_tip", "Mon 2026-03-30 09:00"),
    ("Maria", "weekly_digest", "Mon 2026-03-30 08:30"),
    ("Maria", "phase_prompt", "Mon 2026-03-30 09:00"),
    ("Eli", "agenda_request", "Mon 2026-03-30 14:00"),  # a day before the agenda is due (48h lead)
    ("Maria", "agenda_compiled", "Tue 2026-03-31 09:00"),  # 48h before the meeting
    ("Maria", "followup", "Thu 2026-04-02 11:00"),
    ("Eli", "followup", "Thu 2026-04-02 16:00"),
    ("Maria", "weekly_digest", "Mon 2026-04-06 08:30"),
    ("Maria", "weekly_digest", "Mon 2026-04-13 08:30"),
    ("Eli", "cadence", "Thu 2026-04-16 09:00"),
    ("Maria", "weekly_digest", "Mon 2026-04-20 08:30"),
    ("Maria", "weekly_digest", "Mon 2026-04-27 08:30"),
    ("Cora", "stall_alert", "Thu 2026-04-30 09:00"),  # four weeks (twice the rhythm) without a meeting
    ("Maria", "weekly_digest", "Mon 2026-05-04 08:30"),
    ("Eli", "phase_prompt", "Mon 2026-05-11 09:00"),  # closure on the planned end date
    ("Maria", "weekly_digest", "Mon 2026-05-11 08:30"),
    ("Maria", "phase_prompt", "Mon 2026-05-11 09:00"),
    ("Maria", "weekly_digest", "Mon 2026-05-18 08:30"),  # closure lasts two weeks: no nudge after 25 May
    # the relationship then ends by itself: the coordinator and both members are told, after quiet hours
    ("Cora", "notice", "Mon 2026-05-25 08:00"),
    ("Maria", "notice", "Mon 2026-05-25 08:00"),
    ("Eli", "notice", "Mon 2026-05-25 08:00"),
]


def walk(w: World) -> dict[int, tuple[str, str]]:
    w.start_at(w.at("2026-03-02 06:00"))
    maria = w.person("mentor@example.org", "Maria Mentor", NEW_YORK, [Role.GUIDE])
    eli = w.person("mentee@example.org", "Eli Mentee", LONDON)
    cora = w.person("coordinator@example.org", "Cora Coordinator", LONDON, [Role.COORDINATOR])
    rid = w.relationship([maria], [eli], started_on=date(2026, 3, 2), planned_end=date(2026, 5, 11))
    w.run_until(w.at("2026-03-04 12:00"))
    first = w.meeting(rid, w.at("2026-03-10 15:00", LONDON), by=eli)  # Eli books after the prompt
    w.run_until(w.at("2026-03-10 17:30"))
    w.set_meeting(first, status=MeetingStatus.HELD, held_minutes=60)
    w.agree_rules(rid, eli, [maria], frequency="every 2 weeks")
    w.action(rid, eli, "Draft my learning goals", date(2026, 3, 20))
    w.run_until(w.at("2026-03-25 10:00"))
    w.meeting(rid, w.at("2026-04-02 14:00", LONDON), by=eli)  # unanswered: held after held_grace
    w.run_until(w.at("2026-06-01 00:00"))
    return {maria: ("Maria", NEW_YORK), eli: ("Eli", LONDON), cora: ("Cora", LONDON)}


def test_a_relationship_from_match_to_closure_gets_exactly_the_expected_nudges_at_local_times(
    world: World,
) -> None:
    people = walk(world)
    sent = [s for s in world.outbox() if s.status == "sent"]
    got = [(people[s.person_id][0], s.kind, local(s.sent_at, people[s.person_id][1])) for s in sent]
    assert got == EXPECTED
    # every message reached its person once, on the console/log channel (nobody here has a chat identity)
    assert len(world.console.received) == len(EXPECTED)
    assert {s.channel for s in sent} == {"console"}
    assert all(s.status in ("sent", "batched") for s in world.outbox())


def test_the_walk_shows_the_pairs_own_words_and_keeps_content_from_the_coordinator(world: World) -> None:
    people = walk(world)
    eli = next(pid for pid, (name, _) in people.items() if name == "Eli")
    maria = next(pid for pid, (name, _) in people.items() if name == "Maria")
    cora = next(pid for pid, (name, _) in people.items() if name == "Cora")
    eli_texts = [r.text for r in world.inbox(eli)]
    cadence = next(t for t in eli_texts if "time to book your next meeting" in t)
    assert "every 2 weeks" in cadence and "“mentee”" in cadence
    reminder = next(t for t in eli_texts if "coming up on your action plan" in t)
    assert "Draft my learning goals" in reminder and "Fri 20 Mar 2026" in reminder
    separation = next(t for t in eli_texts if "now in the separation phase" in t)
    assert "how have you grown" in separation
    digests = [r for r in world.inbox(maria) if r.message.summary.startswith("Your weekly digest")]
    march_16 = next(r.text for r in digests if local(r.at, NEW_YORK).startswith("Mon 2026-03-16"))
    assert "Draft my learning goals" in march_16  # the learner's open action, for their own mentor
    assert "not to assess" in march_16
    (alert, ended) = world.inbox(cora)
    assert "has ended by itself" in ended.text and "Eli Mentee" in ended.text
    assert "Draft my learning goals" not in ended.text and "every 2 weeks" not in ended.text
    assert (
        "Mentoring #" in alert.text
        and "Eli Mentee" in alert.text
        and "last met on Thu 2 Apr 2026" in alert.text
    )
    assert "Draft my learning goals" not in alert.text and "every 2 weeks" not in alert.text


def test_ticking_again_at_any_point_sends_nothing_twice(world: World) -> None:
    walk(world)
    before = len(world.console.received)
    for _ in range(3):
        plan, sent = world.tick()
        assert (plan.planned, sent.sent) == (0, 0)
    assert len(world.console.received) == before
