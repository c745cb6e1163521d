"""A real ``serve`` against a Slack that answers 429 with ``Retry-After`` and, at random, 5xx: the
announcement reaches everyone in the end and nothing is lost.

The dispatcher alone against such a platform is covered in tests/scheduler/test_platform.py; this is the
same through the whole process (Slack sender, HTTP client, scheduler triggers, real clock).

What "exactly once" can mean here. A 429, and a 5xx given *instead of* posting, deliver nothing: retried,
the person gets the message once. But a platform can post the message and still answer 5xx (it failed
after the post, or the answer was lost on the way back). The bot only knows the answer, so it retries --
the outbox is at-least-once, never at-most-once -- and that person sees the message twice. So: everyone
receives it, and a person receives it more than once only by as many such answers ("ghosts", counted by
the fake) as they had.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from fake_slack_api import Chaos
from fake_slack_api import FakeSlackWebApi
from fake_slack_api import dm_channel
from fake_slack_api import slack_user
from population import outbox
from population import seed_crowd
from population import unfinished
from serve_process import Database
from serve_process import StartServe
from serve_process import mentorbot_env
from serve_process import run_cli
from serve_process import wait_for

from bot.programme import ProgrammeConfig

PEOPLE = 400


def test_a_platform_that_rate_limits_and_fails_at_random_gets_everything_delivered_in_the_end(
    database: Database,
    fake_slack: FakeSlackWebApi,
    programme: tuple[Path, ProgrammeConfig],
    start_serve: StartServe,
) -> None:
    fake_slack.chaos = Chaos(rate_limited=0.15, failed_before=0.08, failed_after=0.03, retry_after=1)
    crowd = seed_crowd(database.engine, programme[1], PEOPLE)
    start_serve(database, MENTORBOT_RETRY_BACKOFF="0.5")  # retries after 0.5 s, 1 s, 2 s, ... not 30 s
    run_cli(
        ["announce", "--as", crowd.coordinator_email, "--title", "Survey",
         "--body", "Tell us how the programme is going.", "--role", "mentee"],
        mentorbot_env(database.url, fake_slack, MENTORBOT_PROGRAM=str(programme[0])),
    )  # fmt: skip
    wait_for(
        lambda: outbox(database.engine)["sent"] == PEOPLE and unfinished(database.engine) == 0,
        120,
        "every delivery to be sent",
        every=0.25,
    )

    posts, ghosts = fake_slack.snapshot()
    answers = fake_slack.answers
    assert answers[429] > 0 and answers[500] + answers[502] + answers[503] > 0  # the platform did misbehave
    assert outbox(database.engine) == {"sent": PEOPLE}  # none dead, none waiting
    for person in crowd.mentees:
        channel = dm_channel(slack_user(person))
        assert posts[channel] >= 1, f"person {person} never received the announcement"
        assert posts[channel] <= 1 + ghosts[channel], f"person {person} received it twice without cause"
    assert sum(posts.values()) == PEOPLE + sum(ghosts.values())  # every ghost was retried, nothing else
    # after a 429 the platform did not hear about that person again before the Retry-After had passed
    for attempts in fake_slack.attempts.values():
        for (at, status), (next_at, _) in itertools.pairwise(attempts):
            if status == 429:
                assert next_at - at >= fake_slack.chaos.retry_after
    print(
        f"\n[{database.kind}] {PEOPLE} people through a flaky Slack: {answers[429]} x 429, "
        f"{answers[500] + answers[502] + answers[503]} x 5xx ({sum(ghosts.values())} after posting); "
        f"all delivered, {sum(1 for c in posts if posts[c] > 1)} twice (each after a ghost)"
    )
