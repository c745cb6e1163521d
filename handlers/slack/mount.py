"""Mount the Slack channel on the serve app when Slack is configured."""

from __future__ import annotations

import logging

from aiohttp import web

from handlers.slack.config import HOW_TO_TURN_ON, SlackConfig, SlackConfigError
from handlers.slack.manifest import EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH
from mentorbot.wiring import Runtime

log = logging.getLogger(__name__)

SLACK: web.AppKey[object] = web.AppKey("slack", object)


def mount_slack(app: web.Application, runtime: Runtime) -> None:
    """Slack on (routes, Socket Mode, the outbox sender) when its variables are set; off with one log
    line when none is; ``SystemExit`` with what to fix when they are set but incomplete or malformed."""
    try:
        config = SlackConfig.from_env(runtime.settings.env)
    except SlackConfigError as err:
        raise SystemExit(str(err)) from None
    if config is None:
        log.info(HOW_TO_TURN_ON)
        return

    from handlers.slack.app import SlackChannel  # slack_bolt is imported only when Slack is on
    from handlers.slack.http import events_handler, install_handler, redirect_handler

    channel = SlackChannel(
        config,
        bot=runtime.bot,
        texts=runtime.programme.text,
        engine=runtime.engine,
        clock=runtime.clock,
        metrics=runtime.metrics,
    )
    app[SLACK] = channel
    if not config.socket_mode:
        app.router.add_post(EVENTS_PATH, events_handler(channel.app, config.signing_secret or ""))
    if config.oauth:
        app.router.add_get(INSTALL_PATH, install_handler(channel.app))
        app.router.add_get(REDIRECT_PATH, redirect_handler(channel.app))
    runtime.senders["slack"] = channel.sender

    async def start(_: web.Application) -> None:
        await channel.start()

    async def stop(_: web.Application) -> None:
        await channel.stop()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    mode = "Socket Mode" if config.socket_mode else f"HTTP at {EVENTS_PATH}"
    install = "multi-workspace install at " + INSTALL_PATH if config.oauth else "one workspace"
    log.info("Slack is on: %s, %s", mode, install)
