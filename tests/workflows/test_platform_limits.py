"""Every form and message the bot produces fits Block Kit and Adaptive Cards, with no label cut short.

A walk through the workflows as a mentee, a guide and a coordinator opens every form the code defines
(the set of ``form_id`` values in ``bot/`` is read from the source, so a new form that this walk does
not reach fails the test) and collects every reply and notice on the way. Each is then drawn as Slack
would get it (messages, modals, the Home tab) and as Teams would (Adaptive Cards), and checked against
the platforms' limits. Labels written by the bot -- modal titles, submit and close labels, buttons,
options, input labels -- must come out exactly as the catalogue wrote them: a short label in the
catalogue, never a clipped one ("Propose these ground ru…").
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import Form
from bot.messages import Message
from bot.model import Role
from bot.programme import ProgrammeConfig
from handlers.console.channel import ConsoleSession
from handlers.slack import blockkit as bk
from handlers.slack.render import home_view
from handlers.slack.render import modal_view
from handlers.slack.render import render_message
from handlers.teams.render import CardRenderer

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]
BOT = Path(__file__).resolve().parents[2] / "bot"
TEAMS_MESSAGE_BYTES = 28_000  # Teams refuses a message much over 28 KB


def defined_form_ids() -> set[str]:
    """Every ``Form(form_id="...")`` written in bot/."""
    found: set[str] = set()
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Form":
                for kw in node.keywords:
                    if kw.arg == "form_id" and isinstance(kw.value, ast.Constant):
                        found.add(str(kw.value.value))
    return found


class Collector:
    """Every message people were shown (replies and the notices queued for them)."""

    def __init__(self, notices: Callable[[str], list[Message]]) -> None:
        self.messages: list[Message] = []
        self._notices = notices

    def send(self, s: ConsoleSession, line: str) -> ConsoleSession:
        s.send(line)
        self.messages.extend(s.last)
        return s

    def act(self, s: ConsoleSession, action: str, values: dict[str, str]) -> None:
        s.act(action, values)
        self.messages.extend(s.last)

    def submit(self, s: ConsoleSession, values: dict[str, str]) -> None:
        s.submit(values)
        self.messages.extend(s.last)

    def queued(self, *emails: str) -> None:
        for email in emails:
            self.messages.extend(self._notices(email))

    @property
    def forms(self) -> list[Form]:
        return [m.form for m in self.messages if m.form is not None]


@pytest.fixture
def walked(
    pair: Rel,
    coordinator: Member,
    make_person: Callable[..., Member],
    make_relationship: Callable[..., Rel],
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    notices: Callable[[str], list[Message]],
) -> Collector:
    seen = Collector(notices)
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    cora = session(coordinator.email)
    # a second relationship in its last phase (closing reflection), and a guide with room (re-match)
    sponsor = make_person("sponsor@example.org", "Sam Sponsor", "Europe/London", (Role.GUIDE,))
    make_person("vera@example.org", "Vera Volunteer", "Europe/Paris", (Role.GUIDE,))
    closing = make_relationship([sponsor], [pair.mentee], kind="sponsorship", phase="closure")

    for line in ("help", "home", "whats next", "welcome #1", "my relationships", "settings", "network"):
        seen.send(mentee, line)
    seen.send(mentee, "agenda add #1")  # agenda.add
    seen.send(mentee, "agenda add #1 A topic that is mine")
    seen.send(mentee, "agenda edit #1 1")  # agenda.edit
    seen.send(mentee, "schedule #1")  # meeting.times (new)
    seen.send(mentee, "goals add #1")  # goals.add
    seen.send(mentee, "checkin #1")  # checkin
    seen.send(mentee, "network add")  # network.add
    seen.send(mentee, "network ask")  # network.ask
    seen.send(mentee, "ground rules #1 propose")  # rules.edit
    seen.send(mentee, f"reflection #{closing.id}")  # closing_reflection

    upcoming = add_meeting(pair, clock.now() + timedelta(days=3))
    seen.send(mentee, f"meetings move {upcoming}")  # meeting.times (move)
    seen.send(mentee, f"meetings cancel {upcoming}")  # meeting.cancel
    seen.send(mentor, "schedule #1")
    seen.submit(mentor, {"option1": "2026-03-10 15:00", "minutes": "45"})
    seen.queued(pair.mentee.email)
    proposed = upcoming + 1
    seen.send(mentee, f"meetings counter {proposed}")  # meeting.times (counter)

    held = add_meeting(pair, clock.now() - timedelta(days=1))
    seen.send(mentee, f"met {held} yes")  # followup.minutes
    seen.submit(mentee, {"minutes": "50"})
    seen.act(mentee, "actions.plan", {"r": str(pair.id), "m": str(held)})  # actions.add
    seen.submit(mentee, {"what": "Think about a research project", "owner": "none"})
    mentee.press("Finish and share the plan")
    seen.messages.extend(mentee.last)
    seen.queued(pair.mentor.email)
    mentor.last = [seen.messages[-1]]
    mentor.press("Comment on 1")  # actions.comment
    seen.messages.extend(mentor.last)

    for line in ("agenda", "actions", "meetings", "goals #1", "home", "whats next"):
        seen.send(mentor, line)
    for line in ("help", "home", "report", "announce"):  # announce
        seen.send(cora, line)
    seen.send(cora, f"rematch {closing.id}")  # rematch
    return seen


def test_every_slack_message_and_modal_fits_block_kit_with_labels_as_written(
    walked: Collector, programme: ProgrammeConfig
) -> None:
    assert defined_form_ids() - {f.form_id for f in walked.forms} == set(), "a form the walk never opens"
    texts = programme.text
    problems: list[str] = []
    for message in walked.messages:
        for payload in render_message(message, texts):
            problems += slack_problems(payload["blocks"], bk.MESSAGE_BLOCKS, message)
        if message.form is not None:
            view = modal_view(
                message.form, texts, preface=[b for b in message.blocks if b is not message.form]
            )
            problems += slack_problems(view["blocks"], bk.VIEW_BLOCKS, message)
            for key, neutral in (
                ("title", message.form.title),
                ("submit", message.form.submit_label),
                ("close", texts("slack.cancel")),
            ):
                shown = view[key]["text"]
                if len(shown) > bk.VIEW_TITLE or shown != neutral:
                    problems.append(f"modal {key} {neutral!r} shown as {shown!r}")
    home = home_view(walked.messages[:3], texts)
    problems += slack_problems(home["blocks"], bk.VIEW_BLOCKS, walked.messages[0])
    assert problems == []


def test_every_teams_card_fits_and_keeps_its_labels(walked: Collector, programme: ProgrammeConfig) -> None:
    renderer = CardRenderer(programme.text)
    problems: list[str] = []
    for message in walked.messages:
        for card in renderer.cards(message):
            size = len(json.dumps(card, ensure_ascii=False).encode())
            if size > TEAMS_MESSAGE_BYTES or card["version"] != "1.5":
                problems.append(f"card of {size} bytes, version {card['version']}")
            titles = [a.get("title", "") for a in walk(card) if str(a.get("type", "")).startswith("Action.")]
            wanted = [b.label for b in buttons_of(message)] + (
                [message.form.submit_label] if message.form else []
            )
            if sorted(titles) != sorted(wanted):
                problems.append(f"action titles {titles} for buttons {wanted}")
            inputs = [e for e in walk(card) if str(e.get("type", "")).startswith("Input.")]
            for inp in inputs:
                if not inp.get("label"):
                    problems.append(f"input {inp.get('id')} without a label")
            pickers = any(i["type"] in ("Input.Date", "Input.Time") for i in inputs)
            if pickers and any(hint in json.dumps(card) for hint in ("YYYY", "HH:MM")):
                problems.append(
                    f"a typed-format hint beside Teams' own date and time pickers in {message.form}"
                )
    assert problems == []


# -- checks --------------------------------------------------------------------------------------------


def slack_problems(blocks: list[dict[str, Any]], limit: int, message: Message) -> list[str]:
    """What Slack would refuse, and any of the bot's own labels that did not come out as written."""
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks (max {limit})")
    labels = {b.label for b in buttons_of(message)}
    labels |= {o.label for f in ([message.form] if message.form else []) for i in f.inputs for o in i.options}
    for element in walk(blocks):
        kind = element.get("type")
        if kind == "section" and len((element.get("text") or {}).get("text", "")) > bk.SECTION_TEXT:
            problems.append("section text over 3000 characters")
        if kind == "button":
            text = element["text"]["text"]
            if len(text) > bk.BUTTON_TEXT or (text.endswith("…") and text not in labels):
                problems.append(f"button {text!r} cut or too long")
        if kind == "input" and len(element["label"]["text"]) > bk.INPUT_LABEL:
            problems.append("input label over 2000 characters")
        for option in element.get("options") or []:
            text = option["text"]["text"]
            if len(text) > bk.OPTION_TEXT or (text.endswith("…") and text not in labels):
                problems.append(f"option {text!r} cut or too long")
    return problems


def buttons_of(message: Message) -> list[Button]:
    return [b for block in message.blocks if isinstance(block, Buttons) for b in block.buttons]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)
