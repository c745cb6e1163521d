"""A loopback fake of the Slack Web API for the fault tests, running in a thread of the test process so
that real ``mentorbot serve`` processes (other processes, pointed at it with ``SLACK_API_URL``) can talk to
it while the test waits, kills and restarts them.

It answers the methods ``serve`` uses -- ``auth.test``, ``users.info``, ``users.list`` (cursor-paginated),
``users.lookupByEmail``, ``conversations.open``, ``chat.postMessage`` -- for any user id, and counts every
message posted, per DM channel (``D`` + the user id; a post to the user id lands there, as on Slack).
The workspace's directory (who ``users.list`` and ``users.lookupByEmail`` know) is ``users.emails``.
Every call's time is kept per method (``calls``), so a test can check Slack's per-minute tiers.
It can misbehave on ``chat.postMessage`` the way a platform under load
does (:class:`Chaos`): 429 with a ``Retry-After``, and 5xx answers, some of them *after* the message was
posted (the platform did deliver, but the bot cannot know). Those are counted separately as
``ghosts``: the only messages a person may rightly receive twice.

Its wait methods wait on a condition the request handlers notify (with a deadline), never for time.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

BOT_TOKEN = "xoxb-fault-drill"
TEAM = "T0FAULT"


def slack_user(person_id: int) -> str:
    return f"U{person_id:08d}"


def dm_channel(user_id: str) -> str:
    return "D" + user_id


def shown_text(args: dict[str, Any]) -> str:
    """What a person sees of a posted message: the text of its sections (else its notification text)."""
    blocks = args.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    shown = [
        str((b.get("text") or {}).get("text") or "")
        for b in blocks
        if isinstance(b, dict) and b.get("type") == "section"
    ]
    return "\n".join(t for t in shown if t) or str(args.get("text") or "")


@dataclass
class Chaos:
    """How often ``chat.postMessage`` misbehaves (each a probability per call, drawn from a seeded RNG)."""

    rate_limited: float = 0.0  # 429 with Retry-After: retry_after seconds; nothing posted
    failed_before: float = 0.0  # 500/502/503; nothing posted
    failed_after: float = 0.0  # the message IS posted, then the answer is a 500 (a "ghost" delivery)
    retry_after: int = 1
    seed: int = 8

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)


@dataclass
class Users:
    """Slack profiles for ``users.info``; anyone else is a valid user without an e-mail."""

    emails: dict[str, str] = field(default_factory=dict)  # user id -> e-mail address


class FakeSlackWebApi:
    def __init__(self, *, latency: float = 0.0, chaos: Chaos | None = None) -> None:
        self.latency = latency  # how long each chat.postMessage takes to answer (platform latency)
        self.chaos = chaos or Chaos()
        self.users = Users()
        self.posts: Counter[str] = Counter()  # DM channel -> messages posted
        self.texts: dict[str, list[str]] = {}  # DM channel -> their texts, in order
        self.ghosts: Counter[str] = Counter()  # posted, but answered with a 5xx
        self.answers: Counter[int] = Counter()  # HTTP status -> how many chat.postMessage answers
        self.attempts: dict[str, list[tuple[float, int]]] = {}  # DM channel -> (monotonic time, status)
        self.tokens = {
            BOT_TOKEN
        }  # bot tokens it accepts (give two processes different ones to tell them apart)
        self.posts_by_token: Counter[str] = Counter()
        self.first_post_at = 0.0  # time.monotonic() of the first message posted
        self.bad_tokens = 0
        self.calls: dict[str, list[float]] = {}  # method -> time.monotonic() of each call
        self.page_max = 1000  # users.list members per page
        self._cond = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-slack", daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> FakeSlackWebApi:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    async def _start(self) -> None:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    def close(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    # -- what tests read ---------------------------------------------------------------------------------
    @property
    def total(self) -> int:
        with self._cond:
            return sum(self.posts.values())

    def snapshot(self) -> tuple[Counter[str], Counter[str]]:
        """Messages per DM channel and ghosts per DM channel, copied under the lock."""
        with self._cond:
            return Counter(self.posts), Counter(self.ghosts)

    def texts_to(self, user_id: str) -> list[str]:
        with self._cond:
            return list(self.texts.get(dm_channel(user_id), []))

    def wait_until(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        """Wait until ``predicate()`` (checked whenever the fake answers a call) or fail after ``timeout``."""
        with self._cond:
            if not self._cond.wait_for(predicate, timeout):
                raise AssertionError(f"fake Slack: timed out after {timeout:g}s waiting for {what}")

    # -- the Web API ---------------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        raw = await request.text()
        if raw:
            if request.content_type == "application/json":
                args.update(json.loads(raw))
            else:
                args.update(dict(parse_qsl(raw)))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else str(args.get("token") or "")
        if token not in self.tokens:
            with self._cond:
                self.bad_tokens += 1
            return web.json_response({"ok": False, "error": "invalid_auth"})
        with self._cond:
            self.calls.setdefault(method, []).append(time.monotonic())
        if method == "chat.postMessage":
            return await self._post_message(args, token)
        body: dict[str, Any]
        if method == "auth.test":
            body = {"team_id": TEAM, "user_id": "UBOT", "bot_id": "BBOT", "team": "Drill"}
        elif method == "conversations.open":
            body = {"channel": {"id": dm_channel(str(args.get("users", "")))}}
        elif method == "users.info":
            body = self._user(str(args.get("user", "")))
        elif method == "users.lookupByEmail":
            wanted = str(args.get("email", "")).lower()
            found = [u for u, e in self.users.emails.items() if e.lower() == wanted]
            if not found:
                return web.json_response({"ok": False, "error": "users_not_found"})
            body = self._user(found[0])
        elif method == "users.list":
            body = self._list(args)
        else:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response({"ok": True, **body})

    def _list(self, args: dict[str, Any]) -> dict[str, Any]:
        ids = sorted(self.users.emails)
        limit = min(int(args.get("limit") or self.page_max), self.page_max)
        start = int(str(args.get("cursor") or "0") or 0)
        following = start + limit
        return {
            "members": [self._user(u)["user"] for u in ids[start:following]],
            "response_metadata": {"next_cursor": str(following) if following < len(ids) else ""},
        }

    def busiest_minute(self, method: str) -> int:
        """The most calls of ``method`` within any 60 seconds."""
        return self.busiest_window(method, 60.0)

    def busiest_window(self, method: str, seconds: float) -> int:
        """The most calls of ``method`` within any ``seconds``."""
        with self._cond:
            times = sorted(self.calls.get(method, []))
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best

    def busiest_second_per_channel(self) -> int:
        """The most chat.postMessage calls to one DM channel within any one second."""
        with self._cond:
            attempts = {c: sorted(t for t, _ in a) for c, a in self.attempts.items()}
        best = 0
        for times in attempts.values():
            start = 0
            for end, at in enumerate(times):
                while at - times[start] >= 1.0:
                    start += 1
                best = max(best, end - start + 1)
        return best

    def _user(self, user_id: str) -> dict[str, Any]:
        profile: dict[str, Any] = {"display_name": user_id, "real_name": user_id}
        email = self.users.emails.get(user_id)
        if email:
            profile["email"] = email
        return {"user": {"id": user_id, "team_id": TEAM, "tz": "UTC", "is_bot": False, "deleted": False,
                         "real_name": user_id, "profile": profile}}  # fmt: skip

    async def _post_message(self, args: dict[str, Any], token: str) -> web.Response:
        if self.latency:
            await asyncio.sleep(self.latency)  # the platform taking its time to answer
        arrived = time.monotonic()
        channel = str(args.get("channel") or "")
        if channel.startswith("U"):  # Slack opens the DM with a user id itself
            channel = dm_channel(channel)
        chaos = self.chaos
        with self._cond:
            roll = chaos.rng.random()
            if roll < chaos.rate_limited:
                status, posted = 429, False
            elif roll < chaos.rate_limited + chaos.failed_before:
                status, posted = chaos.rng.choice([500, 502, 503]), False
            elif roll < chaos.rate_limited + chaos.failed_before + chaos.failed_after:
                status, posted = 500, True
            else:
                status, posted = 200, True
            if posted:
                self.first_post_at = self.first_post_at or arrived
                self.posts[channel] += 1
                self.posts_by_token[token] += 1
                self.texts.setdefault(channel, []).append(shown_text(args))
                if status != 200:
                    self.ghosts[channel] += 1
            self.answers[status] += 1
            self.attempts.setdefault(channel, []).append((arrived, status))
            ts = f"{1700000000 + self.answers.total()}.000100"
            self._cond.notify_all()
        if status == 429:
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(chaos.retry_after)},
            )
        if status != 200:
            return web.json_response({"ok": False, "error": "internal_error"}, status=status)
        return web.json_response({"ok": True, "channel": channel, "ts": ts})
