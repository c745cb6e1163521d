"""Nobody can act as someone else by editing a button's or a form's hidden values.

Eli is a mentee in relationship A. Through Slack (a button's value, a modal's ``private_metadata``) and
through Teams (``Action.Submit`` and ``Action.Execute`` data) he sends what his buttons and forms send,
edited to name relationship B's agenda, actions, meetings, ground rules and check-ins, or a coordinator's
tools. Every attempt is refused with a polite reply; not one row people wrote or agreed changes, no notice
is queued for anyone; and the coordinator tools record the refused attempt in the audit trail.

Forms he really opened (so the stored conversation and its version are his) and sent back with their
hidden values re-pointed at B act on A, where the conversation says the form belongs, or are refused.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fake_slack import TEAM
from hostile_forgeries import Forgery
from hostile_forgeries import against_b
from hostile_forgeries import coordinator_tools
from hostile_forgeries import typed_coordinator_commands
from hostile_support import INTERNAL
from hostile_support import World
from hostile_support import audit_events
from hostile_support import failures
from hostile_support import guarded_rows
from hostile_support import leaks
from hostile_support import slack_settled
from slack_harness import Harness
from sqlalchemy import Engine
from teams_harness import MENTEE
from teams_harness import TeamsHarness

from handlers.slack.render import BUTTON_ACTION_PREFIX
from handlers.slack.render import FORM_CALLBACK
from handlers.teams.render import card_text

REFUSALS = (
    "couldn't find that",  # error.not_found
    "not one of yours",  # error.not_member
    "no longer applies",  # error.stale_action
    "only the programme's coordinators",  # coordinator.only
)


def refused(reply: str, forgery: str) -> None:
    assert reply.strip(), f"{forgery}: no answer"
    assert INTERNAL not in reply, f"{forgery}: {reply}"
    assert leaks([reply]) == [], forgery
    assert any(r in reply.replace("’", "'") for r in REFUSALS), f"{forgery}: {reply}"


def refusal_audited(engine: Engine, world: World, before: int, forgery: Forgery) -> None:
    new = audit_events(engine)[before:]
    assert any(e["actor_id"] == world.mentee_id and e["outcome"] == "refused" for e in new), forgery.what


# -- Slack --------------------------------------------------------------------------------------------------


def slack_button(user: str, forgery: Forgery) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user},
        "api_app_id": "A0APP",
        "trigger_id": "trigger-forged",
        "container": {"type": "message", "message_ts": "1.000100", "channel_id": f"D{user}"},
        "channel": {"id": f"D{user}"},
        "message": {"ts": "1.000100", "text": "", "blocks": []},
        "actions": [
            {
                "type": "button",
                "action_id": BUTTON_ACTION_PREFIX + "0",
                "block_id": "buttons:0",
                "text": {"type": "plain_text", "text": "Go"},
                "value": json.dumps({"a": forgery.action, "v": forgery.values}),
            }
        ],
    }


def slack_modal(user: str, forgery: Forgery) -> dict[str, Any]:
    metadata = {"a": forgery.action, "h": forgery.values, "f": forgery.action, "o": None}
    return {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user},
        "api_app_id": "A0APP",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": FORM_CALLBACK,
            "private_metadata": json.dumps(metadata),
            "title": {"type": "plain_text", "text": "Form"},
            "blocks": [
                {
                    "type": "input",
                    "block_id": "input:text",
                    "label": {"type": "plain_text", "text": "Text"},
                    "element": {"type": "plain_text_input", "action_id": "value"},
                }
            ],
            "state": {"values": {}},
        },
    }


async def slack_forge(slack: Harness, payload: dict[str, Any]) -> str:
    """Send ``payload``; what Eli is told: the modal's answer and anything posted in his DM."""
    before = len(slack.texts("DU0MENTEE"))
    status, body = await slack.interaction(payload)
    assert status == 200
    await slack_settled(slack)
    return "\n".join([body, *slack.texts("DU0MENTEE")[before:]])


@pytest.mark.parametrize("via", ["button", "modal"])
async def test_slack_forged_values_reaching_another_relationship_are_refused(
    slack: Harness, world: World, engine: Engine, caplog: pytest.LogCaptureFixture, via: str
) -> None:
    build = slack_button if via == "button" else slack_modal
    for forgery in against_b(world):
        before = guarded_rows(engine)
        refused(await slack_forge(slack, build("U0MENTEE", forgery)), forgery.what)
        assert guarded_rows(engine) == before, forgery.what
    assert failures(caplog.records) == []


@pytest.mark.parametrize("via", ["button", "modal", "typed"])
async def test_slack_a_mentee_cannot_use_the_coordinator_tools(
    slack: Harness, world: World, engine: Engine, via: str
) -> None:
    attempts: list[Forgery] = coordinator_tools(world)
    if via == "typed":
        attempts = [Forgery(text, "", {}, True) for text in typed_coordinator_commands(world)]
    for forgery in attempts:
        before, audited = guarded_rows(engine), len(audit_events(engine))
        if via == "typed":
            sent = len(slack.texts("DU0MENTEE"))
            status, _ = await slack.dm("U0MENTEE", forgery.what)
            assert status == 200
            await slack_settled(slack)
            reply = "\n".join(slack.texts("DU0MENTEE")[sent:])
        else:
            payload = (slack_button if via == "button" else slack_modal)("U0MENTEE", forgery)
            reply = await slack_forge(slack, payload)
        refused(reply, forgery.what)
        assert guarded_rows(engine) == before, forgery.what
        refusal_audited(engine, world, audited, forgery)


async def test_slack_an_opened_form_sent_back_pointing_at_another_relationship_stays_in_ones_own(
    slack: Harness, world: World, engine: Engine
) -> None:
    """Eli opens the agenda form (a real conversation, a real version), edits the modal's hidden values to
    name B, and submits: the item lands in A, where his conversation says the form belongs."""
    status, _ = await slack.command("U0MENTEE", "agenda add")
    assert status == 200
    await slack.fake.wait_for("views.open")
    view = slack.last_modal()
    metadata = json.loads(view["private_metadata"])
    metadata["h"] = {**metadata["h"], "r": str(world.rel_b), "i": str(world.b_agenda)}
    forged_view = {**view, "private_metadata": json.dumps(metadata)}
    b_before = rows_of(guarded_rows(engine), world.rel_b)

    status, _ = await slack.submit("U0MENTEE", {"text": "my own topic"}, view=forged_view)
    assert status == 200
    await slack_settled(slack)

    assert rows_of(guarded_rows(engine), world.rel_b) == b_before
    added = [r for r in guarded_rows(engine)["agenda_items"] if any("my own topic" in str(v) for v in r)]
    assert [r[1] for r in added] == [world.rel_a]
    assert "Added as item 1" in "\n".join(slack.texts("DU0MENTEE"))


def rows_of(rows: dict[str, list[tuple[Any, ...]]], rel_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """The content rows of one relationship (their second column is the relationship id)."""
    content = ("agenda_items", "action_items", "meetings", "checkins", "ground_rules", "notes")
    return {t: [r for r in rows[t] if r[1] == rel_id] for t in content}


# -- Teams --------------------------------------------------------------------------------------------------


def teams_data(forgery: Forgery) -> dict[str, Any]:
    return {"a": forgery.action, "v": forgery.values}


async def teams_forge(teams: TeamsHarness, forgery: Forgery, via: str) -> str:
    before = len(teams.chat(MENTEE))
    if via == "submit":
        status, body = await teams.submit(MENTEE, teams_data(forgery), reply_to="card-forged")
        assert status == 200
        answer = body
    else:
        status, result = await teams.execute(MENTEE, teams_data(forgery))
        assert status == 200
        value = (result or {}).get("value")
        answer = card_text(value) if isinstance(value, dict) else str(value or "")
    return "\n".join([answer, *teams.chat(MENTEE)[before:]])


@pytest.mark.parametrize("via", ["submit", "execute"])
async def test_teams_forged_values_reaching_another_relationship_are_refused(
    teams: TeamsHarness, world: World, engine: Engine, caplog: pytest.LogCaptureFixture, via: str
) -> None:
    for forgery in against_b(world):
        before = guarded_rows(engine)
        refused(await teams_forge(teams, forgery, via), forgery.what)
        assert guarded_rows(engine) == before, forgery.what
    assert failures(caplog.records) == []


@pytest.mark.parametrize("via", ["submit", "execute", "typed"])
async def test_teams_a_mentee_cannot_use_the_coordinator_tools(
    teams: TeamsHarness, world: World, engine: Engine, via: str
) -> None:
    attempts: list[Forgery] = coordinator_tools(world)
    if via == "typed":
        attempts = [Forgery(text, "", {}, True) for text in typed_coordinator_commands(world)]
    for forgery in attempts:
        before, audited = guarded_rows(engine), len(audit_events(engine))
        if via == "typed":
            sent = len(teams.chat(MENTEE))
            status, _ = await teams.say(MENTEE, forgery.what)
            assert status == 200
            reply = "\n".join(teams.chat(MENTEE)[sent:])
        else:
            reply = await teams_forge(teams, forgery, via)
        refused(reply, forgery.what)
        assert guarded_rows(engine) == before, forgery.what
        refusal_audited(engine, world, audited, forgery)


async def test_teams_an_opened_form_sent_back_with_a_forged_owner_is_refused(
    teams: TeamsHarness, world: World, engine: Engine
) -> None:
    """Eli opens his action plan form and sends it back naming Bea (of relationship B) as the owner and B
    as the relationship: the owner must be a member of his own relationship, so nothing is added."""
    status, _ = await teams.say(MENTEE, "actions plan")
    assert status == 200
    posted = teams.fake.posted[-1]
    submit = next(
        a for card in posted.cards for a in teams.actions(card) if a.get("data", {}).get("a") == "actions.add"
    )
    data = {**submit["data"], "v": {**submit["data"]["v"], "r": str(world.rel_b)}}
    data.update({"what": "forged step", "owner": str(world.bea_id)})
    before = guarded_rows(engine)

    status, _ = await teams.submit(MENTEE, data, reply_to=posted.activity_id)
    assert status == 200

    assert guarded_rows(engine) == before
    assert "Please choose who does it from the list" in teams.seen(MENTEE)


# -- a signed payload whose person is not the one whose conversation it names -----------------------------
# Slack only sends a person's own DM with the bot; a payload that pairs Bea's user id with Eli's DM can only
# be made with the signing secret. Even then the bot answers Bea in Bea's DM: it never shows one person's
# relationship in someone else's conversation, nor remembers someone else's DM as theirs.

B_SECRET = "B's agenda topic"


async def test_slack_a_message_event_naming_someone_elses_dm_is_not_answered_there(
    slack: Harness, world: World
) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "DU0MENTEE",
        "user": "U0BEA",
        "text": "agenda",
        "ts": "1700000000.000200",
    }
    status, _ = await slack.event(event)
    assert status == 200
    await slack_settled(slack)
    assert not any(B_SECRET in t for t in slack.texts("DU0MENTEE"))

    status, _ = await slack.dm("U0BEA", "agenda")  # her own DM: answered as usual
    assert status == 200
    await slack.shown("DU0BEA", B_SECRET)
    assert not any(B_SECRET in t for t in slack.texts("DU0MENTEE"))


async def test_slack_a_button_pressed_in_someone_elses_dm_is_answered_in_ones_own(
    slack: Harness, world: World
) -> None:
    status, _ = await slack.dm("U0MENTEE", "help")
    await slack_settled(slack)
    eli_message = next(ts for (ch, ts) in slack.fake.messages if ch == "DU0MENTEE")
    payload = slack_button("U0BEA", Forgery("Bea's agenda", "command", {"text": "agenda"}))
    payload["container"] = {"type": "message", "message_ts": eli_message, "channel_id": "DU0MENTEE"}
    payload["channel"] = {"id": "DU0MENTEE"}

    status, _ = await slack.interaction(payload)
    assert status == 200
    await slack_settled(slack)

    assert not any(B_SECRET in t for t in slack.texts("DU0MENTEE"))
    await slack.shown("DU0BEA", B_SECRET)


async def test_slack_a_modal_naming_a_message_in_someone_elses_dm_does_not_change_it(
    slack: Harness, world: World
) -> None:
    status, _ = await slack.dm("U0MENTEE", "help")
    await slack_settled(slack)
    eli_message = next(ts for (ch, ts) in slack.fake.messages if ch == "DU0MENTEE")
    payload = slack_modal("U0BEA", Forgery("Bea's agenda", "command", {"text": "agenda"}))
    metadata = json.loads(payload["view"]["private_metadata"])
    metadata["o"] = {"c": "DU0MENTEE", "t": eli_message}
    payload["view"]["private_metadata"] = json.dumps(metadata)
    before = slack.texts("DU0MENTEE")

    status, _ = await slack.interaction(payload)
    assert status == 200
    await slack_settled(slack)

    assert slack.texts("DU0MENTEE") == before
    await slack.shown("DU0BEA", B_SECRET)


async def test_slack_someone_elses_dm_is_never_remembered_as_ones_own(slack: Harness, world: World) -> None:
    """After a message event pairing Eli with Bea's DM, what the bot later sends Eli still goes to his."""
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "DU0BEA",
        "user": "U0MENTEE",
        "text": "agenda add my own topic",
        "ts": "1700000000.000300",
    }
    await slack.event(event)
    await slack_settled(slack)
    status, _ = await slack.command("U0MENTEE", "agenda")
    assert status == 200
    await slack_settled(slack)
    assert not any("my own topic" in t for t in slack.texts("DU0BEA"))
