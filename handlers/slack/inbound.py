"""Slack payloads to neutral values: typed text, pressed buttons and submitted forms."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.slack.render import INPUT_BLOCK_PREFIX
from handlers.slack.render import TIME_SUFFIX

_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_UNREPRESENTABLE = re.compile("[\x00\ud800-\udfff]")  # NUL and lone surrogates: no database stores them


def clean(text: str) -> str:
    """Text as the bot may store it: NUL characters and unpaired surrogates (which JSON can carry but
    UTF-8 cannot) become U+FFFD."""
    return _UNREPRESENTABLE.sub("\ufffd", text)


def text_at(data: object, *path: str) -> str:
    """The string at ``path`` in a payload, or "" when anything on the way is missing or of another type
    (Slack's payloads are trusted for nothing but their signature)."""
    for key in path:
        if not isinstance(data, Mapping):
            return ""
        data = data.get(key)
    return clean(data) if isinstance(data, str) else ""


def mapping_at(data: object, *path: str) -> Mapping[str, Any]:
    for key in path:
        if not isinstance(data, Mapping):
            return {}
        data = data.get(key)
    return data if isinstance(data, Mapping) else {}


def first_action(body: Mapping[str, Any]) -> Mapping[str, Any]:
    actions = body.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], Mapping):
        return actions[0]
    return {}


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

    text = _LINK.sub(replace, clean(slack_text))
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
        and isinstance(event.get("user"), str)
        and bool(event.get("user"))
        and isinstance(event.get("channel"), str)
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
    return PressedButton(clean(data["a"]), string_values(values))


def string_values(values: Mapping[Any, Any]) -> dict[str, str]:
    """Button values or hidden form values as the neutral strings workflows expect."""
    return {clean(str(k)): clean(v if isinstance(v, str) else json.dumps(v)) for k, v in values.items()}


def input_values(state: Mapping[str, Any] | None) -> dict[str, str]:
    """The values of a modal's (or a message's) input blocks, by input name, as neutral strings:
    dates ``YYYY-MM-DD``, times ``HH:MM``, a date and time (a date picker and a time picker)
    ``YYYY-MM-DD HH:MM``, several choices comma-separated, empty when left blank."""
    values: dict[str, str] = {}
    for block_id, actions in mapping_at(state, "values").items():
        if not isinstance(block_id, str) or not block_id.startswith(INPUT_BLOCK_PREFIX):
            continue
        if not isinstance(actions, Mapping):
            continue
        name = clean(block_id[len(INPUT_BLOCK_PREFIX) :])
        for element in actions.values():
            if isinstance(element, Mapping):
                values[name] = element_value(element)
    for name in [n for n in values if n.endswith(TIME_SUFFIX)]:
        clock = values.pop(name)
        base = name[: -len(TIME_SUFFIX)]
        values[base] = f"{values.get(base, '')} {clock}".strip()
    return values


def element_value(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    if kind == "datepicker":
        return text_at(element, "selected_date")
    if kind == "timepicker":
        return text_at(element, "selected_time")
    if kind in ("static_select", "radio_buttons"):
        return text_at(element, "selected_option", "value")
    if kind in ("checkboxes", "multi_static_select"):
        chosen = element.get("selected_options")
        return (
            ",".join(text_at(o, "value") for o in chosen if isinstance(o, Mapping))
            if isinstance(chosen, list)
            else ""
        )
    return text_at(element, "value")
