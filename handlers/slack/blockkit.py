"""Block Kit limits and the few building blocks the renderer needs.

Slack checks none of these for raw dicts until the API call fails, so the renderer keeps to them itself:
texts are clipped visibly ("…"), lists are split into several blocks, and messages into pages.
"""

from __future__ import annotations

import re
from typing import Any

from bot.messages import quoted_line
from bot.messages import spans
from bot.messages import unquoted

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100  # a modal or the Home tab
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FIELDS_PER_SECTION = 10
CONTEXT_TEXT = 3000
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ID = 255  # action_id, block_id, callback_id
VIEW_TITLE = 24  # a modal's title, submit and close labels
INPUT_LABEL = 2000
INPUT_HINT = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
SELECT_OPTIONS = 100
CHECKBOX_OPTIONS = 10
TEXT_INPUT_LENGTH = 3000
PRIVATE_METADATA = 3000
NOTIFICATION_TEXT = 3000  # chat.postMessage "text" next to blocks: what notifications show

Block = dict[str, Any]

_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")


def escape(text: str) -> str:
    """Plain text for a mrkdwn field: Slack's three control characters become entities, so nobody can
    write ``<!channel>``, ``<@U123>`` or ``<https://evil|a harmless label>`` into a message. What a
    person wrote (quoted spans, see ``bot.messages.quote``) is also kept from looking like the bot's
    own words: see :func:`neutral`."""
    return "".join(neutral(piece) if quoted else _entities(piece) for piece, quoted in spans(text))


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# mrkdwn has no escape character: its markers become look-alikes that Slack does not read as formatting
_MARKUP = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})


def neutral(text: str) -> str:
    """A person's words as mrkdwn that reads as exactly what they typed and nothing more: no
    *bold*, _italic_, ~strike~ or `code`, no link, mention or ``<!here>`` (the entities), no line break
    that starts a line of its own (a fake heading), no address Slack would turn into a link, and no
    control, bidi-override or zero-width character."""
    return _entities(quoted_line(text).translate(_MARKUP))


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with a visible ellipsis, never inside an ``&amp;`` entity."""
    if len(text) <= limit:
        return text
    cut = _PARTIAL_ENTITY.sub("", text[: limit - 1])
    return cut + "…"


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(unquoted(text), limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit) or " "}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text, CONTEXT_TEXT)]}


def split_text(text: str, limit: int = SECTION_TEXT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line ends where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # one very long line: cut it hard
            if current:
                pieces.append(current)
                current = ""
            head = _PARTIAL_ENTITY.sub("", line[:limit])
            pieces.append(head)
            line = line[len(head) :]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def count_lines(blocks: list[Block]) -> int:
    """How many lines of text ``blocks`` show: what "…and N more" counts when they are left out."""
    lines = 0
    for block in blocks:
        if block.get("type") == "section":
            text = block.get("text", {}).get("text", "")
            lines += len([ln for ln in text.split("\n") if ln.strip()])
            lines += len(block.get("fields", []))
        elif block.get("type") in ("actions", "input", "context"):
            lines += 1
    return lines
