"""One person's formatting never reaches another on Teams (issue 13, item 7): a mentee's agenda item
with ``*bold*``, a markdown-style link, a bidi override and a zero-width space shows in the mentor's card
as plain runs of the words typed."""

from __future__ import annotations

from typing import Any

from conftest import People
from teams_harness import MENTEE
from teams_harness import MENTOR
from teams_harness import TeamsHarness

FAKE = "*Message from the Programme Coordinator* [click](https://evil.example)\u202e\u200b\nNext line"


def runs(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "TextRun":
            found.append(node)
        for value in node.values():
            found += runs(value)
    elif isinstance(node, list):
        for value in node:
            found += runs(value)
    return found


async def test_a_mentees_agenda_item_reaches_the_mentor_as_plain_text(
    teams: TeamsHarness, people: People
) -> None:
    await teams.say(MENTEE, f"agenda add {FAKE}")
    await teams.say(MENTOR, "agenda")
    cards = [c for p in teams.fake.posted if p.conversation_id == MENTOR.personal_chat for c in p.cards]
    quoted = [r for r in runs(cards) if "Programme Coordinator" in r["text"]]
    assert quoted, teams.seen(MENTOR)
    for run in quoted:
        assert run.get("weight") != "Bolder"
        assert "*Message from the Programme Coordinator*" in run["text"]  # as typed
        assert "https://" not in run["text"] and "\u202e" not in run["text"] and "\u200b" not in run["text"]
        assert "\n" not in run["text"]
    assert all(
        b.get("type") != "TextBlock" or not b.get("text", "").count("Coordinator") for b in _blocks(cards)
    )


def _blocks(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _blocks(value)
    elif isinstance(node, list):
        for value in node:
            found += _blocks(value)
    return found
