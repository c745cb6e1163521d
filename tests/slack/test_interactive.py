"""Buttons, modals, the /mentor command and the Home tab, end to end against the fake Slack."""

from __future__ import annotations

import hashlib
import json

from slack_harness import Harness
from slack_harness import People
from slack_harness import fill_inputs
from slack_harness import message_text

from bot.messages import Form
from bot.messages import Message
from bot.model import AgendaStatus
from bot.model import ChatIdentity
from bot.model import Person
from handlers.slack.render import unpack_form


def agenda_texts(slack: Harness, people: People) -> list[str]:
    with slack.runtime.uow_factory() as uow:
        person = uow.people.get(people.mentee_id)
        assert person is not None
        items = uow.content(person).agenda(people.relationship_id)
        return [i.text for i in items if i.status == AgendaStatus.OPEN]


async def test_a_button_opens_the_form_as_a_modal_and_the_message_is_marked_once_it_is_sent(
    slack: Harness, people: People
) -> None:
    await slack.dm("U0MENTEE", "agenda")
    await slack.shown("DU0MENTEE", "[Add an item]")
    status, _ = await slack.press("U0MENTEE", "Add an item")
    assert status == 200
    await slack.fake.wait_for("views.open")
    modal = slack.last_modal()
    assert modal["title"]["text"] == "Add to the agenda"

    status, body = await slack.submit("U0MENTEE", {"text": "How to handle night shifts"})
    assert (status, body) == (200, "")  # the modal closes
    await slack.shown("DU0MENTEE", "Added as item 1")
    assert any("How to handle night shifts" in t for t in agenda_texts(slack, people))
    # the message whose button opened the form now says what was chosen, so it cannot be used twice
    await slack.shown("DU0MENTEE", "✓ Add an item")
    updated = [c.args for c in slack.fake.called("chat.update")]
    assert updated and "[Add an item]" not in message_text(updated[-1]["blocks"])
    assert slack.fake.violations == []


async def test_a_rejected_submission_keeps_the_modal_open_with_the_reason_under_the_field(
    slack: Harness, people: People
) -> None:
    await slack.command("U0MENTEE", "agenda add")
    await slack.fake.wait_for("views.open")
    status, body = await slack.submit("U0MENTEE", {"text": "   "})
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["input:text"]
    assert "agenda item" in answer["errors"]["input:text"]
    assert agenda_texts(slack, people) == []
    assert slack.fake.posts() == []  # nothing posted: the person is still looking at the form


async def test_the_slash_command_opens_a_modal_and_its_submission_reaches_the_workflow(
    slack: Harness, people: People
) -> None:
    status, body = await slack.command("U0MENTEE", "agenda add")
    assert (status, body) == (200, "")  # acknowledged at once, silently
    await slack.fake.wait_for("views.open")
    assert slack.fake.called("views.open")[0].args["trigger_id"].startswith("trigger-")
    await slack.submit("U0MENTEE", {"text": "My first conference talk"})
    await slack.shown("DU0MENTEE", "Added as item 1")
    assert any("My first conference talk" in t for t in agenda_texts(slack, people))
    assert slack.fake.responses == []  # typed in the DM, so no "answered in DM" note


async def test_the_slash_command_alone_shows_help_and_from_a_channel_answers_privately(
    slack: Harness, people: People
) -> None:
    await slack.command("U0MENTEE", "", channel="C0GENERAL")
    await slack.shown("DU0MENTEE", "Hi Eli Mentee!")
    await slack.fake.wait_until(lambda: bool(slack.fake.responses))
    assert slack.fake.responses[0]["response_type"] == "ephemeral"
    assert "direct messages" in slack.fake.responses[0]["text"]
    assert all(p["channel"] == "DU0MENTEE" for p in slack.fake.posts())  # nothing in #general


async def test_when_the_trigger_expired_the_form_waits_behind_a_button(
    slack: Harness, people: People
) -> None:
    slack.fake.expired_triggers.add("trigger-1")  # the command's trigger: the bot was too slow
    await slack.command("U0MENTEE", "agenda add")
    await slack.shown("DU0MENTEE", "[Open the form]")
    await slack.press("U0MENTEE", "Open the form")
    opened = await slack.fake.wait_for("views.open", 2)
    assert "error" not in json.dumps(opened[-1].args)
    await slack.submit("U0MENTEE", {"text": "Feedback on my case presentation"})
    await slack.shown("DU0MENTEE", "Added as item 1")
    await slack.shown("DU0MENTEE", "✓ Sent: Add to the agenda")
    assert any("case presentation" in t for t in agenda_texts(slack, people))


async def test_a_multi_step_form_stays_open_and_finishing_replaces_the_message_in_place(
    slack: Harness, people: People
) -> None:
    await slack.dm("U0MENTEE", "actions plan")
    await slack.shown("DU0MENTEE", "[Open the form]")
    await slack.press("U0MENTEE", "Open the form")
    await slack.fake.wait_for("views.open")
    _, body = await slack.submit("U0MENTEE", {"what": "Read two papers on burnout", "due": "2026-03-20"})
    answer = json.loads(body)
    assert answer["response_action"] == "update"  # the next item can be added in the same modal
    assert answer["view"]["title"]["text"] == "Add an action item"
    await slack.fake.wait_until(lambda: len(_ts_with(slack, "[Finish and share the plan]")) == 2)

    stale_finish = _ts_with(slack, "[Finish and share the plan]")[0]
    newest_finish = _ts_with(slack, "[Finish and share the plan]")[-1]
    assert stale_finish != newest_finish
    await slack.press("U0MENTEE", "Finish and share the plan")  # the newest one
    await slack.fake.wait_for("chat.update")
    replaced = slack.fake.messages[("DU0MENTEE", newest_finish)]
    assert "Finish and share the plan" not in message_text(replaced["blocks"])
    assert "Read two papers on burnout" in message_text(replaced["blocks"])

    # the older copy of the button belongs to an earlier step: pressing it changes nothing
    before = dict(slack.fake.messages)
    await _press_ts(slack, "U0MENTEE", stale_finish, "Finish and share the plan")
    await slack.shown("DU0MENTEE", "no longer applies")
    assert slack.fake.messages[("DU0MENTEE", stale_finish)] == before[("DU0MENTEE", stale_finish)]
    assert slack.fake.violations == []


async def test_a_shortcut_button_answers_below_and_marks_its_row_as_chosen(
    slack: Harness, people: People
) -> None:
    await slack.dm("U0MENTEE", "home")
    await slack.shown("DU0MENTEE", "[What's next]")
    await slack.press("U0MENTEE", "Help")
    await slack.shown("DU0MENTEE", "Hi Eli Mentee!")
    update = (await slack.fake.wait_for("chat.update"))[0].args
    assert "✓ Help" in message_text(update["blocks"])
    assert "[What's next]" not in message_text(update["blocks"])
    assert "Maria Mentor" in message_text(update["blocks"])  # the rest of the dashboard stays


async def test_the_home_tab_is_each_persons_dashboard(slack: Harness, people: People) -> None:
    await slack.dm("U0MENTEE", "agenda add Ask about research electives")
    await slack.shown("DU0MENTEE", "Added as item 1")
    await slack.event({"type": "app_home_opened", "user": "U0MENTEE", "channel": "DU0MENTEE", "tab": "home"})
    published = (await slack.fake.wait_for("views.publish"))[0].args
    assert published["user_id"] == "U0MENTEE"
    home = message_text(published["view"]["blocks"])
    assert "Maria Mentor" in home
    assert "Ask about research electives" in home

    await slack.event({"type": "app_home_opened", "user": "U0COORD", "channel": "DU0COORD", "tab": "home"})
    coordinator_home = message_text((await slack.fake.wait_for("views.publish", 2))[1].args["view"]["blocks"])
    assert "Programme health" in coordinator_home
    assert "research electives" not in coordinator_home  # counts, never content

    await slack.press_home("U0MENTEE", "Agenda")
    await slack.shown("DU0MENTEE", "[Add an item]")  # the answer arrives in the DM
    await slack.fake.wait_for("views.publish", 3)  # and the Home tab is refreshed
    assert slack.fake.violations == []


def _ts_with(slack: Harness, text: str) -> list[str]:
    return [
        ts
        for (ch, ts), m in slack.fake.messages.items()
        if ch == "DU0MENTEE" and text in message_text(m["blocks"])
    ]


async def _press_ts(slack: Harness, user: str, ts: str, label: str) -> None:
    message = slack.fake.messages[(f"D{user}", ts)]
    newer = {k: v for k, v in slack.fake.messages.items() if k[0] == f"D{user}" and k[1] > ts}
    for key in newer:  # hide the newer copies so that press() finds this one
        slack.fake.messages.pop(key)
    try:
        await slack.press(user, label)
    finally:
        slack.fake.messages.update(newer)
    assert message


async def test_a_form_too_big_for_a_button_is_filled_in_inside_the_message(
    slack: Harness, people: People
) -> None:
    await slack.dm("U0MENTEE", "agenda add")  # the workflow starts its form (and its version)
    await slack.shown("DU0MENTEE", "[Open the form]")
    packed = next(
        e["value"]
        for m in slack.fake.messages.values()
        for b in m["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Open the form"
    )
    form = unpack_form(packed)
    assert form is not None
    # the same form with an intro far too long to travel inside a button
    intro = " ".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(60))
    big = Message(
        (
            Form(
                form.form_id,
                form.title,
                form.inputs,
                form.submit_action,
                form.submit_label,
                form.hidden,
                intro,
            ),
        )
    )
    identity = ChatIdentity(platform="slack", external_id="U0MENTEE", workspace="T0TEAM")
    await slack.runtime.senders["slack"].send(Person(email="mentee@example.org", name="Eli"), identity, big)
    await slack.shown("DU0MENTEE", "<Your item>")  # the inputs are in the message itself
    inline = [m for m in slack.fake.messages.values() if any(b["type"] == "input" for b in m["blocks"])][-1]
    await slack.press(
        "U0MENTEE", form.submit_label, state=fill_inputs(inline["blocks"], {"text": "Visa paperwork"})
    )
    await slack.shown("DU0MENTEE", "Added as item 1")
    await slack.shown("DU0MENTEE", "✓ Sent: Add to the agenda")
    assert any("Visa paperwork" in t for t in agenda_texts(slack, people))
    assert slack.fake.violations == []
