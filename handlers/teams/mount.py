"""Mount the Teams channel (POST /api/messages) on the serve app."""

from __future__ import annotations

import logging

from aiohttp import web

from mentorbot.wiring import Runtime

log = logging.getLogger(__name__)


def mount_teams(app: web.Application, runtime: Runtime) -> None:
    log.info("Teams is not built yet")
