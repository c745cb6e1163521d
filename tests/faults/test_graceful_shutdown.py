"""SIGTERM in the middle of a fan-out: ``serve`` lets the sends under way finish and records them, hands
back what it had not started, and exits 0. Started again, it sends the rest: everyone exactly once."""

from __future__ import annotations

from pathlib import Path

from fake_slack_api import FakeSlackWebApi
from fake_slack_api import dm_channel
from fake_slack_api import slack_user
from population import outbox
from population import seed_crowd
from population import sent_per_person
from population import unfinished
from serve_process import Database
from serve_process import StartServe
from serve_process import mentorbot_env
from serve_process import run_cli
from serve_process import wait_for

from bot.programme import ProgrammeConfig

PEOPLE = 1000
STOP_AFTER = 300


def test_sigterm_during_a_fan_out_finishes_what_is_in_flight_exits_0_and_loses_nothing(
    database: Database,
    fake_slack: FakeSlackWebApi,
    programme: tuple[Path, ProgrammeConfig],
    start_serve: StartServe,
) -> None:
    crowd = seed_crowd(database.engine, programme[1], PEOPLE)
    fake_slack.latency = 0.3  # every message takes a while: at any moment many are on their way
    serve = start_serve(database)
    run_cli(
        ["announce", "--as", crowd.coordinator_email, "--title", "Room change",
         "--body", "Thursday's session is in room 4.", "--role", "mentee"],
        mentorbot_env(database.url, fake_slack, MENTORBOT_PROGRAM=str(programme[0])),
    )  # fmt: skip
    fake_slack.wait_until(lambda: fake_slack.total >= STOP_AFTER, 60, f"{STOP_AFTER} messages")

    assert serve.terminate() == 0, serve.log()

    posts, _ = fake_slack.snapshot()
    counts = outbox(database.engine)
    assert counts["claimed"] == 0  # nothing left held by the stopped process
    assert 0 < counts["sent"] < PEOPLE  # it did stop in the middle
    # every message that reached Slack is recorded as sent, and only those
    sent = sent_per_person(database.engine)
    at_slack = {
        p: posts[dm_channel(slack_user(p))] for p in crowd.mentees if posts[dm_channel(slack_user(p))]
    }
    assert at_slack == dict(sent)
    stopped_at = sum(posts.values())

    start_serve(database)
    wait_for(
        lambda: unfinished(database.engine) == 0, 120, "the rest of the fan-out after the restart", every=0.25
    )
    posts, _ = fake_slack.snapshot()
    assert outbox(database.engine) == {"sent": PEOPLE}
    assert {dm_channel(slack_user(p)): 1 for p in crowd.mentees} == dict(posts)  # everyone exactly once
    print(
        f"\n[{database.kind}] SIGTERM after {stopped_at} of {PEOPLE} messages: exit 0, nothing left claimed; "
        "after a restart everyone had it exactly once"
    )
