"""A small loopback Bot Framework Connector (the Teams side) for the benchmarks.

It accepts the bot's messages (``POST /v3/conversations/{id}/activities[/{reply_to}]``) and answers
roster lookups (``GET /v3/conversations/{id}/members/{member}``) for any Teams id of
:mod:`bench._population`. ``expect(conversation, n)`` resolves, with the ``time.perf_counter()`` of
its arrival, when the ``n``-th message reaches that conversation (:class:`~bench._loopback.LoopbackFake`).
"""

from __future__ import annotations

import itertools

from aiohttp import web

from bench._loopback import LoopbackFake
from bench._population import TEAMS_TENANT
from bench._population import email
from bench._population import person_of_teams_user
from bench._population import teams_aad


class FakeConnector(LoopbackFake):
    def __init__(self) -> None:
        super().__init__()
        self.member_lookups = 0
        self._ids = itertools.count(1)

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._post)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self.url = f"http://127.0.0.1:{await self._listen(app)}/"
        return self.url

    async def _post(self, request: web.Request) -> web.Response:
        await request.read()
        self._arrived(request.match_info["conversation"])
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
