"""Helpers for the Slack end-to-end tests (the fixtures are in conftest.py): requests signed exactly
the way Slack signs them, payloads shaped like Slack's, and a look at what the fake Slack was sent.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.test_utils import TestClient
from fake_slack import BOT_TOKEN
from fake_slack import TEAM
from fake_slack import FakeSlack
from sqlalchemy import Engine

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.programme import ProgrammeConfig
from mentorbot.settings import Settings
from mentorbot.wiring import Runtime
from storage.uow import SqlUnitOfWorkFactory

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass(frozen=True)
class People:
    mentee_id: int
    mentor_id: int
    coordinator_id: int
    relationship_id: int


def sign(body: str, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Slack's v0 request signature: HMAC-SHA256 of ``v0:<timestamp>:<body>`` with the signing secret."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def slack_env(fake: FakeSlack, **overrides: str) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v}


def make_runtime(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    env: dict[str, str],
) -> Runtime:
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), env=env)
    return Runtime(settings, engine, uow_factory, programme, clock, MentorBot(uow_factory, programme, clock))


StartSlack = Callable[..., Awaitable["Harness"]]


class Harness:
    """Talks to mentorbot as Slack would: signed HTTP requests to /slack/events."""

    def __init__(
        self, client: TestClient[web.Request, web.Application], fake: FakeSlack, runtime: Runtime
    ) -> None:
        self.client = client
        self.fake = fake
        self.runtime = runtime
        self._ids = itertools.count(1)

    # -- raw requests ------------------------------------------------------------------------------------
    async def post(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> tuple[int, str]:
        all_headers = {"Content-Type": content_type, **sign(body, timestamp), **(headers or {})}
        async with self.client.post("/slack/events", data=body.encode(), headers=all_headers) as resp:
            return resp.status, await resp.text()

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        body = json.dumps(event_envelope(event, event_id or f"Ev{next(self._ids):06d}"))
        return await self.post(body, "application/json", headers)

    async def interaction(self, payload: dict[str, Any]) -> tuple[int, str]:
        return await self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    # -- what a person does ------------------------------------------------------------------------------
    async def dm(self, user: str, text: str, *, event_id: str | None = None) -> tuple[int, str]:
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": f"D{user}",
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
        }
        return await self.event(event, event_id=event_id)

    async def command(self, user: str, text: str, *, channel: str | None = None) -> tuple[int, str]:
        trigger = f"trigger-{next(self._ids)}"
        body = urlencode(
            {
                "token": "legacy",
                "team_id": TEAM,
                "team_domain": "test",
                "channel_id": channel or f"D{user}",
                "channel_name": "directmessage",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/mentor",
                "text": text,
                "api_app_id": "A0APP",
                "response_url": self.fake.response_url(trigger),
                "trigger_id": trigger,
            }
        )
        return await self.post(body, "application/x-www-form-urlencoded")

    async def press(
        self, user: str, label: str, *, channel: str | None = None, state: dict[str, Any] | None = None
    ) -> tuple[int, str]:
        """Press the newest button labelled ``label`` in ``user``'s DM (or ``channel``)."""
        channel = channel or f"D{user}"
        for (ch, ts), message in reversed(list(self.fake.messages.items())):
            if ch != channel:
                continue
            for block in message["blocks"]:
                for element in block.get("elements", []) if block.get("type") == "actions" else []:
                    if element["text"]["text"] == label:
                        return await self.interaction(
                            {
                                "type": "block_actions",
                                "team": {"id": TEAM},
                                "user": {"id": user},
                                "api_app_id": "A0APP",
                                "trigger_id": f"trigger-{next(self._ids)}",
                                "container": {
                                    "type": "message",
                                    "message_ts": ts,
                                    "channel_id": ch,
                                    "is_ephemeral": False,
                                },
                                "channel": {"id": ch},
                                "message": {"ts": ts, **message},
                                "response_url": self.fake.response_url("press"),
                                "state": state or {"values": {}},
                                "actions": [
                                    {
                                        "type": "button",
                                        "action_id": element["action_id"],
                                        "block_id": block.get("block_id", ""),
                                        "text": element["text"],
                                        "value": element.get("value", ""),
                                        "action_ts": "1",
                                    }
                                ],
                            }
                        )
        raise LookupError(f"no button {label!r} in {channel}")

    async def press_when_shown(self, user: str, label: str) -> tuple[int, str]:
        """Wait for a button labelled ``label`` in ``user``'s DM, then press it."""
        await self.shown(f"D{user}", f"[{label}]")
        return await self.press(user, label)

    async def press_home(self, user: str, label: str) -> tuple[int, str]:
        view = [c for c in self.fake.called("views.publish") if c.args["user_id"] == user][-1].args["view"]
        for block in view["blocks"]:
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                if element["text"]["text"] == label:
                    return await self.interaction(
                        {
                            "type": "block_actions",
                            "team": {"id": TEAM},
                            "user": {"id": user},
                            "api_app_id": "A0APP",
                            "trigger_id": f"trigger-{next(self._ids)}",
                            "container": {"type": "view", "view_id": "VHOME"},
                            "view": {"id": "VHOME", "type": "home", **view},
                            "actions": [
                                {
                                    "type": "button",
                                    "action_id": element["action_id"],
                                    "block_id": block.get("block_id", ""),
                                    "text": element["text"],
                                    "value": element.get("value", ""),
                                    "action_ts": "1",
                                }
                            ],
                        }
                    )
        raise LookupError(f"no button {label!r} on the Home tab")

    async def submit(
        self, user: str, values: dict[str, str] | None = None, view: dict[str, Any] | None = None
    ) -> tuple[int, str]:
        """Submit the newest modal (or ``view``), its pre-filled values overridden by ``values``."""
        view = view or self.last_modal()
        state = fill_inputs(view["blocks"], values or {})
        return await self.interaction(
            {
                "type": "view_submission",
                "team": {"id": TEAM},
                "user": {"id": user},
                "api_app_id": "A0APP",
                "trigger_id": f"trigger-{next(self._ids)}",
                "view": {
                    "id": "V1",
                    "type": "modal",
                    "callback_id": view["callback_id"],
                    "private_metadata": view.get("private_metadata", ""),
                    "title": view["title"],
                    "blocks": view["blocks"],
                    "state": state,
                },
            }
        )

    def last_modal(self) -> dict[str, Any]:
        opened = self.fake.called("views.open")
        assert opened, "no modal was opened"
        view: dict[str, Any] = opened[-1].args["view"]
        return view

    # -- what a person sees ------------------------------------------------------------------------------
    async def shown(self, channel: str, wanted: str) -> str:
        """Wait until a message in ``channel`` shows ``wanted``; returns that message's text."""

        def found() -> bool:
            return any(wanted in t for t in self.texts(channel))

        await self.fake.wait_until(found)
        return next(t for t in self.texts(channel) if wanted in t)

    def texts(self, channel: str) -> list[str]:
        """Every text shown in ``channel``'s messages, as Slack stores them (escaped mrkdwn)."""
        out: list[str] = []
        for (ch, _), message in self.fake.messages.items():
            if ch == channel:
                out.append(message_text(message["blocks"]))
        return out


def message_text(blocks: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for block in blocks:
        if block.get("type") == "section":
            if "text" in block:
                parts.append(block["text"]["text"])
            parts.extend(f["text"] for f in block.get("fields", []))
        elif block.get("type") == "context":
            parts.extend(e.get("text", "") for e in block["elements"])
        elif block.get("type") == "actions":
            parts.extend(f"[{e['text']['text']}]" for e in block["elements"])
        elif block.get("type") == "input":
            parts.append(f"<{block['label']['text']}>")
    return "\n".join(parts)


def fill_inputs(blocks: list[dict[str, Any]], values: dict[str, str]) -> dict[str, Any]:
    """The ``state`` Slack sends with a submission: every input block's element, filled in."""
    state: dict[str, Any] = {}
    for block in blocks:
        if block.get("type") != "input":
            continue
        name = block["block_id"].removeprefix("input:")
        element = block["element"]
        kind = element["type"]
        initial = element.get("initial_value") or element.get("initial_date") or element.get("initial_time")
        value = values.get(name, initial)
        if kind == "datepicker":
            filled = {"type": kind, "selected_date": value}
        elif kind == "timepicker":
            filled = {"type": kind, "selected_time": value}
        elif kind in ("static_select", "radio_buttons"):
            chosen = value if name in values else (element.get("initial_option") or {}).get("value")
            filled = {"type": kind, "selected_option": {"value": chosen} if chosen else None}
        elif kind in ("checkboxes", "multi_static_select"):
            chosen_values = (
                values[name].split(",")
                if name in values
                else [o["value"] for o in element.get("initial_options", [])]
            )
            filled = {"type": kind, "selected_options": [{"value": v} for v in chosen_values if v]}
        else:
            filled = {"type": kind, "value": value}
        state[block["block_id"]] = {element["action_id"]: filled}
    return {"values": state}


def event_envelope(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A0APP",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
    }
