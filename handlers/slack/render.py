"""Neutral messages (bot.messages) to Block Kit: messages, modals and the Home tab.

Every text is escaped (see :func:`~handlers.slack.blockkit.escape`) and kept within Block Kit's limits.
A button carries ``{"a": action, "v": values}`` as JSON in its value, so pressing it becomes the same
neutral action the console and Teams produce. A :class:`~bot.messages.Form` becomes a modal when there
is a ``trigger_id`` to open one with; otherwise the message offers an "Open the form" button that carries
the form itself (compressed), or, when it is too big for a button, shows the inputs inline.
"""

from __future__ import annotations

import base64
import json
import logging
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.catalogue import TextLookup
from bot.messages import Attachment
from bot.messages import Block as NeutralBlock
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import ButtonStyle
from bot.messages import Divider
from bot.messages import Fields
from bot.messages import Form
from bot.messages import Input
from bot.messages import InputKind
from bot.messages import Message
from bot.messages import Section
from bot.messages import Text
from bot.serialize import message_from_dict
from bot.serialize import message_to_dict
from handlers.slack import blockkit as bk
from handlers.slack.blockkit import Block
from handlers.slack.blockkit import escape

log = logging.getLogger(__name__)


BUTTON_ACTION_PREFIX = "mentorbot:button:"
OPEN_FORM_ACTION = "mentorbot:form:open"
INLINE_SUBMIT_ACTION = "mentorbot:form:submit"
FORM_CALLBACK = "mentorbot:form"
INPUT_BLOCK_PREFIX = "input:"
INPUT_ACTION = "value"
TIME_SUFFIX = "__time"  # the time picker of a date-and-time input; inbound joins it to its date
MAX_PAGES = 3  # a reply longer than this many messages is cut, with a visible "…and N more"


class RenderError(ValueError):
    """A neutral message that cannot be shown on Slack at all (a bug in the message, not in the user)."""


@dataclass(frozen=True)
class Origin:
    """The message a button was pressed on, so that it can be updated in place afterwards."""

    channel: str
    ts: str

    def to_json(self) -> dict[str, str]:
        return {"c": self.channel, "t": self.ts}

    @classmethod
    def from_json(cls, data: object) -> Origin | None:
        if isinstance(data, dict) and isinstance(data.get("c"), str) and isinstance(data.get("t"), str):
            return cls(data["c"], data["t"])
        return None


# -- messages -----------------------------------------------------------------------------------------


def render_message(message: Message, texts: TextLookup) -> list[dict[str, Any]]:
    """``message`` as chat.postMessage payloads (``text`` + ``blocks``): one per page of 50 blocks."""
    blocks = message_blocks(message.blocks, texts)
    if not blocks:
        return []  # e.g. only a file: nothing to post but the upload
    pages = paginate(blocks, bk.MESSAGE_BLOCKS, MAX_PAGES, texts)
    summary = notification_text(message)
    # no previews of links a person wrote (their text shows no links anyway: see blockkit.neutral)
    return [{"text": summary, "blocks": page, "unfurl_links": False, "unfurl_media": False} for page in pages]


def message_blocks(blocks: Iterable[NeutralBlock], texts: TextLookup) -> list[Block]:
    out: list[Block] = []
    button_number = 0
    for block in blocks:
        match block:
            case Text(text=text):
                out.extend(bk.section(piece) for piece in bk.split_text(escape(text)))
            case Section(title=title, body=body):
                heading = f"*{escape(title)}*" if title else ""
                text = f"{heading}\n{escape(body)}" if body else heading
                out.extend(bk.section(piece) for piece in bk.split_text(text))
            case Fields(pairs=pairs):
                fields = [bk.mrkdwn(f"*{escape(k)}*\n{escape(v)}", bk.FIELD_TEXT) for k, v in pairs]
                for start in range(0, len(fields), bk.FIELDS_PER_SECTION):
                    out.append({"type": "section", "fields": fields[start : start + bk.FIELDS_PER_SECTION]})
            case Buttons(buttons=buttons):
                elements = []
                for button in buttons:
                    element = button_element(button, f"{BUTTON_ACTION_PREFIX}{button_number}")
                    button_number += 1
                    if element is not None:
                        elements.append(element)
                for start in range(0, len(elements), bk.ACTIONS_ELEMENTS):
                    out.append(
                        {
                            "type": "actions",
                            "block_id": f"actions:{len(out)}",
                            "elements": elements[start : start + bk.ACTIONS_ELEMENTS],
                        }
                    )
            case Divider():
                out.append({"type": "divider"})
            case Form():
                out.extend(form_prompt(block, texts))
            case Attachment():
                pass  # uploaded as a file next to the message (see attachments_of)
            case _:
                log.warning("Slack cannot show a %s block yet; left out", type(block).__name__)
    return out


def attachments_of(message: Message) -> list[Attachment]:
    return [b for b in message.blocks if isinstance(b, Attachment)]


def button_element(button: Button, action_id: str) -> Block | None:
    value = json.dumps(
        {"a": button.action, "v": dict(button.values)}, separators=(",", ":"), ensure_ascii=False
    )
    if len(value) > bk.BUTTON_VALUE:
        # a workflow put too much into a button; the typed command still works, so leave the button out
        log.error(
            "button %r carries %d characters, more than Slack's %d; left out",
            button.action,
            len(value),
            bk.BUTTON_VALUE,
        )
        return None
    element: Block = {
        "type": "button",
        "action_id": action_id,
        "text": bk.plain(button.label, bk.BUTTON_TEXT),
        "value": value,
    }
    if button.style in (ButtonStyle.PRIMARY, ButtonStyle.DANGER):
        element["style"] = str(button.style)
    return element


def notification_text(message: Message) -> str:
    """The plain text next to the blocks: what notifications and screen readers show."""
    text = message.summary
    if not text:
        for block in message.blocks:
            if isinstance(block, Text):
                text = block.text
                break
            if isinstance(block, Section):
                text = block.title
                break
            if isinstance(block, Form):
                text = block.title
                break
    return bk.clip(escape(text or " "), bk.NOTIFICATION_TEXT)


def paginate(blocks: list[Block], per_page: int, max_pages: int, texts: TextLookup) -> list[list[Block]]:
    """Split into pages of ``per_page`` blocks; past ``max_pages`` the rest is left out, visibly."""
    if not blocks:
        return [[bk.section(" ")]]
    capacity = per_page * max_pages
    if len(blocks) > capacity:
        kept, dropped = blocks[: capacity - 1], blocks[capacity - 1 :]
        blocks = [*kept, bk.context(escape(texts("slack.more", count=bk.count_lines(dropped))))]
    return [blocks[i : i + per_page] for i in range(0, len(blocks), per_page)]


def truncate(blocks: list[Block], limit: int, texts: TextLookup) -> list[Block]:
    """At most ``limit`` blocks; the last one says how much was left out."""
    if len(blocks) <= limit:
        return blocks
    kept, dropped = blocks[: limit - 1], blocks[limit - 1 :]
    return [*kept, bk.context(escape(texts("slack.more", count=bk.count_lines(dropped))))]


# -- forms in messages ----------------------------------------------------------------------------------


def form_prompt(form: Form, texts: TextLookup) -> list[Block]:
    """A form where no modal can be opened yet: an "Open the form" button that carries the form.

    When the form is too big to travel in a button, its inputs are shown in the message itself with a
    submit button (Slack allows input blocks in messages).
    """
    intro = form.intro or texts("slack.form_waiting", title=form.title)
    packed = pack_form(form)
    if len(packed) <= bk.BUTTON_VALUE:
        button: Block = {
            "type": "button",
            "action_id": OPEN_FORM_ACTION,
            "text": bk.plain(texts("slack.open_form"), bk.BUTTON_TEXT),
            "value": packed,
            "style": "primary",
        }
        return [
            *(bk.section(piece) for piece in bk.split_text(escape(intro))),
            {"type": "actions", "block_id": f"form:{form.form_id}"[: bk.ID], "elements": [button]},
        ]
    submit_value = json.dumps({"a": form.submit_action, "v": dict(form.hidden)}, separators=(",", ":"))
    if len(submit_value) > bk.BUTTON_VALUE:
        raise RenderError(f"form {form.form_id!r}: hidden values too big for Slack")
    blocks: list[Block] = [bk.section(f"*{escape(form.title)}*")]
    if form.intro:
        blocks.extend(bk.section(piece) for piece in bk.split_text(escape(form.intro)))
    blocks.extend(block for inp in form.inputs for block in input_blocks(inp, texts))
    blocks.append(
        {
            "type": "actions",
            "block_id": f"form:{form.form_id}"[: bk.ID],
            "elements": [
                {
                    "type": "button",
                    "action_id": INLINE_SUBMIT_ACTION,
                    "text": bk.plain(form.submit_label, bk.BUTTON_TEXT),
                    "value": submit_value,
                    "style": "primary",
                }
            ],
        }
    )
    return blocks


def pack_form(form: Form) -> str:
    data = json.dumps(message_to_dict(Message((form,))), separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(zlib.compress(data.encode(), 9)).decode()


def unpack_form(packed: str) -> Form | None:
    try:
        data = json.loads(zlib.decompress(base64.urlsafe_b64decode(packed.encode())))
        return message_from_dict(data).form
    except (ValueError, KeyError, TypeError, zlib.error):
        return None


# -- modals ------------------------------------------------------------------------------------------


def modal_view(
    form: Form, texts: TextLookup, origin: Origin | None = None, preface: Iterable[NeutralBlock] = ()
) -> dict[str, Any]:
    """``form`` as a modal, below ``preface`` (the rest of its message). Hidden values, the action and
    the originating message travel in ``private_metadata`` (Slack returns it untouched)."""
    metadata = json.dumps(
        {
            "a": form.submit_action,
            "h": dict(form.hidden),
            "f": form.form_id,
            "o": origin.to_json() if origin else None,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )
    if len(metadata) > bk.PRIVATE_METADATA:
        raise RenderError(f"form {form.form_id!r}: hidden values too big for a Slack modal")
    blocks: list[Block] = []
    if len(form.title) > bk.VIEW_TITLE:  # the title bar holds 24 characters: say it in full below it
        blocks.append(bk.section(f"*{escape(form.title)}*"))
    for label in (form.title, form.submit_label):
        if len(label) > bk.VIEW_TITLE:
            # the catalogue's own labels fit (tests/workflows/test_platform_limits.py); a programme file
            # that overrides one with a longer text gets it cut, and is told here
            log.warning(
                "form %r: %r is longer than Slack's %d-character title bar",
                form.form_id,
                label,
                bk.VIEW_TITLE,
            )
    blocks.extend(message_blocks(preface, texts))
    if form.intro:
        blocks.extend(bk.section(piece) for piece in bk.split_text(escape(form.intro)))
    blocks.extend(block for inp in form.inputs for block in input_blocks(inp, texts))
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": bk.plain(form.title, bk.VIEW_TITLE),
        "submit": bk.plain(form.submit_label, bk.VIEW_TITLE),
        "close": bk.plain(texts("slack.cancel"), bk.VIEW_TITLE),
        "private_metadata": metadata,
        "blocks": truncate(blocks, bk.VIEW_BLOCKS, texts),
    }


def form_errors(form: Form) -> dict[str, str]:
    """Validation messages by block id, for ``response_action: errors``."""
    return {input_block_id(i): bk.clip(i.error, bk.INPUT_HINT) for i in form.inputs if i.error}


def input_block_id(inp: Input) -> str:
    return f"{INPUT_BLOCK_PREFIX}{inp.name}"[: bk.ID]


def input_blocks(inp: Input, texts: TextLookup) -> list[Block]:
    """The input block(s) of one neutral input. A date and time is a date picker and a time picker
    (Slack's ``datetimepicker`` answers with an instant, which would need the person's time zone here;
    the pair answers with the wall-clock date and time the workflow reads in the person's zone)."""
    if inp.kind != InputKind.DATETIME:
        return [input_block(inp)]
    day, _, clock = inp.value.partition(" ")
    date_part = Input(inp.name, inp.label, InputKind.DATE, inp.required, day, hint=inp.hint, error=inp.error)
    time_part = Input(
        inp.name + TIME_SUFFIX,
        texts("slack.time_label", label=inp.label),
        InputKind.TIME,
        inp.required,
        clock,
    )
    return [input_block(date_part), input_block(time_part)]


def input_block(inp: Input) -> Block:
    hint = f"⚠️ {inp.error}" if inp.error else inp.hint
    block: Block = {
        "type": "input",
        "block_id": input_block_id(inp),
        "label": bk.plain(inp.label, bk.INPUT_LABEL),
        "optional": not inp.required,
        "element": input_element(inp),
    }
    if hint:
        block["hint"] = bk.plain(hint, bk.INPUT_HINT)
    return block


def input_element(inp: Input) -> Block:
    options = [o for o in inp.options if len(o.value) <= bk.OPTION_VALUE]
    if inp.kind == InputKind.DATE and _is_date(inp.value):
        return {"type": "datepicker", "action_id": INPUT_ACTION, "initial_date": inp.value}
    if inp.kind == InputKind.DATE and not inp.value:
        return {"type": "datepicker", "action_id": INPUT_ACTION}
    if inp.kind == InputKind.TIME and _is_time(inp.value):
        return {"type": "timepicker", "action_id": INPUT_ACTION, "initial_time": inp.value}
    if inp.kind == InputKind.TIME and not inp.value:
        return {"type": "timepicker", "action_id": INPUT_ACTION}
    if inp.kind == InputKind.NUMBER:
        element: Block = {"type": "number_input", "action_id": INPUT_ACTION, "is_decimal_allowed": False}
        if inp.value.strip().lstrip("-").isdigit():
            element["initial_value"] = inp.value.strip()
        return element
    if inp.kind == InputKind.CHOICE and options and len(options) <= bk.SELECT_OPTIONS:
        element = {
            "type": "static_select",
            "action_id": INPUT_ACTION,
            "options": [_option(o.value, o.label) for o in options],
        }
        chosen = [o for o in options if o.value == inp.value]
        if chosen:
            element["initial_option"] = _option(chosen[0].value, chosen[0].label)
        return element
    if inp.kind == InputKind.MULTI_CHOICE and options and len(options) <= bk.SELECT_OPTIONS:
        kind = "checkboxes" if len(options) <= bk.CHECKBOX_OPTIONS else "multi_static_select"
        element = {
            "type": kind,
            "action_id": INPUT_ACTION,
            "options": [_option(o.value, o.label) for o in options],
        }
        wanted = {v.strip() for v in inp.value.split(",") if v.strip()}
        initial = [_option(o.value, o.label) for o in options if o.value in wanted]
        if initial:
            element["initial_options"] = initial
        return element
    # text, long text, a date or time whose pre-filled value is unreadable, and anything unusual
    limit = min(inp.max_length or bk.TEXT_INPUT_LENGTH, bk.TEXT_INPUT_LENGTH)
    element = {"type": "plain_text_input", "action_id": INPUT_ACTION, "max_length": limit}
    if inp.kind == InputKind.LONG_TEXT:
        element["multiline"] = True
    if inp.value:
        element["initial_value"] = inp.value[:limit]
    return element


def _option(value: str, label: str) -> Block:
    return {"text": bk.plain(label, bk.OPTION_TEXT), "value": value}


def _is_date(value: str) -> bool:
    return len(value) == 10 and value[4] == "-" and value[7] == "-" and value.replace("-", "").isdigit()


def _is_time(value: str) -> bool:
    return len(value) == 5 and value[2] == ":" and value.replace(":", "").isdigit()


# -- the Home tab and updates in place ----------------------------------------------------------------


def home_view(messages: Iterable[Message], texts: TextLookup) -> dict[str, Any]:
    blocks: list[Block] = []
    for message in messages:
        if blocks:
            blocks.append({"type": "divider"})
        blocks.extend(message_blocks(message.blocks, texts))
    return {"type": "home", "blocks": truncate(blocks or [bk.section(" ")], bk.VIEW_BLOCKS, texts)}


def mark_chosen(blocks: list[Block], block_id: str, texts: TextLookup, label: str) -> list[Block]:
    """The message's blocks with the pressed row of buttons replaced by a line saying what was chosen,
    so that the same stale button cannot be pressed twice."""
    done = bk.context(escape(texts("slack.chosen", label=label)))
    replaced = False
    out: list[Block] = []
    for block in blocks:
        if block.get("type") == "actions" and (block.get("block_id") == block_id or not block_id):
            if not replaced:
                out.append(done)
                replaced = True
            continue
        out.append(block)
    return out


def without_form(blocks: list[Block], texts: TextLookup, title: str) -> list[Block]:
    """The message that offered a form, once the form is sent: its button row says so instead."""
    done = bk.context(escape(texts("slack.form_sent", title=title)))
    out: list[Block] = []
    for block in blocks:
        if block.get("type") == "actions" and str(block.get("block_id", "")).startswith("form:"):
            out.append(done)
        elif block.get("type") == "input":
            continue
        else:
            out.append(block)
    return out
