"""Multi-workspace Slack installs, kept in our database: slack_sdk's SQLAlchemy installation and OAuth
state stores on the project's engine, and which workspaces the app is installed in.

What ``handlers.slack.oauth.SlackInstallations`` asks for; the composition root builds it.  The stores'
tables are created by our own migration (``storage/tables.py``), never by their ``create_tables``.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine
from sqlalchemy import select

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


class SqlSlackInstallations:
    def __init__(self, engine: Engine, *, client_id: str, state_expiration_seconds: int) -> None:
        self.engine = engine
        self.installation_store = SQLAlchemyInstallationStore(client_id=client_id, engine=engine)
        self.state_store = SQLAlchemyOAuthStateStore(
            expiration_seconds=state_expiration_seconds, engine=engine
        )

    def workspaces(self) -> list[str]:
        return installed_teams(self.engine)
