"""Multi-workspace installs: slack_sdk's installation and OAuth state stores, kept in our database.

The stores come through the :class:`SlackInstallations` port (``storage.slack_installations`` builds
slack_sdk's SQLAlchemy stores on the project's engine; the composition root hands them in).  They are
synchronous; bolt's async app wants async stores, so these thin adapters run each call in a thread.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from typing import Generic
from typing import Protocol
from typing import TypeVar

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.installation_store import InstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.state_store import OAuthStateStore

from handlers.slack.config import SlackConfig
from handlers.slack.manifest import INSTALL_PATH
from handlers.slack.manifest import REDIRECT_PATH

log = logging.getLogger(__name__)

STATE_EXPIRATION_SECONDS = 600

Store = TypeVar("Store")


class SlackInstallations(Protocol):
    """Where multi-workspace installs are kept (implemented in ``storage.slack_installations``)."""

    installation_store: InstallationStore
    state_store: OAuthStateStore

    def workspaces(self) -> list[str]:
        """Team ids with a bot token, in the order they were installed."""
        ...


class _InThreads(Generic[Store]):
    """What both adapters hold: the synchronous store whose calls they run in threads, and the logger
    bolt asks an async store for."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        return log


class ThreadedInstallationStore(_InThreads[InstallationStore], AsyncInstallationStore):
    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.store.save_bot, bot)

    # bolt calls the rest with keywords only (enterprise_id, team_id, user_id, is_enterprise_install),
    # handed on as they come
    async def async_find_bot(self, **kwargs: Any) -> Bot | None:
        return await asyncio.to_thread(self.store.find_bot, **kwargs)

    async def async_find_installation(self, **kwargs: Any) -> Installation | None:
        return await asyncio.to_thread(self.store.find_installation, **kwargs)

    async def async_delete_bot(self, **kwargs: Any) -> None:
        await asyncio.to_thread(self.store.delete_bot, **kwargs)

    async def async_delete_installation(self, **kwargs: Any) -> None:
        await asyncio.to_thread(self.store.delete_installation, **kwargs)


class ThreadedStateStore(_InThreads[OAuthStateStore], AsyncOAuthStateStore):
    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.store.issue, *args, **kwargs)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.store.consume, state)


def oauth_settings(
    config: SlackConfig, stores: SlackInstallations
) -> tuple[AsyncOAuthSettings, ThreadedInstallationStore]:
    """bolt's settings for installing the app into workspaces with ``config``'s client id, secret and
    scopes (OAuth mode), and the installation store they use."""
    assert config.client_id is not None and config.client_secret is not None, "not in OAuth mode"
    installations = ThreadedInstallationStore(stores.installation_store)
    settings = AsyncOAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(config.scopes),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installations,
        state_store=ThreadedStateStore(stores.state_store),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
    )
    return settings, installations
