"""Slack Web API calls, all through :func:`call`, plus two small caches (who a user is, their DM channel).

:func:`call` refuses any method missing from :data:`~handlers.slack.capabilities.WEB_API_METHODS`, so
the manifest's scopes always cover what the code calls.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.errors import SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.messages import Attachment
from bot.messages import Message
from bot.messages import Sender
from handlers.slack.capabilities import WEB_API_METHODS

log = logging.getLogger(__name__)

READ_METHODS = frozenset(
    {"users.info", "users.lookupByEmail", "users.list"}
)  # form/query parameters, not JSON


async def call(client: AsyncWebClient, method: str, **args: Any) -> dict[str, Any]:
    """Call ``method``; returns the response data. Raises SlackApiError as slack_sdk does."""
    if method not in WEB_API_METHODS:
        raise LookupError(f"{method} is not in handlers/slack/capabilities.py: add it with its scopes")
    args = {k: v for k, v in args.items() if v is not None}
    if method in READ_METHODS:
        response = await client.api_call(method, http_verb="GET", params=args)
    else:
        response = await client.api_call(method, json=args)
    data = response.data
    return data if isinstance(data, dict) else {}


async def upload(client: AsyncWebClient, channel: str, attachment: Attachment) -> None:
    """Share a file (a calendar invite) in ``channel``: files.getUploadURLExternal, the upload itself,
    files.completeUploadExternal (slack_sdk's files_upload_v2; both methods are in the capabilities table)."""
    await client.files_upload_v2(
        channel=channel, content=attachment.content, filename=attachment.filename, title=attachment.filename
    )


async def share_files(client: AsyncWebClient, channel: str, message: Message) -> None:
    """Upload the message's files after it. A failed upload is logged, not raised: the message itself
    arrived, and sending it again to retry the file would say everything twice."""
    for attachment in (b for b in message.blocks if isinstance(b, Attachment)):
        try:
            await upload(client, channel, attachment)
        except (SlackApiError, SlackRequestError, aiohttp.ClientError, TimeoutError) as err:
            log.warning("could not share %s on Slack: %s", attachment.filename, err)


def error_code(err: SlackApiError) -> str:
    try:
        return str(err.response.get("error") or "")
    except AttributeError:
        return ""


class Directory:
    """Who a Slack user is (email, time zone, name), from users.info, cached for an hour.

    The email is what links a Slack user to a programme person on first contact; afterwards the bot
    finds them by their Slack id, so a cache miss costs one Tier 4 call per hour per active user.
    """

    TTL_SECONDS = 3600.0
    MAX_ENTRIES = 20_000

    def __init__(self) -> None:
        self._people: dict[tuple[str, str], tuple[float, Sender | None]] = {}
        self._dm_channels: dict[tuple[str, str], str] = {}

    async def sender(self, client: AsyncWebClient, team_id: str, user_id: str) -> Sender | None:
        """The neutral sender for ``user_id``; None for bots and app users, who are never answered."""
        if not user_id:
            return None
        key = (team_id, user_id)
        cached = self._people.get(key)
        if cached is not None and time.monotonic() - cached[0] < self.TTL_SECONDS:
            return cached[1]
        try:
            data = await call(client, "users.info", user=user_id)
        except SlackApiError:
            # without the profile the bot can still recognise people it has met before
            return Sender(platform="slack", external_id=user_id, workspace=team_id)
        user = data.get("user") or {}
        sender: Sender | None
        if user.get("is_bot") or user.get("deleted"):
            sender = None
        else:
            profile = user.get("profile") or {}
            sender = Sender(
                platform="slack",
                external_id=user_id,
                email=(profile.get("email") or None),
                workspace=team_id or str(user.get("team_id") or ""),
                display_name=str(profile.get("display_name") or user.get("real_name") or ""),
                timezone=(user.get("tz") or None),
            )
        if len(self._people) >= self.MAX_ENTRIES:
            self._people.clear()
        self._people[key] = (time.monotonic(), sender)
        return sender

    def remember_dm(self, team_id: str, user_id: str, channel: str) -> None:
        """Keep the DM channel Slack answered a post to ``user_id`` with (no conversations.open later)."""
        if len(self._dm_channels) >= self.MAX_ENTRIES:
            self._dm_channels.clear()
        self._dm_channels[(team_id, user_id)] = channel

    async def dm_channel(self, client: AsyncWebClient, team_id: str, user_id: str) -> str:
        """The bot's direct-message channel with ``user_id`` (conversations.open; cheap to repeat)."""
        key = (team_id, user_id)
        channel = self._dm_channels.get(key)
        if channel is None:
            data = await call(client, "conversations.open", users=user_id)
            channel = str((data.get("channel") or {}).get("id") or "")
            if not channel:
                raise LookupError(f"conversations.open returned no channel for {user_id}")
            if len(self._dm_channels) >= self.MAX_ENTRIES:
                self._dm_channels.clear()
            self._dm_channels[key] = channel
        return channel


def retry_after(headers: object) -> float | None:
    """The seconds of a ``Retry-After`` header (a dict, or aiohttp's case-insensitive multidict), or None
    when there is none or it is not a number; each caller decides what None means for it."""
    items = getattr(headers, "items", None)
    for name, value in items() if callable(items) else []:
        if str(name).lower() == "retry-after":
            text = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(0.0, float(text))
            except (TypeError, ValueError):
                return None
    return None
