"""The Slack sender for the outbox dispatcher: proactive messages (nudges, notices, announcements).

The dispatcher paces and retries; this class only delivers one message and says how it went, as the
contract in ``bot/sending.py`` asks: :class:`RetryLater` (429 with its Retry-After, 5xx, network
trouble), :class:`NotReachable` (the person cannot be messaged: deactivated, app removed from the
workspace) or :class:`PermanentFailure` (Slack refused the message itself). It posts to the person's user
id (Slack opens the DM itself); the DM channel ids Slack answers with are kept in memory for the
interactive listeners. It writes nothing to the database.

Its client deliberately has no rate-limit retry handler: waiting out a Retry-After inside ``send`` would
hold up the dispatcher, which reschedules the delivery instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.catalogue import TextLookup
from bot.messages import Message
from bot.model import ChatIdentity
from bot.model import Person
from bot.sending import NotReachable
from bot.sending import PermanentFailure
from bot.sending import RateLimit
from bot.sending import RetryLater
from handlers.slack.render import RenderError
from handlers.slack.render import render_message
from handlers.slack.web import Directory
from handlers.slack.web import call
from handlers.slack.web import error_code
from handlers.slack.web import retry_after as parse_retry_after
from handlers.slack.web import share_files

log = logging.getLogger(__name__)

# the person (or the whole workspace) cannot be messaged by the bot
UNREACHABLE_ERRORS = frozenset(
    {
        "user_not_found",
        "user_disabled",
        "user_is_bot",
        "cannot_dm_bot",
        "channel_not_found",
        "is_archived",
        "messages_tab_disabled",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "invalid_auth",
        "not_authed",
        "team_access_not_granted",
        "team_not_found",
        "org_login_required",
        "ekm_access_denied",
        "not_in_channel",
        "restricted_action",
    }
)
# Slack's side is having trouble; worth trying again later
TEMPORARY_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)

ClientFor = Callable[[str], Awaitable[AsyncWebClient | None]]
# chat.postMessage: about one message per second per channel; several hundred a minute per workspace
# (SLACK_SEND_RATE sets the workspace's pace)
DEFAULT_RATE_LIMIT = RateLimit(per_second=1.0, global_per_second=5.0)


@dataclass(eq=False, repr=False)  # one sender per channel, compared by identity; no repr of its credentials
class SlackSender:
    """``client_for(workspace)`` gives the Web API client of an installed workspace (None: not
    installed); ``close`` closes their HTTP session; ``count_error(kind)`` counts a send Slack did not
    take; ``link_by_email`` finds and links a person with no Slack identity yet
    (``handlers.slack.linker``)."""

    platform = "slack"
    client_for: ClientFor
    texts: TextLookup
    directory: Directory
    close: Callable[[], Awaitable[None]]
    count_error: Callable[[str], None] = lambda kind: None
    rate_limit: RateLimit = DEFAULT_RATE_LIMIT
    link_by_email: Callable[[Person], Awaitable[ChatIdentity]] | None = None

    async def aclose(self) -> None:
        """Close the HTTP session (the dispatcher calls this on shutdown and after ``mentorbot tick``)."""
        await self.close()

    async def locate(self, person: Person) -> ChatIdentity:
        """Find (and link) a person who has no identity yet by their e-mail (``handlers.slack.linker``);
        the dispatcher asks when a delivery finds no way to reach them. NotReachable with the reason."""
        if self.link_by_email is None:
            raise NotReachable("Slack cannot look people up here", no_identity=True)
        return await self.link_by_email(person)

    def rate_key(self, identity: ChatIdentity) -> str:
        # one DM channel per (workspace, user): the key Slack limits postings on
        return f"slack:{identity.workspace}:{identity.external_id}"

    async def send(self, person: Person, identity: ChatIdentity, message: Message) -> None:
        client = await self.client_for(identity.workspace)
        if client is None:
            raise NotReachable(f"the Slack app is not installed in workspace {identity.workspace or '?'}")
        try:
            payloads = render_message(message, self.texts)
        except RenderError as err:
            raise PermanentFailure(str(err)) from err
        # Posting to the user id makes Slack open (or find) the bot's DM with them itself, so no
        # conversations.open (Tier 3, ~50/min) is needed first -- not even after a restart. Slack answers
        # with the DM channel id, which file uploads need and the interactive listeners reuse.
        channel = ""
        try:
            for payload in payloads:
                data = await call(client, "chat.postMessage", channel=identity.external_id, **payload)
                channel = channel or str(data.get("channel") or "")
        except SlackApiError as err:
            self.count_error(error_code(err) or f"http_{getattr(err.response, 'status_code', 0)}")
            raise translate_error(err) from err
        except (TimeoutError, aiohttp.ClientError) as err:
            self.count_error("network")
            raise RetryLater(f"network: {type(err).__name__}") from err
        if channel:
            self.directory.remember_dm(identity.workspace, identity.external_id, channel)
            await share_files(client, channel, message)


def translate_error(err: SlackApiError, method: str = "chat.postMessage") -> Exception:
    """A Slack API error as the dispatcher's RetryLater / NotReachable / PermanentFailure.

    chat.postMessage is limited per channel, so its 429 holds back only that person's DM; the tiered
    methods (users.list, users.lookupByEmail) are limited per workspace, so their 429 holds back all of
    Slack.
    """
    response = err.response
    status = int(getattr(response, "status_code", 0) or 0)
    code = error_code(err)
    retry_after = parse_retry_after(getattr(response, "headers", None) or {})
    if status == 429 or code == "ratelimited":
        return RetryLater(
            f"rate limited (429) on {method}", retry_after, platform_wide=method != "chat.postMessage"
        )
    if status >= 500 or code in TEMPORARY_ERRORS:
        return RetryLater(f"Slack error {status} {code}".strip(), retry_after)
    if code in UNREACHABLE_ERRORS:
        return NotReachable(f"Slack: {code}")
    return PermanentFailure(f"Slack refused the message: {code or status}")
