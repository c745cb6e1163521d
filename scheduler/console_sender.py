"""The console/log channel: how people without a chat identity receive their messages.

Someone in the roster who has never talked to the bot on Slack or Teams (and so has no identity there)
is not left out: each of their messages is delivered on the console/log channel.  The outbox records it
as sent on channel ``console`` (with the full message kept in the delivery row), and the log gets one
line saying so -- without the text, because logs never carry what people wrote (``mentorbot.logs``).
``mentorbot tick --show`` prints the text of these messages, for demos and for operators who relay
them by hand.  ``mentorbot chat`` users have a ``console`` identity and are served the same way.

A person who *does* have a Slack or Teams identity is never routed here: if that platform's sender is
not configured, the delivery is reported as unreachable instead (``scheduler.dispatch``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.messages import Message
from bot.model import ChatIdentity, Person, Platform
from handlers.console.render import render_message
from scheduler.sending import RateLimit

log = logging.getLogger("mentorbot.console")


class ConsoleLogSender:
    platform: str = Platform.CONSOLE.value
    rate_limit = RateLimit(per_second=1000.0, global_per_second=10_000.0)

    def __init__(self, sink: Callable[[str], None] | None = None) -> None:
        """``sink`` receives each message as the terminal shows it (``mentorbot tick --show``)."""
        self.sink = sink
        self.delivered = 0

    def rate_key(self, identity: ChatIdentity) -> str:
        return identity.external_id

    async def send(self, person: Person, identity: ChatIdentity, message: Message) -> None:
        log.info(
            "message for person %s delivered on the console/log channel (no chat identity)",
            person.id,
            extra={"person_id": person.id, "channel": self.platform},
        )
        if self.sink is not None:
            self.sink(f"to {person.name} <{person.email}> (console):\n{render_message(message)}\n")
        self.delivered += 1


def console_identity(person: Person) -> ChatIdentity:
    """The console identity of a person without one: their e-mail address, as ``mentorbot chat`` uses."""
    existing = person.identity(Platform.CONSOLE)
    if existing is not None:
        return existing
    return ChatIdentity(platform=Platform.CONSOLE.value, external_id=person.email.strip().lower())
