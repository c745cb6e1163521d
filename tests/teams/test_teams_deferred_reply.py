"""A Teams reply the connector keeps refusing with 429 is not lost: it goes to the outbox and the
dispatcher sends it once Teams allows, exactly once (issue 13, item 6, the Teams side)."""

from __future__ import annotations

import time
from datetime import timedelta

from conftest import People
from teams_harness import MENTEE
from teams_harness import TeamsHarness

from bot.clock import FixedClock
from scheduler.dispatch import Dispatcher


async def test_a_throttled_reply_arrives_later_from_the_outbox_once(
    teams: TeamsHarness, people: People, clock: FixedClock
) -> None:
    await teams.say(MENTEE, "help")  # Eli has talked to the bot before: Teams knows where to reach them
    teams.fake.fail_next(429, {"Retry-After": "30"}, times=6)
    started = time.monotonic()
    status, _ = await teams.say(MENTEE, "agenda add Deferred topic")
    took = time.monotonic() - started
    assert status == 200 and took < 10, took
    assert "Deferred topic" not in teams.seen(MENTEE)
    with teams.runtime.uow_factory() as uow:
        mentee = uow.people.get(people.mentee_id)
        assert mentee is not None
        assert [i.text for i in uow.content(mentee).agenda(people.relationship_id)] == ["Deferred topic"]

    runtime = teams.runtime
    teams.fake.failures.clear()
    for _ in range(3):
        await Dispatcher(runtime.uow_factory, runtime.programme, runtime.clock, runtime.senders).drain()
        clock.set(clock.now() + timedelta(minutes=5))
    assert sum("Deferred topic" in t for t in teams.chat(MENTEE)) == 1
