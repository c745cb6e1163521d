"""What a workflow handler gets: the person, their transaction, the programme, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import closure
from bot.clock import Clock
from bot.errors import InvalidInput
from bot.errors import NotPermitted
from bot.errors import StaleAction
from bot.messages import Inbound
from bot.messages import quote
from bot.model import AuditEvent
from bot.model import Conversation
from bot.model import Person
from bot.model import Relationship
from bot.ports import ContentAccess
from bot.ports import UnitOfWork
from bot.programme import ProgrammeConfig
from bot.readers import Reader
from bot.readers import reader_of
from bot.timefmt import show_date


@dataclass
class Context:
    uow: UnitOfWork
    person: Person
    programme: ProgrammeConfig
    clock: Clock
    inbound: Inbound

    # -- people and time ---------------------------------------------------------------------
    @property
    def person_id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    @property
    def roles(self) -> list[str]:
        return list(self.person.roles)

    def now(self) -> datetime:
        return self.clock.now()

    def tz(self, person: Person | None = None) -> ZoneInfo:
        return ZoneInfo((person or self.person).timezone)

    def today(self, person: Person | None = None) -> date:
        return self.now().astimezone(self.tz(person)).date()

    def text(self, key: str, **values: object) -> str:
        """The catalogue text ``key``; text values filled in are quoted (``bot.messages.quote``), so a
        renderer shows whatever a person wrote as plain text, never as the bot's formatting."""
        return self.programme.text(
            key, **{k: quote(v) if isinstance(v, str) else v for k, v in values.items()}
        )

    def text_for(self, key: str, reader: Reader, **values: object) -> str:
        """:meth:`text` in the words written for ``reader`` (``bot.readers``)."""
        return self.text(self.programme.catalogue.resolve(key, reader), **values)

    def reader(self, relationship: Relationship) -> Reader:
        """This person as a reader of texts about ``relationship``."""
        return reader_of(relationship, self.person_id)

    # -- data access -------------------------------------------------------------------------
    def content(self) -> ContentAccess:
        """Content of the person's own relationships; anything else is refused by storage."""
        return self.uow.content(self.person)

    def my_relationship(self, relationship_id: str | int | None) -> Relationship:
        """The relationship named in a command or form, which must be one of the person's.

        With no id given and exactly one active relationship, that one is meant.
        An ended relationship is refused with a friendly word on when it ended (and whether a closing
        reflection can still be written): nothing but the reflection works on it any more.
        """
        if relationship_id in (None, ""):
            mine = self.content().relationships()
            active = [r for r in mine if r.status != "ended"]
            if len(active) == 1:
                return active[0]
            if not active:
                if mine:
                    raise self.ended(_latest(mine))
                raise NotPermitted("error.no_relationship")
            raise InvalidInput("error.which_relationship", choices=", ".join(f"#{r.id}" for r in active))
        try:
            rid = int(str(relationship_id).lstrip("#"))
        except ValueError:
            raise InvalidInput(
                "error.invalid_input", reason=f"“{relationship_id}” is not a relationship number"
            ) from None
        rel = self.content().relationship(rid)
        if closure.is_ended(rel):
            raise self.ended(rel)
        return rel

    def live_relationships(self) -> list[Relationship]:
        """The person's relationships that have not ended; when all of theirs have, the friendly refusal."""
        mine = self.content().relationships()
        live = [r for r in mine if not closure.is_ended(r)]
        if not live and mine:
            raise self.ended(_latest(mine))
        return live

    def ended(self, rel: Relationship) -> NotPermitted:
        """The refusal for anything but a closing reflection on an ended relationship."""
        day = closure.ended_on(rel, self.programme.zone)
        until = closure.reflection_until(rel, self.programme.zone)
        still = (
            self.text("closure.ended.still_reflect", until=show_date(until), number=rel.id)
            if until is not None and self.today() <= until
            else ""
        )
        return NotPermitted(
            "closure.ended.refused", number=rel.id, date=show_date(day) if day else "—", still=still
        )

    def audit(self, action: str, target: str = "", *, outcome: str = "ok", **detail: Any) -> None:
        self.uow.audit.record(
            AuditEvent(
                at=self.now(),
                action=action,
                actor_id=self.person.id,
                target=target,
                outcome=outcome,
                detail=dict(detail),
            )
        )

    # -- multi-step conversations ------------------------------------------------------------
    def conversation(self, flow: str) -> Conversation | None:
        conv = self.uow.conversations.get(self.person_id)
        return conv if conv is not None and conv.flow == flow else None

    def start(self, flow: str, step: str, **data: Any) -> Conversation:
        conv = self.uow.conversations.get(self.person_id)
        if conv is None:
            conv = Conversation(
                person_id=self.person_id,
                flow=flow,
                step=step,
                data=dict(data),
                version=1,
                updated_at=self.now(),
            )
        else:
            conv.flow, conv.step, conv.data = flow, step, dict(data)
            conv.version += 1
            conv.updated_at = self.now()
        self.uow.conversations.save(conv)
        return conv

    def advance(self, conv: Conversation, step: str, **data: Any) -> Conversation:
        conv.step = step
        conv.data = {**conv.data, **data}
        conv.version += 1
        conv.updated_at = self.now()
        self.uow.conversations.save(conv)
        return conv

    def expect(self, flow: str, values: dict[str, str], *steps: str) -> Conversation:
        """The person's conversation in ``flow``, checked against the version a form or button carries.

        Raises :class:`StaleAction` for a form from an earlier step, a finished flow, or a form sent
        again after it was already handled.
        """
        conv = self.conversation(flow)
        if conv is None or (steps and conv.step not in steps):
            raise StaleAction()
        if values.get("v") != str(conv.version):
            raise StaleAction()
        return conv

    def finish(self) -> None:
        self.uow.conversations.clear(self.person_id)


def _latest(rels: list[Relationship]) -> Relationship:
    return max(rels, key=lambda r: (r.ended_at.timestamp() if r.ended_at else 0.0, r.id or 0))
