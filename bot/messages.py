"""The neutral message model: what the bot hears and what it says, not how a platform draws it.

Channel handlers translate both ways: a Slack event, a Teams activity or a console line becomes an
:class:`Inbound`; a :class:`Reply` becomes Block Kit, an Adaptive Card or terminal text.

Text in :class:`Text`, :class:`Section` and field values is plain text written by the bot or by users;
renderers escape it for their platform (so nobody can inject ``<!channel>`` or a fake link).  Simple
emphasis is expressed with ``*bold*`` in catalogue texts only.

What people wrote is marked where it enters a text: every value a workflow fills into a catalogue text
(``Context.text``) is wrapped by :func:`quote` between two private-use characters, and renderers draw
each such span as plain text with :func:`spans` -- no ``*bold*``, no mrkdwn, no links or mentions, no
line break that could start a fake heading -- while the catalogue's own words keep their formatting. A
quote also loses control, bidi-override and zero-width characters. Nothing has to remember to quote an
agenda item or a ground-rule answer shown to someone else: it cannot reach a text any other way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from enum import StrEnum
from typing import Any

QUOTE_OPEN = "\ue000"  # private-use characters: never typed by people (quote() removes them anyway)
QUOTE_CLOSE = "\ue001"
# C0/C1 controls but tab and newline; bidi embeddings, overrides, isolates and marks; zero-width
# characters and the word joiner; the byte-order mark; the quote markers (and renderers' placeholders)
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ue000-\ue003]"
)
_SPAN = re.compile("\ue000([^\ue000\ue001]*)\ue001")


def visible(text: str) -> str:
    """``text`` without control, bidi-override, zero-width and marker characters."""
    return _INVISIBLE.sub("", text)


def quote(value: str) -> str:
    """Mark ``value`` as written by a person: renderers show it as plain text. A value that already
    holds quotes (a text composed from other catalogue texts) is left as it is: its people's parts are
    marked, and its own formatting is the bot's."""
    if QUOTE_OPEN in value:
        return value
    cleaned = visible(value)
    return f"{QUOTE_OPEN}{cleaned}{QUOTE_CLOSE}" if cleaned else ""


def spans(text: str) -> list[tuple[str, bool]]:
    """``text`` as (piece, written by a person) pairs, in order; unmatched markers are dropped."""
    out: list[tuple[str, bool]] = []
    position = 0
    for match in _SPAN.finditer(text):
        if match.start() > position:
            out.append(
                (text[position : match.start()].replace(QUOTE_OPEN, "").replace(QUOTE_CLOSE, ""), False)
            )
        out.append((match.group(1), True))
        position = match.end()
    if position < len(text):
        out.append((text[position:].replace(QUOTE_OPEN, "").replace(QUOTE_CLOSE, ""), False))
    return [(piece, quoted) for piece, quoted in out if piece]


_URL = re.compile(r"(?i)\b(?:https?|ftp|mailto|slack):(?://)?|\bwww\.")


def quoted_line(text: str) -> str:
    """A quoted span as one line that no client reads as anything but text: invisible characters
    removed, line breaks (which could start a fake heading) shown as " / ", and addresses broken
    (``https[:]//…``, ``www[.]…``) so that no client turns them into links."""
    flat = " / ".join(line.strip() for line in visible(text).splitlines() if line.strip())
    return _URL.sub(lambda m: m.group(0).replace(":", "[:]").replace("www.", "www[.]"), flat)


def unquoted(text: str) -> str:
    """``text`` with the quote marks removed (for plain-text fields and the terminal)."""
    return text.replace(QUOTE_OPEN, "").replace(QUOTE_CLOSE, "")


@dataclass(frozen=True)
class Sender:
    """Who sent an inbound message, as the platform knows them."""

    platform: str
    external_id: str
    email: str | None = None
    workspace: str = ""
    display_name: str = ""
    timezone: str | None = None  # IANA name when the platform tells us (Slack users.info)
    # False when the platform could not vouch for the request (Teams local mode has no token): such a
    # sender may be linked to a person seen for the first time, never moved onto one already linked
    verified: bool = True
    # True when the channel has not looked up the profile (e-mail, time zone) yet, because a linked
    # person needs none: the bot answers an unknown sender with ``Handled.unknown`` instead, and the
    # channel looks them up and asks again (only first contacts cost a directory lookup)
    profile_pending: bool = False


@dataclass(frozen=True)
class Address:
    """How to message the sender first later (a Teams conversation reference), stored on their chat
    identity in the transaction of the turn that brought it.

    ``data`` is stored as it is. ``may_replace`` decides, for a sender the platform could not vouch for
    (``Sender.verified`` False), whether ``data`` may replace what is stored (e.g. the same connector and
    user); verified senders always refresh it.
    """

    data: dict[str, Any]
    may_replace: Callable[[Mapping[str, Any]], bool] = field(default=lambda stored: False, compare=False)


@dataclass(frozen=True)
class Inbound:
    """A typed message (``text``) or a pressed button / submitted form (``action`` + ``values``)."""

    sender: Sender
    text: str | None = None
    action: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    # the platform's id of this delivery (a Slack event id, a Teams activity id): a retry or redelivery
    # with the same key is recognised and answered with nothing; "" for requests never redelivered
    event_key: str = ""
    address: Address | None = None

    @property
    def is_action(self) -> bool:
        return self.action is not None


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    label: str
    action: str
    values: dict[str, str] = field(default_factory=dict)
    style: ButtonStyle = ButtonStyle.DEFAULT

    def __post_init__(self) -> None:
        # shown as plain text on every platform: the quote marks have no use here
        object.__setattr__(self, "label", unquoted(self.label))


class InputKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"  # YYYY-MM-DD
    TIME = "time"  # HH:MM
    DATETIME = "datetime"  # YYYY-MM-DD HH:MM in the person's time zone
    NUMBER = "number"
    CHOICE = "choice"  # one of options
    MULTI_CHOICE = "multi_choice"  # several of options, comma-separated in values


@dataclass(frozen=True)
class Option:
    value: str
    label: str

    def __post_init__(self) -> None:
        # shown as plain text on every platform: the quote marks have no use here
        object.__setattr__(self, "label", unquoted(self.label))


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: InputKind = InputKind.TEXT
    required: bool = True
    value: str = ""  # pre-filled
    options: tuple[Option, ...] = ()
    max_length: int | None = None
    hint: str = ""
    error: str = ""  # a validation message from the last submission

    def __post_init__(self) -> None:
        # shown as plain text on every platform: the quote marks have no use here
        object.__setattr__(self, "label", unquoted(self.label))
        object.__setattr__(self, "hint", unquoted(self.hint))
        object.__setattr__(self, "error", unquoted(self.error))
        object.__setattr__(self, "value", unquoted(self.value))


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Section:
    title: str
    body: str = ""


@dataclass(frozen=True)
class Fields:
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Buttons:
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Divider:
    pass


@dataclass(frozen=True)
class Form:
    """A form: a modal on Slack, an Adaptive Card with inputs on Teams, prompts on the console.

    ``hidden`` values travel with the submission (e.g. the conversation version); workflows never trust
    them for identity: the actor is always the sender.
    """

    form_id: str
    title: str
    inputs: tuple[Input, ...]
    submit_action: str
    submit_label: str = "Submit"
    hidden: dict[str, str] = field(default_factory=dict)
    intro: str = ""

    def __post_init__(self) -> None:
        # shown as plain text on every platform: the quote marks have no use here
        object.__setattr__(self, "title", unquoted(self.title))
        object.__setattr__(self, "submit_label", unquoted(self.submit_label))


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message, e.g. a calendar invite (``text/calendar``).

    Channels upload it as a file (Slack ``files.upload``, a Teams file card or inline attachment); the
    console names it. ``content`` is text, since every file the bot sends is text.
    """

    filename: str
    mime_type: str
    content: str


Block = Text | Section | Fields | Buttons | Divider | Form | Attachment


@dataclass(frozen=True)
class Message:
    blocks: tuple[Block, ...]
    # a short plain-text summary for notifications and for platforms that need one
    summary: str = ""

    @property
    def form(self) -> Form | None:
        for b in self.blocks:
            if isinstance(b, Form):
                return b
        return None


@dataclass(frozen=True)
class Outbound:
    """A message addressed to one person (for workflows that notify the other members)."""

    person_id: int
    message: Message
    kind: str = "notice"
    key: str = ""  # dedupe key suffix, so a retried action never notifies twice


@dataclass
class Reply:
    """What a workflow answers: messages to the sender now, and notices to others via the outbox.

    ``replace`` asks the channel to update the message whose button was pressed, so a stale button
    cannot be pressed twice.
    """

    messages: list[Message] = field(default_factory=list)
    notices: list[Outbound] = field(default_factory=list)
    replace: bool = False

    def say(self, *blocks: Block, summary: str = "") -> Reply:
        self.messages.append(Message(tuple(blocks), summary=summary))
        return self

    def notify(self, person_id: int, *blocks: Block, kind: str = "notice", key: str = "") -> Reply:
        self.notices.append(Outbound(person_id, Message(tuple(blocks)), kind=kind, key=key))
        return self


def text_message(text: str) -> Message:
    return Message((Text(text),), summary=text[:150])
