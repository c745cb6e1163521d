"""The ``serve`` process: one aiohttp server for every endpoint, plus the in-process scheduler."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import text

from mentorbot.wiring import Runtime

log = logging.getLogger(__name__)

RUNTIME: web.AppKey[Runtime] = web.AppKey("runtime", Runtime)
Mounter = Callable[[web.Application, Runtime], Awaitable[None] | None]


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    try:
        await asyncio.wait_for(asyncio.to_thread(_ping, runtime), timeout=5)
    except Exception as exc:  # the database is down or too slow: say so, keep serving
        log.warning("health check: database unavailable: %s", type(exc).__name__)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok", "programme": runtime.programme.name})


def _ping(runtime: Runtime) -> None:
    with runtime.engine.connect() as conn:
        conn.execute(text("select 1"))


def build_app(runtime: Runtime, mounters: list[Mounter] | None = None) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[RUNTIME] = runtime
    app.router.add_get("/healthz", healthz)
    for mount in mounters or []:
        result = mount(app, runtime)
        if asyncio.iscoroutine(result):
            raise TypeError("mounters must be synchronous; start async work in on_startup")
    return app


async def serve(runtime: Runtime, app: web.Application, *, ready: Callable[[], None] | None = None) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly (on_cleanup hooks finish in-flight work)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, runtime.settings.host, runtime.settings.port)
    await site.start()
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
