"""Mount the Teams channel (``POST /api/messages``) on the serve app, and register its outbox sender."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter

from bot.turns import Turns
from handlers.teams.bot import MentorTeamsBot, turn_error_handler
from handlers.teams.config import LOCAL_VARIABLE, Mode, TeamsConfig
from handlers.teams.endpoint import MESSAGES_PATH, build_adapter, messages_handler, teams_off_handler
from handlers.teams.sender import TeamsSender
from mentorbot.wiring import Runtime

log = logging.getLogger(__name__)


@dataclass
class TeamsChannel:
    config: TeamsConfig
    adapter: CloudAdapter
    bot: MentorTeamsBot
    sender: TeamsSender


TEAMS: web.AppKey[TeamsChannel] = web.AppKey("teams", TeamsChannel)


def build_teams(runtime: Runtime) -> TeamsChannel:
    """The Teams channel for this runtime; raises ``TeamsConfigError`` (a SystemExit) on bad settings."""
    config = TeamsConfig.from_env(runtime.settings.env)
    adapter = build_adapter(config)
    teams_bot = MentorTeamsBot(
        Turns(runtime.bot), runtime.programme.text, authenticated=config.mode is Mode.AUTHENTICATED
    )
    adapter.on_turn_error = turn_error_handler(teams_bot)
    sender = TeamsSender(adapter, config.app_id, teams_bot.activities, config.service_url_allowed)
    return TeamsChannel(config, adapter, teams_bot, sender)


def register_teams_sender(runtime: Runtime) -> TeamsChannel:
    """Only the outbox sender (for ``mentorbot tick``, which serves no HTTP)."""
    channel = build_teams(runtime)
    runtime.senders[channel.sender.platform] = channel.sender
    return channel


OFF_MESSAGE = (
    f"set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to turn Teams on, or {LOCAL_VARIABLE}=1 for the local "
    "Agents Playground (mentorbot teams playground)"
)


def mount_teams(app: web.Application, runtime: Runtime) -> None:
    config = TeamsConfig.from_env(runtime.settings.env)
    if config.mode is Mode.OFF:
        # no credentials and no explicit local mode: no unauthenticated endpoint by default (behind a
        # reverse proxy on the same host every request would look like it came from this machine)
        app.router.add_post(MESSAGES_PATH, teams_off_handler(OFF_MESSAGE))
        log.info("Teams is off (%s answers 404): %s", MESSAGES_PATH, OFF_MESSAGE)
        return
    channel = register_teams_sender(runtime)
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
