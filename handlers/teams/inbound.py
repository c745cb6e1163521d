"""Bot Framework activities read as neutral terms: who sent it, in which kind of chat, what they said.

Pure functions over botbuilder's ``Activity``; the network (the roster lookup) stays in
:mod:`handlers.teams.listeners`.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from botbuilder.schema import Activity

from bot.messages import Sender
from bot.model import Platform

PERSONAL = "personal"

_AT_TAG = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def conversation_type(activity: Activity) -> str:
    """``personal``, ``groupChat`` or ``channel`` (a team channel)."""
    conversation = activity.conversation
    kind = getattr(conversation, "conversation_type", None) if conversation else None
    return kind or PERSONAL


def is_personal(activity: Activity) -> bool:
    return conversation_type(activity) == PERSONAL


MAX_TENANT_ID = 100  # tenant ids are GUIDs; anything longer is not one


def tenant_id(activity: Activity) -> str:
    """The tenant id when the activity carries a plausible one (a short string), else empty."""
    conversation = activity.conversation
    candidates = [getattr(conversation, "tenant_id", None) if conversation is not None else None]
    data = activity.channel_data
    if isinstance(data, dict) and isinstance(data.get("tenant"), dict):
        candidates.append(data["tenant"].get("id"))
    for candidate in candidates:
        if isinstance(candidate, str) and 0 < len(candidate) <= MAX_TENANT_ID:
            return candidate
    return ""


def user_external_id(activity: Activity) -> str:
    """The stable id of the person: the Entra (AAD) object id, else the Bot Framework user id."""
    sender = activity.from_property
    if sender is None:
        return ""
    return str(getattr(sender, "aad_object_id", None) or sender.id or "")


def sender_of(activity: Activity, email: str | None) -> Sender:
    sender = activity.from_property
    return Sender(
        platform=Platform.TEAMS,
        external_id=user_external_id(activity),
        email=email or None,
        workspace=tenant_id(activity),
        display_name=str(getattr(sender, "name", "") or "") if sender else "",
        timezone=_timezone(activity),
    )


def typed_text(activity: Activity) -> str:
    """What the person typed, without the bot's @mention (group chats and channels prefix it)."""
    text = activity.text or ""
    recipient_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        if str(getattr(entity, "type", "") or "").lower() != "mention":
            continue
        props: dict[str, Any] = getattr(entity, "additional_properties", None) or {}
        mentioned = props.get("mentioned") or {}
        if recipient_id and isinstance(mentioned, dict) and mentioned.get("id") == recipient_id:
            mention_text = props.get("text") or f"<at>{mentioned.get('name', '')}</at>"
            text = text.replace(str(mention_text), " ")
    if not is_personal(activity):
        text = _AT_TAG.sub(" ", text)  # any other mention in a group message is not a command word
    return " ".join(text.split())


def card_data(activity: Activity) -> Any:
    """The data of a pressed ``Action.Submit`` (a message activity whose ``value`` is set)."""
    return activity.value


def _timezone(activity: Activity) -> str | None:
    name = getattr(activity, "local_timezone", None)
    if not name:
        for entity in activity.entities or []:
            if getattr(entity, "type", None) == "clientInfo":
                props = getattr(entity, "additional_properties", None) or {}
                name = props.get("timezone")
                break
    if not name:
        return None
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return str(name)
