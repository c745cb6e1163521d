"""A loopback chat platform for the dispatch benchmark, run in a process of its own.

It accepts ``POST /chat.postMessage`` at most ``rate`` times per second (a token bucket with a tenth of a
second of burst, like a platform's own limiter) and answers 429 with ``Retry-After: 1`` beyond that.
``GET /stats`` tells how many it accepted and refused; ``GET /stats?since=T`` also how many it accepted
from ``T`` on and when the first and the last of those came (``time.monotonic()``, one clock for every
process on the machine): the rate the platform itself saw, whoever sent.
"""

from __future__ import annotations

import asyncio
import bisect
import multiprocessing as mp
import socket
import time
from typing import Any

import aiohttp
from aiohttp import web

from bot.messages import Message
from bot.model import ChatIdentity
from bot.model import Person
from bot.sending import NotReachable
from bot.sending import PermanentFailure
from bot.sending import RateLimit
from bot.sending import RetryLater


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(port: int, rate: float, ready: Any) -> None:
    tokens, last = rate / 10, time.monotonic()
    burst = max(1.0, rate / 10)
    stats = {"accepted": 0, "refused": 0}
    accepted_at: list[float] = []

    async def post(request: web.Request) -> web.Response:
        nonlocal tokens, last
        await request.read()
        now = time.monotonic()
        tokens = min(burst, tokens + (now - last) * rate)
        last = now
        if tokens < 1:
            stats["refused"] += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        tokens -= 1
        stats["accepted"] += 1
        accepted_at.append(now)
        return web.json_response({"ok": True})

    async def get_stats(request: web.Request) -> web.Response:
        since = float(request.query.get("since", "inf"))
        after = accepted_at[bisect.bisect_left(accepted_at, since) :] if since != float("inf") else []
        window = {
            "since": len(after),
            "first": after[0] if after else 0.0,
            "last": after[-1] if after else 0.0,
        }
        return web.json_response({**stats, **window})

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/chat.postMessage", post)
        app.router.add_get("/stats", get_stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


class FakePlatform:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.port = free_port()
        ctx = mp.get_context("spawn")
        self._ready = ctx.Event()
        self._process = ctx.Process(target=_serve, args=(self.port, rate, self._ready), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FakePlatform:
        self._process.start()
        if not self._ready.wait(30):
            raise RuntimeError("the fake platform did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.join(5)

    async def stats(self, session: aiohttp.ClientSession, since: float | None = None) -> dict[str, float]:
        query = f"?since={since!r}" if since is not None else ""
        async with session.get(f"{self.url}/stats{query}") as resp:
            data: dict[str, float] = await resp.json()
            return data


class HttpSender:
    """A channel sender for the fake platform: one message per call, paced like Slack (1/s per channel,
    ``rate`` per second across the workspace)."""

    platform = "slack"

    def __init__(self, url: str, rate: float) -> None:
        self.url = f"{url}/chat.postMessage"
        self.rate_limit = RateLimit(per_second=1.0, global_per_second=rate)
        self.session: aiohttp.ClientSession | None = None

    def rate_key(self, identity: ChatIdentity) -> str:
        return identity.external_id

    async def send(self, person: Person, identity: ChatIdentity, message: Message) -> None:
        if self.session is None:
            self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
        payload = {"channel": identity.external_id, "text": message.summary}
        async with self.session.post(self.url, json=payload) as resp:
            if resp.status == 429:
                raise RetryLater("rate limited", retry_after=float(resp.headers.get("Retry-After", "1")),
                                 platform_wide=True)  # fmt: skip
            if resp.status >= 500:
                raise RetryLater(f"HTTP {resp.status}")
            if resp.status == 404:
                raise NotReachable("channel not found")
            if resp.status >= 400:
                raise PermanentFailure(f"HTTP {resp.status}")

    async def aclose(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None
