"""What the fake platforms of the chat benchmarks share (:mod:`bench._fake_slack`,
:mod:`bench._fake_connector`): their aiohttp app served on a loopback port, and the messages that reach
each conversation, counted, with futures the latency benchmarks wait on to see a reply land."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from aiohttp import web

from bench._serving import start_site


class LoopbackFake:
    def __init__(self) -> None:
        self.posts: Counter[str] = Counter()  # conversation (Slack: DM channel) -> messages received
        self.url = ""
        self._waiters: dict[str, list[tuple[int, asyncio.Future[float]]]] = {}
        self._runner: web.AppRunner | None = None

    async def _listen(self, app: web.Application, port: int = 0) -> int:
        """Serve ``app`` on 127.0.0.1 at ``port`` (0: a free one); the port it listens on."""
        self._runner, bound = await start_site(app, port)
        return bound

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def expect(self, conversation: str, count: int) -> asyncio.Future[float]:
        """Resolves, with the ``time.perf_counter()`` of the arrival, when ``conversation`` has received
        ``count`` messages in all (counting those already in)."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(conversation, []).append((count, future))
        return future

    def _arrived(self, conversation: str) -> None:
        """One more message reached ``conversation``."""
        arrived = time.perf_counter()
        self.posts[conversation] += 1
        count = self.posts[conversation]
        waiting = self._waiters.get(conversation)
        if waiting:
            for item in [w for w in waiting if w[0] <= count]:
                waiting.remove(item)
                if not item[1].done():
                    item[1].set_result(arrived)
