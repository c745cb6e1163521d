"""Mount the Teams channel (``POST /api/messages``) on the serve app, and register its outbox sender."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter

from handlers.teams.bot import MentorTeamsBot, turn_error_handler
from handlers.teams.config import TeamsConfig
from handlers.teams.endpoint import MESSAGES_PATH, build_adapter, messages_handler
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
    teams_bot = MentorTeamsBot(runtime.bot, runtime.uow_factory, runtime.programme.text, runtime.clock.now)
    adapter.on_turn_error = turn_error_handler(teams_bot)
    sender = TeamsSender(adapter, config.app_id, teams_bot.activities)
    return TeamsChannel(config, adapter, teams_bot, sender)


def register_teams_sender(runtime: Runtime) -> TeamsChannel:
    """Only the outbox sender (for ``mentorbot tick``, which serves no HTTP)."""
    channel = build_teams(runtime)
    runtime.senders[channel.sender.platform] = channel.sender
    return channel


def mount_teams(app: web.Application, runtime: Runtime) -> None:
    channel = register_teams_sender(runtime)
    app[TEAMS] = channel
    app.router.add_post(
        MESSAGES_PATH,
        messages_handler(
            channel.adapter,
            channel.bot.on_turn,
            loopback_only=channel.config.anonymous,
            token_required=not channel.config.anonymous,
        ),
    )
    if channel.config.anonymous:
        log.info(
            "Teams is on at %s in local anonymous mode (no MICROSOFT_APP_ID): for the Agents Playground; "
            "only requests from this machine are answered",
            MESSAGES_PATH,
        )
    else:
        log.info(
            "Teams is on at %s (app %s, %s)", MESSAGES_PATH, channel.config.app_id, channel.config.app_type
        )
