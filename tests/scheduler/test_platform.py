"""Dispatch against a fake chat platform on loopback (an aiohttp server): it allows a few messages per
second, answers 429 with Retry-After beyond that, and fails a share of requests with 5xx at random.
Everything is delivered exactly once in the end, retries wait as long as the platform asked, and a
recipient the platform always fails for ends as a dead letter with the error kept."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from scheduler_world import World

from bot.clock import FixedClock
from bot.messages import Message
from bot.messages import text_message
from bot.model import ChatIdentity
from bot.model import Delivery
from bot.model import Person
from bot.model import Platform
from bot.sending import NotReachable
from bot.sending import PermanentFailure
from bot.sending import RateLimit
from bot.sending import RetryLater
from bot.serialize import message_to_dict


@dataclass
class FakePlatform:
    """``limit`` messages per second of the injected clock; Retry-After tells when the next second starts."""

    clock: FixedClock
    limit: int
    error_rate: float
    broken_users: set[str]
    rng: random.Random = field(default_factory=lambda: random.Random(1234))
    attempts: list[tuple[str, datetime, int, float | None]] = field(default_factory=list)  # key, when, status
    delivered: list[str] = field(default_factory=list)
    per_second: Counter[int] = field(default_factory=Counter)

    async def post_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        now = self.clock.now()
        second = int(now.timestamp())
        if body["user"] in self.broken_users:
            return self._answer(body, now, 500, None)
        if self.rng.random() < self.error_rate:
            return self._answer(body, now, self.rng.choice([500, 502, 503]), None)
        if self.per_second[second] >= self.limit:
            wait = 1 + second - now.timestamp()
            return self._answer(body, now, 429, max(1, round(wait)))
        self.per_second[second] += 1
        self.delivered.append(body["key"])
        return self._answer(body, now, 200, None)

    def _answer(
        self, body: dict[str, str], now: datetime, status: int, retry_after: int | None
    ) -> web.Response:
        self.attempts.append((body["key"], now, status, retry_after))
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return web.json_response({"ok": status == 200}, status=status, headers=headers)


class HttpSender:
    """A channel sender speaking to the fake platform, mapping its answers as the real ones do."""

    platform = Platform.SLACK.value
    rate_limit = RateLimit(per_second=50.0, global_per_second=200.0)

    def __init__(self, base_url: str, session: aiohttp.ClientSession) -> None:
        self.url = f"{base_url}/chat.postMessage"
        self.session = session

    def rate_key(self, identity: ChatIdentity) -> str:
        return identity.external_id

    async def send(self, person: Person, identity: ChatIdentity, message: Message) -> None:
        payload = {"user": identity.external_id, "key": message.summary}
        async with self.session.post(self.url, json=payload) as resp:
            if resp.status == 429:
                raise RetryLater("HTTP 429 rate limited", retry_after=float(resp.headers["Retry-After"]))
            if resp.status >= 500:
                raise RetryLater(f"HTTP {resp.status} from the platform")
            if resp.status in (403, 404):
                raise NotReachable(f"HTTP {resp.status}")
            if resp.status >= 400:
                raise PermanentFailure(f"HTTP {resp.status}")


class VirtualTime:
    """Pacing time that passes only when waited for, so pacing never sleeps for real in a test."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_everything_is_delivered_once_retries_honour_retry_after_and_failures_end_as_dead_letters(
    world: World,
) -> None:
    w = world
    people = [w.person(f"p{i}@example.org", f"Person {i}", platform=Platform.SLACK.value) for i in range(12)]
    broken = w.person("broken@example.org", "Bo Broken", platform=Platform.SLACK.value)
    keys: dict[int, list[str]] = {}
    with w.uow_factory() as uow:
        for pid in [*people, broken]:
            keys[pid] = [f"m:{pid}:{n}" for n in range(4)]
            for key in keys[pid]:
                uow.deliveries.enqueue(
                    Delivery(person_id=pid, kind="notice", dedupe_key=key, due_at=w.clock.now(), priority=20,
                             payload={"message": message_to_dict(text_message(key))})
                )  # fmt: skip
        uow.commit()
    fake = FakePlatform(w.clock, limit=5, error_rate=0.2, broken_users={"slack:broken@example.org"})
    app = web.Application()
    app.router.add_post("/chat.postMessage", fake.post_message)
    virtual = VirtualTime()
    async with TestServer(app) as server, aiohttp.ClientSession() as session:
        w.senders[Platform.SLACK.value] = HttpSender(str(server.make_url("")).rstrip("/"), session)
        dispatcher = w.dispatcher(pacing_clock=virtual.monotonic, pacing_sleep=virtual.sleep)
        for _ in range(200):
            await dispatcher.drain()
            waiting = [s for s in w.outbox() if s.status in ("pending", "failed")]
            if not waiting:
                break
            w.move_to(max(w.clock.now(), min(s.due_at for s in waiting)))
    working = [k for pid in people for k in keys[pid]]
    assert sorted(fake.delivered) == sorted(working)  # every message delivered, none twice
    statuses = {s.dedupe_key: s for s in w.outbox()}
    assert all(statuses[k].status == "sent" for k in working)
    for key in keys[broken]:
        assert statuses[key].status == "dead"
        assert statuses[key].last_error == "gave up after 6 attempts: HTTP 500 from the platform"
    seen = Counter(status for _, _, status, _ in fake.attempts)
    assert seen[429] > 0 and seen[500] + seen[502] + seen[503] > len(keys[broken]) * 6  # the fake did bite
    # after a 429, the platform did not hear from that message again before the time it asked for
    last: dict[str, tuple[datetime, int, float | None]] = {}
    for key, at, status, retry_after in fake.attempts:
        if key in last and last[key][1] == 429:
            before, _, wait = last[key]
            assert wait is not None and at >= before + timedelta(seconds=wait)
        last[key] = (at, status, retry_after)
