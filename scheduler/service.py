"""The in-process scheduler for ``serve``: APScheduler only triggers plan and dispatch passes."""

from __future__ import annotations

import logging

from aiohttp import web

from mentorbot.wiring import Runtime

log = logging.getLogger(__name__)


def mount_scheduler(app: web.Application, runtime: Runtime) -> None:
    log.info("scheduler: not built yet")
