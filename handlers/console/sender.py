"""The console/log channel: how *console people* receive their messages.

A console person is someone with a ``console`` identity -- they talked to the bot with ``mentorbot chat``,
which links them on their first line as Slack and Teams do on a first message -- and with no Slack or
Teams account the bot knows or can find (a chat platform always comes first).  Their messages are
recorded as sent on channel ``console`` (with the full message kept in the delivery row), and the log
gets one line saying so -- without the text, because logs never carry what people wrote
(``mentorbot.logs``).  ``mentorbot tick --show`` prints the text, for demos and for operators walking a
pair through time.

Nobody else is ever served here: a person with no identity at all is looked for on the chat platforms
and, until found, their deliveries stay ``unreachable`` with the reason (``scheduler.dispatch``).  So a
message meant for a Slack or Teams person is never printed and recorded as sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.messages import Message
from bot.model import ChatIdentity
from bot.model import Person
from bot.model import Platform
from bot.sending import RateLimit
from handlers.console.render import render_message

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
            "message for person %s delivered on the console/log channel (a console person)",
            person.id,
            extra={"person_id": person.id, "channel": self.platform},
        )
        if self.sink is not None:
            self.sink(f"to {person.name} <{person.email}> (console):\n{render_message(message)}\n")
        self.delivered += 1
