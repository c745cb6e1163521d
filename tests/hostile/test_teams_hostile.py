"""POST /api/messages with hostile activities.

In local anonymous mode (what the Agents Playground talks to): messages, card submissions,
``adaptiveCard/action`` invokes, installs and unknown activity types with fields deleted, of the wrong
type, or full of odd Unicode; bodies that are not JSON or nested 10,000 deep. Every one gets a 2xx or a
4xx, never a 5xx; nothing that reaches the (fake) Bot Connector or comes back in an invoke response shows
a traceback, an exception's name or the reply meant for a bug; and afterwards a person's ordinary
message is still answered.

With an app id, a request without a valid Bot Framework token is refused with 401 whatever its body.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hostile_strategies import broken
from hostile_strategies import encodable_text
from hostile_strategies import form_values
from hostile_strategies import json_value
from hostile_strategies import odd_text
from hostile_support import World
from hostile_support import as_text
from hostile_support import failures
from hostile_support import leaks
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from teams_harness import MENTEE
from teams_harness import MENTOR
from teams_harness import STRANGER
from teams_harness import TeamsHarness

HOSTILE = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
IDS = itertools.count(1)
ACTIONS = ("agenda.form", "agenda.add", "meeting.accept", "command", "rules.confirm", "checkin.submit")


async def post_raw(
    teams: TeamsHarness, body: bytes, content_type: str = "application/json", **headers: str
) -> tuple[int, str]:
    sent = {"Content-Type": content_type, **headers} if content_type else dict(headers)
    async with teams.client.post("/api/messages", data=body, headers=sent) as resp:
        return resp.status, await resp.text()


def outgoing(teams: TeamsHarness) -> list[str]:
    """Everything mentorbot sent to the Bot Connector."""
    return [as_text(p.activity) for p in (*teams.fake.posted, *teams.fake.updated)]


def answered_safely(teams: TeamsHarness, status: int, body: str, caplog: pytest.LogCaptureFixture) -> None:
    assert 200 <= status < 500, (status, body)
    assert leaks([body, *outgoing(teams)]) == []
    assert failures(caplog.records) == []
    caplog.clear()  # the next example starts afresh


async def still_serving(teams: TeamsHarness) -> None:
    before = len(teams.chat(MENTEE))
    status, _ = await teams.say(MENTEE, "help")
    assert status == 200
    assert len(teams.chat(MENTEE)) > before
    assert leaks(outgoing(teams)) == []


# -- what Teams sends, before it is broken ------------------------------------------------------------------


def card_data(action: str, values: dict[str, str]) -> dict[str, Any]:
    return {"a": action, "v": values, "f": action, "text": "a topic"}


@st.composite
def activity(draw: st.DrawFn, teams: TeamsHarness) -> Any:
    """An activity Teams could send -- a message, a card submission, an Action.Execute, an install, an
    invoke or event of another kind -- then broken in a few places."""
    user = draw(st.sampled_from((MENTEE, MENTOR, STRANGER)))
    kind = draw(st.sampled_from(("message", "submit", "execute", "install", "other invoke", "other type")))
    data = card_data(draw(st.sampled_from(ACTIONS)), draw(form_values))
    fields: dict[str, Any]
    if kind == "message":
        fields = {"text": draw(odd_text)}
    elif kind == "submit":
        fields = {"value": draw(st.one_of(st.just(data), broken(data), json_value)), "replyToId": "card-1"}
    elif kind == "execute":
        value = {"action": {"type": "Action.Execute", "verb": "mentorbot", "data": data}, "trigger": "manual"}
        fields = {
            "type": "invoke",
            "name": "adaptiveCard/action",
            "value": draw(broken(value)),
            "replyToId": "c",
        }
    elif kind == "install":
        fields = {"type": "conversationUpdate", "membersAdded": [{"id": "28:mentorbot-app"}]}
    elif kind == "other invoke":
        name = draw(
            st.sampled_from(
                (
                    "task/fetch",
                    "task/submit",
                    "composeExtension/query",
                    "signin/verifyState",
                    "actionableMessage/executeAction",
                    "fileConsent/invoke",
                    "",
                )
            )
        )
        fields = {"type": "invoke", "name": name, "value": draw(json_value)}
    else:
        fields = {
            "type": draw(
                st.one_of(
                    st.sampled_from(
                        (
                            "typing",
                            "event",
                            "messageReaction",
                            "installationUpdate",
                            "endOfConversation",
                            "handoff",
                            "trace",
                        )
                    ),
                    odd_text,
                )
            ),
            "value": draw(json_value),
        }
    return draw(broken(teams.activity(user, **fields)))


# -- anonymous (local) mode ---------------------------------------------------------------------------------


@HOSTILE
@given(data=st.data())
async def test_broken_activities_are_answered_or_refused(
    teams: TeamsHarness, world: World, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    doc = data.draw(activity(teams))
    status, body = await teams.post(doc)
    answered_safely(teams, status, body, caplog)


@HOSTILE
@given(
    body=st.one_of(
        st.binary(max_size=200), encodable_text.map(str.encode), json_value.map(json.dumps).map(str.encode)
    ),
    content_type=st.sampled_from(("application/json", "application/json; charset=utf-8", "text/plain", "")),
)
async def test_bodies_of_any_shape_are_answered_or_refused(
    teams: TeamsHarness, world: World, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    status, text = await post_raw(teams, body, content_type)
    answered_safely(teams, status, text, caplog)


NESTED = 10_000


async def test_json_nested_ten_thousand_deep_is_refused(
    teams: TeamsHarness, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    deep_list = "[" * NESTED + "]" * NESTED
    for body in (
        deep_list,
        '{"a":' * NESTED + "1" + "}" * NESTED,
        json.dumps(teams.activity(MENTEE, text="help"))[:-1] + ', "value": ' + deep_list + "}",
    ):
        status, text = await post_raw(teams, body.encode())
        assert 400 <= status < 500, (status, text)
    await still_serving(teams)


async def test_a_card_submission_nested_deep_but_parsable_is_answered(
    teams: TeamsHarness, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """Deep enough to stress every recursive step after parsing, shallow enough to parse."""
    nested: Any = "x"
    for _ in range(500):
        nested = [nested]
    status, body = await teams.post(
        teams.activity(MENTEE, value={"a": "agenda.add", "v": {"text": nested}, "text": nested})
    )
    answered_safely(teams, status, body, caplog)
    await still_serving(teams)


async def test_after_every_kind_of_hostile_activity_a_person_is_still_answered(
    teams: TeamsHarness, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    for doc in (
        {**teams.activity(MENTEE, text="help"), "from": None},
        {**teams.activity(MENTEE, text="help"), "conversation": "not an object"},
        {k: v for k, v in teams.activity(MENTEE, text="help").items() if k != "serviceUrl"},
        {**teams.activity(MENTEE, text="help"), "serviceUrl": "not a url"},
        teams.activity(MENTEE, text="help", conversation={"id": "", "conversationType": "personal"}),
        teams.activity(
            MENTEE, text="help", conversation={"id": "a:\u2167\n", "conversationType": "personal"}
        ),
        teams.activity(MENTEE, text="help", conversation={"id": {}, "conversationType": "personal"}),
        {**teams.activity(MENTEE, text=["help"])},
        {**teams.activity(MENTEE), "text": "x" * 200_000},
        teams.activity(MENTEE, text="agenda add \u202eevil\u202c \u200d \ud800 \x00 <at>x</at>"),
        teams.activity(MENTEE, type="invoke", name="adaptiveCard/action", value={"action": "garbage"}),
        teams.activity(MENTEE, type="invoke", name="adaptiveCard/action", value=None),
        teams.activity(MENTEE, type="invoke", name="task/fetch", value={"data": {"a": "agenda.form"}}),
        teams.activity(MENTEE, type="mysteryType"),
    ):
        status, body = await teams.post(doc)
        answered_safely(teams, status, body, caplog)
    await still_serving(teams)


# -- with an app id: no token, no parsing -------------------------------------------------------------------


@HOSTILE
@given(data=st.data())
async def test_with_an_app_id_a_bad_token_is_refused_whatever_the_body(
    teams_with_app_id: TeamsHarness, world: World, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    teams = teams_with_app_id
    body = data.draw(
        st.one_of(
            st.binary(max_size=200),
            activity(teams).map(json.dumps).map(str.encode),
            st.just(("[" * NESTED + "]" * NESTED).encode()),
        )
    )
    authorization = data.draw(
        st.sampled_from(
            ("", "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "bearer \u00e9\u00e9")
        )
    )
    headers = {"Authorization": authorization} if authorization else {}
    status, _ = await post_raw(teams, body, "application/json", **headers)
    assert status == 401
    assert teams.fake.posted == [] and teams.fake.member_lookups == []


async def test_ids_too_long_to_be_teams_ids_are_refused(
    teams: TeamsHarness, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """A sender or tenant id far longer than Teams gives is not stored: the activity is refused, or the
    person is answered as usual (PostgreSQL enforces the stored columns' lengths; SQLite does not)."""
    long_id = "a" * 300
    for doc in (
        teams.activity(MENTEE, text="help", **{"from": {"id": long_id, "name": "Eli"}}),
        teams.activity(MENTEE, text="help", **{"from": {"id": "29:mentee", "aadObjectId": long_id}}),
        teams.activity(MENTEE, text="help", channelData={"tenant": {"id": long_id}}),
        teams.activity(
            MENTEE,
            text="help",
            conversation={"id": "a:personal-29:mentee", "conversationType": "personal", "tenantId": long_id},
        ),
    ):
        status, body = await teams.post(doc)
        answered_safely(teams, status, body, caplog)
    await still_serving(teams)
