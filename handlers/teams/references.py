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

import logging
from datetime import datetime
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference

from bot.model import ChatIdentity, Platform
from bot.ports import UnitOfWorkFactory

REFERENCE_KEY = "reference"
log = logging.getLogger(__name__)


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


def save_address(
    uow_factory: UnitOfWorkFactory,
    person_id: int,
    address: dict[str, Any],
    now: datetime,
    *,
    rebind: bool = True,
) -> bool:
    """Store ``address`` on the person's Teams identity; True when it changed.

    Runs after the bot handled the message, so the identity exists (the bot links it on first contact).
    With ``rebind=False`` (an unauthenticated, local-mode request) a stored reference is only refreshed
    when it names the same connector (service URL) and the same Teams user: such a request cannot redirect
    where a person's messages go.
    """
    with uow_factory() as uow:
        person = uow.people.get(person_id)
        if person is None:
            return False
        identity = person.identity(Platform.TEAMS)
        if identity is None or identity.address == address:
            return False
        stored = (identity.address or {}).get(REFERENCE_KEY)
        if not rebind and not _same_account(stored, address[REFERENCE_KEY]):
            log.warning("Teams local mode: kept the stored conversation reference (other connector or user)")
            return False
        identity.address = dict(address)
        identity.updated_at = now
        uow.commit()
        return True


def _same_account(stored: object, new: dict[str, Any]) -> bool:
    """Whether ``new`` may replace ``stored``: nothing stored yet, or the same service URL and user."""
    if not isinstance(stored, dict):
        return True

    def user_id(data: dict[str, Any]) -> object:
        user = data.get("user")
        return user.get("id") if isinstance(user, dict) else None

    return bool(stored.get("serviceUrl") == new.get("serviceUrl") and user_id(stored) == user_id(new))
