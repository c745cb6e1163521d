"""The Teams sender for the outbox dispatcher: proactive messages through ``continue_conversation``.

The dispatcher paces and retries; this class delivers one message into the person's personal chat with
the bot, using the conversation reference stored when they last wrote there, and says how it went, as
``bot/sending.py`` asks:

* no stored reference (the person never opened a personal chat with the bot) → :class:`NotReachable`,
  which coordinators see; the message is never dropped silently;
* 403 or 404 from the Bot Connector (the app was uninstalled or blocked, the chat is gone) →
  :class:`NotReachable`;
* 429, 5xx, a timeout or a network error → :class:`RetryLater`, with the ``Retry-After`` seconds when
  the connector sent them;
* anything else the connector refuses (a malformed card, 413 too large) → :class:`PermanentFailure`.

Rate limits. Teams allows a bot about 7 messages per second into one conversation (and 60 per 30 s) and
throttles a bot across all its conversations too. Nudges are not urgent, so the sender asks the
dispatcher for one message per second per conversation and 20 per second across the tenant, well
inside both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.exceptions import ClientRequestError
from msrest.exceptions import HttpOperationError

from bot.messages import Message
from bot.model import ChatIdentity
from bot.model import Person
from bot.sending import NotReachable
from bot.sending import PermanentFailure
from bot.sending import RateLimit
from bot.sending import RetryLater
from handlers.teams.references import conversation_id
from handlers.teams.references import reference_from

log = logging.getLogger(__name__)

ActivitiesFor = Callable[[Message], list[Activity]]
RATE_LIMIT = RateLimit(per_second=1.0, global_per_second=20.0)  # see "Rate limits" above


@dataclass(eq=False, repr=False)  # one sender per channel, compared by identity; no repr of its credentials
class TeamsSender:
    """``activities_for(message)`` renders a message as the activities to send;
    ``service_url_allowed(url)`` says whether this mode trusts a stored conversation's connector (None:
    every one); ``count_error(kind)`` counts a send Teams did not take (the per-channel error counter)."""

    platform = "teams"
    adapter: CloudAdapter
    app_id: str
    activities_for: ActivitiesFor
    service_url_allowed: Callable[[str], bool] | None = None
    count_error: Callable[[str], None] = lambda kind: None
    rate_limit: RateLimit = RATE_LIMIT

    def rate_key(self, identity: ChatIdentity) -> str:
        return f"teams:{conversation_id(identity) or identity.external_id}"

    async def send(self, person: Person, identity: ChatIdentity, message: Message) -> None:
        reference = reference_from(identity)
        if reference is None:
            raise NotReachable(
                "no Teams conversation yet: the person has not opened a personal chat with the bot"
            )
        if self.service_url_allowed is not None and not self.service_url_allowed(reference.service_url):
            # stored before the allow-list existed, or under another mode: never send a person's messages
            # to a connector this mode does not trust
            raise NotReachable("the stored Teams conversation names a service URL this mode does not trust")
        activities = self.activities_for(message)
        failures: list[Exception] = []

        async def deliver(turn_context: TurnContext) -> None:
            # caught here: the adapter's pipeline would hand it to the turn-error handler, which only logs
            try:
                await turn_context.send_activities(activities)
            except Exception as err:
                failures.append(err)

        try:
            await self.adapter.continue_conversation(reference, deliver, bot_app_id=self.app_id or None)
            if failures:
                raise failures[0]
        except HttpOperationError as err:
            self.count_error(error_kind(err))
            raise translate_error(err) from err
        except (ClientRequestError, aiohttp.ClientError, TimeoutError, ConnectionError) as err:
            self.count_error("network")
            raise RetryLater(f"network: {type(err).__name__}") from err


def error_kind(err: BaseException) -> str:
    """How a failure is counted: ``http_<status>`` for a connector answer, else the exception's name."""
    status = getattr(getattr(err, "response", None), "status_code", None)
    return f"http_{status}" if status else type(err).__name__


def translate_error(err: HttpOperationError) -> Exception:
    """A Bot Connector error as the dispatcher's RetryLater / NotReachable / PermanentFailure."""
    response = getattr(err, "response", None)
    status = int(getattr(response, "status_code", 0) or 0)
    retry_after = _retry_after(getattr(response, "headers", None))
    if status == 429:
        return RetryLater("Teams throttled the bot (429)", retry_after)
    if status >= 500 or status == 0:
        return RetryLater(f"Bot Connector error {status or 'without status'}", retry_after)
    if status in (403, 404):
        return NotReachable(f"Teams refused the conversation ({status}): the app was removed or blocked")
    return PermanentFailure(f"Teams refused the message ({status})")


def _retry_after(headers: object) -> float | None:
    if headers is None or not hasattr(headers, "get"):
        return None
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
