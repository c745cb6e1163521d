"""Smaller hardening (issue 13, item 9): request ids that cannot forge log lines, and a ``/metrics`` that
can be protected with ``MENTORBOT_METRICS_TOKEN``. (The private export file: tests/coordinator.)"""

from __future__ import annotations

import json
import logging

import pytest
from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer
from sqlalchemy import Engine

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.programme import ProgrammeConfig
from mentorbot.logs import JsonFormatter
from mentorbot.logs import bind_request_id
from mentorbot.server import build_app
from mentorbot.settings import Settings
from mentorbot.wiring import Runtime
from storage.uow import SqlUnitOfWorkFactory


def _runtime(engine: Engine, clock: FixedClock, env: dict[str, str] | None = None) -> Runtime:
    programme = ProgrammeConfig.default()
    factory = SqlUnitOfWorkFactory(engine)
    return Runtime(
        Settings(env=env or {}), engine, factory, programme, clock, MentorBot(factory, programme, clock)
    )


@pytest.mark.parametrize(
    "given",
    ["x" * 5_000, 'a" "level": "error', "\u202eexe.txt", "<script>alert(1)</script>", "id with spaces"],
    ids=["huge", "json-quote", "bidi-override", "markup", "spaces"],
)
async def test_a_hostile_request_id_never_reaches_the_logs_or_the_answer(
    engine: Engine, clock: FixedClock, given: str
) -> None:
    async with (
        TestClient(TestServer(build_app(_runtime(engine, clock)))) as client,
        client.get("/healthz", headers={"X-Request-Id": given}) as response,
    ):
        echoed = response.headers["X-Request-Id"]

    assert echoed != given and 0 < len(echoed) <= 64 and echoed.isalnum()
    # what the request's log lines carry: the id bound by the same function the middleware calls
    bind_request_id(given)
    record = logging.LogRecord("mentorbot.test", logging.INFO, __file__, 1, "handled", None, None)
    line = json.loads(JsonFormatter().format(record))
    assert given not in json.dumps(line) and line["request_id"].isalnum()


async def test_a_plain_request_id_is_kept(engine: Engine, clock: FixedClock) -> None:
    async with (
        TestClient(TestServer(build_app(_runtime(engine, clock)))) as client,
        client.get("/healthz", headers={"X-Request-Id": "lb-2026.03.02:abc_1"}) as response,
    ):
        assert response.headers["X-Request-Id"] == "lb-2026.03.02:abc_1"


async def test_metrics_need_the_token_when_one_is_set(engine: Engine, clock: FixedClock) -> None:
    runtime = _runtime(engine, clock, {"MENTORBOT_METRICS_TOKEN": "s3cret-scraper-token"})
    async with TestClient(TestServer(build_app(runtime))) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-scraper-token"}):
            async with client.get("/metrics", headers=headers) as response:
                assert response.status == 401
                assert "mentorbot_" not in await response.text()
        async with client.get("/metrics", headers={"Authorization": "Bearer s3cret-scraper-token"}) as ok:
            assert ok.status == 200
            assert "mentorbot_deliveries" in await ok.text()
