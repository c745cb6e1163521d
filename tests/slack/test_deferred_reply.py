"""A direct reply that Slack will not take within the request (a 429 whose Retry-After is longer than a
reply may wait) is not lost: the person's change is committed, and the answer goes to the outbox, from
which the dispatcher posts it once Slack allows, exactly once."""

from __future__ import annotations

from datetime import timedelta

from slack_harness import Harness
from slack_harness import People

from bot.clock import FixedClock
from handlers.slack.app import SlackChannel
from handlers.slack.mount import SLACK
from scheduler.dispatch import Dispatcher


async def deliver_outbox(slack: Harness) -> None:
    runtime = slack.runtime
    await Dispatcher(runtime.uow_factory, runtime.programme, runtime.clock, runtime.senders).drain()


def added_replies(slack: Harness) -> list[str]:
    return [t for t in slack.texts("DU0MENTEE") if "Deferred topic" in t]


async def test_a_reply_rate_limited_beyond_the_request_arrives_later_from_the_outbox_once(
    slack: Harness, people: People, clock: FixedClock
) -> None:
    busy = {"Retry-After": "3"}  # longer than a reply waits; Slack says it twice
    slack.fake.fail_next("chat.postMessage", 429, "ratelimited", busy)
    slack.fake.fail_next("chat.postMessage", 429, "ratelimited", busy)

    status, _ = await slack.dm("U0MENTEE", "agenda add Deferred topic")
    assert status == 200
    channel = slack.client.app[SLACK]
    assert isinstance(channel, SlackChannel)
    await channel.listeners.drain()
    assert added_replies(slack) == []  # Slack did not take it (yet)
    with slack.runtime.uow_factory() as uow:
        mentee = uow.people.get(people.mentee_id)
        assert mentee is not None
        assert [i.text for i in uow.content(mentee).agenda(people.relationship_id)] == ["Deferred topic"]

    # the dispatcher tries; Slack still says wait (the second 429); once the wait is over it goes out
    await deliver_outbox(slack)
    clock.set(clock.now() + timedelta(seconds=10))
    await deliver_outbox(slack)
    await slack.shown("DU0MENTEE", "Deferred topic")
    clock.set(clock.now() + timedelta(minutes=10))
    await deliver_outbox(slack)
    assert len(added_replies(slack)) == 1
    assert slack.fake.violations == []
