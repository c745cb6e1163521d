"""Processes that send for one workspace share its rate through the database: each takes its slots in
blocks from the ledger (``storage.scheduling.reserve_slots``) and uses them at their own times."""

from __future__ import annotations

import asyncio
import itertools

from scheduler.pacing import ReservedBucket
from storage import scheduling
from storage.uow import SqlUnitOfWorkFactory


class VirtualTime:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def wall(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


def bucket(uow_factory: SqlUnitOfWorkFactory, time: VirtualTime, rate: float) -> ReservedBucket:
    async def reserve(count: int, interval: float) -> float:
        with uow_factory.session_factory() as session:
            first = scheduling.reserve_slots(session, "slack", count, interval, time.now)
            session.commit()
        return first

    return ReservedBucket(rate, reserve, wall=time.wall, sleep=time.sleep)


def test_two_senders_on_one_ledger_together_never_go_faster_than_the_rate(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    time, rate = VirtualTime(), 20.0
    one, other = bucket(uow_factory, time, rate), bucket(uow_factory, time, rate)
    granted: list[float] = []

    async def take(turns: list[ReservedBucket]) -> None:
        for b in turns:
            await b.acquire()
            granted.append(time.now)

    # the two take turns, then one sends alone for a while, then both again
    turns = [one, other] * 30 + [one] * 40 + [other, one] * 30
    asyncio.run(take(turns))
    gaps = [b - a for a, b in itertools.pairwise(granted)]
    assert min(gaps) >= 1 / rate - 1e-6, "two slots closer than the rate allows"
    busiest = max(sum(1 for t in granted if start <= t < start + 1.0) for start in granted)
    assert busiest <= rate
    # alone, one sender uses the whole rate (its blocks follow each other)
    alone = granted[60:100]
    assert (alone[-1] - alone[0]) / (len(alone) - 1) <= 1.01 / rate


def test_a_slot_that_passed_unused_is_dropped_not_caught_up_on(uow_factory: SqlUnitOfWorkFactory) -> None:
    time, rate = VirtualTime(), 20.0
    sender = bucket(uow_factory, time, rate)
    granted: list[float] = []

    async def run() -> None:
        await sender.acquire()
        granted.append(time.now)
        time.now += 2.0  # the process was busy: its other reserved slots have passed
        for _ in range(10):
            await sender.acquire()
            granted.append(time.now)

    asyncio.run(run())
    later = granted[1:]
    assert all(b - a >= 1 / rate - 1e-6 for a, b in itertools.pairwise(later)), "a burst"
