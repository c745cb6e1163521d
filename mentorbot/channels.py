"""Which parts mount on the ``serve`` server: the scheduler and each channel that is configured (Slack,
Teams, e-mail)."""

from __future__ import annotations

from mentorbot.server import Mounter
from mentorbot.settings import Settings


def channel_mounters(settings: Settings) -> list[Mounter]:
    from handlers.slack.mount import mount_slack
    from handlers.teams.mount import mount_teams
    from mentorbot.email_channel import mount_email
    from scheduler.service import mount_scheduler

    return [mount_scheduler, mount_slack, mount_teams, mount_email]
