"""Neutral messages as terminal text."""

from __future__ import annotations

from bot.messages import Attachment, Buttons, Divider, Fields, Form, Message, Section, Text, unquoted


def render_message(message: Message, *, button_offset: int = 0) -> str:
    """Plain text for a terminal. Buttons are numbered from ``button_offset + 1`` so a person can type
    the number to press one."""
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
                    extra = f" [{inp.value}]" if inp.value else ""
                    err = f"  ! {inp.error}" if inp.error else ""
                    lines.append(f"  - {inp.label}{extra}{err}")
    return unquoted("\n".join(lines))


def count_buttons(message: Message) -> int:
    return sum(len(b.buttons) for b in message.blocks if isinstance(b, Buttons))
