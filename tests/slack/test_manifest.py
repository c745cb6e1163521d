"""``mentorbot slack manifest`` and the code stay in step: the events the manifest subscribes to are
the events the app listens to, the slash command likewise, and the scopes cover every Web API call."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_harness import Harness
from slack_harness import People

from handlers.slack import capabilities
from handlers.slack.capabilities import BOT_EVENTS
from handlers.slack.capabilities import WEB_API_METHODS
from mentorbot.cli import main

SLACK_CODE = Path(capabilities.__file__).parent


def manifest(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["slack", "manifest", *args]) == 0
    data: dict[str, Any] = yaml.safe_load(capsys.readouterr().out)
    return data


def test_the_socket_mode_manifest_needs_no_public_url(capsys: pytest.CaptureFixture[str]) -> None:
    m = manifest(capsys, "--socket-mode")
    assert m["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in m["settings"]["event_subscriptions"]
    assert "url" not in m["features"]["slash_commands"][0]
    assert m["settings"]["interactivity"] == {"is_enabled": True}
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert m["features"]["app_home"]["messages_tab_enabled"] is True
    assert m["features"]["app_home"]["messages_tab_read_only_enabled"] is False


def test_the_http_manifest_points_every_request_at_slack_events(capsys: pytest.CaptureFixture[str]) -> None:
    m = manifest(capsys, "--url", "https://mentor.example.org/", "--oauth")
    url = "https://mentor.example.org/slack/events"
    assert m["settings"]["socket_mode_enabled"] is False
    assert m["settings"]["event_subscriptions"]["request_url"] == url
    assert m["settings"]["interactivity"]["request_url"] == url
    assert m["features"]["slash_commands"][0]["url"] == url
    assert m["oauth_config"]["redirect_urls"] == ["https://mentor.example.org/slack/oauth_redirect"]


def test_the_manifest_asks_for_exactly_the_scopes_events_and_command_the_code_uses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    m = manifest(capsys, "--socket-mode")
    assert m["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened", "message.im"]
    assert [c["command"] for c in m["features"]["slash_commands"]] == ["/mentor"]
    assert m["oauth_config"]["scopes"]["bot"] == [
        "chat:write",
        "commands",
        "files:write",
        "im:history",
        "im:write",
        "users:read",
        "users:read.email",
    ]
    # every Web API method called in handlers/slack is in the table the scopes are derived from
    called = set()
    for source in SLACK_CODE.glob("*.py"):
        called |= set(re.findall(r'\bcall\(\s*\w+,\s*"([a-zA-Z]+\.[a-zA-Z.]+)"', source.read_text()))
    assert called, "no Web API calls found: has the call helper been renamed?"
    assert called <= set(WEB_API_METHODS)
    granted = set(m["oauth_config"]["scopes"]["bot"])
    assert all(set(WEB_API_METHODS[method]) <= granted for method in called)


def test_an_unknown_option_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "manifest", "--url", "http://insecure.example.org"]) == 2
    assert "https://" in capsys.readouterr().err


async def test_every_subscribed_event_reaches_a_listener_and_nothing_else_does(
    slack: Harness, people: People
) -> None:
    samples = {
        "message": {
            "type": "message",
            "channel_type": "im",
            "channel": "DU0MENTEE",
            "user": "U0MENTEE",
            "text": "help",
            "ts": "1.0",
        },
        "app_home_opened": {
            "type": "app_home_opened",
            "user": "U0MENTEE",
            "tab": "home",
            "channel": "DU0MENTEE",
        },
    }
    assert set(samples) == {e.event_type for e in BOT_EVENTS}
    for sample in samples.values():
        status, _ = await slack.event(sample)
        assert status == 200
    await slack.fake.wait_for("views.publish")
    await slack.shown("DU0MENTEE", "Hi Eli Mentee!")
    # an event the manifest does not subscribe to has no listener
    status, _ = await slack.event(
        {
            "type": "reaction_added",
            "user": "U0MENTEE",
            "reaction": "tada",
            "item": {"type": "message", "channel": "DU0MENTEE", "ts": "1.0"},
            "event_ts": f"{time.time():.6f}",
        }
    )
    assert status == 404


async def test_only_the_manifests_slash_command_is_answered(slack: Harness, people: People) -> None:
    status, _ = await slack.command("U0MENTEE", "help")
    assert status == 200
    body = "command=%2Fother&text=help&user_id=U0MENTEE&team_id=T0TEAM&channel_id=DU0MENTEE&trigger_id=t"
    status, _ = await slack.post(body, "application/x-www-form-urlencoded")
    assert status == 404
