"""Multi-workspace installs: slack_sdk's installation and OAuth state stores, kept in our database.

The stores come through the :class:`SlackInstallations` port (``storage.slack_installations`` builds
slack_sdk's SQLAlchemy stores on the project's engine; the composition root hands them in).  They are
synchronous; bolt's async app wants async stores, so these thin adapters run each call in a thread.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from typing import Protocol

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.installation_store import InstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.state_store import OAuthStateStore

from handlers.slack.manifest import INSTALL_PATH
from handlers.slack.manifest import REDIRECT_PATH

log = logging.getLogger(__name__)

STATE_EXPIRATION_SECONDS = 600


class SlackInstallations(Protocol):
    """Where multi-workspace installs are kept (implemented in ``storage.slack_installations``)."""

    installation_store: InstallationStore
    state_store: OAuthStateStore

    def workspaces(self) -> list[str]:
        """Team ids with a bot token, in the order they were installed."""
        ...


class ThreadedInstallationStore(AsyncInstallationStore):
    def __init__(self, store: InstallationStore) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        return await asyncio.to_thread(
            self.store.find_bot,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            self.store.find_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.store.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            self.store.delete_installation, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )


class ThreadedStateStore(AsyncOAuthStateStore):
    def __init__(self, store: OAuthStateStore) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.store.issue, *args, **kwargs)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.store.consume, state)


def oauth_settings(
    *, client_id: str, client_secret: str, scopes: list[str], stores: SlackInstallations
) -> tuple[AsyncOAuthSettings, ThreadedInstallationStore]:
    installations = ThreadedInstallationStore(stores.installation_store)
    states = ThreadedStateStore(stores.state_store)
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installations,
        state_store=states,
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
    )
    return settings, installations
