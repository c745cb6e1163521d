"""The shape of what Slack posts to ``/slack/events``, as far as bolt and the listeners rely on it.

Bolt reads Slack's payloads without checking them (``body["event"]["type"]``, ``body["actions"][0]``,
``"id" in body["user"]``): a signed body with a field of another type makes it raise, and its error
handler raise again, which answers 500. Slack always sends these fields with these types, so a body
that does not is not from a working Slack: :func:`slack_shaped` lets the endpoint refuse it with 400
before bolt sees it.

Each schema names the fields that are read and the types each may have (``!``: the field must be there);
the objects that are read further have schemas of their own. Anything not named is not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# field -> a type, a tuple of alternatives, a nested Schema (an object) or [Schema] (a list of them); a
# field whose name starts with "!" must be present
Schema = Mapping[str, Any]

_STR = (str,)
_OPTIONAL_STR = (str, type(None))

_MESSAGE: Schema = {
    "type": _STR,
    "subtype": _OPTIONAL_STR,
    "user": (str, dict),
    "bot_id": _OPTIONAL_STR,
    "thread_ts": _OPTIONAL_STR,
    "ts": _STR,
    "text": _OPTIONAL_STR,
    "blocks": [(dict,)],
}

_EVENT: Schema = {
    **{k: v for k, v in _MESSAGE.items() if k != "type"},
    "!type": _STR,
    "channel": (str, dict),
    "channel_type": _STR,
    "tab": _STR,
    "team": (str, dict, type(None)),
    "user_team": _OPTIONAL_STR,
    "message": _MESSAGE,
    "previous_message": _MESSAGE,
    "item": (dict,),
    "assistant_thread": (dict,),
    "function_execution_id": _STR,
}

_ACTION: Schema = {
    "type": _STR,
    "!action_id": _STR,
    "block_id": _STR,
    "value": _STR,
    "text": (dict,),
}

_VIEW: Schema = {
    "id": _STR,
    "!type": _STR,
    "callback_id": _STR,
    "private_metadata": _STR,
    "team_id": _OPTIONAL_STR,
    "state": {"values": (dict,)},
    "blocks": [(dict,)],
    "title": (dict,),
}

_ID_OBJECT: Schema = {"id": _STR, "team_id": _OPTIONAL_STR, "enterprise_id": _OPTIONAL_STR}

PAYLOAD: Schema = {
    "type": _STR,
    "token": _STR,
    "team_id": _OPTIONAL_STR,
    "enterprise_id": _OPTIONAL_STR,
    "api_app_id": _STR,
    "event_id": _STR,
    "user_id": _STR,
    "channel_id": _STR,
    "command": _STR,
    "text": _STR,
    "trigger_id": _STR,
    "response_url": _STR,
    "callback_id": _STR,
    "action_id": _STR,
    "thread_ts": _STR,
    "is_ext_shared_channel": (bool,),
    "event": _EVENT,
    "view": _VIEW,
    "user": (str, _ID_OBJECT),
    "team": (type(None), str, _ID_OBJECT),
    "enterprise": (type(None), str, _ID_OBJECT),
    "channel": (str, _ID_OBJECT),
    "container": {"type": _STR, "channel_id": _STR, "message_ts": _STR, "is_ephemeral": (bool,)},
    "message": _MESSAGE,
    "previous_message": _MESSAGE,
    "state": {"values": (dict,)},
    "item": (dict,),
    "assistant_thread": (dict,),
    "function_data": (dict,),
    "actions": [_ACTION],
    "authorizations": [{"team_id": _OPTIONAL_STR, "enterprise_id": _OPTIONAL_STR, "user_id": _STR}],
}

# fields bolt reads without looking once a payload's type is one of these
_TAKEN_FOR_GRANTED = {"workflow_step_edit": ("workflow_step",)}


def slack_shaped(body: Any) -> bool:
    """Whether ``body`` has the shape of a Slack payload wherever bolt and the listeners read it."""
    if not _fits(body, PAYLOAD):
        return False
    if body.get("type") in _TAKEN_FOR_GRANTED and not all(
        f in body for f in _TAKEN_FOR_GRANTED[body["type"]]
    ):
        return False
    # bolt takes the first of a payload's actions without looking (Slack always sends at least one)
    return "actions" not in body or bool(body["actions"])


def _fits(value: Any, rule: Any) -> bool:
    if isinstance(rule, tuple):  # any of these
        return any(_fits(value, r) for r in rule)
    if isinstance(rule, list):  # a list of such objects
        return isinstance(value, list) and all(_fits(v, rule[0]) for v in value)
    if isinstance(rule, type):
        return isinstance(value, rule)
    if not isinstance(value, dict):
        return False
    for name, sub in rule.items():
        key = name.removeprefix("!")
        if key in value:
            if not _fits(value[key], sub):
                return False
        elif name.startswith("!"):
            return False
    return True
