"""The bolt listeners: each translates one kind of Slack request into a neutral Inbound, asks the bot,
and translates the answer back. No decisions about mentoring are made here.

Every listener acknowledges first (Slack wants an answer within 3 seconds) and works afterwards; the one
exception is a modal submission, which waits briefly for the bot so that validation messages can be
shown in the modal itself (``response_action: errors``). Events are acknowledged by bolt before their
listener runs: nothing on the way to the acknowledgement touches the database or the Web API. A retried
event is recognised in the turn itself (``Inbound.event_key``, recorded in the turn's transaction; one
person's turns run in order, so a retry that arrives while the first delivery is handled waits for it
and finds it recorded). The bot is asked through :class:`bot.turns.Turns`; a person it does not know by
their Slack id yet is looked up (``users.info``) only then.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import uuid
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Handled
from bot.catalogue import TextLookup
from bot.messages import Block as NeutralBlock
from bot.messages import Buttons
from bot.messages import Form
from bot.messages import Inbound
from bot.messages import Message
from bot.messages import Sender
from bot.messages import Text
from bot.turns import Profile
from bot.turns import Turns
from handlers.slack import blockkit as bk
from handlers.slack.capabilities import BOT_EVENTS
from handlers.slack.capabilities import SLASH_COMMAND
from handlers.slack.inbound import clean
from handlers.slack.inbound import first_action
from handlers.slack.inbound import input_values
from handlers.slack.inbound import is_person_dm
from handlers.slack.inbound import mapping_at
from handlers.slack.inbound import plain_text
from handlers.slack.inbound import pressed_button
from handlers.slack.inbound import string_values
from handlers.slack.inbound import text_at
from handlers.slack.render import BUTTON_ACTION_PREFIX
from handlers.slack.render import FORM_CALLBACK
from handlers.slack.render import INLINE_SUBMIT_ACTION
from handlers.slack.render import OPEN_FORM_ACTION
from handlers.slack.render import Origin
from handlers.slack.render import RenderError
from handlers.slack.render import form_errors
from handlers.slack.render import home_view
from handlers.slack.render import mark_chosen
from handlers.slack.render import modal_view
from handlers.slack.render import render_message
from handlers.slack.render import unpack_form
from handlers.slack.render import without_form
from handlers.slack.web import Directory
from handlers.slack.web import call
from handlers.slack.web import error_code
from handlers.slack.web import retry_after
from handlers.slack.web import share_files

log = logging.getLogger(__name__)

HOME_COMMAND = "home"
# how long a modal submission waits for the bot before closing the modal and answering in the DM
SUBMIT_WAIT_SECONDS = 2.0
# the longest Retry-After a reply waits out while answering; a longer one sends the reply via the outbox
REPLY_WAIT_SECONDS = 2.0


class ShortRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Wait out a 429 once, but only a short one: a reply that would have to wait longer goes to the
    outbox instead (:meth:`SlackListeners.post`), where the dispatcher paces it with Slack."""

    def __init__(self, max_wait: float = REPLY_WAIT_SECONDS) -> None:
        super().__init__(max_retry_count=1)
        self.max_wait = max_wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        waited = retry_after(response.headers)
        return (1.0 if waited is None else waited) <= self.max_wait  # none given: slack_sdk's 1 s


def _for_later(err: SlackApiError) -> bool:
    """Slack is pacing us (429) or failing for the moment (5xx): the reply can be sent later."""
    status = getattr(err.response, "status_code", 0) or 0
    return status == 429 or status >= 500


@dataclass(frozen=True)
class Pressed:
    """Where a button was pressed: enough to update that message in place afterwards."""

    origin: Origin | None
    blocks: list[dict[str, Any]]
    block_id: str
    label: str


class SlackListeners:
    def __init__(
        self,
        turns: Turns,
        texts: TextLookup,
        directory: Directory,
        count_error: Callable[[str], None] = lambda kind: None,
    ) -> None:
        self.turns = turns
        self.texts = texts
        self.directory = directory
        self.count_error = count_error
        self.inflight: set[asyncio.Task[Any]] = set()

    def register(self, app: AsyncApp) -> None:
        app.error(self.on_error)
        handlers: dict[str, Callable[..., Awaitable[None]]] = {
            "message": self.on_message,
            "app_home_opened": self.on_home_opened,
        }
        guard = functools.partial(acks_on_failure, on_error=self.on_error)
        for subscription in BOT_EVENTS:
            app.event(subscription.event_type)(guard(handlers[subscription.event_type]))
        app.command(SLASH_COMMAND.command)(guard(self.on_command))
        app.action(OPEN_FORM_ACTION)(guard(self.on_open_form))
        app.action(INLINE_SUBMIT_ACTION)(guard(self.on_inline_submit))
        buttons = {"type": "block_actions", "action_id": _prefix_pattern(BUTTON_ACTION_PREFIX)}
        app.action(buttons)(guard(self.on_button))
        app.view_submission(FORM_CALLBACK)(guard(self.on_view_submission))

    # -- the edge ------------------------------------------------------------------------------------
    async def on_error(self, error: Exception) -> None:
        """A listener failed (after its ack): Slack shows nothing, so it goes to the log and the metrics."""
        kind = error_code(error) if isinstance(error, SlackApiError) else type(error).__name__
        self.count_error(kind or "slack_api_error")
        log.error("Slack: handling a request failed: %s", kind, exc_info=error)

    async def ask(self, inbound: Inbound, client: AsyncWebClient) -> Handled:
        """The bot's answer (one person's requests in the order they came; see :class:`Turns`). Slack's
        profile of the sender is looked up only when the bot does not know their Slack id yet."""
        sender = inbound.sender

        async def profile() -> Sender | None:
            return await self.directory.sender(client, sender.workspace, sender.external_id)

        lookup: Profile = profile
        return await self.turns.handle(inbound, lookup)

    @staticmethod
    def sender(context: AsyncBoltContext, user_id: str) -> Sender | None:
        """The sender as the request names them, their profile still to be looked up (if ever needed)."""
        if not user_id:
            return None
        return Sender(
            platform="slack", external_id=user_id, workspace=context.team_id or "", profile_pending=True
        )

    def _track(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.inflight.add(task)
            task.add_done_callback(self.inflight.discard)

    async def drain(self, timeout: float = 10.0) -> None:
        """Let replies that are being worked on finish (on shutdown)."""
        pending = [t for t in self.inflight if not t.done() and t is not asyncio.current_task()]
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    # -- events ----------------------------------------------------------------------------------------
    async def on_message(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        if not is_person_dm(event):
            return  # channel messages, edits, joins, bots: not for the bot
        self._track()
        user_id = text_at(event, "user")
        sender = self.sender(context, user_id)
        if sender is None:
            return
        event_id = text_at(body, "event_id")
        inbound = Inbound(
            sender,
            text=plain_text(text_at(event, "text")),
            event_key=f"{context.team_id or ''}:{event_id}" if event_id else "",
        )
        handled = await self.ask(inbound, client)
        if handled.duplicate:
            log.info("Slack event %s delivered again; already handled", event_id)
            return
        # posted to the user id: Slack puts it in the bot's DM with them (no conversations.open), and the
        # answer can never land in a conversation the event merely named
        key = f"slack:{context.team_id or ''}:{text_at(event, 'channel')}:{text_at(event, 'ts')}"
        await self.post(client, user_id, handled.messages, handled.person_id, key)

    async def on_home_opened(
        self, event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        user_id = text_at(event, "user")
        if event.get("tab", "home") != "home" or not user_id:
            return
        self._track()
        await self.publish_home(client, context, user_id)

    async def publish_home(self, client: AsyncWebClient, context: AsyncBoltContext, user_id: str) -> None:
        sender = self.sender(context, user_id)
        if sender is None:
            return
        handled = await self.ask(Inbound(sender, text=HOME_COMMAND), client)
        await call(client, "views.publish", user_id=user_id, view=home_view(handled.messages, self.texts))

    # -- the slash command -------------------------------------------------------------------------------
    async def on_command(
        self,
        ack: AsyncAck,
        command: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        self._track()
        user_id = text_at(command, "user_id")
        sender = self.sender(context, user_id)
        if sender is None:
            return
        text = plain_text(text_at(command, "text")).strip() or "help"
        handled = await self.ask(Inbound(sender, text=text), client)
        dm = await self.directory.dm_channel(client, context.team_id or "", user_id)
        posted = await self.deliver(
            client,
            dm,
            handled.messages,
            trigger_id=text_at(command, "trigger_id"),
            person_id=handled.person_id,
        )
        if posted and text_at(command, "channel_id") != dm and text_at(command, "response_url"):
            await respond(text=bk.escape(self.texts("slack.answered_in_dm")), response_type="ephemeral")

    # -- buttons -----------------------------------------------------------------------------------------
    async def on_button(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await self._press(ack, body, client, context, inline_form=False)

    async def on_open_form(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """The "Open the form" button: the form travels in the button, so no round trip to the bot."""
        await ack()
        action = first_action(body)
        form = unpack_form(text_at(action, "value"))
        if form is None:
            return
        pressed = _pressed(body, action)
        try:
            view = modal_view(form, self.texts, pressed.origin)
        except RenderError:
            return  # not a form this bot packed
        await self.open_modal(client, text_at(body, "trigger_id"), view)

    async def on_inline_submit(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """A form shown inside a message (too big for a button) was submitted with its button."""
        await self._press(ack, body, client, context, inline_form=True)

    async def _press(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
        *,
        inline_form: bool,
    ) -> None:
        """The one path of a pressed button: acknowledge, ask the bot, answer. An inline form's button
        carries the form's inputs too, and its answer closes the form."""
        await ack()
        self._track()
        action = first_action(body)
        button = pressed_button(text_at(action, "value"))
        if button is None:
            return
        user_id = text_at(body, "user", "id")
        sender = self.sender(context, user_id)
        if sender is None:
            return
        values = {**button.values, **input_values(body.get("state"))} if inline_form else button.values
        handled = await self.ask(Inbound(sender, action=button.action, values=values), client)
        pressed = _pressed(body, action)
        await self.answer_interaction(client, context, user_id, body, handled, pressed, form_done=inline_form)

    async def answer_interaction(
        self,
        client: AsyncWebClient,
        context: AsyncBoltContext,
        user_id: str,
        body: dict[str, Any],
        handled: Handled,
        pressed: Pressed,
        *,
        form_done: bool = False,
    ) -> None:
        """Answer a pressed button: a form opens as a modal; otherwise the message the button was on is
        updated (replaced by the answer, or its buttons by a line saying what was chosen) and the answer
        is posted below it."""
        messages = list(handled.messages)
        from_home = text_at(body, "container", "type") == "view"
        channel = await self.directory.dm_channel(client, context.team_id or "", user_id)
        if pressed.origin is not None and pressed.origin.channel != channel:
            pressed = replace(pressed, origin=None)  # not their conversation: leave it, answer in their DM
        form, preface, rest = modal_parts(messages)
        if form is not None:
            view = modal_view(form, self.texts, pressed.origin, preface)
            view["private_metadata"] = _with_pressed(view["private_metadata"], pressed)
            if await self.open_modal(client, text_at(body, "trigger_id"), view):
                await self.post(client, channel, rest, handled.person_id)
                return
        if pressed.origin is not None and not handled.failed:
            if handled.replace and messages:
                messages = await self.replace(client, pressed.origin, messages)
            else:
                blocks = (
                    without_form(pressed.blocks, self.texts, _title_of(pressed.blocks))
                    if form_done
                    else mark_chosen(pressed.blocks, pressed.block_id, self.texts, pressed.label)
                )
                await self.update(client, pressed.origin, blocks, body)
        await self.post(client, channel, messages, handled.person_id)
        if from_home:
            await self.publish_home(client, context, user_id)

    # -- modals --------------------------------------------------------------------------------------------
    async def on_view_submission(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        self._track()
        try:
            meta = json.loads(text_at(view, "private_metadata") or "{}")
        except ValueError:
            meta = {}
        user_id = text_at(body, "user", "id")
        if not isinstance(meta, dict) or not isinstance(meta.get("a"), str) or not user_id:
            await ack()
            return
        hidden = string_values(mapping_at(meta, "h"))
        values = {**hidden, **input_values(view.get("state"))}
        origin = Origin.from_json(meta.get("o"))

        async def answer() -> Handled | None:
            sender = self.sender(context, user_id)
            if sender is None:
                return None
            return await self.ask(Inbound(sender, action=clean(meta["a"]), values=values), client)

        # the answer decides how the modal is acknowledged (errors, the next step, or closed), and the
        # acknowledgement must reach Slack within 3 seconds: wait for the bot at most this long
        work = asyncio.ensure_future(answer())
        try:
            result = await asyncio.wait_for(asyncio.shield(work), SUBMIT_WAIT_SECONDS)
        except TimeoutError:
            await ack()  # the bot is slow today: close the modal, answer in the DM when ready
            result = await work
            if result is not None:
                dm = await self.directory.dm_channel(client, context.team_id or "", user_id)
                await self.post(client, dm, result.messages, result.person_id)
            return
        if result is None:
            await ack()
            return
        handled = result
        messages = list(handled.messages)
        form, preface, rest = modal_parts(messages)
        if form is not None and form.form_id == meta.get("f") and _has_errors(form):
            await ack(response_action="errors", errors=form_errors(form))
            return
        explanation = _plain_summary(messages)
        field = _field_for(view, explanation)
        if handled.failed and field is not None:
            # keep the modal open, with what was typed, and say what is wrong under the field it is about
            await ack(response_action="errors", errors={field: explanation})
            return
        if form is not None:
            next_view = modal_view(form, self.texts, origin, preface)
            next_view["private_metadata"] = _carry_pressed(next_view["private_metadata"], meta)
            await ack(response_action="update", view=next_view)
            messages = rest
        else:
            await ack()
        dm = await self.directory.dm_channel(client, context.team_id or "", user_id)
        if origin is not None and origin.channel != dm:
            origin = None  # not their conversation: leave that message, answer in their DM
        channel = origin.channel if origin is not None else dm
        if origin is not None and form is None:
            if handled.replace and messages:
                messages = await self.replace(client, origin, messages)
            else:
                blocks = await self.fetch_blocks(client, origin)
                if blocks is not None:
                    if isinstance(meta.get("b"), str):
                        blocks = mark_chosen(blocks, meta["b"], self.texts, str(meta.get("l") or ""))
                    else:
                        blocks = without_form(blocks, self.texts, _stub_title(view))
                    await self.update(client, origin, blocks, None)
        await self.post(client, channel, messages, handled.person_id)

    async def open_modal(self, client: AsyncWebClient, trigger_id: str | None, view: dict[str, Any]) -> bool:
        """Open ``view``; False when the trigger expired (it lives 3 seconds) so the caller can fall back."""
        if not trigger_id:
            return False
        try:
            await call(client, "views.open", trigger_id=trigger_id, view=view)
        except SlackApiError as err:
            if error_code(err) in ("expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id"):
                log.info("Slack trigger expired before the form was ready; offering a button instead")
                return False
            raise
        return True

    # -- sending ---------------------------------------------------------------------------------------
    async def deliver(
        self,
        client: AsyncWebClient,
        channel: str,
        messages: list[Message],
        *,
        trigger_id: str | None,
        person_id: int | None = None,
    ) -> bool:
        """Send ``messages`` to ``channel``; the first form opens as a modal when a trigger allows it.
        Returns whether anything was posted to the channel."""
        form, preface, rest = modal_parts(messages)
        if form is not None and await self.open_modal(
            client, trigger_id, modal_view(form, self.texts, None, preface)
        ):
            messages = rest
        await self.post(
            client, channel, messages, person_id, f"slack:trigger:{trigger_id}" if trigger_id else ""
        )
        return bool(messages)

    async def post(
        self,
        client: AsyncWebClient,
        channel: str,
        messages: list[Message],
        person_id: int | None = None,
        key: str = "",
    ) -> None:
        """Post ``messages`` in order. When Slack paces us for longer than a reply may wait (a 429
        outlasting :data:`REPLY_WAIT_SECONDS`) or fails for the moment (5xx), the person's change is
        already committed, so the rest of the answer is not dropped: it goes to the outbox
        (``MentorBot.defer_replies``) and the dispatcher delivers it when Slack allows, exactly once."""
        for n, message in enumerate(messages):
            try:
                payloads = render_message(message, self.texts)
            except RenderError:
                log.exception("a reply could not be shown on Slack")
                continue
            for i, payload in enumerate(payloads):
                try:
                    posted = await call(client, "chat.postMessage", channel=channel, **payload)
                except SlackApiError as err:
                    if i > 0 or not _for_later(err) or person_id is None:
                        raise
                    await self.defer(person_id, messages[n:], key or uuid.uuid4().hex)
                    return
                # posted to a user id, Slack answers with the DM channel, where files must be shared
                channel = str(posted.get("channel") or channel)
            await share_files(client, channel, message)

    async def defer(self, person_id: int, messages: list[Message], key: str) -> None:
        queued = await self.turns.run(
            functools.partial(self.turns.bot.defer_replies, person_id, messages, key, "slack")
        )
        log.warning("Slack: rate limited; %d replies will be sent from the outbox", queued)
        self.count_error("reply_deferred")

    async def replace(self, client: AsyncWebClient, origin: Origin, messages: list[Message]) -> list[Message]:
        """Put the first message in place of ``origin``; returns the messages still to post."""
        payloads = render_message(messages[0], self.texts)
        if not payloads:  # nothing to show but a file: leave the message, share the file below it
            await share_files(client, origin.channel, messages[0])
            return messages[1:]
        await call(client, "chat.update", channel=origin.channel, ts=origin.ts, **payloads[0])
        for payload in payloads[1:]:
            await call(client, "chat.postMessage", channel=origin.channel, **payload)
        await share_files(client, origin.channel, messages[0])
        return messages[1:]

    async def update(
        self,
        client: AsyncWebClient,
        origin: Origin,
        blocks: list[dict[str, Any]],
        body: dict[str, Any] | None,
    ) -> None:
        text = str(((body or {}).get("message") or {}).get("text") or " ")
        try:
            await call(client, "chat.update", channel=origin.channel, ts=origin.ts, text=text, blocks=blocks)
        except SlackApiError as err:  # e.g. the message was deleted meanwhile: the answer still goes out
            log.warning("could not update the Slack message a button was on: %s", error_code(err))

    async def fetch_blocks(self, client: AsyncWebClient, origin: Origin) -> list[dict[str, Any]] | None:
        try:
            data = await call(
                client,
                "conversations.history",
                channel=origin.channel,
                latest=origin.ts,
                inclusive=True,
                limit=1,
            )
        except SlackApiError as err:
            log.warning("could not read back the Slack message a form came from: %s", error_code(err))
            return None
        for message in data.get("messages") or []:
            if message.get("ts") == origin.ts:
                return list(message.get("blocks") or [])
        return None


def acks_on_failure(
    listener: Callable[..., Awaitable[None]], *, on_error: Callable[[Exception], Awaitable[None]]
) -> Callable[..., Awaitable[None]]:
    """Whatever goes wrong in ``listener``, Slack gets its acknowledgement (never a 500 that makes it
    show an error or retry); the failure itself is logged and counted by ``on_error``.

    The failure is reported here rather than raised to bolt: bolt's runner, on a listener that fails
    after its acknowledgement, resets the acknowledgement it has not yet answered with, then waits out
    its 3-second timeout and answers 404 -- so a quick failure after ``ack()`` reached Slack as an error.
    """

    @functools.wraps(listener)
    async def run(**kwargs: Any) -> None:
        try:
            await listener(**kwargs)
        except Exception as error:
            ack = kwargs.get("ack")
            if isinstance(ack, AsyncAck) and ack.response is None:
                await ack()
            await on_error(error)

    return run


# -- helpers -------------------------------------------------------------------------------------------------


def _prefix_pattern(prefix: str) -> Any:
    import re

    return re.compile("^" + re.escape(prefix))


def _pressed(body: dict[str, Any], action: Mapping[str, Any]) -> Pressed:
    container = mapping_at(body, "container")
    origin = None
    if container.get("type") == "message" and container.get("is_ephemeral") is not True:
        channel = text_at(container, "channel_id") or text_at(body, "channel", "id")
        ts = text_at(container, "message_ts") or text_at(body, "message", "ts")
        if channel and ts:
            origin = Origin(channel, ts)
    blocks = mapping_at(body, "message").get("blocks")
    kept = [b for b in blocks if isinstance(b, dict)] if isinstance(blocks, list) else []
    return Pressed(origin, kept, text_at(action, "block_id"), text_at(action, "text", "text"))


def modal_parts(messages: list[Message]) -> tuple[Form | None, tuple[NeutralBlock, ...], list[Message]]:
    """The first form, what to show above it in the modal, and the messages still to post.

    The form's own message moves into the modal with it -- unless that message also has buttons (e.g.
    "Finish"), which must stay reachable in the conversation: then it is posted, without the form.
    """
    for index, message in enumerate(messages):
        form = message.form
        if form is None:
            continue
        others = tuple(b for b in message.blocks if not isinstance(b, Form))
        before, after = messages[:index], messages[index + 1 :]
        if any(isinstance(b, Buttons) for b in others):
            return form, (), [*before, Message(others, summary=message.summary), *after]
        return form, others, [*before, *after]
    return None, (), messages


def _has_errors(form: Form) -> bool:
    return any(i.error for i in form.inputs)


def _with_pressed(metadata: str, pressed: Pressed) -> str:
    """Remember which button opened a modal, so its row can be marked as chosen once the form is sent."""
    data = json.loads(metadata)
    if pressed.block_id and not pressed.block_id.startswith("form:"):
        data["b"], data["l"] = pressed.block_id, pressed.label[: bk.BUTTON_TEXT]
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return text if len(text) <= bk.PRIVATE_METADATA else metadata


def _carry_pressed(metadata: str, previous: dict[str, Any]) -> str:
    data = json.loads(metadata)
    for key in ("b", "l"):
        if key in previous:
            data[key] = previous[key]
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return text if len(text) <= bk.PRIVATE_METADATA else metadata


def _field_for(view: dict[str, Any], explanation: str) -> str | None:
    """The input an explanation is most likely about: one it names, else the first text field, else
    the first input (Slack shows ``response_action: errors`` under a field)."""
    blocks = view.get("blocks") if isinstance(view.get("blocks"), list) else []
    inputs = [b for b in blocks if text_at(b, "type") == "input" and text_at(b, "block_id")]
    lowered = explanation.lower()
    for block in inputs:
        label = text_at(block, "label", "text").strip().lower().rstrip("?:")
        if label and label in lowered:
            return text_at(block, "block_id")
    for block in inputs:
        if text_at(block, "element", "type") == "plain_text_input":
            return text_at(block, "block_id")
    return text_at(inputs[0], "block_id") if inputs else None


def _plain_summary(messages: list[Message]) -> str:
    """The bot's explanation as plain text (validation messages under a field are not formatted)."""
    parts = [b.text for m in messages for b in m.blocks if isinstance(b, Text)]
    text = " ".join(parts) or " ".join(m.summary for m in messages)
    return bk.clip(text.replace("*", ""), bk.INPUT_HINT)


def _title_of(blocks: list[dict[str, Any]]) -> str:
    for block in blocks:
        if block.get("type") == "section" and isinstance(block.get("text"), dict):
            text = str(block["text"].get("text") or "").split("\n")[0].strip("*")
            return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")[:80]
    return ""


def _stub_title(view: dict[str, Any]) -> str:
    return str((view.get("title") or {}).get("text") or "")
