"""The outbox's way to Slack: proactive messages, and how Slack's answers map onto the dispatcher's
RetryLater / NotReachable / PermanentFailure."""

from __future__ import annotations

import pytest
from fake_slack import FakeSlack
from slack_harness import Harness
from slack_harness import People
from slack_harness import StartSlack
from slack_harness import make_runtime
from slack_harness import message_text
from slack_harness import slack_env
from sqlalchemy import Engine

from bot.clock import FixedClock
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import Message
from bot.messages import Section
from bot.messages import Text
from bot.model import ChatIdentity
from bot.model import Person
from bot.programme import ProgrammeConfig
from bot.sending import ChannelSender
from bot.sending import NotReachable
from bot.sending import PermanentFailure
from bot.sending import RetryLater
from mentorbot.channels import mount_slack
from mentorbot.server import build_app
from storage.uow import SqlUnitOfWorkFactory

MENTEE = Person(email="mentee@example.org", name="Eli Mentee", id=1)
MENTEE_ON_SLACK = ChatIdentity(platform="slack", external_id="U0MENTEE", workspace="T0TEAM")
NOTICE = Message(
    (
        Text("Maria proposed three times for your next meeting."),
        Buttons((Button("Show the times", "command", {"text": "meetings"}),)),
    )
)


def sender_of(slack: Harness) -> ChannelSender:
    sender = slack.runtime.senders["slack"]
    assert sender.platform == "slack"
    return sender


async def test_a_proactive_message_arrives_in_the_persons_dm(slack: Harness, people: People) -> None:
    sender = sender_of(slack)
    await sender.send(MENTEE, MENTEE_ON_SLACK, NOTICE)
    post = slack.fake.posts("DU0MENTEE")[0]  # posted to the user id: Slack opens the DM itself
    assert post["channel"] == "U0MENTEE"
    assert slack.fake.called("conversations.open") == []  # no Tier 3 call before the message
    assert "Maria proposed three times" in post["text"]  # what the notification shows
    assert "[Show the times]" in message_text(post["blocks"])
    assert sender.rate_key(MENTEE_ON_SLACK) == "slack:T0TEAM:U0MENTEE"
    assert sender.rate_limit.per_second <= 1.0  # Slack: about one message per second per channel


async def test_a_429_is_retried_later_after_the_time_slack_asked_for(slack: Harness, people: People) -> None:
    slack.fake.fail_next("chat.postMessage", 429, "ratelimited", {"Retry-After": "17"})
    with pytest.raises(RetryLater) as raised:
        await sender_of(slack).send(MENTEE, MENTEE_ON_SLACK, NOTICE)
    assert raised.value.retry_after == 17.0
    assert len(slack.fake.called("chat.postMessage")) == 1  # not retried inside send: the dispatcher decides


async def test_a_server_error_is_retried_later(slack: Harness, people: People) -> None:
    slack.fake.fail_next("chat.postMessage", 503, "service_unavailable")
    with pytest.raises(RetryLater) as raised:
        await sender_of(slack).send(MENTEE, MENTEE_ON_SLACK, NOTICE)
    assert raised.value.retry_after is None


async def test_a_deactivated_user_is_not_reachable(slack: Harness, people: People) -> None:
    slack.fake.users["U0MENTEE"].deleted = True
    with pytest.raises(NotReachable):
        await sender_of(slack).send(MENTEE, MENTEE_ON_SLACK, NOTICE)


async def test_a_message_slack_refuses_is_a_permanent_failure(slack: Harness, people: People) -> None:
    slack.fake.fail_next("chat.postMessage", 200, "invalid_blocks")
    with pytest.raises(PermanentFailure):
        await sender_of(slack).send(MENTEE, MENTEE_ON_SLACK, NOTICE)


async def test_a_long_list_is_split_into_messages_and_the_rest_counted_visibly(
    slack: Harness, people: People
) -> None:
    lines = "\n".join(
        f"{n}. Reflect on week {n} of the rotation and what you would do differently" for n in range(1, 8001)
    )
    await sender_of(slack).send(MENTEE, MENTEE_ON_SLACK, Message((Section("Your reflections", lines),)))
    posts = slack.fake.posts()
    assert len(posts) == 3  # three full messages of 50 blocks, no more
    assert all(len(p["blocks"]) == 50 for p in posts)
    last = message_text(posts[-1]["blocks"])
    assert last.endswith("more not shown here. Ask me in a direct message to see everything.")
    shown = sum(message_text(p["blocks"]).count("Reflect on week") for p in posts)
    more = int(last.rsplit("…and ", 1)[1].split(" ")[0])
    assert shown + more == 8000  # nothing disappears silently
    assert slack.fake.violations == []


async def test_after_a_restart_announcements_go_out_without_opening_each_dm_first(
    start_slack: StartSlack, fake_slack: FakeSlack, people: People
) -> None:
    """A new process knows no DM channel: it still needs one call per message, none of them Tier 3
    (conversations.open, ~50/min, used to cut announcements after a restart to a fifth of their pace)."""
    for n in range(5):
        fake_slack.add_user(f"U0ANN{n}", f"ann{n}@example.org")
    for _ in range(2):  # two processes one after the other, as after a restart
        sender = sender_of(await start_slack())
        for n in range(5):
            who = ChatIdentity(platform="slack", external_id=f"U0ANN{n}", workspace="T0TEAM")
            await sender.send(MENTEE, who, NOTICE)
    assert fake_slack.called("conversations.open") == []
    assert [len(fake_slack.posts(f"DU0ANN{n}")) for n in range(5)] == [2] * 5
    assert {c.method for c in fake_slack.calls} <= {"chat.postMessage", "auth.test"}


async def test_a_person_slack_does_not_know_is_not_reachable(slack: Harness, people: People) -> None:
    gone = ChatIdentity(platform="slack", external_id="U0NOBODY", workspace="T0TEAM")
    with pytest.raises(NotReachable):
        await sender_of(slack).send(MENTEE, gone, NOTICE)


async def test_the_sender_works_without_the_server_running_as_mentorbot_tick_uses_it(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock, fake_slack: FakeSlack
) -> None:
    runtime = make_runtime(engine, uow_factory, ProgrammeConfig.default(), clock, slack_env(fake_slack))
    build_app(runtime, [mount_slack])  # mounted, never started
    sender = runtime.senders["slack"]
    await sender.send(MENTEE, MENTEE_ON_SLACK, NOTICE)
    assert len(fake_slack.posts("DU0MENTEE")) == 1
    await sender.aclose()  # type: ignore[attr-defined]
