"""The chat channels on the ``serve`` server: each one's settings read, its ports built, its handler
mounted with explicit dependencies, and its outbox sender registered for the scheduler (Slack, Teams,
e-mail).

These are the :data:`mentorbot.server.Mounter` functions; ``mentorbot tick`` calls the same ones on an
application it never starts, only to register the senders.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from mentorbot.server import Mounter
from mentorbot.server import start_and_stop_with
from mentorbot.settings import Settings
from mentorbot.wiring import Runtime

if TYPE_CHECKING:
    from handlers.teams.mount import TeamsChannel

log = logging.getLogger(__name__)


def mount_slack(app: web.Application, runtime: Runtime) -> None:
    """Slack on when its variables are set; off with one log line when none is; ``SystemExit`` with what
    to fix when they are set but incomplete or malformed."""
    from handlers.slack.config import SlackConfig
    from handlers.slack.config import SlackConfigError
    from handlers.slack.mount import mount_slack as mount

    try:
        config = SlackConfig.from_env(runtime.settings.env)
    except SlackConfigError as err:
        raise SystemExit(str(err)) from None
    from handlers.slack.oauth import STATE_EXPIRATION_SECONDS
    from handlers.slack.oauth import SlackInstallations
    from storage.slack_installations import SqlSlackInstallations

    installations: SlackInstallations | None = None
    if config is not None and config.oauth:
        assert config.client_id is not None
        installations = SqlSlackInstallations(
            runtime.engine, client_id=config.client_id, state_expiration_seconds=STATE_EXPIRATION_SECONDS
        )
    channel = mount(
        app,
        config,
        bot=runtime.bot,
        texts=runtime.programme.text,
        clock=runtime.clock,
        installations=installations,
        count_error=runtime.metrics.channel_error_counter("slack"),
    )
    if channel is not None:
        start_and_stop_with(app, channel)  # Socket Mode and the Web API session
        runtime.senders[channel.sender.platform] = channel.sender


def mount_teams(app: web.Application, runtime: Runtime) -> None:
    """Teams on ``/api/messages`` when configured (or in local mode); 404 with how to turn it on when off.
    ``TeamsConfigError`` (a SystemExit) on bad settings."""
    from handlers.teams.config import TeamsConfig
    from handlers.teams.mount import build_teams
    from handlers.teams.mount import mount_teams as mount

    config = TeamsConfig.from_env(runtime.settings.env)

    def build() -> TeamsChannel:
        return build_teams(
            config,
            bot=runtime.bot,
            texts=runtime.programme.text,
            count_error=runtime.metrics.channel_error_counter("teams"),
        )

    channel = mount(app, config, build)
    if channel is not None:
        runtime.senders[channel.sender.platform] = channel.sender


def channel_mounters(settings: Settings) -> list[Mounter]:
    """Everything ``serve`` mounts: the scheduler and every chat channel."""
    from mentorbot.email_channel import mount_email
    from mentorbot.scheduling import mount_scheduler

    return [mount_scheduler, mount_slack, mount_teams, mount_email]
