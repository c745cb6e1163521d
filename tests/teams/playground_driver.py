"""Drives the Microsoft 365 Agents Playground through its own HTTP and WebSocket API, as its web page does.

What the Playground offers (read from its package, version pinned in ``handlers/teams/playground.py``):

* ``POST /_conversation/v1/conversations/{id}/messages`` -- the person types a message;
* ``POST /_conversation/v1/submit`` -- the person presses an ``Action.Submit`` on a card (``replyToId`` is
  the card's message, ``value`` the submitted data);
* ``POST /_debug/conversation/{id}/installation`` -- the app is installed in that chat (an
  ``installationUpdate`` and a ``conversationUpdate`` reach the bot);
* ``WS /_ws_conversation/v1/conversations/stream`` -- what the page shows: ``createMessage`` and
  ``updateMessage`` of the bot's messages;
* ``WS /_ws/log/stream`` -- the Playground's log: every activity sent to the bot, logged once the bot has
  answered the HTTP request. That is how :class:`PlaygroundChat` knows a turn is over without waiting for
  a fixed time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from handlers.teams import playground
from handlers.teams.render import card_text

REQUIRE = os.environ.get("MENTORBOT_REQUIRE_PLAYGROUND") == "1"
CACHE = Path(__file__).resolve().parents[2] / ".cache" / "playground"
PLAYGROUND = "Microsoft 365 Agents Playground"
APPLICATION = "User Application"
TIMEOUT = 30.0  # generous: a failing condition ends the test, a passing one returns at once


def installed_playground() -> Path:
    """The Playground's command, installed with npm at the pinned version; skips (or fails in CI) when
    it cannot be installed here."""
    try:
        return playground.install(CACHE)
    except (playground.PlaygroundUnavailable, OSError) as err:
        if REQUIRE:
            pytest.fail(f"MENTORBOT_REQUIRE_PLAYGROUND=1 but the Agents Playground is unavailable: {err}")
        pytest.skip(f"the Agents Playground cannot be installed here: {err}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class BotMessage:
    message_id: str
    card: dict[str, Any]

    @property
    def text(self) -> str:
        return card_text(self.card)

    def actions(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if str(node.get("type", "")).startswith("Action."):
                    found.append(node)
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.card)
        return found

    def inputs(self) -> dict[str, Any]:
        found: dict[str, Any] = {}

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if str(node.get("type", "")).startswith("Input."):
                    found[node["id"]] = node.get("value", "")
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.card)
        return found


@dataclass
class PlaygroundProcess:
    user: playground.PlaygroundUser
    process: asyncio.subprocess.Process
    port: int
    directory: Path
    output: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def start_playground(
    command: Path, user: playground.PlaygroundUser, endpoint: str, directory: Path
) -> PlaygroundProcess:
    """Start one Playground (one person at the keyboard) against ``endpoint``; returns once it answers."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.yml").write_text(playground.config_yaml(user), encoding="utf-8")
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *playground.command_line(command, endpoint, port),
        env=playground.environment(directory, open_browser=False),
        cwd=directory,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    started = PlaygroundProcess(user, process, port, directory)
    assert process.stdout is not None
    try:
        async with asyncio.timeout(TIMEOUT):
            while True:
                line = (await process.stdout.readline()).decode(errors="replace")
                if not line:
                    raise RuntimeError("the Playground stopped:\n" + "".join(started.output))
                started.output.append(line)
                if line.startswith("Listening on "):
                    started.port = int(line.split()[-1])
                    break
    except BaseException:
        await started.stop()
        raise

    async def drain() -> None:  # keep its output flowing (and kept for a failure report)
        assert process.stdout is not None
        while line := await process.stdout.readline():
            started.output.append(line.decode(errors="replace"))

    started.drain_task = asyncio.create_task(drain())  # type: ignore[attr-defined]
    return started


class PlaygroundChat:
    """One person's personal chat with the bot, seen through the Playground."""

    def __init__(self, process: PlaygroundProcess, session: aiohttp.ClientSession) -> None:
        self.process = process
        self.session = session
        self.user = process.user
        self.conversation = process.user.personal_chat_id
        self.messages: dict[str, BotMessage] = {}  # by message id, latest version
        self.order: list[str] = []  # message ids as they were created
        self.updates: list[str] = []  # message ids in the order they were updated
        self.turns = 0  # activities the bot has answered
        self.bot_sent: list[str] = []  # ids the bot created or updated, from the log
        self._changed = asyncio.Condition()
        self._tasks: list[asyncio.Task[None]] = []

    async def connect(self) -> PlaygroundChat:
        base = self.process.url
        conversation_ws = await self.session.ws_connect(f"{base}/_ws_conversation/v1/conversations/stream")
        log_ws = await self.session.ws_connect(f"{base}/_ws/log/stream")
        self._tasks = [
            asyncio.create_task(self._read(conversation_ws, self._on_conversation)),
            asyncio.create_task(self._read(log_ws, self._on_log)),
        ]
        return self

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- what the person does ------------------------------------------------------------------------------
    async def install(self) -> list[BotMessage]:
        """Add the app to the personal chat: the bot gets an installationUpdate and a conversationUpdate."""
        return await self._turns(2, self._post(f"/_debug/conversation/{self.conversation}/installation", {}))

    async def say(self, text: str) -> list[BotMessage]:
        body = {"from": {"id": self.user.user_id}, "text": text, "textFormat": "plain"}
        return await self._turns(
            1, self._post(f"/_conversation/v1/conversations/{self.conversation}/messages", body)
        )

    async def press(self, label: str, inputs: dict[str, Any] | None = None) -> list[BotMessage]:
        """Press the newest button (or form submit) labelled ``label``; ``inputs`` change form fields."""
        return await self._press(lambda action: action.get("title") == label, label, inputs)

    async def press_action(self, name: str, inputs: dict[str, Any] | None = None) -> list[BotMessage]:
        """Press the newest button that runs the bot's action ``name`` (e.g. when its label is a date)."""
        return await self._press(lambda action: action.get("data", {}).get("a") == name, name, inputs)

    async def _press(
        self, matches: Callable[[dict[str, Any]], bool], what: str, inputs: dict[str, Any] | None
    ) -> list[BotMessage]:
        for message_id in reversed(self.order):
            message = self.messages[message_id]
            for action in message.actions():
                if matches(action):
                    # as the page does: the card's data, with every input's current value merged in
                    value = {**action.get("data", {}), **message.inputs(), **(inputs or {})}
                    body = {
                        "conversation": {"id": self.conversation},
                        "from": {"id": self.user.user_id},
                        "replyToId": message.message_id,
                        "value": value,
                    }
                    return await self._turns(1, self._post("/_conversation/v1/submit", body))
        raise LookupError(f"no button {what!r} in {self.user.email}'s chat:\n{self.transcript()}")

    # -- what the person sees ------------------------------------------------------------------------------
    def transcript(self) -> str:
        return "\n---\n".join(self.messages[i].text for i in self.order)

    async def wait_for(self, predicate: Callable[[BotMessage], bool], what: str) -> BotMessage:
        """The first message (new or updated) for which ``predicate`` holds; fails after TIMEOUT."""
        try:
            async with asyncio.timeout(TIMEOUT), self._changed:
                while True:
                    for message_id in self.order:
                        if predicate(self.messages[message_id]):
                            return self.messages[message_id]
                    await self._changed.wait()
        except TimeoutError:
            pytest.fail(f"{self.user.email} never saw {what}; the chat shows:\n{self.transcript()}")

    # -- plumbing ------------------------------------------------------------------------------------------
    async def _post(self, path: str, body: dict[str, Any]) -> None:
        async with self.session.post(self.process.url + path, json=body) as response:
            assert response.status == 200, await response.text()

    async def _turns(self, count: int, action: Any) -> list[BotMessage]:
        """Do ``action`` and return the bot's messages once it has answered ``count`` activities and
        every message it sent meanwhile is on the page."""
        turns_before, sent_before = self.turns, len(self.bot_sent)
        await action
        try:
            async with asyncio.timeout(TIMEOUT), self._changed:
                await self._changed.wait_for(lambda: self.turns >= turns_before + count)
                await self._changed.wait_for(
                    lambda: all(i in self.messages for i in self.bot_sent[sent_before:])
                )
        except TimeoutError:
            pytest.fail(f"the bot did not answer {self.user.email}; the chat shows:\n{self.transcript()}")
        ids = list(dict.fromkeys(self.bot_sent[sent_before:]))
        return [self.messages[i] for i in ids]

    async def _read(
        self, ws: aiohttp.ClientWebSocketResponse, handle: Callable[[dict[str, Any]], None]
    ) -> None:
        async for frame in ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            event = json.loads(frame.data)
            async with self._changed:
                handle(event)
                self._changed.notify_all()

    def _on_conversation(self, event: dict[str, Any]) -> None:
        if event.get("action") not in ("createMessage", "updateMessage"):
            return
        if event.get("actionConversationId") != self.conversation:
            return
        message = event["message"]
        cards = [
            a["content"]
            for a in message.get("attachments") or []
            if "card.adaptive" in a.get("contentType", "")
        ]
        if not cards:
            return
        message_id = str(message["messageId"])
        if message_id not in self.messages:
            self.order.append(message_id)
        else:
            self.updates.append(message_id)
        self.messages[message_id] = BotMessage(message_id, cards[0])

    def _on_log(self, event: dict[str, Any]) -> None:
        entry = event.get("log") or {}
        if entry.get("conversationId") != self.conversation:
            return
        if entry.get("from") == PLAYGROUND and entry.get("to") == APPLICATION and "response" in entry:
            self.turns += 1
        elif entry.get("from") == APPLICATION and entry.get("activityName") == "message":
            self.bot_sent.append(str(entry.get("messageId")))
