"""The bot: one entry point for every channel.

``MentorBot.handle`` takes a neutral :class:`~bot.messages.Inbound`, finds the person, routes to the
workflow, commits, and returns neutral messages. Every error becomes a friendly reply here; a traceback
never reaches a chat. Channels (console, Slack, Teams) only translate to and from this.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace

from bot.clock import Clock
from bot.context import Context
from bot.errors import LinkUsed
from bot.errors import NotPermitted
from bot.errors import Unavailable
from bot.errors import UserFacingError
from bot.messages import Inbound
from bot.messages import Message
from bot.messages import Reply
from bot.messages import Sender
from bot.messages import Text
from bot.model import ChatIdentity
from bot.model import Delivery
from bot.model import Person
from bot.model import Platform
from bot.notices import enqueue_notices
from bot.ports import UnitOfWork
from bot.ports import UnitOfWorkFactory
from bot.programme import ProgrammeConfig
from bot.routing import Router
from bot.serialize import message_to_dict
from bot.validation import storable_text

log = logging.getLogger(__name__)

REPLY_KIND = "reply"  # an answer a channel could not post at once, sent later from the outbox


@dataclass
class Handled:
    """The answer to one inbound message."""

    messages: list[Message]
    replace: bool = False
    person_id: int | None = None
    # True when the messages only explain why nothing was done (bad input, a stale form, an outage):
    # a channel can then keep a submitted form open with the explanation instead of closing it
    failed: bool = False
    # the delivery was handled before (a platform's retry): nothing to send
    duplicate: bool = False
    # the sender is not known by their platform id and came without a profile (``Sender.profile_pending``):
    # look them up and ask again; nothing was written
    unknown: bool = False


class MentorBot:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        programme: ProgrammeConfig,
        clock: Clock,
        router: Router | None = None,
    ) -> None:
        from bot.workflows import build_router

        self.uow_factory = uow_factory
        self.programme = programme
        self.clock = clock
        self.router = router or build_router()

    # -- the one entry point -------------------------------------------------------------------
    def handle(self, inbound: Inbound) -> Handled:
        """One turn, in one transaction: the person (linked on first contact), their address, whatever
        the workflow writes and the delivery's record are committed together.

        The delivery is recorded last, just before the commit: on SQLite the first write of a
        transaction takes the database's one write lock, and recording first would hold it while the
        workflow runs, so that everybody's turns waited for each other. A retry is still recognised: one
        person's turns run one after the other (``bot.turns``), and a retry handled by another process
        waits on the key's unique index (PostgreSQL) or on the write lock (SQLite) for the first
        delivery's commit; whatever it did is then rolled back.
        """
        inbound = storable_inbound(inbound)
        return self._guarded(inbound, lambda: self._turn(inbound))

    def _turn(self, inbound: Inbound) -> Handled:
        with self.uow_factory() as uow:
            opened = self._open_turn(uow, inbound)
            if isinstance(opened, Handled):
                return opened
            person = opened
            ctx = Context(uow, person, self.programme, self.clock, inbound)
            try:
                reply = self._route(ctx)
            except UserFacingError:
                # nothing the workflow did is kept; the person's address and the delivery (so that
                # a retry is not explained twice) are
                uow.rollback()
                self._open_turn(uow, inbound)
                if self._first_delivery(uow, inbound):
                    uow.commit()
                raise
            enqueue_notices(uow, reply.notices, self.clock.now())
            if not self._first_delivery(uow, inbound):
                return Handled([], duplicate=True)
            uow.commit()
            return Handled(reply.messages, reply.replace, person.id)

    def act_by_link(self, person_id: int, link_id: str, action: str, values: dict[str, str]) -> Handled:
        """A button pressed or a form sent from an e-mail link (``handlers.email``): ``action`` for the
        person the link was made for, exactly as if they had pressed it in chat. The link's use is
        recorded in the same transaction as what the action changes, so a link acts once, and a refused
        action (bad input, a stale button) leaves the link usable and nothing changed."""
        sender = Sender(platform=Platform.EMAIL, external_id=str(person_id))
        inbound = storable_inbound(Inbound(sender, action=action, values=values))

        def turn() -> Handled:
            with self.uow_factory() as uow:
                person = uow.people.get(person_id)
                if person is None or not person.in_programme:
                    return Handled(
                        [self._say("error.not_in_programme", coordinator_contact=self._contact(uow))]
                    )
                if not uow.email_links.spend(link_id, person_id, action, self.clock.now()):
                    raise LinkUsed()
                try:
                    reply = self._route(Context(uow, person, self.programme, self.clock, inbound))
                except UserFacingError:
                    uow.rollback()  # nothing the workflow did is kept, nor the link's use
                    raise
                enqueue_notices(uow, reply.notices, self.clock.now())
                uow.commit()
                return Handled(reply.messages, reply.replace, person.id)

        return self._guarded(inbound, turn)

    def _guarded(self, inbound: Inbound, turn: Callable[[], Handled]) -> Handled:
        """``turn()``, with every error as a friendly answer: a traceback never reaches a person."""
        try:
            return turn()
        except UserFacingError as err:
            return Handled([self._error(err)], failed=True)
        except Unavailable:
            return Handled([self._say("error.unavailable")], failed=True)
        except Exception:
            log.exception(
                "unhandled error while handling a message", extra={"platform": inbound.sender.platform}
            )
            return Handled([self._say("error.internal")], failed=True)

    def _first_delivery(self, uow: UnitOfWork, inbound: Inbound) -> bool:
        """Record the delivery in this transaction; False (and nothing kept) for one seen before."""
        key = inbound.event_key
        if not key or uow.events.first_time(f"{inbound.sender.platform}:{key}", self.clock.now()):
            return True
        uow.rollback()
        log.info("a delivery seen before; not handled again", extra={"platform": inbound.sender.platform})
        return False

    def _open_turn(self, uow: UnitOfWork, inbound: Inbound) -> Person | Handled:
        """The person the turn is for, or the whole answer when there is none to route: a sender to look
        up first (``unknown``), or somebody not in the programme (a retry of that: ``duplicate``)."""
        sender = inbound.sender
        person = self._identify(uow, sender)
        if person is None:
            if sender.profile_pending:
                uow.rollback()  # nothing recorded: the channel asks again with the profile
                return Handled([], unknown=True)
            contact = self._contact(uow)
            if not self._first_delivery(uow, inbound):
                return Handled([], duplicate=True)
            uow.commit()
            return Handled([self._say("error.not_in_programme", coordinator_contact=contact)])
        if inbound.address is not None:
            self._store_address(person, inbound)
        return person

    def _store_address(self, person: Person, inbound: Inbound) -> None:
        address, sender = inbound.address, inbound.sender
        identity = person.identity(sender.platform)
        if address is None or identity is None or identity.address == address.data:
            return
        if not sender.verified and identity.address and not address.may_replace(identity.address):
            log.warning("an unverified request: kept the stored address", extra={"platform": sender.platform})
            return
        identity.address = dict(address.data)
        identity.updated_at = self.clock.now()

    # -- linking people to a platform before they write (a channel's directory lookup) ----------
    def unlinked(self, platform: str) -> list[str]:
        """E-mail addresses of people in the programme with no identity on ``platform`` yet."""
        with self.uow_factory() as uow:
            return uow.people.emails_without_identity(platform)

    def link(self, sender: Sender) -> bool:
        """Remember ``sender`` (found by e-mail in the platform's directory, e.g. Slack's
        users.lookupByEmail) as the way to reach the person with that e-mail, exactly as on their first
        message, so that nudges reach them before they ever write. True when they are in the programme."""
        with self.uow_factory() as uow:
            return self._identify(uow, storable_sender(sender)) is not None

    # -- steps -----------------------------------------------------------------------------------
    def _identify(self, uow: UnitOfWork, sender: Sender) -> Person | None:
        if not _plausible(sender):
            log.warning("ignoring a sender with malformed ids", extra={"platform": sender.platform[:20]})
            return None
        person = uow.people.by_identity(sender.platform, sender.external_id)
        if person is not None and _other_workspace(person.identity(sender.platform), sender):
            # the same account id in another workspace (a Slack team, a Teams tenant) is another account:
            # not answered as this person
            log.warning("a known account id wrote from another workspace; answered as a stranger")
            return None
        if person is None and sender.email:
            person = uow.people.by_email(sender.email)
            if person is not None and _other_workspace(person.identity(sender.platform), sender):
                # an account elsewhere with the same e-mail never takes over a linked identity (under a
                # multi-workspace Slack install anyone can create a workspace and claim any address)
                log.warning("an account in another workspace has a linked person's e-mail; not linked")
                return None
            if person is not None and not sender.verified and person.identity(sender.platform) is not None:
                # an unauthenticated request naming a linked person's e-mail would re-bind their identity
                log.warning("an unverified sender has a linked person's e-mail; not linked")
                return None
            if person is not None and person.active:
                self._link(uow, person, sender)
        if person is None or not person.in_programme:
            return None
        return person

    def _link(self, uow: UnitOfWork, person: Person, sender: Sender) -> None:
        """First contact from a platform: remember how to reach this person there."""
        existing = person.identity(sender.platform)
        now = self.clock.now()
        if existing is None:
            # an upsert: another process may be linking the same person's first message right now
            uow.people.add_identity(
                person,
                ChatIdentity(
                    platform=sender.platform,
                    external_id=sender.external_id,
                    workspace=sender.workspace,
                    updated_at=now,
                ),
            )
        else:
            existing.external_id, existing.workspace, existing.updated_at = (
                sender.external_id,
                sender.workspace,
                now,
            )
        if sender.timezone and person.timezone == "UTC":
            person.timezone = sender.timezone
        uow.commit()

    def _route(self, ctx: Context) -> Reply:
        inbound = ctx.inbound
        if inbound.action:
            action = self.router.find_action(inbound.action, ctx.roles)
            return action.handler(ctx, dict(inbound.values))
        text = (inbound.text or "").strip()
        if not text:
            text = "help"
        if len(text) > 4 * self.programme.max_text_length:
            raise UserFacingError("error.too_long", field="message", limit=self.programme.max_text_length)
        command, rest = self.router.find_command(text, ctx.roles)
        return command.handler(ctx, rest)

    def defer_replies(self, person_id: int, messages: list[Message], key: str, platform: str = "") -> int:
        """Put replies a channel could not post now (the platform said 429 for longer than a request
        may wait) into the outbox, where the dispatcher sends them when the platform allows, in order.

        ``key`` names the request they answer (e.g. the Slack event's ts): queueing the same replies
        twice stores them once. Returns how many were queued.
        """
        now = self.clock.now()
        queued = 0
        with self.uow_factory() as uow:
            for n, message in enumerate(messages):
                queued += uow.deliveries.enqueue(
                    Delivery(
                        person_id=person_id,
                        kind=REPLY_KIND,
                        dedupe_key=f"{REPLY_KIND}:{person_id}:{key}:{n}"[:300],
                        payload={"message": message_to_dict(message)},
                        due_at=now,
                        channel=platform,
                        priority=10,  # the person is waiting for it
                        created_at=now,
                    )
                )
            uow.commit()
        return queued

    # -- replies ----------------------------------------------------------------------------------
    def _contact(self, uow: UnitOfWork) -> str:
        """Who a stranger should contact: the programme's ``coordinator_contact`` when it names one of the
        roster's coordinators (by e-mail) or the roster has none; otherwise the roster's coordinators
        themselves, so the message never sends people to somebody who is not coordinating."""
        configured = self.programme.coordinator_contact
        coordinators = sorted(
            (p for p in uow.people.all() if p.is_coordinator and p.in_programme),
            key=lambda p: p.id or 0,
        )
        if not coordinators or any(p.email.lower() in configured.lower() for p in coordinators):
            return configured
        return ", ".join(f"{p.name} ({p.email})" for p in coordinators[:2])

    def _say(self, key: str, **values: object) -> Message:
        text = self.programme.text(key, **values)
        return Message((Text(text),), summary=text[:150])

    def _error(self, err: UserFacingError) -> Message:
        key = err.key if self.programme.catalogue.has(err.key) else type(err).key
        if isinstance(err, NotPermitted) and not self.programme.catalogue.has(key):
            key = "error.not_permitted"
        return self._say(key, **err.values)


def storable_sender(sender: Sender) -> Sender:
    return replace(
        sender,
        external_id=storable_text(sender.external_id),
        email=storable_text(sender.email) if sender.email is not None else None,
        workspace=storable_text(sender.workspace),
        display_name=storable_text(sender.display_name),
        timezone=storable_text(sender.timezone) if sender.timezone is not None else None,
    )


def storable_inbound(inbound: Inbound) -> Inbound:
    """What a person sent, without what can be neither stored nor sent (see ``storable_text``)."""
    return replace(
        inbound,
        sender=storable_sender(inbound.sender),
        text=storable_text(inbound.text) if inbound.text is not None else None,
        action=storable_text(inbound.action) if inbound.action is not None else None,
        values={storable_text(str(k)): storable_text(str(v)) for k, v in inbound.values.items()},
        event_key=storable_text(inbound.event_key),
    )


MAX_ID_LENGTH = 200  # the width of chat_identities.external_id and .workspace


def _other_workspace(linked: ChatIdentity | None, sender: Sender) -> bool:
    """True when the person is linked on this platform in a workspace other than the sender's (both
    known): a different account, whatever its id or e-mail."""
    return (
        linked is not None
        and bool(linked.workspace)
        and bool(sender.workspace)
        and linked.workspace != sender.workspace
    )


def _plausible(sender: Sender) -> bool:
    """Platform ids are short tokens; anything else (a forged or garbled payload) identifies nobody."""
    return (
        0 < len(sender.external_id) <= MAX_ID_LENGTH
        and len(sender.workspace) <= MAX_ID_LENGTH
        and len(sender.platform) <= 20
        and (sender.email is None or len(sender.email) <= 320)
    )
