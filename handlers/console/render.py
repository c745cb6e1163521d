"""Neutral messages as terminal text."""

from __future__ import annotations

import re

from bot.messages import Attachment
from bot.messages import Buttons
from bot.messages import Divider
from bot.messages import Fields
from bot.messages import Form
from bot.messages import Input
from bot.messages import InputKind
from bot.messages import Message
from bot.messages import Section
from bot.messages import Text
from bot.messages import spans
from bot.messages import unquoted

# *bold* in the catalogue's own words: single asterisks around text that starts and ends with a
# non-space (so "5 * 3 * 2" and "**x**" stay as they are). A terminal has no bold, so the marks go.
_BOLD = re.compile(r"(?<![*\w])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![*\w])")
# how a date or time is typed in a terminal (other channels draw pickers, so the format is said here)
FORMATS = {InputKind.DATE: "YYYY-MM-DD", InputKind.TIME: "HH:MM", InputKind.DATETIME: "YYYY-MM-DD HH:MM"}


def render_message(message: Message, *, button_offset: int = 0, screen: bool = False) -> str:
    """Plain text for a terminal. Buttons are numbered from ``button_offset + 1`` so a person can type
    the number to press one. ``screen``: as printed (:func:`on_screen`); otherwise the catalogue's
    emphasis marks stay (the transcript tests match on)."""
    lines: list[str] = []
    n = button_offset
    for block in message.blocks:
        match block:
            case Text(text=t):
                lines.append(t)
            case Section(title=title, body=body):
                lines.append(f"== {title} ==")
                if body:
                    lines.append(body)
            case Fields(pairs=pairs):
                width = max((len(k) for k, _ in pairs), default=0)
                lines.extend(f"  {k.ljust(width)} : {v}" for k, v in pairs)
            case Buttons(buttons=buttons):
                labels = []
                for b in buttons:
                    n += 1
                    labels.append(f"[{n}] {b.label}")
                lines.append("  ".join(labels))
            case Divider():
                lines.append("-" * 40)
            case Attachment(filename=filename, mime_type=mime_type):
                lines.append(f"[attached file: {filename} ({mime_type})]")
            case Form():
                lines.append(f"== {block.title} == (form)")
                if block.intro:
                    lines.append(block.intro)
                for inp in block.inputs:
                    extra = f" [{shown_value(inp)}]" if inp.value else ""
                    err = f"  ! {inp.error}" if inp.error else ""
                    lines.append(f"  - {inp.label}{extra}{err}")
    joined = "\n".join(lines)
    return on_screen(joined) if screen else unquoted(joined)


def on_screen(text: str) -> str:
    """Rendered text as the terminal prints it: the catalogue's *emphasis* marks removed, while what
    people wrote (quoted spans) keeps every character they typed."""
    return "".join(piece if quoted else _BOLD.sub(r"\1", piece) for piece, quoted in spans(text))


def shown_value(inp: Input) -> str:
    """An input's pre-filled value as a person reads it: a choice by its label, never its id."""
    labels = {o.value: o.label for o in inp.options}
    if inp.kind == InputKind.MULTI_CHOICE:
        return ", ".join(labels.get(v.strip(), v.strip()) for v in inp.value.split(",") if v.strip())
    return labels.get(inp.value, inp.value)


def count_buttons(message: Message) -> int:
    return sum(len(b.buttons) for b in message.blocks if isinstance(b, Buttons))
