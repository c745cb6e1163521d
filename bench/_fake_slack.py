"""A small loopback Slack Web API for the benchmarks: the methods a DM reply and an announcement use,
answering for any user id of :mod:`bench._population`, with Slack's rate limits when asked.

Limits (token buckets, like Slack's own limiter; beyond them it answers HTTP 429 with ``Retry-After``):

* ``chat.postMessage``: ``per_channel`` messages per second into one channel (Slack: about 1), and
  ``workspace`` per second across the workspace (Slack: "several hundred a minute");
* ``conversations.open`` (Tier 3) and ``users.info`` (Tier 4): ``tier3`` and ``tier4`` calls a minute.

A limit of 0 is no limit. Buckets allow a burst of a quarter of a second's worth (at least two calls),
as Slack tolerates short bursts. ``expect(channel, n)`` gives a future that resolves, with the
``time.perf_counter()`` of its arrival, when the ``n``-th message reaches ``channel`` -- how the
latency benchmarks see a reply land. :class:`FakeSlackProcess` runs one in a process of its own.
"""

from __future__ import annotations

import asyncio
import json
import math
import multiprocessing as mp
import time
from collections import Counter
from dataclasses import asdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web

from bench._loopback import LoopbackFake
from bench._population import SLACK_TEAM
from bench._population import email
from bench._population import person_of_slack_user

BOT_TOKEN = "xoxb-bench-token"
SIGNING_SECRET = "bench-signing-secret-0123456789ab"


@dataclass(frozen=True)
class SlackLimits:
    per_channel: float = 0.0  # chat.postMessage per second per channel
    workspace: float = 0.0  # chat.postMessage per second across the workspace
    tier3: float = 0.0  # conversations.open per minute
    tier4: float = 0.0  # users.info per minute


class Bucket:
    def __init__(self, per_second: float) -> None:
        self.rate = per_second
        self.burst = max(2.0, per_second / 4)
        self.tokens = self.burst
        self.last = time.monotonic()

    def take(self) -> float:
        """0 when allowed now, else the seconds until a call would be allowed."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class FakeSlackApi(LoopbackFake):
    def __init__(self, limits: SlackLimits | None = None) -> None:
        super().__init__()
        self.limits = limits or SlackLimits()
        self.calls: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.first_post: float | None = None  # time.time() of the first and last accepted message
        self.last_post: float | None = None
        self._channels: dict[str, Bucket] = {}
        self._workspace = Bucket(self.limits.workspace) if self.limits.workspace else None
        self._tier3 = Bucket(self.limits.tier3 / 60) if self.limits.tier3 else None
        self._tier4 = Bucket(self.limits.tier4 / 60) if self.limits.tier4 else None

    async def start(self, port: int = 0) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/_stats", self._stats)
        self.url = f"http://127.0.0.1:{await self._listen(app, port)}/api/"
        return self.url

    def stats(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "refused": dict(self.refused),
            "messages": sum(self.posts.values()),
            "channels": len(self.posts),
            "most_in_one_channel": max(self.posts.values(), default=0),
            "first_post": self.first_post,
            "last_post": self.last_post,
        }

    # -- the API --------------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            raw = await request.text()
            if request.content_type == "application/json":
                args.update(json.loads(raw or "{}"))
            else:
                args.update(dict(parse_qsl(raw)))
        self.calls[method] += 1
        wait = self._limit(method, args)
        if wait > 0:
            self.refused[method] += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        body = handler(args) if handler is not None else {}
        return web.json_response({"ok": True, **body})

    def _limit(self, method: str, args: dict[str, Any]) -> float:
        if method == "chat.postMessage":
            wait = 0.0
            if self.limits.per_channel:
                channel = str(args.get("channel", ""))
                bucket = self._channels.get(channel)
                if bucket is None:
                    bucket = self._channels[channel] = Bucket(self.limits.per_channel)
                wait = bucket.take()
            if not wait and self._workspace is not None:
                wait = self._workspace.take()
            return wait
        if method == "conversations.open" and self._tier3 is not None:
            return self._tier3.take()
        if method == "users.info" and self._tier4 is not None:
            return self._tier4.take()
        return 0.0

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"team_id": SLACK_TEAM, "team": "Bench", "user_id": "UBOT", "bot_id": "BBOT"}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user", ""))
        pid = person_of_slack_user(user)
        profile = {"display_name": f"Person {pid}", "real_name": f"Person {pid}"}
        if pid is not None:
            profile["email"] = email(pid)
        return {"user": {"id": user, "team_id": SLACK_TEAM, "tz": "Europe/London", "profile": profile}}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": {"id": "D" + str(args.get("users", ""))}}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        channel = str(args.get("channel", ""))
        if channel.startswith("U"):  # a user id: Slack posts into the app's DM with that user
            channel = "D" + channel
        self.last_post = time.time()
        if self.first_post is None:
            self.first_post = self.last_post
        self._arrived(channel)
        return {"channel": channel, "ts": f"{self.last_post:.6f}"}

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats())


def _serve(limits: dict[str, float], port: Any, ready: Any) -> None:
    async def main() -> None:
        fake = FakeSlackApi(SlackLimits(**limits))
        url = await fake.start()
        port.value = int(url.split(":")[2].split("/")[0])
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


class FakeSlackProcess:
    """The fake in a process of its own (a remote Slack does not share our CPU); read its counts with
    :meth:`stats`."""

    def __init__(self, limits: SlackLimits) -> None:
        ctx = mp.get_context("spawn")
        self._port = ctx.Value("i", 0)
        self._ready = ctx.Event()
        self._process = ctx.Process(
            target=_serve, args=(asdict(limits), self._port, self._ready), daemon=True
        )
        self.base = self.url = ""

    def __enter__(self) -> FakeSlackProcess:
        self._process.start()
        if not self._ready.wait(60):
            raise RuntimeError("the fake Slack did not start")
        self.base = f"http://127.0.0.1:{self._port.value}"
        self.url = f"{self.base}/api/"
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.join(5)

    async def stats(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as session, session.get(f"{self.base}/_stats") as resp:
            data: dict[str, Any] = await resp.json()
            return data
