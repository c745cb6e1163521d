"""Neutral messages as Adaptive Cards 1.5, and what Teams sends back when a card is used."""

from __future__ import annotations

import json
from typing import Any

from bot.messages import Attachment
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import ButtonStyle
from bot.messages import Divider
from bot.messages import Fields
from bot.messages import Form
from bot.messages import Input
from bot.messages import InputKind
from bot.messages import Message
from bot.messages import Option
from bot.messages import Section
from bot.messages import Text
from bot.programme import ProgrammeConfig
from handlers.teams.render import CARD_BUDGET
from handlers.teams.render import CardRenderer
from handlers.teams.render import card_text
from handlers.teams.render import submitted_action

TEXTS = ProgrammeConfig.default().text
RENDER = CardRenderer(TEXTS)


def elements(card: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == kind:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def test_what_people_wrote_is_shown_exactly_as_typed_never_as_markdown() -> None:
    sneaky = "[Reset your password](https://evil.example) <at>Everyone</at> **urgent** - list"
    card = RENDER.card(Message((Section("Agenda", sneaky), Fields((("Item", sneaky),)), Text(sneaky))))

    assert elements(card, "TextBlock") == []  # every text is a TextRun, which Adaptive Cards never parse
    shown = ["".join(r["text"] for r in block["inlines"]) for block in elements(card, "RichTextBlock")]
    assert shown.count(sneaky) == 3
    assert card["version"] == "1.5"


def test_bold_in_catalogue_texts_becomes_a_bold_run_and_stray_asterisks_stay() -> None:
    for plain in ("5 * 3 * 2", "**x**", "a*b*c", "* list item"):
        runs = elements(RENDER.card(Message((Text(plain),))), "TextRun")
        assert [(r["text"], r.get("weight")) for r in runs] == [(plain, None)]

    card = RENDER.card(Message((Text("Type *help* to see everything."),)))

    runs = elements(card, "TextRun")
    assert [(r["text"], r.get("weight")) for r in runs] == [
        ("Type ", None),
        ("help", "Bolder"),
        (" to see everything.", None),
    ]
    assert card["fallbackText"] == "Type help to see everything."


def test_buttons_carry_their_action_and_values_and_a_style() -> None:
    card = RENDER.card(
        Message(
            (
                Buttons(
                    (
                        Button("Confirm", "rules.confirm", {"r": "4", "g": "9"}, ButtonStyle.PRIMARY),
                        Button("Withdraw", "rules.withdraw", {"r": "4"}, ButtonStyle.DANGER),
                        Button("Later", "rules.later"),
                    )
                ),
            )
        )
    )

    actions = elements(card, "Action.Submit")
    assert [(a["title"], a["data"], a.get("style")) for a in actions] == [
        ("Confirm", {"a": "rules.confirm", "v": {"r": "4", "g": "9"}}, "positive"),
        ("Withdraw", {"a": "rules.withdraw", "v": {"r": "4"}}, "destructive"),
        ("Later", {"a": "rules.later", "v": {}}, None),
    ]


def _form() -> Form:
    return Form(
        form_id="meeting.times",
        title="Suggest times",
        intro="Choose up to three.",
        inputs=(
            Input("topic", "Topic", InputKind.TEXT, max_length=200, hint="what you want to talk about"),
            Input("notes", "Notes", InputKind.LONG_TEXT, required=False, value="bring the logbook"),
            Input("day", "Day", InputKind.DATE, value="2026-03-09"),
            Input("at", "Time", InputKind.TIME, value="14:30"),
            Input(
                "when", "Start", InputKind.DATETIME, value="2026-03-10 09:15", error="That time has passed."
            ),
            Input("minutes", "Minutes", InputKind.NUMBER, value="45"),
            Input(
                "mode",
                "Where",
                InputKind.CHOICE,
                options=(Option("video", "Video call"), Option("room", "Room")),
            ),
            Input(
                "topics",
                "Topics",
                InputKind.MULTI_CHOICE,
                required=False,
                options=(Option("career", "Career"), Option("research", "Research")),
            ),
        ),
        submit_action="meeting.times.submit",
        submit_label="Send",
        hidden={"v": "3", "r": "12"},
    )


def test_a_form_becomes_inputs_named_as_the_bot_names_them() -> None:
    card = RENDER.card(Message((_form(),)))

    inputs = {i["id"]: i for i in elements(card, "Input.Text")}
    assert inputs["topic"]["maxLength"] == 200 and inputs["topic"]["isRequired"] is True
    assert inputs["topic"]["errorMessage"] == "Please fill in Topic."
    assert inputs["notes"]["isMultiline"] is True and inputs["notes"]["value"] == "bring the logbook"
    assert inputs["notes"]["isRequired"] is False and "errorMessage" not in inputs["notes"]
    dates = {i["id"]: i.get("value") for i in elements(card, "Input.Date")}
    times = {i["id"]: i.get("value") for i in elements(card, "Input.Time")}
    assert dates == {"day": "2026-03-09", "when__date": "2026-03-10"}
    assert times == {"at": "14:30", "when__time": "09:15"}
    assert elements(card, "Input.Number")[0]["value"] == 45
    choice, multi = elements(card, "Input.ChoiceSet")
    assert (choice["isMultiSelect"], [c["value"] for c in choice["choices"]]) == (False, ["video", "room"])
    assert multi["isMultiSelect"] is True
    (submit,) = elements(card, "Action.Submit")
    assert submit["title"] == "Send"
    assert submit["data"] == {"a": "meeting.times.submit", "v": {"v": "3", "r": "12"}, "f": "meeting.times"}
    text = card_text(card)
    assert "what you want to talk about" in text  # the hint stays visible under its field
    warning = [b for b in elements(card, "TextRun") if b.get("color") == "Attention"]
    assert [w["text"] for w in warning] == ["That time has passed."]


def test_what_teams_sends_back_from_a_form_is_the_action_with_hidden_and_typed_values() -> None:
    card = RENDER.card(Message((_form(),)))
    (submit,) = elements(card, "Action.Submit")
    # Teams merges the inputs into the submit data; numbers arrive as numbers, multi-selects comma-joined
    sent = {
        **submit["data"],
        "topic": "Research year",
        "notes": "",
        "day": "2026-03-09",
        "at": "14:30",
        "when__date": "2026-03-11",
        "when__time": "10:00",
        "minutes": 60.0,
        "mode": "video",
        "topics": "career,research",
    }

    action, values = submitted_action(sent) or ("", {})

    assert action == "meeting.times.submit"
    assert values == {
        "v": "3",
        "r": "12",
        "topic": "Research year",
        "notes": "",
        "day": "2026-03-09",
        "at": "14:30",
        "when": "2026-03-11 10:00",
        "minutes": "60",
        "mode": "video",
        "topics": "career,research",
    }


def test_card_data_that_is_not_ours_is_recognised() -> None:
    assert submitted_action({"msteams": {"type": "messageBack"}}) is None
    assert submitted_action("text") is None
    assert submitted_action({"a": "", "v": {}}) is None


def test_a_calendar_file_becomes_a_note_and_a_divider_a_separator() -> None:
    card = RENDER.card(
        Message(
            (
                Text("Your meeting is booked."),
                Divider(),
                Attachment("meeting.ics", "text/calendar", "BEGIN:VCALENDAR"),
            )
        )
    )

    body = card["body"]
    assert body[1]["separator"] is True
    assert "meeting.ics" in card_text(card)
    assert "BEGIN:VCALENDAR" not in str(card)


def test_a_message_too_large_for_one_teams_message_is_spread_over_several_cards_in_order() -> None:
    lines = [f"• Person {i:04d}: has not connected a chat account yet" for i in range(2000)]
    message = Message(
        (
            Section("People the bot cannot reach", "\n".join(lines)),
            Fields(tuple((f"k{i}", "v") for i in range(90))),
        )
    )

    cards = RENDER.cards(message)

    assert len(cards) > 1
    assert all(len(json.dumps(c, ensure_ascii=False).encode()) <= CARD_BUDGET for c in cards)
    shown = "\n".join(card_text(c) for c in cards)
    assert shown.index("Person 0000") < shown.index("Person 1999") < shown.index("k89")
    assert all(line in shown for line in lines)
    assert card_text(cards[0]).startswith("People the bot cannot reach")


def test_an_ordinary_message_is_one_card() -> None:
    assert len(RENDER.cards(Message((Text("Hello"), _form())))) == 1
