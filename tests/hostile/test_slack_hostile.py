"""POST /slack/events with hostile bodies.

Signed the way Slack signs (so they pass the signature check and reach the parsing and the listeners):
events, interactivity payloads and slash commands with fields deleted, of the wrong type, or full of odd
Unicode; bodies that are not what their content type says; JSON nested 10,000 deep. Every one gets a
2xx or a 4xx, never a 5xx; nothing sent to Slack shows a traceback, an exception's name or the reply
meant for a bug; and afterwards a person's ordinary message is still answered.

Unsigned or badly signed, the same bodies are refused with 401, whatever they hold.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from fake_slack import TEAM
from hostile_strategies import broken
from hostile_strategies import encodable_text
from hostile_strategies import form_values
from hostile_strategies import json_value
from hostile_strategies import odd_text
from hostile_support import World
from hostile_support import failures
from hostile_support import leaks
from hostile_support import slack_outgoing
from hostile_support import slack_settled
from hostile_support import slack_signed
from hostile_support import slack_still_serving
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from slack_harness import Harness
from slack_harness import event_envelope

from handlers.slack.render import BUTTON_ACTION_PREFIX
from handlers.slack.render import FORM_CALLBACK
from handlers.slack.render import INLINE_SUBMIT_ACTION
from handlers.slack.render import OPEN_FORM_ACTION

HOSTILE = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
CONTENT_TYPES = (
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "multipart/form-data; boundary=x",
    "",
)
IDS = itertools.count(1)


async def post(
    slack: Harness, body: bytes | str, content_type: str, headers: dict[str, str] | None = None
) -> int:
    raw = body.encode() if isinstance(body, str) else body
    sent = {"Content-Type": content_type} if content_type else {}
    sent.update(slack_signed(raw) if headers is None else headers)
    async with slack.client.post("/slack/events", data=raw, headers=sent) as resp:
        await resp.read()
        return resp.status


async def answered_safely(slack: Harness, status: int, caplog: pytest.LogCaptureFixture) -> None:
    assert 200 <= status < 500, status
    await slack_settled(slack)
    assert leaks(slack_outgoing(slack)) == []
    assert failures(caplog.records) == []
    caplog.clear()  # the next example starts afresh


# -- what Slack sends, before it is broken ------------------------------------------------------------------


def dm_event(user: str = "U0MENTEE", text: str = "agenda") -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": f"D{user}",
        "user": user,
        "text": text,
        "ts": "1700000000.000100",
    }


EVENTS = (
    dm_event(),
    dm_event("U0MENTOR", "whats next"),
    {"type": "app_home_opened", "user": "U0MENTEE", "channel": "DU0MENTEE", "tab": "home"},
    {"type": "message", "subtype": "message_changed", "channel_type": "im", "channel": "DU0MENTEE"},
)


def button_value(action: str, values: dict[str, str]) -> str:
    return json.dumps({"a": action, "v": values})


def block_actions(action_id: str, value: str, user: str = "U0MENTEE") -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0APP",
        "trigger_id": "trigger-hostile",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": f"D{user}",
            "is_ephemeral": False,
        },
        "channel": {"id": f"D{user}"},
        "message": {"ts": "1700000000.000100", "text": "x", "blocks": []},
        "response_url": "http://127.0.0.1:1/response",
        "state": {"values": {"input:text": {"value": {"type": "plain_text_input", "value": "typed"}}}},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "buttons:0",
                "text": {"type": "plain_text", "text": "Go"},
                "value": value,
                "action_ts": "1",
            }
        ],
    }


def view_submission(metadata: Any, user: str = "U0MENTEE") -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0APP",
        "trigger_id": "trigger-hostile",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": FORM_CALLBACK,
            "private_metadata": metadata,
            "title": {"type": "plain_text", "text": "Agenda"},
            "blocks": [
                {
                    "type": "input",
                    "block_id": "input:text",
                    "label": {"type": "plain_text", "text": "Agenda item"},
                    "element": {"type": "plain_text_input", "action_id": "value"},
                }
            ],
            "state": {"values": {"input:text": {"value": {"type": "plain_text_input", "value": "a topic"}}}},
        },
    }


def metadata(action: str, hidden: dict[str, str]) -> dict[str, Any]:
    return {"a": action, "h": hidden, "f": action, "o": {"c": "DU0MENTEE", "t": "1700000000.000100"}}


@st.composite
def interaction(draw: st.DrawFn) -> dict[str, Any]:
    """A block_actions or view_submission payload, its button value or private_metadata possibly forged."""
    action = draw(
        st.sampled_from(("agenda.form", "agenda.add", "meeting.accept", "command", "rules.confirm"))
    )
    values = draw(form_values)
    user = draw(st.sampled_from(("U0MENTEE", "U0MENTOR", "U0COORD", "U0STRANGER", "UNOBODY")))
    kind = draw(st.sampled_from(("button", "open form", "inline submit", "modal")))
    if kind == "modal":
        meta = draw(st.one_of(st.just(metadata(action, values)), broken(metadata(action, values))))
        text = draw(st.one_of(st.just(json.dumps(meta)), odd_text))
        return draw(broken(view_submission(text, user)))
    value = draw(
        st.one_of(
            st.just(button_value(action, values)),
            broken({"a": action, "v": values}).map(json.dumps),
            odd_text,
        )
    )
    action_id = {
        "button": BUTTON_ACTION_PREFIX + "0",
        "open form": OPEN_FORM_ACTION,
        "inline submit": INLINE_SUBMIT_ACTION,
    }[kind]
    return draw(broken(block_actions(action_id, value, user)))


def command_form(user: str = "U0MENTEE", text: str = "agenda") -> dict[str, str]:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "test",
        "channel_id": f"D{user}",
        "channel_name": "directmessage",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/mentor",
        "text": text,
        "api_app_id": "A0APP",
        "response_url": "http://127.0.0.1:1/response",
        "trigger_id": "trigger-hostile",
    }


# -- signed, and hostile ------------------------------------------------------------------------------------


@HOSTILE
@given(data=st.data())
async def test_signed_events_with_broken_fields(
    slack: Harness, world: World, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    event = data.draw(st.sampled_from(EVENTS))
    envelope = event_envelope(event, f"EvHOSTILE{next(IDS)}")
    doc = data.draw(broken(envelope))
    status = await post(slack, json.dumps(doc), "application/json")
    await answered_safely(slack, status, caplog)


@HOSTILE
@given(payload=interaction(), as_json=st.booleans())
async def test_signed_interactions_with_broken_payloads(
    slack: Harness, world: World, caplog: pytest.LogCaptureFixture, payload: Any, as_json: bool
) -> None:
    body = urlencode({"payload": json.dumps(payload)})
    status = await post(slack, body, "application/x-www-form-urlencoded")
    await answered_safely(slack, status, caplog)


@HOSTILE
@given(garbage=encodable_text)
async def test_signed_interactions_whose_payload_is_not_json(
    slack: Harness, world: World, caplog: pytest.LogCaptureFixture, garbage: str
) -> None:
    status = await post(slack, urlencode({"payload": garbage}), "application/x-www-form-urlencoded")
    await answered_safely(slack, status, caplog)


@HOSTILE
@given(data=st.data())
async def test_signed_slash_commands_with_odd_fields(
    slack: Harness, world: World, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    user = data.draw(st.sampled_from(("U0MENTEE", "U0COORD", "U0STRANGER", "UNOBODY")))
    form = data.draw(broken(command_form(user, data.draw(encodable_text)), encodable_text, encodable_text))
    body = urlencode(form) if isinstance(form, dict) else str(form)
    status = await post(slack, body, "application/x-www-form-urlencoded")
    await answered_safely(slack, status, caplog)


@HOSTILE
@given(
    body=st.one_of(
        st.binary(max_size=200), encodable_text.map(str.encode), json_value.map(json.dumps).map(str.encode)
    ),
    content_type=st.sampled_from(CONTENT_TYPES),
)
async def test_signed_bodies_of_any_shape(
    slack: Harness, world: World, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    status = await post(slack, body, content_type)
    await answered_safely(slack, status, caplog)


NESTED = 10_000
DEEP_BODIES = {
    "array": "[" * NESTED + "]" * NESTED,
    "object": '{"a":' * NESTED + "1" + "}" * NESTED,
    "event": '{"type":"event_callback","event_id":"EvDEEP","event":' + "[" * NESTED + "]" * NESTED + "}",
}


async def test_json_nested_ten_thousand_deep_is_refused(
    slack: Harness, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    for body in DEEP_BODIES.values():
        status = await post(slack, body, "application/json")
        assert 400 <= status < 500, status
        status = await post(slack, urlencode({"payload": body}), "application/x-www-form-urlencoded")
        assert 400 <= status < 500, status
    await answered_safely(slack, 200, caplog)
    await slack_still_serving(slack)


async def test_after_every_kind_of_hostile_body_a_person_is_still_answered(
    slack: Harness, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    for body, content_type in (
        (b"\xff\xfe not utf-8", "application/json"),
        (b"payload=%FF%FE", "application/x-www-form-urlencoded"),
        (
            json.dumps(event_envelope({"type": "message", "user": ["U0MENTEE"]}, "EvLIST")).encode(),
            "application/json",
        ),
        (json.dumps([event_envelope(dm_event(), "EvINLIST")]).encode(), "application/json"),
        (b'{"type": "event_callback", "event": "\\ud800\\u0000"}', "application/json"),
    ):
        status = await post(slack, body, content_type)
        await answered_safely(slack, status, caplog)
    await slack_still_serving(slack)


async def test_odd_unicode_in_a_direct_message_is_answered(
    slack: Harness, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    text = "agenda add \u202eevil\u202c \u200d\u200b\ufeff \ud800 \x00 <!channel> &lt;"
    status = await post(slack, json.dumps(event_envelope(dm_event(text=text), "EvODD")), "application/json")
    await answered_safely(slack, status, caplog)
    await slack.shown("DU0MENTEE", "evil")  # added, and shown back escaped
    assert not any("<!channel>" in t for t in slack.texts("DU0MENTEE"))
    await slack_still_serving(slack)


# -- unsigned or badly signed -------------------------------------------------------------------------------


def bad_signatures(raw: bytes) -> st.SearchStrategy[dict[str, str]]:
    now = int(time.time())
    good = slack_signed(raw)
    return st.sampled_from(
        [
            {},
            {"X-Slack-Request-Timestamp": good["X-Slack-Request-Timestamp"]},
            {"X-Slack-Signature": good["X-Slack-Signature"]},
            slack_signed(raw, secret="not-the-signing-secret"),
            slack_signed(raw, timestamp=now - 6 * 60),
            slack_signed(raw, timestamp=now + 6 * 60),
            {**good, "X-Slack-Signature": "v0=" + "0" * 64},
            {**good, "X-Slack-Signature": good["X-Slack-Signature"].replace("v0=", "v1=")},
            {**good, "X-Slack-Request-Timestamp": "not-a-number"},
            {**good, "X-Slack-Request-Timestamp": ""},
            {**good, "X-Slack-Request-Timestamp": "1e3"},
            {**good, "X-Slack-Signature": ""},
            slack_signed(raw + b" "),
        ]
    )


@HOSTILE
@given(data=st.data(), content_type=st.sampled_from(CONTENT_TYPES))
async def test_unsigned_or_badly_signed_bodies_are_refused(
    slack: Harness, world: World, caplog: pytest.LogCaptureFixture, data: st.DataObject, content_type: str
) -> None:
    body = data.draw(
        st.one_of(
            st.binary(max_size=200),
            broken(event_envelope(dm_event(), "EvUNSIGNED")).map(json.dumps).map(str.encode),
            interaction().map(lambda p: urlencode({"payload": json.dumps(p)}).encode()),
            st.sampled_from(list(DEEP_BODIES.values())).map(str.encode),
        )
    )
    headers = data.draw(bad_signatures(body))
    calls = len(slack.fake.calls)
    status = await post(slack, body, content_type, headers)
    assert status == 401
    await slack_settled(slack)
    assert len(slack.fake.calls) == calls  # nothing was done


async def test_a_request_whose_answer_fails_after_the_ack_is_still_acknowledged(
    slack: Harness, world: World
) -> None:
    """A slash command from someone Slack's API does not know (users.info and conversations.open both
    answer user_not_found): the failure comes right after the ack, and Slack still gets its 200."""
    status = await post(
        slack, urlencode(command_form("UNOBODY", "agenda")), "application/x-www-form-urlencoded"
    )
    assert status == 200
    await slack_settled(slack)
    await slack_still_serving(slack)
