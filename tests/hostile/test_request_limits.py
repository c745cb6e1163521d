"""Request-size limits: a body just over the limit is refused with 413 and the server stays healthy.

* every endpoint: the server-wide limit, ``client_max_size`` in mentorbot/server.py (1 MiB)
* ``/slack/events``: 256 KiB (handlers/slack/http.py), since Slack's payloads are a few kilobytes

Each limit is tried with a declared Content-Length and with a chunked body that declares none.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient
from hostile_support import World
from hostile_support import slack_settled
from hostile_support import slack_signed
from hostile_support import slack_still_serving
from slack_harness import Harness
from slack_harness import event_envelope
from teams_harness import MENTEE
from teams_harness import TeamsHarness

from handlers.slack.http import MAX_EVENT_BODY
from mentorbot.server import CLIENT_MAX_SIZE

KIB = 1024


async def chunks(body: bytes, size: int = 64 * KIB) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def padded_event(size: int) -> bytes:
    """A DM event, signed-looking JSON, padded with spaces to exactly ``size`` bytes."""
    body = json.dumps(event_envelope({"type": "message", "channel_type": "im", "user": "U0MENTEE"}, "EvBIG"))
    return (body + " " * (size - len(body))).encode()


async def healthy(client: TestClient) -> None:  # type: ignore[type-arg]
    async with client.get("/healthz") as resp:
        assert resp.status == 200


def test_the_limits_are_what_the_docs_say() -> None:
    assert CLIENT_MAX_SIZE == 1024 * KIB
    assert MAX_EVENT_BODY == 256 * KIB


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_slack_events_just_over_the_limit_is_refused(
    slack: Harness, world: World, chunked: bool
) -> None:
    at_limit = padded_event(MAX_EVENT_BODY)
    async with slack.client.post(
        "/slack/events", data=at_limit, headers={"Content-Type": "application/json", **slack_signed(at_limit)}
    ) as resp:
        assert resp.status == 200  # the limit itself is allowed

    over = padded_event(MAX_EVENT_BODY + 1)
    headers = {"Content-Type": "application/json", **slack_signed(over)}
    async with slack.client.post(
        "/slack/events", data=chunks(over) if chunked else over, headers=headers
    ) as resp:
        assert resp.status == 413
    await slack_settled(slack)
    await healthy(slack.client)
    await slack_still_serving(slack)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_teams_messages_just_over_the_limit_is_refused(
    teams: TeamsHarness, world: World, chunked: bool
) -> None:
    activity = json.dumps(teams.activity(MENTEE, text="help"))
    over = (activity + " " * (CLIENT_MAX_SIZE + 1 - len(activity))).encode()
    headers = {"Content-Type": "application/json"}
    async with teams.client.post(
        "/api/messages", data=chunks(over) if chunked else over, headers=headers
    ) as resp:
        assert resp.status == 413
    assert teams.fake.posted == []
    await healthy(teams.client)
    status, _ = await teams.say(MENTEE, "help")
    assert status == 200
    assert teams.chat(MENTEE)


async def test_teams_text_just_under_the_limit_is_answered_politely(
    teams: TeamsHarness, world: World
) -> None:
    """Under the limit, a message far longer than anyone types is read and refused with a reason."""
    activity = teams.activity(MENTEE, text="agenda add " + "x" * (CLIENT_MAX_SIZE - 2 * KIB))
    status, _ = await teams.post(activity)
    assert status == 200
    assert "too long" in teams.last(MENTEE)
