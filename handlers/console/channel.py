"""The console channel: a terminal conversation through the same path Slack and Teams use.

``ConsoleSession`` is also the harness the workflow tests drive: ``send`` types a line, ``press``
clicks a button shown in the last reply, ``submit`` fills in and sends the last form.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.app import MentorBot
from bot.messages import Button, Buttons, Form, Inbound, InputKind, Message, Sender
from bot.model import Platform
from handlers.console.render import count_buttons, render_message


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

    def text(self) -> str:
        """The last reply as the terminal shows it."""
        out, offset = [], 0
        for m in self.last:
            out.append(render_message(m, button_offset=offset))
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
    write(session.text())
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
        write(session.text())
        while (form := session.last_form()) is not None:
            values = _fill_form(form, read, write)
            if values is None:
                write("(form cancelled)")
                break
            session.submit(values)
            write(session.text())
            if session.last_form() is form:
                break


def _fill_form(form: Form, read: Callable[[str], str], write: Callable[[str], None]) -> dict[str, str] | None:
    write("Fill in the form (Enter keeps the value in brackets; type 'cancel' to stop).")
    values: dict[str, str] = {}
    for inp in form.inputs:
        hint = ""
        if inp.kind in (InputKind.CHOICE, InputKind.MULTI_CHOICE) and inp.options:
            hint = " (" + ", ".join(o.value for o in inp.options) + ")"
        elif inp.hint:
            hint = f" ({inp.hint})"
        default = f" [{inp.value}]" if inp.value else ""
        try:
            answer = read(f"{inp.label}{hint}{default}: ").strip()
        except (EOFError, KeyboardInterrupt):
            return None
        if answer.lower() == "cancel":
            return None
        values[inp.name] = answer or inp.value
    return values
