"""Find programme people in Slack by e-mail, so the bot reaches them before they ever write to it: the
welcome at the start of a relationship, a mentee's proposal, a nudge, an announcement.

When
    * while ``serve`` runs, every :attr:`Linker.INTERVAL_SECONDS` (20 s, the first pass 2 s after start):
      a pass costs one database query and no Slack call unless someone is unlinked and was not looked
      up recently, so a roster imported or a person added is linked within a minute;
    * at send time (:meth:`Linker.locate`, through the Slack sender): a delivery whose person has no
      identity yet asks for them, which also makes ``mentorbot tick`` link people.  Concurrent asks share
      one pass, so 400 people imported at once cost one directory read, not 400 look-ups.

How
    Many people to find: ``users.list`` (Tier 2, about 20 calls a minute, up to 1,000 members a page,
    cursor-paginated), matching profile e-mails case-insensitively; the directory read answers for a
    minute.  A few stragglers: ``users.lookupByEmail`` one by one (Tier 3, about 50 a minute).  Calls are
    paced under those tiers, and a 429 is waited out for its ``Retry-After`` before trying again.  An
    address Slack does not know is asked about again after :attr:`Linker.RECHECK_SECONDS` (5 minutes),
    never in a hot loop.  The link itself is the bot's (``MentorBot.link``), the same as on a person's
    first message; storing it makes what could not reach them before due at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import MentorBot
from bot.errors import Unavailable
from bot.messages import Sender
from bot.model import ChatIdentity
from bot.model import Person
from bot.sending import NotReachable
from handlers.slack.web import call
from handlers.slack.web import error_code
from handlers.slack.web import retry_after

log = logging.getLogger(__name__)

Workspaces = Callable[[], Awaitable[list[tuple[str, AsyncWebClient]]]]

NOT_FOUND = "not found in Slack by e-mail (looked up again every few minutes)"


class Linker:
    INTERVAL_SECONDS = 20.0
    FIRST_DELAY_SECONDS = 2.0
    RECHECK_SECONDS = 300.0  # an address Slack did not know is looked up again after this
    DIRECTORY_FRESH_SECONDS = 60.0  # one users.list read answers for this long
    STRAGGLERS = 5  # up to this many addresses: users.lookupByEmail each; more: users.list
    PAGE = 1000  # users.list members a page (Slack's most)
    PACE_SECONDS = 1.3  # users.lookupByEmail, Tier 3: about 50 calls a minute
    LIST_PACE_SECONDS = 3.1  # users.list, Tier 2: about 20 calls a minute
    MAX_RATE_LIMIT_WAITS = 3
    MAX_ENTRIES = 50_000

    def __init__(
        self,
        bot: MentorBot,
        workspaces: Workspaces,
        *,
        pace: float | None = None,
        list_pace: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """``pace`` / ``list_pace``: seconds between users.lookupByEmail / users.list calls; ``monotonic``
        and ``sleep`` measure and wait real seconds (tests may give virtual ones)."""
        self.bot = bot
        self.workspaces = workspaces
        self.pace = self.PACE_SECONDS if pace is None else pace
        self.list_pace = self.LIST_PACE_SECONDS if list_pace is None else list_pace
        self.monotonic = monotonic
        self.sleep = sleep
        self._lock = asyncio.Lock()
        self._misses: dict[str, tuple[float, str]] = {}  # email -> (when, why)
        self._found: dict[str, tuple[float, Sender]] = {}  # email -> (when, the Slack user), linked
        self._directory: dict[str, tuple[float, dict[str, Sender]]] = {}  # team -> (read at, by email)
        self._last_call: dict[str, float] = {}  # method -> when it was last called
        self._pass: asyncio.Future[int] | None = None  # the pass send-time look-ups share

    # -- the passes ------------------------------------------------------------------------------------
    async def run_once(self) -> int:
        """Look up everyone not yet reachable on Slack (and not looked up recently); returns how many
        were linked."""
        async with self._lock:
            return await self._run()

    async def run_forever(self, first_delay: float | None = None) -> None:
        """A pass every :attr:`INTERVAL_SECONDS`, the first ``first_delay`` seconds after start."""
        await asyncio.sleep(self.FIRST_DELAY_SECONDS if first_delay is None else first_delay)
        while True:
            try:
                await self.run_once()
            except Unavailable:
                log.warning("Slack: the database is unavailable; looking people up again in a moment")
            except Exception:  # never let a lookup problem stop the server; try again next round
                log.exception("Slack: looking up programme people by e-mail failed")
            await asyncio.sleep(self.INTERVAL_SECONDS)

    async def locate(self, person: Person) -> ChatIdentity:
        """The Slack identity of ``person``, who has none yet: found (and linked) now, or NotReachable
        with the reason coordinators see.  Concurrent calls share one pass, which runs on even when a
        caller stops waiting (its links are not lost halfway)."""
        email = person.email.strip().lower()
        for _ in range(2):  # a pass already under way may have started before this person was added
            if self._recent(self._found, email, self.DIRECTORY_FRESH_SECONDS) is not None:
                break
            if self._recent(self._misses, email, self.RECHECK_SECONDS) is not None:
                break
            try:
                await asyncio.shield(self._shared_pass())
            except Exception as exc:  # Slack could not be asked; the delivery comes back later
                log.warning("Slack: could not look people up by e-mail: %s", _describe(exc))
                raise NotReachable(
                    f"Slack could not be asked who they are ({_describe(exc)})", no_identity=True
                ) from exc
        found = self._recent(self._found, email, self.DIRECTORY_FRESH_SECONDS)
        if found is not None:
            return ChatIdentity(platform="slack", external_id=found.external_id, workspace=found.workspace)
        miss = self._misses.get(email)
        raise NotReachable(miss[1] if miss else NOT_FOUND, no_identity=True)

    def _shared_pass(self) -> asyncio.Future[int]:
        if self._pass is None or self._pass.done():
            self._pass = asyncio.ensure_future(self.run_once())
        return self._pass

    async def _run(self) -> int:
        wanted = await asyncio.to_thread(self.bot.unlinked, "slack")
        due = sorted(
            {
                e.strip().lower()
                for e in wanted
                if e and self._recent(self._misses, e.strip().lower(), self.RECHECK_SECONDS) is None
            }
        )
        if not due:
            return 0
        found: dict[str, Sender] = {}
        for team, client in await self.workspaces():
            left = [e for e in due if e not in found]
            if left:
                found.update(await self._find(team, client, left))
        now = self.monotonic()
        for email in due:
            if email not in found:
                self._remember(self._misses, email, (now, NOT_FOUND))
        senders = [found[e] for e in due if e in found]
        done = await asyncio.to_thread(lambda: [self.bot.link(sender) for sender in senders])
        linked = 0
        for sender, ok in zip(senders, done, strict=True):
            if ok:
                email = (sender.email or "").lower()
                self._misses.pop(email, None)
                self._remember(self._found, email, (now, sender))
                linked += 1
        if linked:
            log.info("Slack: linked %d programme people to their Slack accounts by e-mail", linked)
        return linked

    # -- Slack ------------------------------------------------------------------------------------------
    async def _find(self, team: str, client: AsyncWebClient, emails: list[str]) -> dict[str, Sender]:
        """The Slack users with these (lower-case) addresses in ``team``."""
        read = self._directory.get(team)
        fresh = read is not None and self.monotonic() - read[0] < self.DIRECTORY_FRESH_SECONDS
        if fresh or len(emails) > self.STRAGGLERS:
            if not fresh:
                self._directory[team] = (self.monotonic(), await self._sweep(team, client))
            directory = self._directory[team][1]
            return {e: directory[e] for e in emails if e in directory}
        found: dict[str, Sender] = {}
        for email in emails:
            sender = await self._lookup(client, team, email)
            if sender is not None:
                found[email] = sender
        return found

    async def _sweep(self, team: str, client: AsyncWebClient) -> dict[str, Sender]:
        """Everyone in the workspace with an e-mail address (users.list, page by page)."""
        by_email: dict[str, Sender] = {}
        cursor: str | None = None
        while True:
            data = await self._call(client, "users.list", self.list_pace, limit=self.PAGE, cursor=cursor)
            for member in data.get("members") or []:
                sender = _sender(member, team)
                if sender is not None and sender.email:
                    by_email[sender.email.lower()] = sender
            cursor = str((data.get("response_metadata") or {}).get("next_cursor") or "") or None
            if cursor is None:
                return by_email

    async def _lookup(self, client: AsyncWebClient, team: str, email: str) -> Sender | None:
        try:
            data = await self._call(client, "users.lookupByEmail", self.pace, email=email)
        except SlackApiError as err:
            if error_code(err) == "users_not_found":
                return None
            raise
        return _sender(data.get("user") or {}, team, email)

    async def _call(self, client: AsyncWebClient, method: str, pace: float, **args: Any) -> dict[str, Any]:
        """One call, no faster than ``pace`` seconds after the last of its kind; a 429 is waited out
        for its Retry-After (a few times at most)."""
        for attempt in range(self.MAX_RATE_LIMIT_WAITS + 1):
            wait = self._last_call.get(method, -1e18) + pace - self.monotonic()
            if wait > 0:
                await self.sleep(wait)
            self._last_call[method] = self.monotonic()
            try:
                return await call(client, method, **args)
            except SlackApiError as err:
                status = int(getattr(err.response, "status_code", 0) or 0)
                if (
                    status != 429 and error_code(err) != "ratelimited"
                ) or attempt == self.MAX_RATE_LIMIT_WAITS:
                    raise
                asked = retry_after(getattr(err.response, "headers", None) or {})
                wait = 30.0 if asked is None else asked
                log.info("Slack: %s rate limited; waiting %gs as asked", method, wait)
                await self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- memory -----------------------------------------------------------------------------------------
    def _recent(self, table: dict[str, tuple[float, Any]], email: str, within: float) -> Any:
        entry = table.get(email)
        if entry is None or self.monotonic() - entry[0] >= within:
            return None
        return entry[1]

    def _remember(self, table: dict[str, Any], email: str, value: Any) -> None:
        if len(table) >= self.MAX_ENTRIES:
            table.clear()
        table[email] = value


def _sender(user: dict[str, Any], team: str, email: str | None = None) -> Sender | None:
    """A Slack member as the bot's neutral sender; None for bots, deactivated accounts and Slackbot."""
    if not user.get("id") or user.get("is_bot") or user.get("deleted") or user.get("id") == "USLACKBOT":
        return None
    profile = user.get("profile") or {}
    address = email or profile.get("email")
    if not address:
        return None
    return Sender(
        platform="slack",
        external_id=str(user["id"]),
        email=str(address),
        workspace=str(user.get("team_id") or team),
        display_name=str(user.get("real_name") or profile.get("real_name") or ""),
        timezone=user.get("tz") or None,
    )


def _describe(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return error_code(exc) or f"HTTP {getattr(exc.response, 'status_code', '?')}"
    return type(exc).__name__
