"""The apps under test, each served in a process of its own with the same aiohttp setup, and the numbers
the chat benchmarks report.

Four apps, built by name in the child process:

* ``mentorbot-slack`` / ``mentorbot-teams``: mentorbot's serve app (``mentorbot.server.build_app``:
  request-id and metrics middleware, ``/healthz``) with only that channel mounted, on the real
  ``MentorBot`` and the database at the URL. The scheduler is not mounted, so its periodic passes do
  not land in the middle of a measurement.
* ``bare-slack``: a slack-bolt ``AsyncApp`` with one listener that echoes a DM, on bolt's own aiohttp
  adapter, its Web API client on one shared aiohttp session (as any well-written bolt app).
* ``bare-teams``: a botbuilder ``ActivityHandler`` that echoes a message, behind ``CloudAdapter.process``
  in anonymous mode (botbuilder's own sample, minus the credentials); ``bare-teams-fixed``: the same with
  mentorbot's fix for msrest's slow retry policy (``handlers/teams/msrest_fix.py``).

Each is served by ``web.AppRunner`` + ``web.TCPSite`` on 127.0.0.1 with the access log off.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import multiprocessing as mp
import os
import statistics
import time
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bench._profile import PROFILE
from bench._profile import start_if_asked

ECHO_PARTS = "MENTORBOT_BENCH_ECHO_PARTS"  # the bare apps' environment: messages per echo, by command


def echo_parts(env: Mapping[str, str], text: str) -> int:
    """How many messages a bare app echoes ``text`` in (as many as mentorbot answers it with)."""
    return int(json.loads(env.get(ECHO_PARTS) or "{}").get(text, 1))


def mentorbot_app(url: str, env: Mapping[str, str], channel: str) -> web.Application:
    from mentorbot.server import build_app
    from mentorbot.settings import Settings
    from mentorbot.wiring import build_runtime

    settings_env = dict(env)
    if channel == "teams":  # no credentials: Teams local mode, which is never on unless asked for
        settings_env.setdefault("MENTORBOT_TEAMS_LOCAL", "1")
    runtime = build_runtime(Settings(database_url=url, env=settings_env), migrate=False)
    if channel == "slack":
        from mentorbot.channels import mount_slack

        return build_app(runtime, [mount_slack])
    from mentorbot.channels import mount_teams

    return build_app(runtime, [mount_teams])


def bare_slack_app(env: Mapping[str, str]) -> web.Application:
    import aiohttp
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=env["SLACK_BOT_TOKEN"], base_url=env["SLACK_API_URL"])
    bolt = AsyncApp(name="echo", client=client, signing_secret=env["SLACK_SIGNING_SECRET"])

    @bolt.event("message")
    async def echo(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("channel_type") == "im" and "subtype" not in event and not event.get("bot_id"):
            text = event.get("text") or ""
            for _ in range(echo_parts(env, text)):
                await client.chat_postMessage(channel=event["channel"], text=text)

    app = bolt.server(path="/slack/events").web_app

    async def open_session(_: web.Application) -> None:
        client.session = aiohttp.ClientSession()

    async def close_session(_: web.Application) -> None:
        if client.session is not None:
            await client.session.close()

    app.on_startup.append(open_session)
    app.on_cleanup.append(close_session)
    return app


def bare_teams_app(env: Mapping[str, str]) -> web.Application:
    from botbuilder.core import ActivityHandler
    from botbuilder.core import MessageFactory
    from botbuilder.core import TurnContext
    from botbuilder.integration.aiohttp import CloudAdapter
    from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication

    class Anonymous:
        APP_ID = None
        APP_PASSWORD = None
        APP_TENANTID = None
        APP_TYPE = "MultiTenant"

    class EchoBot(ActivityHandler):  # type: ignore[misc]
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            text = turn_context.activity.text or ""
            await turn_context.send_activities(
                [MessageFactory.text(text) for _ in range(echo_parts(env, text))]
            )

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Anonymous()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse = await adapter.process(request, bot)
        return response

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def build(kind: str, url: str, env: Mapping[str, str]) -> web.Application:
    if kind == "mentorbot-slack":
        return mentorbot_app(url, env, "slack")
    if kind == "mentorbot-teams":
        return mentorbot_app(url, env, "teams")
    if kind == "bare-slack":
        return bare_slack_app(env)
    if kind == "bare-teams":
        return bare_teams_app(env)
    if kind == "bare-teams-fixed":
        from handlers.teams import msrest_fix

        msrest_fix.apply()
        return bare_teams_app(env)
    raise ValueError(kind)


async def start_site(app: web.Application, port: int = 0) -> tuple[web.AppRunner, int]:
    """``app`` served on 127.0.0.1 at ``port`` (0: a free one): its runner and the port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    server = site._server
    assert server is not None
    return runner, int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]


def _child(kind: str, url: str, env: dict[str, str], port: Any, ready: Any) -> None:
    logging.basicConfig(level=logging.WARNING)
    os.environ.update({k: v for k, v in env.items() if k.startswith("MENTORBOT_")})
    if PROFILE in env:
        os.environ["MENTORBOT_TURN_THREADS"] = "0"  # mentorbot's turns on the one thread profiled

    async def main() -> None:
        _, bound = await start_site(build(kind, url, env))
        start_if_asked()
        port.value = bound
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


class ServedApp:
    """``with ServedApp("bare-slack", url, env) as app:`` -- the app serving at ``app.base``."""

    def __init__(self, kind: str, url: str = "", env: Mapping[str, str] | None = None) -> None:
        ctx = mp.get_context("spawn")
        self.kind = kind
        self._port = ctx.Value("i", 0)
        self._ready = ctx.Event()
        self._process = ctx.Process(
            target=_child, args=(kind, url, dict(env or {}), self._port, self._ready), daemon=True
        )
        self.base = ""

    def __enter__(self) -> ServedApp:
        self._process.start()
        if not self._ready.wait(120):
            self._process.terminate()
            raise RuntimeError(f"{self.kind} did not start")
        self.base = f"http://127.0.0.1:{self._port.value}"
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.join(10)


# -- what the benchmarks report -------------------------------------------------------------------------


def slack_signature(body: str, secret: str) -> dict[str, str]:
    """Slack's v0 request signature headers for ``body``."""
    ts = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def percentile(samples: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``samples``, inclusive method, in the samples' unit."""
    if len(samples) == 1:
        return samples[0]
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[int(q) - 1]


async def settled(count: Callable[[], int], quiet: float = 0.3, timeout: float = 10.0) -> int:
    """Wait until ``count()`` has stopped changing for ``quiet`` seconds; returns it."""
    deadline = time.monotonic() + timeout
    last, since = count(), time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last
