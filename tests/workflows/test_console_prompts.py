"""The terminal conversation (``mentorbot chat``): choices by number and human label, a plan finished
without ``cancel``, no Slack mrkdwn asterisks on screen. Driven through the real interactive loop with a
scripted keyboard."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.clock import FixedClock
from bot.model import ActionItem
from bot.model import MeetingStatus
from handlers.console.channel import ConsoleSession
from handlers.console.channel import run_interactive
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Rel

Session = Callable[..., ConsoleSession]


class Terminal:
    """A scripted keyboard and the screen it prints to (prompts included, as a person sees them)."""

    def __init__(self, lines: list[str]) -> None:
        self._lines: Iterator[str] = iter(lines)
        self.screen: list[str] = []

    def read(self, prompt: str) -> str:
        self.screen.append(prompt)
        line = next(self._lines, None)
        if line is None:
            raise EOFError
        self.screen.append(line)
        return line

    def write(self, text: str) -> None:
        self.screen.append(text)

    @property
    def shown(self) -> str:
        return "\n".join(self.screen)


def stored_actions(uow_factory: SqlUnitOfWorkFactory, rel: Rel) -> list[ActionItem]:
    with uow_factory() as uow:
        items = uow.system_content("test").as_member(rel.members[0].id).actions(rel.id)
        uow.session.expunge_all()
        return items


def test_a_plan_is_drafted_with_numbered_choices_and_finished_without_cancel(
    pair: Rel,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    add_meeting(pair, clock.now() - timedelta(days=1), status=MeetingStatus.HELD)
    terminal = Terminal(
        [
            "actions plan",
            # first item: what, owner (by number: 1 is Maria Mentor), outside name, due, priority (by label)
            "Send me two papers on audit",
            "1",
            "",
            "2026-03-20",
            "Nice-to-have",
            # the form comes back for the next item: an empty first field leaves it, no "cancel" needed
            "",
            "1",  # the button [1]: Finish and share the plan
        ]
    )
    run_interactive(session(pair.mentee.email), terminal.read, terminal.write)
    shown = terminal.shown
    # every choice by number and human label, the default by its label; never internal ids
    assert "Who does it?:\n  1) Maria Mentor\n  2) Eli Mentee (you)\n  3) Someone outside" in shown
    assert "Type a number [Eli Mentee (you)]: " in shown
    assert "(3, 8, other, none)" not in shown and "[2]:" not in shown
    assert "  1) must-do\n  2) nice-to-have" in shown
    assert "By when? (optional) (YYYY-MM-DD): " in shown  # the typed format is the terminal's to say
    assert "(form left: type the number of a button above" in shown
    assert "(form cancelled)" not in shown
    assert "Your action plan is shared with Maria Mentor" in shown
    # no Slack mrkdwn on screen
    assert "*actions plan*" not in shown and "*" not in shown.split("Your action plan is shared")[1]

    (item,) = stored_actions(uow_factory, pair)
    assert (item.text, item.owner_id, item.priority, str(item.due_on)) == (
        "Send me two papers on audit",
        pair.mentor.id,
        "nice",
        "2026-03-20",
    )


def test_an_unknown_choice_is_asked_again_and_every_choice_field_takes_a_number(
    pair: Rel,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    add_meeting(pair, clock.now() - timedelta(days=1), status=MeetingStatus.HELD)
    terminal = Terminal(["actions plan", "Book the skills lab", "7", "4", "", "", "2", "done", "1"])
    run_interactive(session(pair.mentee.email), terminal.read, terminal.write)
    assert "Please type one of the numbers 1 to 4." in terminal.shown
    (item,) = stored_actions(uow_factory, pair)
    assert (item.owner_id, item.owner_name, item.priority) == (None, "", "nice")


def test_the_help_on_screen_has_no_mrkdwn_asterisks(pair: Rel, session: Session) -> None:
    terminal = Terminal(["agenda"])
    mentee = session(pair.mentee.email)
    run_interactive(mentee, terminal.read, terminal.write)
    assert "*agenda add TEXT*" in mentee.text()  # the catalogue's emphasis, kept in the transcript
    assert "agenda add TEXT" in terminal.shown and "*agenda add TEXT*" not in terminal.shown
