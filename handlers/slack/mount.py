"""Mount the Slack channel on the serve app when Slack is configured."""

from __future__ import annotations

import logging

from aiohttp import web

from mentorbot.wiring import Runtime

log = logging.getLogger(__name__)


def mount_slack(app: web.Application, runtime: Runtime) -> None:
    log.info("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) to turn it on")
