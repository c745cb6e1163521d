"""Which Slack workspaces the app is installed in (multi-workspace installs; slack_sdk's bots table)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from storage.tables import slack_bots


def installed_teams(engine: Engine) -> list[str]:
    """Team ids with a bot token, in the order they were installed."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(slack_bots.c.team_id)
            .where(slack_bots.c.team_id.is_not(None))
            .order_by(slack_bots.c.installed_at)
        ).all()
    return list(dict.fromkeys(str(row.team_id) for row in rows))
