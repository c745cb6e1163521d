"""The edge: Slack's signature is checked, a retried event is handled once, nothing is answered twice."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from slack_harness import Harness
from slack_harness import People
from slack_harness import event_envelope
from slack_harness import sign

from handlers.slack.app import SlackChannel
from handlers.slack.mount import SLACK


async def test_a_request_with_a_bad_signature_is_refused(slack: Harness, people: People) -> None:
    body = json.dumps(event_envelope(_dm("U0MENTEE", "help"), "EvBAD"))
    headers = {"Content-Type": "application/json", **sign(body, secret="not-the-signing-secret")}
    async with slack.client.post("/slack/events", data=body, headers=headers) as resp:
        assert resp.status == 401
    await _answered_after_sentinel(slack)
    assert len(slack.fake.posts()) == 2  # only the sentinel's two-part help


async def test_a_request_signed_more_than_five_minutes_ago_is_refused(slack: Harness, people: People) -> None:
    body = json.dumps(event_envelope(_dm("U0MENTEE", "help"), "EvOLD"))
    status, _ = await slack.post(body, "application/json", timestamp=int(time.time()) - 6 * 60)
    assert status == 401
    await _answered_after_sentinel(slack)
    assert len(slack.fake.posts()) == 2  # only the sentinel's two-part help


async def test_a_retried_event_is_answered_once(slack: Harness, people: People) -> None:
    status, _ = await slack.dm("U0MENTEE", "whats next", event_id="EvSAME")
    assert status == 200
    await slack.fake.wait_for("chat.postMessage")
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    status, _ = await slack.event(_dm("U0MENTEE", "whats next"), event_id="EvSAME", headers=retry)
    assert status == 200  # acknowledged, so Slack stops retrying
    await _answered_after_sentinel(slack)
    await slack.shown("DU0MENTEE", "Hi Eli Mentee!")
    assert len(slack.fake.posts()) == 3  # one answer to "whats next", the sentinel's two-part help


async def test_events_are_acknowledged_before_the_database_and_a_retry_meanwhile_is_not_answered(
    slack: Harness, people: People
) -> None:
    """The acknowledgement needs nothing from the database: with the database held by another
    transaction, Slack still gets its 200 at once; a retry that arrives while the first delivery waits
    for the database is acknowledged too, and only one answer is sent once the database is free."""
    await slack.dm("U0MENTEE", "help")  # the person is linked and the app warm
    await slack.shown("DU0MENTEE", "help meetings")
    before = len(slack.fake.posts())
    held = _hold_database(slack)
    try:
        first = await asyncio.wait_for(slack.dm("U0MENTEE", "whats next", event_id="EvBUSY"), 10)
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        again = await asyncio.wait_for(
            slack.event(_dm("U0MENTEE", "whats next"), event_id="EvBUSY", headers=retry), 10
        )
        assert (first[0], again[0]) == (200, 200)
        assert len(slack.fake.posts()) == before  # nothing answered while the database is held
    finally:
        held.rollback()
        held.close()
    await _answered_after_sentinel(slack)
    answers = [t for t in slack.texts("DU0MENTEE") if "Hi Eli Mentee!" in t]
    assert len(answers) == 1, answers


def _hold_database(slack: Harness) -> Any:
    """Another connection holding the lock every turn's first write needs (SQLite's write lock; on
    PostgreSQL the table of handled events)."""
    engine = slack.runtime.engine
    raw = engine.raw_connection()
    cursor = raw.cursor()
    if engine.dialect.name == "sqlite":
        raw.commit()
        cursor.execute("BEGIN IMMEDIATE")
    else:
        cursor.execute("LOCK TABLE processed_events IN ACCESS EXCLUSIVE MODE")
    return raw


async def test_slack_url_verification_is_answered(slack: Harness) -> None:
    body = json.dumps(
        {
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    status, text = await slack.post(body, "application/json")
    assert status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text


def _dm(user: str, text: str) -> dict[str, object]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": f"D{user}",
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
    }


async def _answered_after_sentinel(slack: Harness) -> None:
    """Send one more, different message and wait for its answer: anything the earlier requests would
    have caused has had its turn by then (one person's requests are handled in order)."""
    await slack.dm("U0MENTEE", "help")
    await slack.shown("DU0MENTEE", "help meetings")


async def test_a_failing_reply_is_logged_and_counted_per_channel(slack: Harness, people: People) -> None:
    slack.fake.fail_next("chat.postMessage", 200, "not_in_channel")
    await slack.dm("U0MENTEE", "help")
    await slack.fake.wait_for("chat.postMessage")
    channel = slack.client.app[SLACK]
    assert isinstance(channel, SlackChannel)
    await channel.listeners.drain()
    errors = slack.runtime.metrics.value(
        "mentorbot_channel_errors_total", channel="slack", kind="not_in_channel"
    )
    assert errors == 1
    assert (
        'mentorbot_channel_errors_total{channel="slack",kind="not_in_channel"} 1'
        in slack.runtime.metrics.render()
    )
