"""Find programme people in Slack by e-mail (users.lookupByEmail), so the bot can reach them before
they ever write to it: the welcome at the start of a relationship, a nudge, an announcement.

Runs in the background while ``serve`` runs: once at start, then every few hours for people added
since. Lookups are paced under Slack's Tier 3 limit (about 50 a minute); an address Slack does not know
is not asked about again for a day. The link itself is the bot's (``MentorBot.link``), the same as on a
person's first message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import MentorBot
from bot.messages import Sender
from handlers.slack.web import call, error_code

log = logging.getLogger(__name__)

Workspaces = Callable[[], Awaitable[list[tuple[str, AsyncWebClient]]]]


class Linker:
    INTERVAL_SECONDS = 6 * 3600.0
    PACE_SECONDS = 1.3  # Tier 3: about 50 calls a minute
    FORGET_MISSES_SECONDS = 24 * 3600.0

    def __init__(self, bot: MentorBot, workspaces: Workspaces, *, pace: float | None = None) -> None:
        self.bot = bot
        self.workspaces = workspaces
        self.pace = self.PACE_SECONDS if pace is None else pace
        self._misses: dict[tuple[str, str], float] = {}

    async def run_once(self) -> int:
        """Look up everyone not yet reachable on Slack; returns how many were linked."""
        emails = await asyncio.to_thread(self.bot.unlinked, "slack")
        linked = 0
        for team, client in await self.workspaces():
            for email in emails:
                if time.monotonic() - self._misses.get((team, email), -1e18) < self.FORGET_MISSES_SECONDS:
                    continue
                sender, unknown = await self._lookup(client, team, email)
                if unknown:
                    self._misses[(team, email)] = time.monotonic()
                elif sender is not None and await asyncio.to_thread(self.bot.link, sender):
                    linked += 1
                if self.pace:
                    await asyncio.sleep(self.pace)
            emails = await asyncio.to_thread(self.bot.unlinked, "slack")  # found ones are not asked again
        if linked:
            log.info("Slack: linked %d programme people to their Slack accounts by e-mail", linked)
        return linked

    async def run_forever(self, first_delay: float = 30.0) -> None:
        """Look people up now and then, starting ``first_delay`` seconds after the server started."""
        await asyncio.sleep(first_delay)
        while True:
            try:
                await self.run_once()
            except Exception:  # never let a lookup problem stop the server; try again next round
                log.exception("Slack: looking up programme people by e-mail failed")
            await asyncio.sleep(self.INTERVAL_SECONDS)

    async def _lookup(self, client: AsyncWebClient, team: str, email: str) -> tuple[Sender | None, bool]:
        """The Slack user with ``email``, and whether Slack said there is none (worth remembering)."""
        try:
            data = await call(client, "users.lookupByEmail", email=email)
        except SlackApiError as err:
            if error_code(err) == "users_not_found":
                return None, True
            log.warning("Slack: users.lookupByEmail failed: %s", error_code(err) or err)
            return None, False
        user = data.get("user") or {}
        if not user.get("id") or user.get("is_bot") or user.get("deleted"):
            return None, True
        sender = Sender(
            platform="slack",
            external_id=str(user["id"]),
            email=email,
            workspace=str(user.get("team_id") or team),
            display_name=str(user.get("real_name") or ""),
            timezone=user.get("tz") or None,
        )
        return sender, False
