"""Mount the Slack channel on the serve app: its routes.

Takes its dependencies explicitly; the composition root (``mentorbot.channels``) reads the settings,
builds the storage ports, starts and stops the returned channel with the server and registers its
sender with the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

from bot.app import MentorBot
from bot.catalogue import TextLookup
from bot.clock import Clock
from handlers.slack.config import HOW_TO_TURN_ON
from handlers.slack.config import SlackConfig
from handlers.slack.manifest import EVENTS_PATH
from handlers.slack.manifest import INSTALL_PATH
from handlers.slack.manifest import REDIRECT_PATH
from handlers.slack.oauth import SlackInstallations

if TYPE_CHECKING:
    from handlers.slack.app import SlackChannel

log = logging.getLogger(__name__)

SLACK: web.AppKey[object] = web.AppKey("slack", object)


def mount_slack(
    app: web.Application,
    config: SlackConfig | None,
    *,
    bot: MentorBot,
    texts: TextLookup,
    clock: Clock,
    installations: SlackInstallations | None,
    count_error: Callable[[str], None],
) -> SlackChannel | None:
    """Slack on: routes (HTTP mode, OAuth install). Returns the :class:`~handlers.slack.app.SlackChannel`
    (its ``start`` opens Socket Mode and the Web API session; its ``sender`` goes to the outbox).  With no
    ``config`` (no Slack variables set) Slack is off: one log line saying how to turn it on, and None."""
    if config is None:
        log.info(HOW_TO_TURN_ON)
        return None
    from handlers.slack.app import SlackChannel  # slack_bolt is imported only when Slack is on
    from handlers.slack.http import events_handler
    from handlers.slack.http import install_handler
    from handlers.slack.http import redirect_handler

    channel = SlackChannel(
        config,
        bot=bot,
        texts=texts,
        clock=clock,
        installations=installations,
        count_error=count_error,
    )
    app[SLACK] = channel
    if not config.socket_mode:
        app.router.add_post(EVENTS_PATH, events_handler(channel.app, config.signing_secret or ""))
    if config.oauth:
        app.router.add_get(INSTALL_PATH, install_handler(channel.app))
        app.router.add_get(REDIRECT_PATH, redirect_handler(channel.app))
    mode = "Socket Mode" if config.socket_mode else f"HTTP at {EVENTS_PATH}"
    install = "multi-workspace install at " + INSTALL_PATH if config.oauth else "one workspace"
    log.info("Slack is on: %s, %s", mode, install)
    return channel
