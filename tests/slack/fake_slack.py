"""A loopback fake of the Slack Web API (and of Socket Mode's WebSocket), for the end-to-end tests.

It checks what a real Slack would refuse -- unknown methods, missing arguments, a wrong token, Block Kit
limits -- records every call, and keeps the messages it was sent so that chat.update and
conversations.history behave like Slack's. Tests can make a method fail (``fail_next``), for instance
with a 429 and a Retry-After header.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType
from aiohttp import web
from aiohttp.test_utils import TestServer

from handlers.slack.capabilities import WEB_API_METHODS

BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
TEAM = "T0TEAM"

# method -> arguments Slack requires (one of a tuple's names is enough)
REQUIRED: dict[str, list[str | tuple[str, ...]]] = {
    "auth.test": [],
    "apps.connections.open": [],
    "oauth.v2.access": ["code"],
    "chat.postMessage": ["channel", ("text", "blocks")],
    "chat.update": ["channel", "ts", ("text", "blocks")],
    "conversations.open": ["users"],
    "conversations.history": ["channel"],
    "users.info": ["user"],
    "users.lookupByEmail": ["email"],
    "users.list": [],
    "views.open": ["trigger_id", "view"],
    "views.update": ["view", ("view_id", "external_id")],
    "views.publish": ["user_id", "view"],
    "files.getUploadURLExternal": ["filename", "length"],
    "files.completeUploadExternal": ["files"],
}


@dataclass
class SlackUser:
    id: str
    email: str | None
    tz: str = "Europe/London"
    name: str = ""
    is_bot: bool = False
    deleted: bool = False


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)


# Slack's published limits, in calls a minute (chat.postMessage: about one a second per channel)
TIER_PER_MINUTE = {"users.list": 20, "users.lookupByEmail": 50, "conversations.open": 50, "users.info": 100}


@dataclass
class Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    def __init__(self) -> None:
        self.users: dict[str, SlackUser] = {}
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) -> message
        self.responses: list[dict[str, Any]] = []  # what was posted to response_url
        self.uploads: dict[str, bytes] = {}  # file id -> content
        self.files: list[dict[str, Any]] = []  # shared files: id, title, channel, content
        self.expired_triggers: set[str] = set()
        self.tokens = {BOT_TOKEN}
        self.page_max = 1000  # users.list members per page
        self.failures: dict[str, list[Failure]] = {}
        self.socket: SocketModeFake | None = None
        self._ts = itertools.count(1)
        self._changed = asyncio.Condition()
        self.server: TestServer | None = None

    # -- test setup --------------------------------------------------------------------------------------
    def add_user(self, user_id: str, email: str | None, tz: str = "Europe/London", **kw: Any) -> SlackUser:
        user = SlackUser(user_id, email, tz, **kw)
        self.users[user_id] = user
        return user

    def fail_next(self, method: str, status: int, error: str, headers: dict[str, str] | None = None) -> None:
        self.failures.setdefault(method, []).append(
            Failure(status, {"ok": False, "error": error}, headers or {})
        )

    @property
    def api_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/"))

    def response_url(self, name: str) -> str:
        assert self.server is not None
        return str(self.server.make_url(f"/response/{name}"))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        self.server = TestServer(app)
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    # -- what tests read ---------------------------------------------------------------------------------
    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def busiest_minute(self, method: str, channel: str | None = None) -> int:
        """The most calls of ``method`` (to ``channel``, when given) within any 60 seconds."""
        times = sorted(
            c.at for c in self.called(method) if channel is None or c.args.get("channel") == channel
        )
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= 60.0:
                start += 1
            best = max(best, end - start + 1)
        return best

    def busiest_second_per_channel(self) -> int:
        """The most chat.postMessage calls to one channel within any one second."""
        by_channel: dict[str, list[float]] = {}
        for c in self.called("chat.postMessage"):
            by_channel.setdefault(str(c.args.get("channel")), []).append(c.at)
        best = 0
        for times in by_channel.values():
            times.sort()
            start = 0
            for end, at in enumerate(times):
                while at - times[start] >= 1.0:
                    start += 1
                best = max(best, end - start + 1)
        return best

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """What was posted (to ``channel``: a DM channel id, or the user id posted to)."""
        return [
            c.args
            for c in self.called("chat.postMessage")
            if channel is None or channel in (c.args["channel"], self.dm_of(str(c.args["channel"]))[0])
        ]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait (on the fake's own notifications, not a sleep) until ``method`` was called ``count`` times."""

        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.called(method)) >= count)

        await asyncio.wait_for(enough(), timeout)
        return self.called(method)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        async def ready() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(ready(), timeout)

    # -- the Web API -------------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            raw = await request.text()
            if request.content_type == "application/json":
                args.update(json.loads(raw or "{}"))
            else:
                args.update(dict(parse_qsl(raw)))
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.get("token")
        call = Call(method, args, token)
        self.calls.append(call)
        try:
            return await self._answer(call)
        finally:
            async with self._changed:
                self._changed.notify_all()

    async def _answer(self, call: Call) -> web.Response:
        method, args = call.method, call.args
        if method not in REQUIRED:
            return self._refuse(f"{method}: unknown method", "unknown_method")
        if method not in WEB_API_METHODS:  # the manifest's scopes would not cover this call
            self.violations.append(f"{method} is called but missing from handlers/slack/capabilities.py")
        for needed in REQUIRED[method]:
            names = needed if isinstance(needed, tuple) else (needed,)
            if not any(args.get(n) not in (None, "", []) for n in names):
                return self._refuse(f"{method}: missing {' or '.join(names)}", "invalid_arguments")
        if method == "apps.connections.open":
            if call.token != APP_TOKEN:
                return self._refuse("apps.connections.open without the app-level token", "invalid_auth")
        elif method != "oauth.v2.access" and call.token not in self.tokens:
            return self._refuse(f"{method}: bad token {call.token!r}", "invalid_auth")
        failures = self.failures.get(method)
        if failures:
            failure = failures.pop(0)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        handler = getattr(self, "_" + method.replace(".", "_"))
        result: dict[str, Any] = handler(args, call)
        if not result.get("ok", True):
            return web.json_response(result)
        return web.json_response({"ok": True, **result})

    def _refuse(self, violation: str, error: str) -> web.Response:
        self.violations.append(violation)
        return web.json_response({"ok": False, "error": error})

    def _auth_test(self, args: dict[str, Any], call: Call) -> dict[str, Any]:
        return {
            "url": "https://test.slack.com/",
            "team": "Test",
            "team_id": TEAM,
            "user_id": "UBOT",
            "bot_id": "BBOT",
            "user": "mentorbot",
        }

    def _apps_connections_open(self, args: dict[str, Any], call: Call) -> dict[str, Any]:
        assert self.server is not None
        return {"url": str(self.server.make_url("/socket")).replace("http://", "ws://")}

    def _oauth_v2_access(self, args: dict[str, Any], call: Call) -> dict[str, Any]:
        token = f"xoxb-installed-{args['code']}"
        self.tokens.add(token)
        return {
            "app_id": "A0APP",
            "authed_user": {"id": "UINSTALLER"},
            "scope": "chat:write,commands",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": "UBOT2",
            "team": {"id": "T0OTHER", "name": "Other"},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _users_info(self, args: dict[str, Any], call: Call) -> dict[str, Any]:
        user = self.users.get(args["user"])
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        profile = {"display_name": user.name, "real_name": user.name}
        if user.email:
            profile["email"] = user.email
        return {
            "user": {
                "id": user.id,
                "team_id": TEAM,
                "tz": user.tz,
                "is_bot": user.is_bot,
                "deleted": user.deleted,
                "real_name": user.name,
                "profile": profile,
            }
        }

    def _users_lookupByEmail(self, args: dict[str, Any], call: Call) -> dict[str, Any]:  # noqa: N802
        for user in self.users.values():
            if user.email and user.email.lower() == str(args["email"]).lower():
                return self._users_info({"user": user.id}, call)
        return {"ok": False, "error": "users_not_found"}

    def _users_list(self, args: dict[str, Any], call: Call) -> dict[str, Any]:
        """Cursor-paginated, at most ``page_max`` members a page (Slack: up to 1,000)."""
        members = sorted(self.users.values(), key=lambda u: u.id)
        limit = min(int(args.get("limit") or self.page_max), self.page_max)
        start = int(str(args.get("cursor") or "0").removeprefix("dXNlcjo") or 0)
        page = members[start : start + limit]
        following = start + limit
        cursor = f"dXNlcjo{following}" if following < len(members) else ""
        return {
            "members": [self._users_info({"user": u.id}, call)["user"] for u in page],
            "response_metadata": {"next_cursor": cursor},
        }

    def dm_of(self, channel: str) -> tuple[str, dict[str, Any] | None]:
        """Slack accepts a user id as chat.postMessage's channel and posts in the bot's DM with them."""
        if not channel.startswith(("U", "W")):
            return channel, None
        user = self.users.get(channel)
        if user is None:
            return channel, {"ok": False, "error": "channel_not_found"}
        if user.deleted:
            return channel, {"ok": False, "error": "user_disabled"}
        return "D" + user.id, None

    def _conversations_open(self, args: dict[str, Any], call: Call) -> dict[str, Any]:
        user = self.users.get(str(args["users"]))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        if user.deleted:
            return {"ok": False, "error": "user_disabled"}
        return {"channel": {"id": "D" + user.id}}

    def _conversations_history(self, args: dict[str, Any], call: Call) -> dict[str, Any]:
        channel, latest = args["channel"], str(args.get("latest") or "")
        found = [m for (c, ts), m in self.messages.items() if c == channel and (not latest or ts == latest)]
        return {"messages": found[:1]}

    def _chat_postMessage(self, args: dict[str, Any], call: Call) -> dict[str, Any]:  # noqa: N802
        self._check_message(args)
        channel, refused = self.dm_of(str(args["channel"]))
        if refused is not None:
            return refused
        ts = f"{1700000000 + next(self._ts)}.000100"
        self.messages[(channel, ts)] = {
            "ts": ts,
            "text": args.get("text", ""),
            "blocks": args.get("blocks") or [],
        }
        return {"channel": channel, "ts": ts}

    def _chat_update(self, args: dict[str, Any], call: Call) -> dict[str, Any]:
        key = (args["channel"], str(args["ts"]))
        if key not in self.messages:
            self.violations.append(f"chat.update of a message that does not exist: {key}")
            return {"ok": False, "error": "message_not_found"}
        self._check_message(args)
        self.messages[key] = {"ts": key[1], "text": args.get("text", ""), "blocks": args.get("blocks") or []}
        return {"channel": key[0], "ts": key[1]}

    def _views_open(self, args: dict[str, Any], call: Call) -> dict[str, Any]:
        if args["trigger_id"] in self.expired_triggers:
            return {"ok": False, "error": "expired_trigger_id"}
        self._check_view(args["view"], "modal")
        return {"view": {"id": "V" + str(len(self.calls)), **args["view"]}}

    def _views_update(self, args: dict[str, Any], call: Call) -> dict[str, Any]:
        self._check_view(args["view"], "modal")
        return {"view": args["view"]}

    def _views_publish(self, args: dict[str, Any], call: Call) -> dict[str, Any]:
        self._check_view(args["view"], "home")
        return {"view": args["view"]}

    def _files_getUploadURLExternal(self, args: dict[str, Any], call: Call) -> dict[str, Any]:  # noqa: N802
        assert self.server is not None
        file_id = f"F{len(self.uploads) + 1:04d}"
        self.uploads[file_id] = b""
        return {"upload_url": str(self.server.make_url(f"/upload/{file_id}")), "file_id": file_id}

    def _files_completeUploadExternal(self, args: dict[str, Any], call: Call) -> dict[str, Any]:  # noqa: N802
        files = json.loads(args["files"]) if isinstance(args["files"], str) else args["files"]
        for f in files:
            if not self.uploads.get(f["id"]):
                self.violations.append(f"files.completeUploadExternal for {f['id']} before its upload")
            self.files.append(
                {
                    "id": f["id"],
                    "title": f.get("title"),
                    "channel": args.get("channel_id"),
                    "content": self.uploads.get(f["id"], b"").decode(),
                }
            )
        return {"files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text=f"OK - {len(self.uploads[request.match_info['file_id']])}")

    # -- response_url and Socket Mode --------------------------------------------------------------------
    async def _response_url(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
        async with self._changed:
            self._changed.notify_all()
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        assert self.socket is not None, "Socket Mode connection without a SocketModeFake"
        await self.socket.attach(ws)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await self.socket.received(json.loads(msg.data))
        return ws

    # -- Block Kit limits (what Slack answers with invalid_blocks) ---------------------------------------
    def _check_message(self, args: dict[str, Any]) -> None:
        blocks = args.get("blocks") or []
        if len(blocks) > 50:
            self.violations.append(f"message with {len(blocks)} blocks (max 50)")
        if len(str(args.get("text") or "")) > 40000:
            self.violations.append("message text over 40000 characters")
        self._check_blocks(blocks, "message")

    def _check_view(self, view: dict[str, Any], kind: str) -> None:
        if view.get("type") != kind:
            self.violations.append(f"view of type {view.get('type')!r} where {kind!r} is needed")
        blocks = view.get("blocks") or []
        if len(blocks) > 100:
            self.violations.append(f"{kind} with {len(blocks)} blocks (max 100)")
        if kind == "modal":
            for key in ("title", "submit", "close"):
                if key in view and len(view[key]["text"]) > 24:
                    self.violations.append(f"modal {key} over 24 characters: {view[key]['text']!r}")
            if len(view.get("private_metadata", "")) > 3000:
                self.violations.append("private_metadata over 3000 characters")
            if len(view.get("callback_id", "")) > 255:
                self.violations.append("callback_id over 255 characters")
        self._check_blocks(blocks, kind)

    def _check_blocks(self, blocks: list[dict[str, Any]], surface: str) -> None:
        block_ids: set[str] = set()
        for block in blocks:
            kind = block.get("type")
            block_id = block.get("block_id")
            if block_id is not None:
                if len(block_id) > 255 or block_id in block_ids:
                    self.violations.append(f"block_id {block_id!r} too long or repeated")
                block_ids.add(block_id)
            if kind == "section":
                text = (block.get("text") or {}).get("text", "")
                if len(text) > 3000:
                    self.violations.append(f"section text of {len(text)} characters (max 3000)")
                if not text.strip() and "fields" not in block:
                    self.violations.append("section with empty text")
                fields = block.get("fields") or []
                if len(fields) > 10 or any(len(f["text"]) > 2000 for f in fields):
                    self.violations.append("section fields over 10 or over 2000 characters")
            elif kind == "actions":
                elements = block.get("elements") or []
                if not elements or len(elements) > 25:
                    self.violations.append(f"actions block with {len(elements)} elements")
                action_ids = [e.get("action_id") for e in elements]
                if len(set(action_ids)) != len(action_ids):
                    self.violations.append("repeated action_id in one actions block")
                for e in elements:
                    self._check_element(e)
            elif kind == "context":
                elements = block.get("elements") or []
                if not elements or len(elements) > 10 or any(len(e.get("text", "")) > 3000 for e in elements):
                    self.violations.append("context block with too many or too long elements")
            elif kind == "header":
                if len(block["text"]["text"]) > 150:
                    self.violations.append("header over 150 characters")
            elif kind == "input":
                if len(block["label"]["text"]) > 2000:
                    self.violations.append("input label over 2000 characters")
                self._check_element(block["element"])
            elif kind not in ("divider", "image", "file", "rich_text"):
                self.violations.append(f"unknown block type {kind!r}")

    def _check_element(self, e: dict[str, Any]) -> None:
        if len(e.get("action_id", "")) > 255:
            self.violations.append("action_id over 255 characters")
        if e.get("type") == "button":
            if len(e["text"]["text"]) > 75:
                self.violations.append(f"button text over 75 characters: {e['text']['text']!r}")
            if len(e.get("value", "")) > 2000:
                self.violations.append("button value over 2000 characters")
        options = e.get("options")
        if options is not None:
            limit = 10 if e.get("type") in ("checkboxes", "radio_buttons") else 100
            if len(options) > limit:
                self.violations.append(f"{e.get('type')} with {len(options)} options")
            for o in options:
                if len(o["text"]["text"]) > 75 or len(o["value"]) > 150:
                    self.violations.append("option text over 75 or value over 150 characters")


class SocketModeFake:
    """The Socket Mode side: sends envelopes to the connected app and collects its acknowledgements."""

    def __init__(self, slack: FakeSlack) -> None:
        self.slack = slack
        slack.socket = self
        self.ws: web.WebSocketResponse | None = None
        self.acks: list[dict[str, Any]] = []
        self._connected = asyncio.Event()

    async def attach(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0APP"}})
        self._connected.set()

    async def received(self, message: dict[str, Any]) -> None:
        self.acks.append(message)
        async with self.slack._changed:
            self.slack._changed.notify_all()

    async def connected(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def send(self, envelope: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send_json(envelope)
