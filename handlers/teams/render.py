"""Neutral messages as Adaptive Cards 1.5, and submitted card data back to action + values.

Every text goes into ``TextRun`` elements of a ``RichTextBlock``. The Adaptive Cards schema says a
``TextRun`` is never read as markdown, so whatever a person wrote (a link in markdown syntax, a fake
mention, list markers) is shown exactly as typed and cannot pose as something else. The one piece of
formatting the neutral model has, ``*bold*`` in catalogue texts, becomes a bold run.

Buttons and forms use ``Action.Submit`` with the data ``{"a": action, "v": values}``; Teams merges the
form's input values into that object (input ids are the neutral input names), and
:func:`submitted_action` takes them apart again. ``Action.Submit`` works in every Teams client, in
group chats and in the Agents Playground; the card is refreshed in place afterwards when the workflow
asks for it (``Handled.replace``). ``Action.Execute`` invokes carry the same data and are understood
too (see :mod:`handlers.teams.listeners`).

This module is plain data in, plain data out: no botbuilder import, so moving to the Microsoft 365
Agents SDK leaves it untouched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bot.catalogue import TextLookup
from bot.messages import Attachment
from bot.messages import Block
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
from bot.messages import quoted_line
from bot.messages import spans
from bot.messages import unquoted

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"

ACTION_KEY = "a"
VALUES_KEY = "v"
FORM_KEY = "f"  # which form was submitted, so a form that comes back (with a reason) can replace it
# keys Teams or the card itself adds to submitted data that are not form inputs
_NOT_INPUTS = frozenset({ACTION_KEY, VALUES_KEY, FORM_KEY, "msteams"})
# a date-and-time input is drawn as two inputs, joined again on submission
DATE_SUFFIX = "__date"
TIME_SUFFIX = "__time"

# *bold*: single asterisks around text that starts and ends with a non-space (so "5 * 3 * 2" and
# "**x**" stay as they are)
_BOLD = re.compile(r"(?<![*\w])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![*\w])")


class CardRenderer:
    """Draws neutral messages as Adaptive Cards.

    ``text(key, **values)`` looks up the few texts the renderer itself adds (the note that stands in
    for a file attachment, the message shown when a required field is empty).
    """

    def __init__(self, text: TextLookup) -> None:
        self._text = text

    def cards(self, message: Message) -> list[dict[str, Any]]:
        """One card, or several when one would be larger than Teams accepts (about 28 KB a message):
        long texts are cut between lines and the blocks spread over cards, in order."""
        card = self.card(message)
        if _size(card) <= CARD_BUDGET:
            return [card]
        pieces = [piece for block in message.blocks for piece in _pieces(block)]
        chunks: list[list[Block]] = [[]]
        for piece in pieces:
            candidate = [*chunks[-1], piece]
            if chunks[-1] and _size(self.card(Message(tuple(candidate)))) > CARD_BUDGET:
                chunks.append([piece])
            else:
                chunks[-1] = candidate
        return [self.card(Message(tuple(chunk), summary=message.summary)) for chunk in chunks if chunk]

    def card(self, message: Message) -> dict[str, Any]:
        body: list[dict[str, Any]] = []
        separate = False
        for block in message.blocks:
            if isinstance(block, Divider):
                separate = True
                continue
            elements = self._block(block)
            if elements and separate:
                elements[0]["separator"] = True
                elements[0]["spacing"] = "Medium"
                separate = False
            body.extend(elements)
        card: dict[str, Any] = {
            "type": "AdaptiveCard",
            "$schema": CARD_SCHEMA,
            "version": CARD_VERSION,
            "body": body,
        }
        fallback = summary_of(message)
        if fallback:
            card["fallbackText"] = fallback
        return card

    # -- blocks ---------------------------------------------------------------------------------
    def _block(self, block: object) -> list[dict[str, Any]]:
        match block:
            case Text(text=text):
                return [rich_text(text)] if text else []
            case Section(title=title, body=body):
                elements = [rich_text(title, weight="Bolder", size="Medium")]
                if body:
                    elements.append(rich_text(body, spacing="Small"))
                return elements
            case Fields(pairs=pairs):
                return [_field_row(label, value, first=i == 0) for i, (label, value) in enumerate(pairs)]
            case Buttons(buttons=buttons):
                if not buttons:
                    return []
                return [{"type": "ActionSet", "actions": [_submit(b) for b in buttons]}]
            case Form():
                return [self._form(block)]
            case Attachment(filename=filename):
                return [rich_text(self._text("teams.attachment_note", filename=filename), italic=True)]
        return []

    def _form(self, form: Form) -> dict[str, Any]:
        items: list[dict[str, Any]] = [rich_text(form.title, weight="Bolder", size="Medium")]
        if form.intro:
            items.append(rich_text(form.intro, spacing="Small"))
        for inp in form.inputs:
            items.extend(self._input(inp))
        submit = {
            "type": "Action.Submit",
            "title": form.submit_label,
            "style": "positive",
            "data": {ACTION_KEY: form.submit_action, VALUES_KEY: dict(form.hidden), FORM_KEY: form.form_id},
        }
        items.append({"type": "ActionSet", "actions": [submit]})
        return {"type": "Container", "id": f"form-{form.form_id}", "items": items}

    def _input(self, inp: Input) -> list[dict[str, Any]]:
        required_message = self._text("teams.input_required", label=inp.label)
        common: dict[str, Any] = {"label": inp.label, "isRequired": inp.required}
        if inp.required:
            common["errorMessage"] = required_message
        elements: list[dict[str, Any]]
        match inp.kind:
            case InputKind.TEXT | InputKind.LONG_TEXT:
                element: dict[str, Any] = {"type": "Input.Text", "id": inp.name, **common}
                if inp.kind is InputKind.LONG_TEXT:
                    element["isMultiline"] = True
                if inp.max_length:
                    element["maxLength"] = inp.max_length
                _set(element, "value", inp.value)
                elements = [element]
            case InputKind.DATE:
                elements = [_with_value({"type": "Input.Date", "id": inp.name, **common}, inp.value)]
            case InputKind.TIME:
                elements = [_with_value({"type": "Input.Time", "id": inp.name, **common}, inp.value)]
            case InputKind.DATETIME:
                day, _, clock = inp.value.partition(" ")
                date_input = _with_value({"type": "Input.Date", "id": inp.name + DATE_SUFFIX, **common}, day)
                time_input = _with_value(
                    {
                        "type": "Input.Time",
                        "id": inp.name + TIME_SUFFIX,
                        "label": self._text("teams.time_label", label=inp.label),
                        "isRequired": inp.required,
                        **({"errorMessage": required_message} if inp.required else {}),
                    },
                    clock,
                )
                elements = [date_input, time_input]
            case InputKind.NUMBER:
                element = {"type": "Input.Number", "id": inp.name, **common}
                number = _number(inp.value)
                if number is not None:
                    element["value"] = number
                elements = [element]
            case InputKind.CHOICE | InputKind.MULTI_CHOICE:
                element = {
                    "type": "Input.ChoiceSet",
                    "id": inp.name,
                    **common,
                    "style": "compact" if inp.kind is InputKind.CHOICE else "expanded",
                    "isMultiSelect": inp.kind is InputKind.MULTI_CHOICE,
                    "choices": [{"title": o.label, "value": o.value} for o in inp.options],
                }
                _set(element, "value", inp.value)
                elements = [element]
            case _:
                elements = [_with_value({"type": "Input.Text", "id": inp.name, **common}, inp.value)]
        if inp.hint:  # under the field and always visible (a placeholder disappears once there is a value)
            elements.append(rich_text(inp.hint, spacing="None", subtle=True))
        if inp.error:
            elements.append(rich_text(inp.error, spacing="None", color="Attention"))
        return elements


# -- size -----------------------------------------------------------------------------------------
CARD_BUDGET = 24_000  # bytes of card JSON; Teams refuses messages over about 28 KB
_TEXT_PIECE = 6_000  # characters of one text piece when a long text is cut
_FIELDS_PIECE = 40  # pairs of one Fields piece


def _size(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8"))


def _pieces(block: Block) -> list[Block]:
    """A block cut into smaller blocks of the same meaning (texts between lines, fields by pairs)."""
    match block:
        case Text(text=text):
            return [Text(part) for part in _cut_lines(text)]
        case Section(title=title, body=body):
            parts = _cut_lines(body) or [""]
            return [Section(title, parts[0]), *(Text(part) for part in parts[1:])]
        case Fields(pairs=pairs):
            return [Fields(pairs[i : i + _FIELDS_PIECE]) for i in range(0, len(pairs), _FIELDS_PIECE)]
    return [block]


def _cut_lines(text: str) -> list[str]:
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > _TEXT_PIECE:  # one enormous line: cut it where it must be cut
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:_TEXT_PIECE])
            line = line[_TEXT_PIECE:]
        if current and len(current) + 1 + len(line) > _TEXT_PIECE:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        parts.append(current)
    return parts


# -- text -----------------------------------------------------------------------------------------
def text_runs(text: str, **style: Any) -> list[dict[str, Any]]:
    """``text`` as TextRuns: ``*bold*`` in the bot's own words becomes a bold run (a catalogue text may
    embolden a filled-in value: ``*{name}*``); what a person wrote (quoted spans,
    ``bot.messages.quote``) is shown as typed, on one line, and never takes part in finding ``*bold*``."""
    pieces = spans(text)
    # each quoted piece stands in as a placeholder while the bot's *bold* is found
    skeleton = "".join(f"\ue002{i}\ue003" if quoted else piece for i, (piece, quoted) in enumerate(pieces))
    runs: list[dict[str, Any]] = []
    position = 0
    for match in _BOLD.finditer(skeleton):
        if match.start() > position:
            runs.extend(_expand(skeleton[position : match.start()], pieces, style))
        runs.extend(_expand(match.group(1), pieces, {**style, "weight": "Bolder"}))
        position = match.end()
    if position < len(skeleton):
        runs.extend(_expand(skeleton[position:], pieces, style))
    return runs


_PLACEHOLDER = re.compile("\ue002(\\d+)\ue003")


def _expand(skeleton: str, pieces: list[tuple[str, bool]], style: dict[str, Any]) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(skeleton):
        if match.start() > position:
            runs.append({"type": "TextRun", "text": skeleton[position : match.start()], **style})
        line = quoted_line(pieces[int(match.group(1))][0])
        if line:
            runs.append({"type": "TextRun", "text": line, **style})
        position = match.end()
    if position < len(skeleton):
        runs.append({"type": "TextRun", "text": skeleton[position:], **style})
    return runs


def rich_text(
    text: str,
    *,
    weight: str | None = None,
    size: str | None = None,
    spacing: str | None = None,
    italic: bool = False,
    subtle: bool = False,
    color: str | None = None,
) -> dict[str, Any]:
    style: dict[str, Any] = {}
    if weight:
        style["weight"] = weight
    if size:
        style["size"] = size
    if italic:
        style["italic"] = True
    if subtle:
        style["isSubtle"] = True
    if color:
        style["color"] = color
    block: dict[str, Any] = {"type": "RichTextBlock", "inlines": text_runs(text, **style)}
    if spacing:
        block["spacing"] = spacing
    return block


def card_text(card: Mapping[str, Any]) -> str:
    """The words on a card, one line per text element: what a person reads (used in tests and logs)."""
    lines: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            kind = node.get("type")
            if kind == "RichTextBlock":
                lines.append("".join(str(r.get("text", "")) for r in node.get("inlines", [])))
                return
            if kind == "TextBlock":
                lines.append(str(node.get("text", "")))
                return
            if kind and str(kind).startswith("Action."):
                lines.append(f"[{node.get('title', '')}]")
                return
            if kind and str(kind).startswith("Input."):
                lines.append(f"<{node.get('label', node.get('id', ''))}>")
            for value in node.values():
                if isinstance(value, list | Mapping):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card.get("body", []))
    return "\n".join(lines)


def summary_of(message: Message) -> str:
    """A short plain-text preview for notifications (the message's own summary, else its first text)."""
    if message.summary:
        return unquoted(message.summary)[:150]
    for block in message.blocks:
        match block:
            case Text(text=text) if text:
                return unquoted(_BOLD.sub(r"\1", text))[:150]
            case Section(title=title):
                return unquoted(_BOLD.sub(r"\1", title))[:150]
            case Form(title=title):
                return title[:150]
    return ""


# -- submissions ----------------------------------------------------------------------------------
def submitted_action(data: object) -> tuple[str, dict[str, str]] | None:
    """``(action, values)`` from the data of a pressed button or submitted form, or None if the data
    is not ours (a card from elsewhere, a malformed payload)."""
    if not isinstance(data, Mapping):
        return None
    action = data.get(ACTION_KEY)
    if not isinstance(action, str) or not action:
        return None
    values: dict[str, str] = {}
    hidden = data.get(VALUES_KEY)
    if isinstance(hidden, Mapping):
        values.update({str(k): _as_text(v) for k, v in hidden.items()})
    inputs = {str(k): _as_text(v) for k, v in data.items() if k not in _NOT_INPUTS}
    for name in [k for k in inputs if k.endswith(DATE_SUFFIX)]:
        base = name[: -len(DATE_SUFFIX)]
        day = inputs.pop(name)
        clock = inputs.pop(base + TIME_SUFFIX, "")
        inputs[base] = f"{day} {clock}".strip()
    for name in [k for k in inputs if k.endswith(TIME_SUFFIX)]:  # a time without its date
        inputs[name[: -len(TIME_SUFFIX)]] = inputs.pop(name)
    values.update(inputs)
    return action, values


def submitted_form(data: object) -> str | None:
    """The id of the form whose submit button sent ``data`` (None for a plain button)."""
    if isinstance(data, Mapping) and isinstance(data.get(FORM_KEY), str):
        return str(data[FORM_KEY])
    return None


def _as_text(value: object) -> str:
    """A submitted input's value as text: a choice set's list joined with commas. Inputs never send
    anything deeper, so a nested list or an object (only in forged data) counts as empty."""
    if isinstance(value, list | tuple):
        return ",".join(_scalar_text(v) for v in value)
    return _scalar_text(value)


def _scalar_text(value: object) -> str:
    if value is None or isinstance(value, list | tuple | dict):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- helpers --------------------------------------------------------------------------------------
def _submit(button: Button) -> dict[str, Any]:
    action: dict[str, Any] = {
        "type": "Action.Submit",
        "title": button.label,
        "data": {ACTION_KEY: button.action, VALUES_KEY: dict(button.values)},
    }
    if button.style is ButtonStyle.PRIMARY:
        action["style"] = "positive"
    elif button.style is ButtonStyle.DANGER:
        action["style"] = "destructive"
    return action


def _field_row(label: str, value: str, *, first: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "type": "ColumnSet",
        "columns": [
            {"type": "Column", "width": 2, "items": [rich_text(label, weight="Bolder")]},
            {"type": "Column", "width": 3, "items": [rich_text(value or "–")]},
        ],
    }
    if not first:
        row["spacing"] = "Small"
    return row


def _set(element: dict[str, Any], key: str, value: str) -> None:
    if value:
        element[key] = value


def _with_value(element: dict[str, Any], value: str) -> dict[str, Any]:
    _set(element, "value", value)
    return element


def _number(text: str) -> int | float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else number
