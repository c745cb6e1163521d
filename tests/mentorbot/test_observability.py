"""/metrics speaks Prometheus text; logs are JSON lines with a request id and no message content."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer
from sqlalchemy import Engine

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.model import Delivery
from bot.model import Person
from bot.programme import ProgrammeConfig
from mentorbot.logs import JsonFormatter
from mentorbot.logs import bind_request_id
from mentorbot.server import build_app
from mentorbot.settings import Settings
from mentorbot.wiring import Runtime
from storage.uow import SqlUnitOfWorkFactory


def _runtime(engine: Engine, clock: FixedClock) -> Runtime:
    programme = ProgrammeConfig.default()
    factory = SqlUnitOfWorkFactory(engine)
    return Runtime(Settings(), engine, factory, programme, clock, MentorBot(factory, programme, clock))


async def test_metrics_count_the_outbox_by_status_and_time_requests(
    engine: Engine, clock: FixedClock
) -> None:
    runtime = _runtime(engine, clock)
    with runtime.uow_factory() as uow:
        person = Person(email="a@example.org", name="A", roles=["mentee"])
        uow.people.add(person)
        uow.commit()
        assert person.id is not None
        for n in range(3):
            uow.deliveries.enqueue(
                Delivery(
                    person_id=person.id, kind="notice", dedupe_key=f"k{n}", payload={}, due_at=clock.now()
                )
            )
        uow.deliveries.enqueue(
            Delivery(
                person_id=person.id,
                kind="notice",
                dedupe_key="dead",
                payload={},
                due_at=clock.now() - timedelta(hours=1),
                status="dead",
            )
        )
        uow.commit()
    async with TestClient(TestServer(build_app(runtime))) as client:
        await client.get("/healthz")
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.headers["X-Request-Id"]
        body = await response.text()
    assert 'mentorbot_deliveries{status="pending"} 3' in body
    assert 'mentorbot_deliveries{status="dead"} 1' in body
    assert 'mentorbot_handler_seconds_count{route="/healthz"} 1' in body


def test_json_log_lines_carry_the_request_id() -> None:
    bind_request_id("req-42")
    record = logging.LogRecord("mentorbot.test", logging.INFO, __file__, 1, "handled %s", ("event",), None)
    record.platform = "slack"
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-42"
    assert line["message"] == "handled event"
    assert line["platform"] == "slack"
    assert line["level"] == "info"
