"""Conversation references: how the bot finds a person's Teams chat again to message them first.

A bot can start a message in Teams only into a conversation it has a reference for (otherwise Teams
answers 403). The reference of the person's *personal* chat with the bot is kept in their Teams
``ChatIdentity.address`` and refreshed from every activity that arrives there, so a changed service URL
is picked up at once. References from group chats and team channels are never stored: a nudge about a
relationship must not land in a shared chat.

The address is a plain dict (a JSON column): ``{"reference": <ConversationReference as JSON>}``. The id of
the activity it came from is dropped, so an unchanged reference is not written again on every message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity
from botbuilder.schema import ConversationReference

from bot.model import ChatIdentity

REFERENCE_KEY = "reference"


def address_of(activity: Activity) -> dict[str, Any]:
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    data: dict[str, Any] = reference.serialize()
    return {REFERENCE_KEY: data}


def reference_from(identity: ChatIdentity) -> ConversationReference | None:
    """The stored reference, or None when the person never wrote to the bot in a personal chat."""
    data = (identity.address or {}).get(REFERENCE_KEY)
    if not isinstance(data, dict):
        return None
    reference = ConversationReference.deserialize(data)
    if reference.conversation is None or not reference.conversation.id or not reference.service_url:
        return None
    return reference


def conversation_id(identity: ChatIdentity) -> str | None:
    data = (identity.address or {}).get(REFERENCE_KEY)
    if isinstance(data, dict):
        conversation = data.get("conversation")
        if isinstance(conversation, dict) and conversation.get("id"):
            return str(conversation["id"])
    return None


def may_replace(stored: Mapping[str, Any], new: dict[str, Any]) -> bool:
    """For an unauthenticated (local-mode) request: whether its address ``new`` may replace the stored
    one. Only when it names the same connector (service URL) and the same Teams user: such a request
    cannot redirect where a person's messages go. (Authenticated requests always refresh it.)"""
    return _same_account(stored.get(REFERENCE_KEY), new[REFERENCE_KEY])


def _same_account(stored: object, new: dict[str, Any]) -> bool:
    """Whether ``new`` may replace ``stored``: nothing stored yet, or the same service URL and user."""
    if not isinstance(stored, dict):
        return True

    def user_id(data: dict[str, Any]) -> object:
        user = data.get("user")
        return user.get("id") if isinstance(user, dict) else None

    return bool(stored.get("serviceUrl") == new.get("serviceUrl") and user_id(stored) == user_id(new))
