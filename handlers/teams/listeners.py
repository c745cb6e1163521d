"""The Teams activity handler: Bot Framework activities in, neutral inbound messages to the bot, cards out.

Only translation lives here. What a message means is decided by ``MentorBot.handle`` (in ``bot/``);
this class works out who wrote (the Entra object id; the e-mail address from the roster when the
person is not linked yet), what they typed or pressed, and draws the answer as Adaptive Cards.

* **Personal chat**: typed commands and card submissions go to the bot. The conversation reference
  travels with the turn (``Inbound.address``) and is stored in its transaction, so the outbox can message
  the person first later. The activity's id is the turn's ``event_key``: a redelivered activity is
  answered with nothing.
* **Group chats and team channels**: the bot answers that it works in a personal chat (what a
  relationship discusses must not be shown to a whole team) and does nothing else.
* **Install**: when the app is added to a personal chat the person gets their dashboard (``home``) as a
  welcome; added to a team or group chat, it says hello and where to find it.
* **Action.Submit** arrives as a message whose ``value`` holds ``{"a": action, "v": values}`` plus the
  form's inputs. When the bot answers with ``replace``, the card that was pressed is updated in place
  so a stale button cannot be pressed twice; a submitted form that comes back (with the reason it was
  not accepted) replaces itself too, keeping what was typed.
* **Action.Execute** (``adaptiveCard/action`` invoke) carries the same data; its answer card is
  returned in the invoke response, which Teams draws in place of the pressed card.
"""

from __future__ import annotations

import functools
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from http import HTTPStatus
from typing import Any

from botbuilder.core import CardFactory
from botbuilder.core import InvokeResponse
from botbuilder.core import MessageFactory
from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity
from botbuilder.schema import ActivityTypes

from bot.app import Handled
from bot.catalogue import TextLookup
from bot.messages import Address
from bot.messages import Inbound
from bot.messages import Message
from bot.messages import Sender
from bot.messages import Text
from bot.turns import Turns
from handlers.teams import inbound
from handlers.teams.references import address_of
from handlers.teams.references import may_replace
from handlers.teams.render import CARD_CONTENT_TYPE
from handlers.teams.render import CardRenderer
from handlers.teams.render import submitted_action
from handlers.teams.render import submitted_form
from handlers.teams.render import summary_of
from handlers.teams.sender import error_kind

log = logging.getLogger(__name__)

WELCOME_COMMAND = "home"
EXECUTE_INVOKE = "adaptiveCard/action"
EMAIL_CACHE_SIZE = 10_000


class MentorTeamsBot(TeamsActivityHandler):  # type: ignore[misc]
    def __init__(
        self,
        turns: Turns,
        texts: TextLookup,
        *,
        authenticated: bool = True,
        count_error: Callable[[str], None] = lambda kind: None,
    ) -> None:
        """``count_error(kind)`` counts a failure talking to Teams (the per-channel error counter)."""
        super().__init__()
        self.turns = turns
        self.bot = turns.bot
        self.count_error = count_error
        # False in local mode: requests carry no token, so they may link a person seen for the first time
        # but never re-bind an identity or a conversation reference already stored for someone
        self.authenticated = authenticated
        self.texts = texts
        self.renderer = CardRenderer(texts)
        # user id -> e-mail address from the roster: looked up once per person and process
        self._emails: OrderedDict[str, str] = OrderedDict()

    # -- messages and Action.Submit -------------------------------------------------------------
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if not inbound.is_personal(activity):
            await self._send(turn_context, [self.say("teams.personal_only")])
            return
        if activity.value is not None:
            submitted = submitted_action(activity.value)
            if submitted is None:
                await self._send(turn_context, [self.say("error.stale_action")])
                return
            action, values = submitted
            handled = await self._handle(turn_context, action=action, values=values)
            await self._answer(
                turn_context, handled, pressed_id=activity.reply_to_id, form_id=submitted_form(activity.value)
            )
            return
        text = inbound.typed_text(activity)
        handled = await self._handle(turn_context, text=text)
        await self._answer(turn_context, handled, pressed_id=None)

    # -- Action.Execute -------------------------------------------------------------------------
    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name == EXECUTE_INVOKE:
            return InvokeResponse(status=200, body=await self._execute(turn_context))
        # The bot offers no task modules, message extensions, tabs or sign-in: botbuilder would read the
        # value of such an invoke (failing on a malformed one) only to answer 501. It is the caller's
        # mistake, not a server failure
        return InvokeResponse(status=HTTPStatus.BAD_REQUEST, body={"error": "unsupported invoke"})

    async def _execute(self, turn_context: TurnContext) -> dict[str, Any]:
        """The invoke response body (plain JSON data): the refreshed card, or a short message."""
        value = turn_context.activity.value
        action = value.get("action") if isinstance(value, dict) else None
        submitted = submitted_action(action.get("data") if isinstance(action, dict) else None)
        if submitted is None:
            return _message_body(self.texts("error.stale_action"))
        if not inbound.is_personal(turn_context.activity):
            return _message_body(self.texts("teams.personal_only"))
        name, values = submitted
        handled = await self._handle(turn_context, action=name, values=values)
        messages = list(handled.messages)
        if handled.replace and messages:
            first, *more = self.renderer.cards(messages.pop(0))
            outgoing = [MessageFactory.attachment(CardFactory.adaptive_card(c)) for c in more]
            outgoing += [a for m in messages for a in self.activities(m)]
            if outgoing:
                await turn_context.send_activities(outgoing)
            return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": first}
        await self._send(turn_context, messages)
        return _message_body(summary_of(messages[0]) if messages else "")

    # -- install ----------------------------------------------------------------------------------
    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """The app was added to a chat: welcome. Other members joining a team is none of our business."""
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added = [m for m in activity.members_added or [] if m is not None]
        if not bot_id or not any(m.id == bot_id for m in added):
            return
        if inbound.is_personal(activity):
            handled = await self._handle(turn_context, text=WELCOME_COMMAND)
            await self._answer(turn_context, handled, pressed_id=None)
        else:
            await self._send(turn_context, [self.say("teams.hello_shared_chat")])

    async def on_installation_update(self, turn_context: TurnContext) -> None:
        """Sent alongside the conversation update on install; the welcome is sent for that one."""
        return

    # -- the bot ----------------------------------------------------------------------------------
    async def _handle(
        self,
        turn_context: TurnContext,
        *,
        text: str | None = None,
        action: str | None = None,
        values: dict[str, str] | None = None,
    ) -> Handled:
        """Ask the bot (one turn: the activity recorded, the conversation reference stored and the
        answer's writes, in one transaction). The roster is asked for the e-mail address only when the bot
        does not know the person by their Teams id yet."""
        activity = turn_context.activity
        email = self._emails.get(inbound.user_external_id(activity))
        sender = replace(
            inbound.sender_of(activity, email), verified=self.authenticated, profile_pending=email is None
        )

        async def profile() -> Sender | None:
            return replace(sender, email=await self._email_of(turn_context))

        conversation = activity.conversation.id if activity.conversation else ""
        address = None
        if inbound.is_personal(activity):
            data = address_of(activity)
            address = Address(data, may_replace=lambda stored: may_replace(stored, data))
        message = Inbound(
            sender,
            text=None if action is not None else (text or ""),
            action=action,
            values=dict(values or {}),
            event_key=f"{conversation}:{activity.id}" if activity.id else "",
            address=address,
        )
        return await self.turns.handle(message, profile)

    async def _email_of(self, turn_context: TurnContext) -> str | None:
        """The person's e-mail address from the Teams roster, or None when the roster cannot say."""
        activity = turn_context.activity
        member_id = activity.from_property.id if activity.from_property else None
        if not member_id:
            return None
        try:
            member = await TeamsInfo.get_member(turn_context, member_id)
        except Exception as err:  # the roster is unavailable (the Playground, a test adapter, an outage)
            log.info("Teams roster lookup failed: %s", type(err).__name__)
            return None
        email = (getattr(member, "email", None) or getattr(member, "user_principal_name", None) or "").strip()
        if "@" not in email:
            return None
        key = inbound.user_external_id(activity)
        self._emails[key] = email
        self._emails.move_to_end(key)
        while len(self._emails) > EMAIL_CACHE_SIZE:
            self._emails.popitem(last=False)
        return email

    # -- answers ----------------------------------------------------------------------------------
    async def _answer(
        self,
        turn_context: TurnContext,
        handled: Handled,
        *,
        pressed_id: str | None,
        form_id: str | None = None,
    ) -> None:
        """Send the answer. It replaces the pressed card when the bot asks for that, or when the form that
        was submitted comes back (with the reason it was not accepted under its fields)."""
        messages = list(handled.messages)
        in_place: Message | None = None
        if pressed_id and messages:
            if handled.replace:
                in_place = messages[0]
            elif form_id:
                in_place = next(
                    (m for m in messages if m.form is not None and m.form.form_id == form_id), None
                )
        rest: list[Activity] = []
        if in_place is not None and pressed_id:
            update, *rest = self.activities(in_place)
            update.id = pressed_id
            try:
                await turn_context.update_activity(update)
                messages.remove(in_place)
            except Exception as err:  # the card is gone or too old: send the answer as a new message
                log.info("could not update the pressed card: %s", type(err).__name__)
                rest = []
        queue = ([(in_place, rest)] if in_place is not None and rest else []) + [
            (m, self.activities(m)) for m in messages
        ]
        await self._send_or_defer(turn_context, handled, queue)

    async def _send_or_defer(
        self, turn_context: TurnContext, handled: Handled, queue: list[tuple[Message, list[Activity]]]
    ) -> None:
        """Send each message; when Teams throttles (429) or fails for the moment (5xx) beyond what the
        connector client retries, the person's change is already saved, so the rest of the answer goes
        to the outbox (``MentorBot.defer_replies``) and the dispatcher sends it when Teams allows."""
        for n, (_, activities) in enumerate(queue):
            if not activities:
                continue
            try:
                await turn_context.send_activities(activities)
            except Exception as err:
                if not _for_later(err) or handled.person_id is None:
                    raise
                self.count_error("reply_deferred")
                activity = turn_context.activity
                key = f"teams:{activity.conversation.id if activity.conversation else ''}:{activity.id}"
                later = [m for m, _ in queue[n:]]
                queued = await self.turns.run(
                    functools.partial(self.bot.defer_replies, handled.person_id, later, key, "teams")
                )
                log.warning("Teams: throttled; %d replies will be sent from the outbox", queued)
                return

    async def _send(self, turn_context: TurnContext, messages: list[Message]) -> None:
        if messages:
            await turn_context.send_activities([a for m in messages for a in self.activities(m)])

    def activities(self, message: Message) -> list[Activity]:
        """One neutral message as Teams message activities, each with one Adaptive Card (one, unless the
        message is too large for a single Teams message)."""
        summary = summary_of(message)
        out: list[Activity] = []
        for card in self.renderer.cards(message):
            activity: Activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
            if summary:
                activity.summary = summary
            out.append(activity)
        return out

    def say(self, key: str, **values: Any) -> Message:
        """A catalogue text as a message (the channel's own few words: errors, where to find the bot)."""
        return Message((Text(self.texts(key, **values)),))


def _for_later(err: Exception) -> bool:
    """Teams is throttling (429) or failing for the moment (5xx): the answer can be sent later."""
    status = getattr(getattr(err, "response", None), "status_code", None)
    return isinstance(status, int) and (status == 429 or status >= 500)


def _message_body(text: str) -> dict[str, Any]:
    """An Action.Execute answer that leaves the card as it is and shows ``text`` briefly."""
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}


def turn_error_handler(teams_bot: MentorTeamsBot) -> Callable[[TurnContext, Exception], Any]:
    """For a bug or an outage while answering: log it, and tell the person without any detail."""

    async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
        teams_bot.count_error(error_kind(error))
        log.error("Teams turn failed", exc_info=(type(error), error, error.__traceback__))
        if turn_context.activity.type != ActivityTypes.message:
            return
        try:
            await turn_context.send_activities(teams_bot.activities(teams_bot.say("error.internal")))
        except Exception:
            log.exception("could not tell the person about the failure")

    return on_turn_error
