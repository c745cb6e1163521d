"""``serve`` killed with SIGKILL in the middle of a 5,000-person announcement, then started again:
everyone receives the announcement, and only deliveries that were in flight at the kill (claimed by the
dead process: perhaps sent, never recorded) may arrive twice."""

from __future__ import annotations

import time
from pathlib import Path

from fake_slack_api import FakeSlackWebApi
from fake_slack_api import dm_channel
from fake_slack_api import slack_user
from population import attempts
from population import claimed
from population import outbox
from population import seed_crowd
from population import unfinished
from serve_process import Database
from serve_process import StartServe
from serve_process import mentorbot_env
from serve_process import run_cli
from serve_process import wait_for

from bot.programme import ProgrammeConfig

PEOPLE = 5000
KILL_AFTER = 1500  # messages seen by the fake Slack
MENTORBOT_OUTBOX_LEASE = 8  # seconds: a dead process's claims run out soon (2 minutes in production)


def test_serve_killed_mid_announcement_and_restarted_delivers_to_everyone_and_repeats_only_what_was_in_flight(
    database: Database,
    fake_slack: FakeSlackWebApi,
    programme: tuple[Path, ProgrammeConfig],
    start_serve: StartServe,
) -> None:
    crowd = seed_crowd(database.engine, programme[1], PEOPLE)
    tuning = {"MENTORBOT_OUTBOX_LEASE": str(MENTORBOT_OUTBOX_LEASE)}
    first = start_serve(database, **tuning)

    # the coordinator announces from the command line, exactly as in production
    announced = run_cli(
        ["announce", "--as", crowd.coordinator_email, "--title", "Programme update",
         "--body", "The spring workshop moves to the big hall.", "--role", "mentee"],
        mentorbot_env(database.url, fake_slack, MENTORBOT_PROGRAM=str(programme[0])),
    )  # fmt: skip
    assert "5000" in announced.stdout

    fake_slack.wait_until(lambda: fake_slack.total >= KILL_AFTER, 120, f"{KILL_AFTER} messages")
    first.kill()
    killed_at = time.monotonic()
    at_kill = fake_slack.total
    in_flight = claimed(database.engine)  # read before anything can take them over
    assert 0 < at_kill < PEOPLE, "the kill must land in the middle of the fan-out"
    assert len(in_flight) > 0

    start_serve(database, **tuning)
    restarted_at = time.monotonic()
    wait_for(
        lambda: unfinished(database.engine) == 0, 180, "the outbox to drain after the restart", every=0.25
    )
    drained_at = time.monotonic()

    posts, _ = fake_slack.snapshot()
    counts = outbox(database.engine)
    assert counts == {"sent": PEOPLE}
    missing = [p for p in crowd.mentees if posts[dm_channel(slack_user(p))] == 0]
    assert missing == []  # everyone received it
    twice = {ch: n for ch, n in posts.items() if n > 1}
    assert all(n == 2 for n in twice.values())
    in_flight_channels = {dm_channel(slack_user(p)) for p in in_flight.values()}
    assert set(twice) <= in_flight_channels  # only what the dead process held may have gone out twice
    assert len(twice) <= len(in_flight)
    assert sum(posts.values()) == PEOPLE + len(twice)
    assert fake_slack.bad_tokens == 0
    assert min(attempts(database.engine, in_flight)) >= 2  # the restarted process took over every claim
    first_post = fake_slack.first_post_at
    print(
        f"\n[{database.kind}] {PEOPLE} people: killed after {at_kill} messages "
        f"({at_kill / (killed_at - first_post):.0f}/s) with {len(in_flight)} deliveries claimed in flight; "
        f"{len(twice)} people received it twice. Restarted {restarted_at - killed_at:.1f}s after the kill, "
        f"drained {drained_at - restarted_at:.1f}s later ({MENTORBOT_OUTBOX_LEASE}s lease); "
        f"{drained_at - first_post:.1f}s from the first message to the last"
    )
