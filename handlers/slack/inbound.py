"""Slack payloads to neutral values: typed text, pressed buttons and submitted forms."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.slack.render import INPUT_BLOCK_PREFIX

_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def plain_text(slack_text: str) -> str:
    """What the person typed, from Slack's markup: ``<@U1|ann>`` → ``@ann``, ``<https://x|x>`` → ``x``,
    ``<!channel>`` → ``@channel``, entities decoded. (Replies escape it again before it is shown.)"""

    def replace(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return target[0] + (label or target[1:])
        if target.startswith("!"):
            name = target[1:].split("^")[0]
            return label or f"@{name}"
        return label or target.removeprefix("mailto:")

    text = _LINK.sub(replace, slack_text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def is_person_dm(event: Mapping[str, Any]) -> bool:
    """A message a person typed in their direct messages with the bot.

    The ``message`` event also arrives for channels, for edits and joins (subtypes) and for bots'
    messages, all of which the bot ignores.
    """
    return (
        event.get("type") == "message"
        and event.get("channel_type") == "im"
        and "subtype" not in event
        and not event.get("bot_id")
        and bool(event.get("user"))
        and isinstance(event.get("text"), str)
    )


@dataclass(frozen=True)
class PressedButton:
    action: str
    values: dict[str, str]


def pressed_button(value: str | None) -> PressedButton | None:
    """The neutral action a button carries (``{"a": action, "v": values}``), None if it is not ours."""
    try:
        data = json.loads(value or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), str):
        return None
    values = data.get("v") or {}
    if not isinstance(values, dict):
        return None
    return PressedButton(data["a"], {str(k): str(v) for k, v in values.items()})


def input_values(state: Mapping[str, Any] | None) -> dict[str, str]:
    """The values of a modal's (or a message's) input blocks, by input name, as neutral strings:
    dates ``YYYY-MM-DD``, times ``HH:MM``, several choices comma-separated, empty when left blank."""
    values: dict[str, str] = {}
    for block_id, actions in ((state or {}).get("values") or {}).items():
        if not str(block_id).startswith(INPUT_BLOCK_PREFIX) or not isinstance(actions, dict):
            continue
        name = str(block_id)[len(INPUT_BLOCK_PREFIX) :]
        for element in actions.values():
            values[name] = element_value(element)
    return values


def element_value(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    if kind == "datepicker":
        return str(element.get("selected_date") or "")
    if kind == "timepicker":
        return str(element.get("selected_time") or "")
    if kind in ("static_select", "radio_buttons"):
        option = element.get("selected_option") or {}
        return str(option.get("value") or "")
    if kind in ("checkboxes", "multi_static_select"):
        return ",".join(str(o.get("value")) for o in element.get("selected_options") or [])
    return str(element.get("value") or "")
