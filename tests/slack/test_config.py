"""Slack is on when configured, off (with one line saying how to turn it on) when not, and a partial or
malformed configuration stops ``serve`` with a message that says what to fix."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer
from fake_slack import APP_TOKEN
from fake_slack import BOT_TOKEN
from fake_slack import FakeSlack
from slack_harness import SIGNING_SECRET
from slack_harness import make_runtime
from sqlalchemy import Engine

from bot.clock import FixedClock
from bot.programme import ProgrammeConfig
from mentorbot.channels import mount_slack
from mentorbot.server import build_app
from storage.uow import SqlUnitOfWorkFactory


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET is required over HTTP"),
        (
            {"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": SIGNING_SECRET},
            "starting with 'xoxb-'",
        ),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, "starting with 'xapp-'"),
        (
            {"SLACK_CLIENT_ID": "123.456", "SLACK_SIGNING_SECRET": SIGNING_SECRET},
            "SLACK_CLIENT_SECRET is not set",
        ),
        (
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_CLIENT_ID": "1",
                "SLACK_CLIENT_SECRET": "s",
            },
            "not both",
        ),
        ({"SLACK_SIGNING_SECRET": SIGNING_SECRET}, "set SLACK_BOT_TOKEN (one workspace)"),
        (
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_SCOPES": "chat:write",
            },
            "SLACK_SCOPES lacks scopes the app uses: commands",
        ),
        (
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_SEND_RATE": "fast"},
            "SLACK_SEND_RATE must be a positive number of messages per second, got 'fast'",
        ),
    ],
)
def test_an_incomplete_or_malformed_configuration_stops_serve_with_what_to_fix(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock, env: dict[str, str], says: str
) -> None:
    runtime = make_runtime(engine, uow_factory, ProgrammeConfig.default(), clock, env)
    with pytest.raises(SystemExit) as stopped:
        build_app(runtime, [mount_slack])
    assert "Slack is configured incompletely" in str(stopped.value)
    assert says in str(stopped.value)


async def test_without_slack_variables_slack_is_off_with_one_line_saying_how_to_turn_it_on(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = make_runtime(engine, uow_factory, ProgrammeConfig.default(), clock, {"HOME": "/root"})
    with caplog.at_level(logging.INFO, logger="handlers.slack"):
        app = build_app(runtime, [mount_slack])
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("handlers.slack")]
    assert len(lines) == 1
    assert lines[0].startswith("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
    assert "slack" not in runtime.senders
    client: TestClient[web.Request, web.Application] = TestClient(TestServer(app))
    await client.start_server()
    try:
        async with client.post("/slack/events", data="{}") as resp:
            assert resp.status == 404
    finally:
        await client.close()


async def test_socket_mode_needs_no_signing_secret_and_serves_no_http_endpoint(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock, fake_slack: FakeSlack
) -> None:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_API_URL": fake_slack.api_url}
    runtime = make_runtime(engine, uow_factory, ProgrammeConfig.default(), clock, env)
    app = build_app(runtime, [mount_slack])
    assert "slack" in runtime.senders
    assert runtime.senders["slack"].rate_limit.global_per_second == 5.0  # Slack's pace by default
    assert not any(
        getattr(r, "resource", None) and r.resource.canonical == "/slack/events" for r in app.router.routes()
    )


def test_slack_send_rate_sets_the_outbox_pace_across_the_workspace(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_SEND_RATE": "12.5"}
    runtime = make_runtime(engine, uow_factory, ProgrammeConfig.default(), clock, env)
    build_app(runtime, [mount_slack])
    limit = runtime.senders["slack"].rate_limit
    assert (limit.per_second, limit.global_per_second) == (1.0, 12.5)  # still one a second per person
