"""The edge: Slack's signature is checked, a retried event is handled once, nothing is answered twice."""

from __future__ import annotations

import json
import time

from slack_harness import Harness, People, event_envelope, sign

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
