"""The ``serve`` process: one aiohttp server for every endpoint, plus the in-process scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
import sys
import time
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Protocol

from aiohttp import web
from sqlalchemy import text

from mentorbot.logs import access_log_options
from mentorbot.logs import bind_request_id
from mentorbot.wiring import Runtime
from storage.stats import delivery_counts

log = logging.getLogger(__name__)

RUNTIME: web.AppKey[Runtime] = web.AppKey("runtime", Runtime)
# the largest request body any endpoint reads (413 beyond it); /slack/events allows less
# (handlers/slack/http.py MAX_EVENT_BODY). Teams activities and Slack payloads are a few kilobytes.
CLIENT_MAX_SIZE = 1024 * 1024
SWITCH_INTERVAL_SECONDS = 0.001
Mounter = Callable[[web.Application, Runtime], Awaitable[None] | None]


class Part(Protocol):
    """Something that runs as long as the server does (the scheduler, a channel's connections)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def start_and_stop_with(app: web.Application, part: Part) -> None:
    """A mounter's ``part`` starts with the server (behind :func:`build_app`'s gate: once the database
    is ready) and stops with it."""

    async def start(_app: web.Application) -> None:
        await part.start()

    async def stop(_app: web.Application) -> None:
        await part.stop()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    if not runtime.database_ready:  # started while the database was down: still waiting for it
        return web.json_response({"status": "starting", "database": "unreachable"}, status=503)
    try:
        await asyncio.wait_for(asyncio.to_thread(_ping, runtime), timeout=5)
    except Exception as exc:  # the database is down or too slow: say so, keep serving
        log.warning("health check: database unavailable: %s", type(exc).__name__)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok", "programme": runtime.programme.name})


def _ping(runtime: Runtime) -> None:
    with runtime.engine.connect() as conn:
        conn.execute(text("select 1"))


async def metrics(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    token = runtime.settings.metrics_token
    if token:
        # MENTORBOT_METRICS_TOKEN set: only a scraper that shows it sees the numbers (401 otherwise)
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return web.json_response(
                {"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
            )
    body = await asyncio.to_thread(runtime.metrics.render)
    return web.Response(text=body, content_type="text/plain", charset="utf-8")


@web.middleware
async def observe_requests(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """A request id for every request (logged, returned in X-Request-Id) and its handling time."""
    rid = bind_request_id(request.headers.get("X-Request-Id"))
    started = time.perf_counter()
    route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers["X-Request-Id"] = rid
        raise
    finally:
        request.app[RUNTIME].metrics.handler_seconds.labels(route=route).observe(
            time.perf_counter() - started
        )
    response.headers["X-Request-Id"] = rid
    return response


# the back-off between start-up attempts while the database is down (seconds: first, doubling, at most)
RETRY_FIRST = 1.0
RETRY_MOST = 15.0
STARTUPS: web.AppKey[list[Callable[[web.Application], Awaitable[object]]]] = web.AppKey("startups", list)
PREPARE: web.AppKey[Callable[[], None]] = web.AppKey("prepare", object)  # type: ignore[arg-type]
WAITING: web.AppKey[list[asyncio.Task[None]]] = web.AppKey("waiting", list)


async def _start_parts(app: web.Application) -> None:
    """Start what the mounters registered (scheduler, chat channels) -- at once when the database was
    ready at start-up, otherwise from a background task that waits for it (see :func:`_wait_for_database`);
    the server answers meanwhile, ``/healthz`` with 503."""
    if app[RUNTIME].database_ready or PREPARE not in app:
        for hook in app[STARTUPS]:
            await hook(app)
        return
    app[WAITING].append(asyncio.create_task(_wait_for_database(app), name="wait-for-database"))


async def _wait_for_database(app: web.Application) -> None:
    """Try the start-up's database work again with a back-off, one warning line per attempt (no
    traceback: an unreachable database is an operations state, not a bug), then start the parts."""
    runtime, prepare = app[RUNTIME], app[PREPARE]
    delay, attempt = RETRY_FIRST, 1  # attempt 1 was the start-up's own (mentorbot/commands/serve.py)
    while True:
        await asyncio.sleep(delay)
        attempt += 1
        try:
            await asyncio.to_thread(prepare)
            break
        except Exception as err:
            delay = min(delay * 2, RETRY_MOST)
            reason = " ".join(str(err).split())[:400] or type(err).__name__
            log.warning(
                "database not ready (attempt %d): %s -- trying again in %gs; /healthz answers 503 until then",
                attempt,
                reason,
                delay,
            )
    for hook in app[STARTUPS]:
        await hook(app)
    runtime.database_ready = True
    log.info("database ready after %d attempt(s): mentorbot is healthy", attempt)


async def _stop_waiting(app: web.Application) -> None:
    for task in app[WAITING]:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def build_app(
    runtime: Runtime, mounters: list[Mounter] | None = None, *, prepare: Callable[[], None] | None = None
) -> web.Application:
    """The server with every endpoint and part. ``prepare`` is the start-up's database work when the
    database was not reachable at start: the parts' start hooks then wait until it has succeeded."""
    # Turns run in threads (bot/turns.py) and hold the GIL while they compute; the event loop, which
    # acknowledges the platforms' requests, waits for it up to the switch interval each time (5 ms by
    # default). 1 ms keeps acknowledgements prompt while several turns are in flight.
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    app = web.Application(client_max_size=CLIENT_MAX_SIZE, middlewares=[observe_requests])
    app[RUNTIME] = runtime
    app[WAITING] = []
    if prepare is not None:
        app[PREPARE] = prepare
    app.on_cleanup.append(_stop_waiting)
    runtime.metrics.count_deliveries(lambda: delivery_counts(runtime.engine))
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    started_with = len(app.on_startup)
    for mount in mounters or []:
        result = mount(app, runtime)
        if asyncio.iscoroutine(result):
            raise TypeError("mounters must be synchronous; start async work in on_startup")
    # the parts' start hooks run behind one gate that can wait for the database
    hooks: list[Callable[[web.Application], Awaitable[object]]] = list(app.on_startup[started_with:])
    app[STARTUPS] = hooks
    del app.on_startup[started_with:]
    app.on_startup.append(_start_parts)
    return app


async def serve(runtime: Runtime, app: web.Application, *, ready: Callable[[], None] | None = None) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly (on_cleanup hooks finish in-flight work)."""
    runner = web.AppRunner(app, **access_log_options())  # one line per request (mentorbot/logs.py)
    await runner.setup()
    site = web.TCPSite(runner, runtime.settings.host, runtime.settings.port)
    await site.start()
    if not runtime.database_ready:
        log.warning(
            "mentorbot serving on http://%s:%s while the database is unavailable: /healthz answers 503 "
            "and start-up is retried in the background",
            runtime.settings.host,
            runtime.settings.port,
        )
    log.info(
        "mentorbot serving on http://%s:%s (programme: %s)",
        runtime.settings.host,
        runtime.settings.port,
        runtime.programme.name,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if ready is not None:
        ready()
    try:
        await stop.wait()
    finally:
        log.info("mentorbot stopping")
        await runner.cleanup()
        runtime.engine.dispose()
