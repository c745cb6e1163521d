"""Helpers for the Teams tests (fixtures are in conftest.py): Teams users, activities shaped like the ones
Teams sends, and a harness that posts them to ``/api/messages`` of mentorbot's serve app.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from fake_connector import FakeConnector
from fake_connector import Posted
from sqlalchemy import Engine

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.programme import ProgrammeConfig
from handlers.teams.render import card_text
from mentorbot.settings import Settings
from mentorbot.wiring import Runtime
from storage.uow import SqlUnitOfWorkFactory

TENANT = "tenant-0001"
BOT_ID = "28:mentorbot-app"


@dataclass(frozen=True)
class TeamsUser:
    """A person as Teams knows them: a Bot Framework id, an Entra object id, a name and an e-mail."""

    user_id: str
    aad_object_id: str
    name: str
    email: str

    @property
    def personal_chat(self) -> str:
        return f"a:personal-{self.user_id}"

    def member(self) -> dict[str, Any]:
        """What the roster (``GET .../members/{id}``) answers for this person."""
        given, _, surname = self.name.partition(" ")
        return {
            "id": self.user_id,
            "aadObjectId": self.aad_object_id,
            "name": self.name,
            "givenName": given,
            "surname": surname,
            "email": self.email,
            "userPrincipalName": self.email,
            "tenantId": TENANT,
            "userRole": "user",
        }


MENTEE = TeamsUser("29:mentee", "aad-mentee", "Eli Mentee", "mentee@example.org")
MENTOR = TeamsUser("29:mentor", "aad-mentor", "Maria Mentor", "Mentor@Example.org")
STRANGER = TeamsUser("29:stranger", "aad-stranger", "Sam Stranger", "stranger@example.org")


def make_runtime(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    env: dict[str, str],
) -> Runtime:
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), env=env)
    return Runtime(settings, engine, uow_factory, programme, clock, MentorBot(uow_factory, programme, clock))


class TeamsHarness:
    """Talks to mentorbot as Teams would: activities POSTed to /api/messages, whose ``serviceUrl`` is
    the fake Bot Connector, where the bot's answers land."""

    def __init__(
        self, client: TestClient[web.Request, web.Application], fake: FakeConnector, runtime: Runtime
    ):
        self.client = client
        self.fake = fake
        self.runtime = runtime
        self._ids = itertools.count(1)

    def activity(
        self,
        user: TeamsUser,
        *,
        conversation_type: str = "personal",
        conversation_id: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        conversation = conversation_id or (
            user.personal_chat if conversation_type == "personal" else "19:group@thread.v2"
        )
        activity: dict[str, Any] = {
            "type": "message",
            "id": f"in-{next(self._ids)}",
            "timestamp": datetime(2026, 3, 2, 9, 0, tzinfo=UTC).isoformat(),
            "channelId": "msteams",
            "serviceUrl": self.fake.url,
            "from": {"id": user.user_id, "name": user.name, "aadObjectId": user.aad_object_id},
            "recipient": {"id": BOT_ID, "name": "mentorbot"},
            "conversation": {"id": conversation, "conversationType": conversation_type, "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "en-GB",
        }
        activity.update(fields)
        return activity

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, str]:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        async with self.client.post("/api/messages", data=json.dumps(activity), headers=all_headers) as resp:
            return resp.status, await resp.text()

    # -- what a person does ------------------------------------------------------------------------------
    async def say(self, user: TeamsUser, text: str, **fields: Any) -> tuple[int, str]:
        return await self.post(self.activity(user, text=text, **fields))

    async def submit(self, user: TeamsUser, data: dict[str, Any], reply_to: str) -> tuple[int, str]:
        """An Action.Submit from the card ``reply_to``: a message whose value is the card's data."""
        return await self.post(self.activity(user, value=data, replyToId=reply_to))

    async def press(
        self, user: TeamsUser, label: str, inputs: dict[str, Any] | None = None
    ) -> tuple[int, str]:
        """Press the newest button labelled ``label`` in ``user``'s personal chat."""
        for posted in reversed(self.fake.posted):
            if posted.conversation_id != user.personal_chat:
                continue
            for action in _find(posted.cards, "Action."):
                if action.get("title") == label:
                    data = {**action["data"], **(inputs or {})}
                    return await self.submit(user, data, posted.activity_id)
        raise LookupError(f"no button {label!r} in {user.name}'s chat")

    async def install(self, user: TeamsUser, *, conversation_type: str = "personal") -> tuple[int, str]:
        activity = self.activity(
            user,
            conversation_type=conversation_type,
            type="conversationUpdate",
            membersAdded=[{"id": BOT_ID}],
        )
        return await self.post(activity)

    async def execute(
        self, user: TeamsUser, data: dict[str, Any], reply_to: str = "card-1"
    ) -> tuple[int, Any]:
        """An Action.Execute: an ``adaptiveCard/action`` invoke; returns the status and the JSON body."""
        activity = self.activity(
            user,
            type="invoke",
            name="adaptiveCard/action",
            replyToId=reply_to,
            value={
                "action": {"type": "Action.Execute", "verb": "mentorbot", "data": data},
                "trigger": "manual",
            },
        )
        status, body = await self.post(activity)
        return status, json.loads(body) if body else None

    # -- what a person sees ------------------------------------------------------------------------------
    def chat(self, user: TeamsUser) -> list[str]:
        """The text of every card the bot posted into ``user``'s personal chat, oldest first."""
        return [
            card_text(card)
            for p in self.fake.posted
            if p.conversation_id == user.personal_chat
            for card in p.cards
        ]

    def seen(self, user: TeamsUser) -> str:
        """Everything in ``user``'s personal chat, as one text."""
        return "\n".join(self.chat(user))

    def last(self, user: TeamsUser) -> str:
        texts = self.chat(user)
        return texts[-1] if texts else ""

    @staticmethod
    def chat_text(posted: Posted) -> str:
        return "\n".join(card_text(card) for card in posted.cards)

    @staticmethod
    def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
        return _find(card, "Action.")

    @staticmethod
    def inputs(card: dict[str, Any]) -> dict[str, Any]:
        """The values a person would send without changing anything: what the form shows."""
        return {i["id"]: i.get("value", "") for i in _find(card, "Input.")}


def _find(node: Any, type_prefix: str) -> list[dict[str, Any]]:
    """Every element of a card whose type starts with ``type_prefix``, in document order."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith(type_prefix):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(node)
    return found
