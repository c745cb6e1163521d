"""Neutral messages (``bot.messages``) as e-mail: a plain-text part, an HTML part and the files.

Both parts come from one view of the message and two Jinja2 templates (``templates/``): a plain,
accessible layout -- one column, real headings, text links that say what they do, no images, no
tracking. What people wrote is shown as plain text on one line (``bot.messages.quoted_line``: no
formatting, no links), exactly as the chat channels show it; only the catalogue's ``*bold*`` becomes
bold. Buttons become links (:mod:`handlers.email.links`); a form becomes a link to a page with the form.
A calendar invite stays a ``text/calendar`` attachment, so calendar clients offer to add it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from jinja2 import Environment
from jinja2 import PackageLoader
from markupsafe import Markup
from markupsafe import escape

from bot.messages import Attachment
from bot.messages import Buttons
from bot.messages import Divider
from bot.messages import Fields
from bot.messages import Form
from bot.messages import Message
from bot.messages import Section
from bot.messages import Text
from bot.messages import quoted_line
from bot.messages import spans
from bot.messages import unquoted

_BOLD = re.compile(r"\*([^*\n]+)\*")

ENVIRONMENT = Environment(
    loader=PackageLoader("handlers.email", "templates"),
    autoescape=lambda name: bool(name and name.endswith(".html.j2")),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Rich:
    """One text in both forms: HTML (escaped, with the catalogue's bold) and plain."""

    html: Markup
    plain: str


@dataclass
class View:
    """What the templates draw: blocks in order (``kind`` and its fields), the files beside them."""

    blocks: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def rich(text: str) -> Rich:
    html: list[str] = []
    plain: list[str] = []
    for piece, quoted in spans(text):
        if quoted:  # written by a person: plain text on one line, whatever it holds
            line = quoted_line(piece)
            html.append(str(escape(line)))
            plain.append(line)
        else:
            escaped = str(escape(piece))
            html.append(_BOLD.sub(r"<strong>\1</strong>", escaped).replace("\n", "<br>\n"))
            plain.append(piece)
    return Rich(Markup("".join(html)), "".join(plain))


ButtonLink = Callable[[str, dict[str, str], str, str], str]  # (action, values, label, context) -> url
FormLink = Callable[[Form], str]


def view_of(messages: Iterable[Message], button_link: ButtonLink, form_link: FormLink | None) -> View:
    """The blocks of ``messages``; buttons and forms as links made by the given functions. A form is
    shown in full when ``form_link`` is None (a link page draws it as an HTML form)."""
    view = View()
    for message in messages:
        context = headline(message)
        for block in message.blocks:
            match block:
                case Text(text=text):
                    view.blocks.append({"kind": "text", "text": rich(text)})
                case Section(title=title, body=body):
                    view.blocks.append({"kind": "section", "title": rich(title), "body": rich(body)})
                case Fields(pairs=pairs):
                    view.blocks.append({"kind": "fields", "pairs": [(rich(k), rich(v)) for k, v in pairs]})
                case Buttons(buttons=buttons):
                    links = [
                        {"label": b.label, "url": button_link(b.action, dict(b.values), b.label, context)}
                        for b in buttons
                    ]
                    view.blocks.append({"kind": "buttons", "links": links})
                case Divider():
                    view.blocks.append({"kind": "divider"})
                case Form() if form_link is not None:
                    view.blocks.append({"kind": "form_link", "title": block.title, "url": form_link(block)})
                case Form():
                    view.blocks.append({"kind": "form", "form": block})
                case Attachment():
                    view.attachments.append(block)
    return view


def headline(message: Message) -> str:
    """One line that says what a message is about: its summary, or its first text or title."""
    text = message.summary
    if not text:
        for block in message.blocks:
            if isinstance(block, Text | Section):
                text = block.text if isinstance(block, Text) else block.title
                break
            if isinstance(block, Form):
                text = block.title
                break
    line = " ".join(unquoted(text).replace("*", "").split())
    return line[:109].rstrip() + "…" if len(line) > 110 else line


def subject_of(message: Message, programme: str) -> str:
    """The e-mail's subject: the message's headline after the programme's name."""
    line = headline(message)
    return f"{programme}: {line}" if line else programme


def render(template: str, **values: Any) -> str:
    return ENVIRONMENT.get_template(template).render(**values)
