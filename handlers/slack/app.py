"""The Slack app: one bolt ``AsyncApp``, its Web API clients on one aiohttp session, and the sender.

Built synchronously (``mount_slack`` runs before the event loop); the aiohttp session and the Socket
Mode connection are created in :meth:`SlackChannel.start` and closed in :meth:`SlackChannel.stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import aiohttp
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import MentorBot
from bot.catalogue import TextLookup
from bot.clock import Clock
from bot.sending import RateLimit
from bot.turns import Turns
from handlers.slack.config import SlackConfig
from handlers.slack.linker import Linker
from handlers.slack.listeners import ShortRateLimitRetry
from handlers.slack.listeners import SlackListeners
from handlers.slack.oauth import SlackInstallations
from handlers.slack.oauth import ThreadedInstallationStore
from handlers.slack.oauth import oauth_settings
from handlers.slack.sender import DEFAULT_RATE_LIMIT
from handlers.slack.sender import SlackSender
from handlers.slack.web import Directory
from handlers.slack.web import call

log = logging.getLogger(__name__)


class SlackChannel:
    def __init__(
        self,
        config: SlackConfig,
        *,
        bot: MentorBot,
        texts: TextLookup,
        clock: Clock,
        installations: SlackInstallations | None = None,
        count_error: Callable[[str], None] = lambda kind: None,
    ) -> None:
        """``installations`` (OAuth mode only) keeps multi-workspace installs; ``count_error(kind)``
        counts a failure talking to Slack."""
        self.config = config
        self.count_error = count_error
        self.stores = installations
        self.directory = Directory()
        # replies to people who just wrote: wait out a short 429 once; a longer one sends via the outbox
        self.client = AsyncWebClient(
            token=config.bot_token,
            base_url=config.api_url,
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(),
                ShortRateLimitRetry(),
            ],
        )
        self.installations: ThreadedInstallationStore | None = None
        settings = None
        if config.oauth:
            assert installations is not None, "OAuth mode needs the installation stores"
            settings, self.installations = oauth_settings(config, installations)
        self.app = AsyncApp(
            name="mentorbot",
            client=self.client,
            signing_secret=config.signing_secret or "",
            oauth_settings=settings,
            logger=logging.getLogger("handlers.slack.bolt"),
        )

        self.turns = Turns(bot)
        self.listeners = SlackListeners(self.turns, texts, self.directory, self.count_error)
        self.listeners.register(self.app)
        # people are linked by e-mail soon after they are added, and at send time (``mentorbot tick`` too)
        self.linker = Linker(bot, self.workspaces)
        self.sender = SlackSender(
            self.client_for_workspace,
            texts,
            self.directory,
            self.close_session,
            self.count_error,
            RateLimit(per_second=DEFAULT_RATE_LIMIT.per_second, global_per_second=config.send_rate),
            link_by_email=self.linker.locate,
        )
        self._sender_clients: dict[str, AsyncWebClient] = {}
        self._session: aiohttp.ClientSession | None = None
        self.socket_mode: AsyncSocketModeHandler | None = None
        self._linking: asyncio.Task[None] | None = None
        self._team_id: str | None = None

    # -- lifecycle -----------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.session()
        if self.config.socket_mode:
            self.socket_mode = AsyncSocketModeHandler(self.app, self.config.app_token, web_client=self.client)
            await self.socket_mode.connect_async()
            log.info("Slack: connected over Socket Mode")
        else:
            log.info("Slack: listening on /slack/events")
        self._linking = asyncio.create_task(self.linker.run_forever())

    async def stop(self) -> None:
        if self._linking is not None:
            self._linking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._linking
            self._linking = None
        if self.socket_mode is not None:
            await self.socket_mode.close_async()
            self.socket_mode = None
        await self.listeners.drain()
        await self.close_session()

    async def session(self) -> aiohttp.ClientSession:
        """The one aiohttp session every Web API client shares; opened on first use (``mentorbot tick``
        sends without ever starting the server), closed by :meth:`close_session`."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self.client.session = self._session
            for client in self._sender_clients.values():
                client.session = self._session
        return self._session

    async def close_session(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def workspaces(self) -> list[tuple[str, AsyncWebClient]]:
        """Each workspace the app is in, with a client to look people up there (waits out a 429)."""
        await self.session()
        if self.config.bot_token is not None:
            if self._team_id is None:
                self._team_id = str((await call(self.client, "auth.test")).get("team_id") or "")
            return [(self._team_id, self.client)]
        found: list[tuple[str, AsyncWebClient]] = []
        teams = await asyncio.to_thread(self.stores.workspaces) if self.stores is not None else []
        for team in teams:
            client = await self.client_for_workspace(team)
            if client is not None:
                found.append(
                    (
                        team,
                        AsyncWebClient(
                            token=client.token,
                            base_url=self.config.api_url,
                            session=self._session,
                            retry_handlers=self.client.retry_handlers,
                        ),
                    )
                )
        return found

    # -- the dispatcher's way to Slack ---------------------------------------------------------------------
    async def client_for_workspace(self, workspace: str) -> AsyncWebClient | None:
        """A client for proactive messages to ``workspace``: the bot token, or the installation's."""
        token = self.config.bot_token
        if self.installations is not None:
            bot = await self.installations.async_find_bot(enterprise_id=None, team_id=workspace or None)
            token = bot.bot_token if bot is not None else None
        if token is None:
            return None
        session = await self.session()
        client = self._sender_clients.get(token)
        if client is None:
            # no rate-limit retry handler: the dispatcher reschedules on RetryLater instead of waiting here
            client = AsyncWebClient(
                token=token,
                base_url=self.config.api_url,
                session=session,
                retry_handlers=[AsyncConnectionErrorRetryHandler()],
            )
            self._sender_clients[token] = client
        return client
