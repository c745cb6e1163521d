"""A small loopback Bot Framework Connector (the Teams side) for the benchmarks.

It accepts the bot's messages (``POST /v3/conversations/{id}/activities[/{reply_to}]``) and answers
roster lookups (``GET /v3/conversations/{id}/members/{member}``) for any Teams id of
:mod:`bench._population`. ``expect(conversation, n)`` resolves, with the ``time.perf_counter()`` of
its arrival, when the ``n``-th message reaches that conversation.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter

from aiohttp import web

from bench._population import TEAMS_TENANT
from bench._population import email
from bench._population import person_of_teams_user
from bench._population import teams_aad


class FakeConnector:
    def __init__(self) -> None:
        self.posts: Counter[str] = Counter()
        self.member_lookups = 0
        self._ids = itertools.count(1)
        self._waiters: dict[str, list[tuple[int, asyncio.Future[float]]]] = {}
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._post)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{port}/"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def expect(self, conversation: str, count: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(conversation, []).append((count, future))
        return future

    async def _post(self, request: web.Request) -> web.Response:
        await request.read()
        arrived = time.perf_counter()
        conversation = request.match_info["conversation"]
        self.posts[conversation] += 1
        count = self.posts[conversation]
        waiting = self._waiters.get(conversation)
        if waiting:
            for item in [w for w in waiting if w[0] <= count]:
                waiting.remove(item)
                if not item[1].done():
                    item[1].set_result(arrived)
        return web.json_response({"id": f"activity-{next(self._ids)}"})

    async def _member(self, request: web.Request) -> web.Response:
        self.member_lookups += 1
        member = request.match_info["member"]
        pid = person_of_teams_user(member)
        if pid is None:
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "not found"}}, status=404
            )
        return web.json_response({
            "id": member, "aadObjectId": teams_aad(pid), "name": f"Person {pid}", "email": email(pid),
            "userPrincipalName": email(pid), "tenantId": TEAMS_TENANT, "userRole": "user",
        })  # fmt: skip
