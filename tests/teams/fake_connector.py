"""A loopback fake of the Bot Framework Connector (the Teams side of a conversation).

It records what the bot posts (``POST /v3/conversations/{id}/activities``, replies to an activity, and
``PUT .../activities/{id}`` updates), answers roster lookups (``GET /v3/conversations/{id}/members/{id}``)
from a dict of members, and can be told to refuse the next sends with a status (e.g. 429 with
``Retry-After``). Tests point an activity's ``serviceUrl`` at :attr:`url`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from aiohttp import web


@dataclass
class Posted:
    conversation_id: str
    activity: dict[str, Any]
    reply_to: str | None = None
    activity_id: str = ""

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [a["content"] for a in self.activity.get("attachments") or [] if "content" in a]


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class FakeConnector:
    def __init__(self) -> None:
        self.posted: list[Posted] = []
        self.updated: list[Posted] = []
        self.members: dict[str, dict[str, Any]] = {}
        self.member_lookups: list[str] = []
        self.failures: list[Failure] = []
        self.authorization: list[str] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> FakeConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._post)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._put)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(self, status: int, headers: dict[str, str] | None = None, times: int = 1) -> None:
        self.failures.extend(Failure(status, dict(headers or {})) for _ in range(times))

    def cards(self) -> list[dict[str, Any]]:
        return [card for p in self.posted for card in p.cards]

    async def _post(self, request: web.Request) -> web.Response:
        self.authorization.append(request.headers.get("Authorization", ""))
        if self.failures:
            failure = self.failures.pop(0)
            return web.json_response(
                {"error": {"code": "Throttled" if failure.status == 429 else "Error", "message": "no"}},
                status=failure.status,
                headers=failure.headers,
            )
        body = await request.json()
        activity_id = f"activity-{next(self._ids)}"
        conversation = request.match_info["conversation"]
        self.posted.append(Posted(conversation, body, request.match_info.get("activity"), activity_id))
        return web.json_response({"id": activity_id})

    async def _put(self, request: web.Request) -> web.Response:
        """An update replaces what the person sees in the chat; it is also recorded in :attr:`updated`."""
        body = await request.json()
        activity_id = request.match_info["activity"]
        conversation = request.match_info["conversation"]
        self.updated.append(Posted(conversation, body, None, activity_id))
        for posted in self.posted:
            if posted.activity_id == activity_id and posted.conversation_id == conversation:
                posted.activity = body
                return web.json_response({"id": activity_id})
        return web.json_response({"error": {"code": "NotFound", "message": "no such activity"}}, status=404)

    async def _member(self, request: web.Request) -> web.Response:
        member_id = request.match_info["member"]
        self.member_lookups.append(member_id)
        member = self.members.get(member_id)
        if member is None:
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "not found"}}, status=404
            )
        return web.json_response(member)
