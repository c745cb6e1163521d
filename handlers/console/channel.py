"""The console channel: a terminal conversation through the same path Slack and Teams use.

``ConsoleSession`` is also the harness the workflow tests drive: ``send`` types a line, ``press``
clicks a button shown in the last reply, ``submit`` fills in and sends the last form.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from bot.app import MentorBot
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import Form
from bot.messages import Inbound
from bot.messages import Input
from bot.messages import InputKind
from bot.messages import Message
from bot.messages import Sender
from bot.model import Platform
from handlers.console.render import FORMATS
from handlers.console.render import count_buttons
from handlers.console.render import render_message
from handlers.console.render import shown_value

LEAVE_WORD = "done"  # at a form's first field: leave the form (and use the message's buttons)


class ConsoleSession:
    def __init__(self, bot: MentorBot, email: str) -> None:
        self.bot = bot
        self.sender = Sender(platform=Platform.CONSOLE, external_id=email.strip().lower(), email=email)
        self.last: list[Message] = []
        self.transcript: list[str] = []

    # -- what a person does ---------------------------------------------------------------------
    def send(self, text: str) -> list[Message]:
        return self._deliver(Inbound(self.sender, text=text))

    def act(self, action: str, values: dict[str, str] | None = None) -> list[Message]:
        return self._deliver(Inbound(self.sender, action=action, values=dict(values or {})))

    def press(self, label_or_number: str) -> list[Message]:
        button = self.find_button(label_or_number)
        return self.act(button.action, dict(button.values))

    def submit(self, values: dict[str, str] | None = None) -> list[Message]:
        """Fill the last form: given values override its pre-filled ones."""
        form = self.last_form()
        if form is None:
            raise LookupError("the last reply has no form")
        filled = {i.name: i.value for i in form.inputs}
        filled |= dict(values or {})
        return self.act(form.submit_action, {**form.hidden, **filled})

    # -- what a person sees ------------------------------------------------------------------------
    def buttons(self) -> list[Button]:
        return [
            b for m in self.last for block in m.blocks if isinstance(block, Buttons) for b in block.buttons
        ]

    def find_button(self, label_or_number: str) -> Button:
        buttons = self.buttons()
        if label_or_number.isdigit() and 0 < int(label_or_number) <= len(buttons):
            return buttons[int(label_or_number) - 1]
        wanted = label_or_number.strip().lower()
        for b in buttons:
            if b.label.lower() == wanted:
                return b
        for b in buttons:
            if wanted in b.label.lower():
                return b
        raise LookupError(f"no button {label_or_number!r} in {[b.label for b in buttons]}")

    def last_form(self) -> Form | None:
        for m in reversed(self.last):
            if m.form is not None:
                return m.form
        return None

    def text(self, *, screen: bool = False) -> str:
        """The last reply as text, buttons numbered as the terminal numbers them. ``screen``: exactly
        as printed (the catalogue's *emphasis* marks removed)."""
        out, offset = [], 0
        for m in self.last:
            out.append(render_message(m, button_offset=offset, screen=screen))
            offset += count_buttons(m)
        return "\n".join(out)

    def _deliver(self, inbound: Inbound) -> list[Message]:
        self.last = self.bot.handle(inbound).messages
        self.transcript.append(self.text())
        return self.last


def run_interactive(
    session: ConsoleSession,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
    time_step: Callable[[str], str] | None = None,
) -> None:
    """The ``mentorbot chat`` loop. A number presses a button; a form is filled field by field.

    ``time_step``: when given, a line ``/time WHEN`` is handed to it (the composition root moves the
    clock and runs a scheduler pass) and what it returns is shown."""
    write(f"Talking to mentorbot as {session.sender.email}. Type 'help', or 'quit' to leave.")
    session.send("help")
    write(session.text(screen=True))
    while True:
        try:
            line = read("> ").strip()
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        if line.lower() in {"quit", "exit"}:
            return
        if not line:
            continue
        if time_step is not None and line.lower().split(" ", 1)[0] == "/time":
            write(time_step(line[len("/time") :].strip()))
            continue
        if line.isdigit() and session.buttons():
            try:
                session.press(line)
            except LookupError as err:
                write(str(err))
                continue
        else:
            session.send(line)
        write(session.text(screen=True))
        while (form := session.last_form()) is not None:
            values = _fill_form(form, read, write, leave=bool(session.buttons()))
            if values is FormExit.CANCELLED:
                write("(form cancelled)")
                break
            if values is FormExit.LEFT:
                write("(form left: type the number of a button above, or a command)")
                break
            session.submit(values)
            write(session.text(screen=True))
            if session.last_form() is form:
                break


class FormExit(Enum):
    CANCELLED = "cancelled"  # the person typed cancel (or closed the input)
    LEFT = "left"  # the person left the form on purpose, to press one of the message's buttons


def _fill_form(
    form: Form, read: Callable[[str], str], write: Callable[[str], None], *, leave: bool = False
) -> dict[str, str] | FormExit:
    """Ask for each field in turn. ``leave``: the message also has buttons (e.g. *Finish and share the
    plan* beside the next item's form), so ``done`` or an empty line at the first field leaves the form
    without cancelling anything."""
    how = "Enter keeps the value in brackets; type 'cancel' to stop"
    if leave:
        how += "; type 'done' (or press Enter) now to leave the form and use the buttons"
    write(f"Fill in the form ({how}).")
    values: dict[str, str] = {}
    for index, inp in enumerate(form.inputs):
        answer = _ask(inp, read, write)
        if answer is None:
            return FormExit.CANCELLED
        if leave and index == 0 and (answer.lower() == LEAVE_WORD or not (answer or inp.value)):
            return FormExit.LEFT
        values[inp.name] = answer or inp.value
    return values


def _ask(inp: Input, read: Callable[[str], str], write: Callable[[str], None]) -> str | None:
    """One field's answer: choices are listed by number and human label, and a number, the label or the
    value picks one; None when the person cancels."""
    default = f" [{shown_value(inp)}]" if inp.value else ""
    choices = inp.kind in (InputKind.CHOICE, InputKind.MULTI_CHOICE) and inp.options
    if choices:
        write(f"{inp.label}:")
        for n, option in enumerate(inp.options, start=1):
            write(f"  {n}) {option.label}")
        several = inp.kind == InputKind.MULTI_CHOICE
        prompt = ("Type numbers separated by commas" if several else "Type a number") + f"{default}: "
    else:
        notes = [n for n in (FORMATS.get(inp.kind, ""), inp.hint) if n]
        prompt = inp.label + (f" ({'; '.join(notes)})" if notes else "") + f"{default}: "
    while True:
        try:
            answer = read(prompt).strip()
        except (EOFError, KeyboardInterrupt):
            return None
        if answer.lower() == "cancel":
            return None
        if not choices or not answer:
            return answer
        picked = _pick_options(inp, answer)
        if picked is not None:
            return picked
        write(f"Please type one of the numbers 1 to {len(inp.options)}.")


def _pick_options(inp: Input, answer: str) -> str | None:
    """The option values a typed answer means (numbers, labels or values), or None if one is unknown."""
    parts = [p.strip() for p in answer.split(",")] if inp.kind == InputKind.MULTI_CHOICE else [answer]
    chosen: list[str] = []
    for part in (p for p in parts if p):
        if part.isdigit() and 1 <= int(part) <= len(inp.options):
            chosen.append(inp.options[int(part) - 1].value)
            continue
        match = next((o for o in inp.options if part.lower() in (o.value.lower(), o.label.lower())), None)
        if match is None:
            return None
        chosen.append(match.value)
    return ",".join(chosen) if chosen else None
