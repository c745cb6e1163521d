"""Mount the Teams channel (``POST /api/messages``) on the serve app.

Takes its dependencies explicitly; the composition root (``mentorbot.channels``) reads the settings and
registers the returned channel's sender with the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter

from bot.app import MentorBot
from bot.turns import Turns
from handlers.teams.config import LOCAL_VARIABLE
from handlers.teams.config import Mode
from handlers.teams.config import TeamsConfig
from handlers.teams.http import MESSAGES_PATH
from handlers.teams.http import build_adapter
from handlers.teams.http import messages_handler
from handlers.teams.http import teams_off_handler
from handlers.teams.listeners import MentorTeamsBot
from handlers.teams.listeners import TextLookup
from handlers.teams.listeners import turn_error_handler
from handlers.teams.sender import TeamsSender

log = logging.getLogger(__name__)


@dataclass
class TeamsChannel:
    config: TeamsConfig
    adapter: CloudAdapter
    bot: MentorTeamsBot
    sender: TeamsSender


TEAMS: web.AppKey[TeamsChannel] = web.AppKey("teams", TeamsChannel)


def build_teams(
    config: TeamsConfig,
    *,
    bot: MentorBot,
    texts: TextLookup,
    count_error: Callable[[str], None] = lambda kind: None,
) -> TeamsChannel:
    """The Teams channel: the adapter, the activity handler and the outbox sender.
    ``count_error(kind)``: one more failure talking to Teams (turns, replies and outbox sends)."""
    adapter = build_adapter(config)
    teams_bot = MentorTeamsBot(
        Turns(bot), texts, authenticated=config.mode is Mode.AUTHENTICATED, count_error=count_error
    )
    adapter.on_turn_error = turn_error_handler(teams_bot)
    sender = TeamsSender(
        adapter, config.app_id, teams_bot.activities, config.service_url_allowed, count_error=count_error
    )
    return TeamsChannel(config, adapter, teams_bot, sender)


OFF_MESSAGE = (
    f"set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to turn Teams on, or {LOCAL_VARIABLE}=1 for the local "
    "Agents Playground (mentorbot teams playground)"
)


def mount_teams(
    app: web.Application, config: TeamsConfig, build: Callable[[], TeamsChannel]
) -> TeamsChannel | None:
    """Teams on at ``/api/messages`` with the channel ``build()`` makes (:func:`build_teams`); None when
    off: the route then answers 404 with how to turn it on."""
    if config.mode is Mode.OFF:
        # no credentials and no explicit local mode: no unauthenticated endpoint by default (behind a
        # reverse proxy on the same host every request would look like it came from this machine)
        app.router.add_post(MESSAGES_PATH, teams_off_handler(OFF_MESSAGE))
        log.info("Teams is off (%s answers 404): %s", MESSAGES_PATH, OFF_MESSAGE)
        return None
    channel = build()
    app[TEAMS] = channel
    local = channel.config.mode is Mode.LOCAL
    app.router.add_post(
        MESSAGES_PATH,
        messages_handler(
            channel.adapter,
            channel.bot.on_turn,
            loopback_only=local,
            token_required=not local,
            service_url_allowed=channel.config.service_url_allowed,
        ),
    )
    if local:
        log.warning(
            "Teams is on at %s in LOCAL mode (%s=1, no tokens): for the Agents Playground only; "
            "only requests from this machine with a loopback serviceUrl are answered",
            MESSAGES_PATH,
            LOCAL_VARIABLE,
        )
    else:
        log.info(
            "Teams is on at %s (app %s, %s)", MESSAGES_PATH, channel.config.app_id, channel.config.app_type
        )
    return channel
