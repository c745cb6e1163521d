"""Native controls and stable references on Teams, through Bot Framework activities on loopback (the
connector faked at HTTP level): the Home card's Agenda names each relationship, date-and-time inputs are
Input.Date + Input.Time with no typed-format hint, a confirmed meeting does not claim an attachment Teams
cannot carry, and item numbers stay put."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

from teams_harness import MENTEE
from teams_harness import MENTOR
from teams_harness import TeamsHarness

from bot.clock import FixedClock
from bot.model import Kind
from bot.model import Membership
from bot.model import Person
from bot.model import Relationship
from bot.model import Role
from bot.model import Side
from scheduler.dispatch import Dispatcher
from storage.uow import SqlUnitOfWorkFactory


def _second_relationship(uow_factory: SqlUnitOfWorkFactory, mentee_id: int) -> int:
    """Eli also has a sponsor, so she has two agendas."""
    with uow_factory() as uow:
        mentee = uow.people.get(mentee_id)
        assert mentee is not None
        sponsor = Person(
            email="sponsor@example.org",
            name="Sam Sponsor",
            roles=[Role.GUIDE],
            programme_id=mentee.programme_id,
        )
        uow.people.add(sponsor)
        rel = Relationship(
            kind=Kind.SPONSORSHIP,
            format="one-to-one",
            phase="initiation",
            started_on=date(2026, 3, 2),
            members=[
                Membership(person=sponsor, side=Side.GUIDE),
                Membership(person=mentee, side=Side.LEARNER),
            ],
            programme_id=mentee.programme_id,
        )
        uow.relationships.add(rel)
        uow.commit()
        assert rel.id is not None
        return rel.id


async def test_the_home_cards_agenda_names_the_relationship_of_each_agenda(
    teams: TeamsHarness, people: Any
) -> None:
    second = _second_relationship(teams.runtime.uow_factory, people.mentee_id)
    await teams.say(MENTEE, f"agenda add #{people.relationship_id} My research interview")
    await teams.say(MENTEE, f"agenda add #{second} Which committee to join")
    await teams.say(MENTEE, "home")
    before = len(teams.fake.posted)
    await teams.press(MENTEE, "Agenda")
    shown = "\n".join(teams.chat_text(p) for p in teams.fake.posted[before:])
    first = shown.index(
        f"Agenda for your next meeting with Maria Mentor (Mentoring #{people.relationship_id}"
    )
    other = shown.index(f"Agenda for your next meeting with Sam Sponsor (Sponsorship #{second}")
    assert "My research interview" in shown[first:other] and "Which committee to join" in shown[other:]


async def test_meeting_times_are_date_and_time_inputs_without_a_typed_format_hint(
    teams: TeamsHarness,
) -> None:
    await teams.say(MENTEE, "schedule")
    (card,) = teams.fake.posted[-1].cards
    inputs = {i["id"]: i["type"] for i in _find(card, "Input.")}
    assert inputs["option1__date"] == "Input.Date" and inputs["option1__time"] == "Input.Time"
    text = json.dumps(card)
    assert "YYYY" not in text and "HH:MM" not in text


async def test_a_confirmed_meeting_does_not_say_an_invite_is_attached(
    teams: TeamsHarness, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))  # daytime in London and New York
    await teams.say(MENTOR, "help")  # Maria has a chat with the bot, so notices can reach her
    await teams.say(MENTEE, "schedule")
    await teams.press(
        MENTEE, "Send the times", {"option1__date": "2026-03-05", "option1__time": "14:00", "minutes": 45}
    )
    runtime = teams.runtime
    await Dispatcher(runtime.uow_factory, runtime.programme, runtime.clock, runtime.senders).drain()
    posted, updated = len(teams.fake.posted), len(teams.fake.updated)
    await teams.press(MENTOR, "Thu 5 Mar 2026, 09:00 EST")
    answer = [*teams.fake.posted[posted:], *teams.fake.updated[updated:]]  # the card is updated in place
    confirmed = "\n".join(teams.chat_text(p) for p in answer)
    assert "confirmed" in confirmed
    assert "attached" not in confirmed
    assert "Teams doesn't let me send files in a chat" in confirmed and ".ics" in confirmed


async def test_agenda_numbers_on_teams_stay_with_their_items(teams: TeamsHarness) -> None:
    await teams.say(MENTEE, "agenda add first")
    await teams.say(MENTEE, "agenda add second")
    await teams.say(MENTEE, "agenda remove 1")
    before = len(teams.fake.posted)
    await teams.say(MENTEE, "agenda remove 2")
    shown = "\n".join(teams.chat_text(p) for p in teams.fake.posted[before:])
    assert "Item 2 is off the agenda." in shown and "second" not in shown


def _find(node: Any, type_prefix: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(n: Any) -> None:
        if isinstance(n, dict):
            if str(n.get("type", "")).startswith(type_prefix):
                found.append(n)
            for v in n.values():
                walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)

    walk(node)
    return found
