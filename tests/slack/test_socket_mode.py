"""Socket Mode against a loopback WebSocket fake: the app connects out (apps.connections.open), acks each
envelope with its id, answers through the Web API, and handles a redelivered event once."""

from __future__ import annotations

import time
from typing import Any

from fake_slack import APP_TOKEN
from fake_slack import FakeSlack
from fake_slack import SocketModeFake
from slack_harness import People
from slack_harness import StartSlack
from slack_harness import event_envelope


def dm_envelope(envelope_id: str, event_id: str, text: str, retry: int = 0) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "DU0MENTEE",
        "user": "U0MENTEE",
        "text": text,
        "ts": f"{time.time():.6f}",
    }
    return {
        "envelope_id": envelope_id,
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": retry,
        "retry_reason": "timeout" if retry else "",
        "payload": event_envelope(event, event_id),
    }


async def test_an_event_over_socket_mode_is_acknowledged_answered_and_never_answered_twice(
    start_slack: StartSlack, fake_slack: FakeSlack, people: People
) -> None:
    socket = SocketModeFake(fake_slack)
    await start_slack(SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="")
    await socket.connected()
    assert fake_slack.called("apps.connections.open")[0].token == APP_TOKEN

    await socket.send(dm_envelope("env-1", "EvSOCKET1", "help"))
    await fake_slack.wait_until(lambda: any(a.get("envelope_id") == "env-1" for a in socket.acks))
    await fake_slack.wait_for("chat.postMessage")

    # Slack redelivers the same event in a new envelope (after a reconnect, or a late ack)
    await socket.send(dm_envelope("env-2", "EvSOCKET1", "help", retry=1))
    await fake_slack.wait_until(lambda: any(a.get("envelope_id") == "env-2" for a in socket.acks))
    await socket.send(dm_envelope("env-3", "EvSOCKET2", "my relationships"))
    await fake_slack.wait_until(
        lambda: any("Maria Mentor" in str(p.get("blocks")) for p in fake_slack.posts())
    )
    helps = [p for p in fake_slack.posts() if "Hi Eli Mentee!" in p["text"]]
    assert len(helps) == 1  # "help" was answered once; the redelivery only acknowledged
    assert fake_slack.violations == []


async def test_the_slash_command_over_socket_mode(
    start_slack: StartSlack, fake_slack: FakeSlack, people: People
) -> None:
    socket = SocketModeFake(fake_slack)
    await start_slack(SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="")
    await socket.connected()
    await socket.send(
        {
            "envelope_id": "env-cmd",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {
                "team_id": "T0TEAM",
                "channel_id": "DU0MENTEE",
                "user_id": "U0MENTEE",
                "command": "/mentor",
                "text": "agenda add",
                "trigger_id": "trigger-socket",
                "api_app_id": "A0APP",
                "response_url": fake_slack.response_url("cmd"),
            },
        }
    )
    await fake_slack.wait_until(lambda: any(a.get("envelope_id") == "env-cmd" for a in socket.acks))
    opened = await fake_slack.wait_for("views.open")
    assert opened[0].args["trigger_id"] == "trigger-socket"
    assert opened[0].args["view"]["title"]["text"] == "Add to the agenda"
