"""Block Kit rendering on its own: what a person would see, kept within Slack's limits."""

from __future__ import annotations

import hashlib
import json

from bot.messages import Button
from bot.messages import Buttons
from bot.messages import Form
from bot.messages import Input
from bot.messages import InputKind
from bot.messages import Message
from bot.messages import Option
from bot.messages import Section
from bot.messages import Text
from bot.programme import ProgrammeConfig
from handlers.slack.inbound import input_values
from handlers.slack.inbound import plain_text
from handlers.slack.render import home_view
from handlers.slack.render import modal_view
from handlers.slack.render import pack_form
from handlers.slack.render import render_message
from handlers.slack.render import unpack_form

TEXTS = ProgrammeConfig.default().text


def test_slack_markup_in_what_people_typed_becomes_plain_text() -> None:
    assert plain_text("ask &lt;@U1&gt; &amp; <@U2|maria> on <https://x.example|x.example> <!here>") == (
        "ask <@U1> & @maria on x.example @here"
    )


def test_a_home_tab_longer_than_slack_allows_says_how_much_is_left_out() -> None:
    messages = [Message((Section(f"Relationship {n}", "Next meeting: none"),)) for n in range(80)]
    view = home_view(messages, TEXTS)
    assert len(view["blocks"]) == 100
    assert view["blocks"][-1]["type"] == "context"
    assert "…and 60 more not shown here" in view["blocks"][-1]["elements"][0]["text"]


def test_a_button_label_longer_than_slack_allows_is_cut_visibly() -> None:
    label = "Confirm the meeting on Thursday the fifth of March at fourteen hundred hours please, thank you"
    (payload,) = render_message(Message((Buttons((Button(label, "meeting.accept", {"m": "1"}),)),)), TEXTS)
    button = payload["blocks"][0]["elements"][0]
    assert len(button["text"]["text"]) == 75
    assert button["text"]["text"].endswith("…")
    assert json.loads(button["value"]) == {"a": "meeting.accept", "v": {"m": "1"}}


def test_every_kind_of_input_comes_back_as_the_neutral_value_the_workflow_expects() -> None:
    form = Form(
        "f",
        "A form",
        submit_action="f.submit",
        hidden={"v": "3"},
        inputs=(
            Input("when", "Date", InputKind.DATE, value="2026-03-05"),
            Input("at", "Time", InputKind.TIME, value="14:30"),
            Input("n", "Minutes", InputKind.NUMBER, value="45"),
            Input("pick", "One", InputKind.CHOICE, value="b", options=(Option("a", "A"), Option("b", "B"))),
            Input(
                "many",
                "Several",
                InputKind.MULTI_CHOICE,
                value="a,c",
                options=(Option("a", "A"), Option("b", "B"), Option("c", "C")),
            ),
            Input("note", "Note", InputKind.LONG_TEXT, value="hello", required=False),
        ),
    )
    view = modal_view(form, TEXTS)
    kinds = [b["element"]["type"] for b in view["blocks"]]
    assert kinds == [
        "datepicker",
        "timepicker",
        "number_input",
        "static_select",
        "checkboxes",
        "plain_text_input",
    ]
    state = {
        "values": {
            "input:when": {"value": {"type": "datepicker", "selected_date": "2026-03-06"}},
            "input:at": {"value": {"type": "timepicker", "selected_time": "09:15"}},
            "input:n": {"value": {"type": "number_input", "value": "50"}},
            "input:pick": {"value": {"type": "static_select", "selected_option": {"value": "a"}}},
            "input:many": {
                "value": {"type": "checkboxes", "selected_options": [{"value": "b"}, {"value": "c"}]}
            },
            "input:note": {"value": {"type": "plain_text_input", "value": None}},
        }
    }
    assert input_values(state) == {
        "when": "2026-03-06",
        "at": "09:15",
        "n": "50",
        "pick": "a",
        "many": "b,c",
        "note": "",
    }
    assert json.loads(view["private_metadata"])["h"] == {"v": "3"}  # hidden values travel with the modal
    assert unpack_form(pack_form(form)) == form  # the "Open the form" button carries the whole form


def test_a_form_too_big_for_a_button_is_shown_inside_the_message() -> None:
    def words(seed: str, n: int) -> str:  # text that does not compress away
        return "".join(hashlib.sha256(f"{seed}{i}".encode()).hexdigest() for i in range(n))

    long_inputs = tuple(
        Input(f"q{n}", f"Question {n} " + words(f"l{n}", 4), value=words(f"v{n}", 3)) for n in range(12)
    )
    form = Form("big", "Big form", inputs=long_inputs, submit_action="big.submit", submit_label="Send")
    (payload,) = render_message(Message((Text("Please answer:"), form)), TEXTS)
    kinds = [b["type"] for b in payload["blocks"]]
    assert kinds.count("input") == 12
    assert payload["blocks"][-1]["elements"][0]["text"]["text"] == "Send"


def test_a_date_and_time_is_a_date_picker_and_a_time_picker_joined_on_submission() -> None:
    form = Form(
        "f",
        "Times",
        submit_action="f.submit",
        inputs=(
            Input(
                "option1", "First choice", InputKind.DATETIME, value="2026-03-05 14:30", hint="In your zone"
            ),
            Input("option2", "Another time", InputKind.DATETIME, required=False),
        ),
    )
    view = modal_view(form, TEXTS)
    blocks = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert blocks["input:option1"]["element"] == {
        "type": "datepicker",
        "action_id": "value",
        "initial_date": "2026-03-05",
    }
    assert blocks["input:option1__time"]["element"]["initial_time"] == "14:30"
    assert blocks["input:option1__time"]["label"]["text"] == "First choice: time"
    assert blocks["input:option2__time"]["optional"] is True
    assert "plain_text_input" not in json.dumps(view)  # nothing to type as YYYY-MM-DD HH:MM

    def picked(day: str | None, clock: str | None) -> dict[str, object]:
        return {
            "values": {
                "input:option1": {"value": {"type": "datepicker", "selected_date": day}},
                "input:option1__time": {"value": {"type": "timepicker", "selected_time": clock}},
            }
        }

    assert input_values(picked("2026-03-06", "09:15")) == {"option1": "2026-03-06 09:15"}
    # half a time: the workflow gets what there is and says what is missing
    assert input_values(picked("2026-03-06", None)) == {"option1": "2026-03-06"}
    assert input_values(picked(None, None)) == {"option1": ""}
