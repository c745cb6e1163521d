"""Dispatch throughput against a rate-limited loopback platform, and how quickly chat events are
acknowledged while a 10,000-person fan-out is planned and sent.

* The platform runs in a process of its own and accepts at most ``MENTORBOT_BENCH_RATE`` messages per
  second (default 500), answering 429 + Retry-After beyond that. The dispatcher is told the same limit.
* *Outbox drain*: 10,000 messages, each to a different person, are already in the outbox; we measure how
  close the dispatcher gets to the allowed rate.
* *Fan-out*: 10,000 guides whose weekly digest falls due at the same moment. One plan pass (in a
  thread) writes the 10,000 digests, then the dispatcher sends them. Meanwhile a client in another
  process posts to a trivial endpoint on the same event loop every 10 ms, like Slack delivering events;
  its round-trip times are the acknowledgement latency (Slack wants an answer within 3 s). Anchor: the
  same probe on the idle loop during the second before the plan pass starts.
* *Two processes* (PostgreSQL): two dispatcher processes, each what one ``serve`` runs (shared pacing
  on), drain one outbox of 10,000 messages together; the platform counts the rate it saw. The allowed
  rate is one workspace's: together they must stay within it (and use most of it).
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing as mp
import os
import statistics
import time
from collections.abc import Callable
from collections.abc import Coroutine
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import select

from bench._common import backends
from bench._common import database
from bench._common import insert_chunked
from bench._common import person_row
from bench._common import write_results
from bench._fake_platform import FakePlatform
from bench._fake_platform import HttpSender
from bench._fake_platform import free_port
from bench._population import served_database
from bot.messages import text_message
from bot.programme import ProgrammeConfig
from bot.serialize import message_to_dict
from scheduler.dispatch import Dispatcher
from scheduler.planpass import PlanPass
from storage import tables
from storage.database import make_engine
from storage.uow import SqlUnitOfWorkFactory

RATE = float(os.environ.get("MENTORBOT_BENCH_RATE", "500"))
PEOPLE = int(os.environ.get("MENTORBOT_BENCH_FANOUT", "10000"))
DIGEST_AT = datetime(2026, 3, 9, 12, 30, tzinfo=UTC)  # Monday 08:30 in New York


class RunningClock:
    """A clock that starts at a chosen instant and then runs in real time (retries become due)."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.t0 = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.t0)


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        insert_chunked(conn, table, rows)


def populate_people(engine: Engine, n: int, *, first_id: int = 1) -> list[int]:
    """``n`` guides in New York, each reachable on the (fake) Slack."""
    now = DIGEST_AT - timedelta(days=30)
    ids = list(range(first_id, first_id + n))
    people = [
        person_row(i, f"guide{i}@bench.example", f"Guide {i}", "America/New_York", "guide", now) for i in ids
    ]
    _insert(engine, tables.people, people)
    _insert(engine, tables.chat_identities, [
        {"person_id": i, "platform": "slack", "external_id": f"U{i:07d}", "workspace": "T1", "address": {}}
        for i in ids
    ])  # fmt: skip
    return ids


def populate_fanout(engine: Engine, n: int) -> None:
    """``n`` pairs matched a week ago: only the guides' weekly digests are due at DIGEST_AT."""
    guides = populate_people(engine, n)
    mentees = list(range(n + 1, 2 * n + 1))
    now = DIGEST_AT - timedelta(days=7)
    people = [
        person_row(i, f"mentee{i}@bench.example", f"Mentee {i}", "Europe/London", "mentee", now)
        for i in mentees
    ]
    _insert(engine, tables.people, people)
    _insert(engine, tables.relationships, [
        {"id": k, "kind": "mentoring", "format": "one-to-one", "phase": "cultivation",
         "started_on": date(2026, 3, 2), "cadence_days": 28, "status": "active", "created_at": now}
        for k in range(1, n + 1)
    ])  # fmt: skip
    _insert(engine, tables.memberships, [
        row for k in range(1, n + 1) for row in (
            {"relationship_id": k, "person_id": guides[k - 1], "side": "guide"},
            {"relationship_id": k, "person_id": mentees[k - 1], "side": "learner"},
        )
    ])  # fmt: skip


def populate_outbox(engine: Engine, n: int, due: datetime) -> None:
    people = populate_people(engine, n)
    payload = {"message": message_to_dict(text_message("A message from the bench"))}
    _insert(engine, tables.deliveries, [
        {"person_id": p, "kind": "notice", "dedupe_key": f"bench:{p}", "payload": payload, "due_at": due,
         "status": "pending", "priority": 20, "created_at": due}
        for p in people
    ])  # fmt: skip


def _sent(engine: Engine) -> int:
    d = tables.deliveries
    with engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).select_from(d).where(d.c.status == "sent")).scalar() or 0
        )


def serving_dispatcher(factory: SqlUnitOfWorkFactory, clock: RunningClock, sender: HttpSender) -> Dispatcher:
    """The dispatcher as ``serve`` runs it (shared pacing on), reaching everyone on the fake platform."""
    return Dispatcher(factory, ProgrammeConfig.default(), clock, {"slack": sender}, shared_pacing=True)


async def drain_all(dispatcher: Dispatcher, engine: Engine, expected: int) -> float:
    """Send until ``expected`` messages are out (429s come back after their Retry-After); seconds taken."""
    started = time.perf_counter()
    while True:
        await dispatcher.drain()
        if await asyncio.to_thread(_sent, engine) >= expected:
            return time.perf_counter() - started
        await asyncio.sleep(0.05)


# -- the acknowledgement probe (another process) ----------------------------------------------------------


def _probe(url: str, stop: Any, out: Any) -> None:
    async def run() -> list[tuple[float, float]]:
        latencies: list[tuple[float, float]] = []  # (wall time sent, seconds to the answer)
        async with aiohttp.ClientSession() as session:
            while not stop.is_set():
                at, t0 = time.time(), time.perf_counter()
                async with session.post(url, json={"type": "event_callback"}) as resp:
                    await resp.read()
                latencies.append((at, time.perf_counter() - t0))
                await asyncio.sleep(0.01)
        return latencies

    out.put(asyncio.run(run()))


async def ack_endpoint() -> tuple[web.AppRunner, str]:
    async def events(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({})  # acknowledge at once, as the Slack handler does

    app = web.Application()
    app.router.add_post("/slack/events", events)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/slack/events"


# -- the two scenarios --------------------------------------------------------------------------------------


async def outbox_drain(engine: Engine, platform: FakePlatform) -> dict[str, float]:
    clock = RunningClock(DIGEST_AT)
    populate_outbox(engine, PEOPLE, clock.now())
    sender = HttpSender(platform.url, RATE)
    dispatcher = serving_dispatcher(SqlUnitOfWorkFactory(engine), clock, sender)
    async with aiohttp.ClientSession() as session:
        before = await platform.stats(session)
        seconds = await drain_all(dispatcher, engine, PEOPLE)
        after = await platform.stats(session)
    await sender.aclose()
    return {"seconds": seconds, "rate": PEOPLE / seconds, "refused": after["refused"] - before["refused"]}


async def fanout(engine: Engine, platform: FakePlatform) -> dict[str, float]:
    populate_fanout(engine, PEOPLE)
    clock = RunningClock(DIGEST_AT)
    factory = SqlUnitOfWorkFactory(engine)
    sender = HttpSender(platform.url, RATE)
    dispatcher = serving_dispatcher(factory, clock, sender)
    runner, url = await ack_endpoint()
    gc.collect()
    gc.freeze()  # as serve's scheduler does when it starts
    ctx = mp.get_context("spawn")
    stop, out = ctx.Event(), ctx.Queue()
    probe = ctx.Process(target=_probe, args=(url, stop, out), daemon=True)
    probe.start()
    await asyncio.sleep(3.0)  # the probe is up (a spawned process imports first) and measures an idle loop
    started, plan_from = time.perf_counter(), time.time()
    plan = await asyncio.to_thread(PlanPass(factory, ProgrammeConfig.default()).run, clock.now())
    planned, send_from = time.perf_counter() - started, time.time()
    sending = await drain_all(dispatcher, engine, plan.planned)
    send_to = time.time()
    stop.set()
    samples = await asyncio.to_thread(out.get)
    probe.join(10)
    await runner.cleanup()
    await sender.aclose()
    idle = [lat for at, lat in samples if at < plan_from]
    during_plan = [lat for at, lat in samples if plan_from <= at < send_from]
    during_send = [lat for at, lat in samples if send_from <= at < send_to]
    return {
        "planned": plan.planned,
        "plan_seconds": planned,
        "send_seconds": sending,
        "rate": plan.planned / sending,
        **_latency("idle", idle),
        **_latency("plan", during_plan),
        **_latency("send", during_send),
        "probes": len(during_plan) + len(during_send),
    }


def _drainer(url: str, platform_url: str, expected: int, go: Any, out: Any) -> None:
    """One dispatcher process (what one ``serve`` runs): drains the shared outbox until ``expected``
    messages are out in all, then reports how many it sent."""

    async def run() -> int:
        engine = make_engine(url)
        sender = HttpSender(platform_url, RATE)
        dispatcher = serving_dispatcher(SqlUnitOfWorkFactory(engine), RunningClock(DIGEST_AT), sender)
        sent = 0
        await asyncio.to_thread(go.wait)
        while await asyncio.to_thread(_sent, engine) < expected:
            sent += (await dispatcher.drain()).sent
            await asyncio.sleep(0.05)
        await sender.aclose()
        engine.dispose()
        return sent

    out.put(asyncio.run(run()))


async def two_processes(url: str, engine: Engine, platform: FakePlatform) -> dict[str, float]:
    populate_outbox(engine, PEOPLE, DIGEST_AT)
    ctx = mp.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    workers = [
        ctx.Process(target=_drainer, args=(url, platform.url, PEOPLE, go, out), daemon=True) for _ in range(2)
    ]
    for w in workers:
        w.start()
    await asyncio.sleep(3.0)  # both are up (imports done) before they start
    async with aiohttp.ClientSession() as session:
        before = await platform.stats(session)
        started, since = time.perf_counter(), time.monotonic()
        go.set()
        shares = sorted([await asyncio.to_thread(out.get) for _ in workers], reverse=True)
        seconds = time.perf_counter() - started
        after = await platform.stats(session, since)
    for w in workers:
        w.join(10)
    seen = (after["since"] - 1) / (after["last"] - after["first"])
    return {
        "seconds": seconds,
        "rate": seen,
        "refused": after["refused"] - before["refused"],
        "first": shares[0],
        "second": shares[1],
    }


def _latency(phase: str, latencies: list[float]) -> dict[str, float]:
    if len(latencies) < 2:  # the probe was not up yet (a busy machine): no figure rather than a wrong one
        return {f"{phase}_p50": float("nan"), f"{phase}_p99": float("nan"), f"{phase}_max": float("nan")}
    ordered = sorted(latencies)
    q = statistics.quantiles(ordered, n=100)
    return {f"{phase}_p50": 1000 * q[49], f"{phase}_p99": 1000 * q[98], f"{phase}_max": 1000 * ordered[-1]}


Scenario = Callable[[Engine, FakePlatform], Coroutine[Any, Any, dict[str, float]]]


def on_fresh_database(
    backend: str, doing: str, scenario: Scenario, platform: FakePlatform
) -> tuple[str, dict[str, float]]:
    """``scenario`` on a fresh database of ``backend``, after saying what it is ``doing``: the
    database's name and the scenario's figures."""
    with database(backend) as db:
        print(f"  {db.name}: {doing} ...", flush=True)
        return db.name, asyncio.run(scenario(db.engine, platform))


def main() -> None:
    drain_rows, fanout_rows, pair_rows = [], [], []
    with FakePlatform(RATE) as platform:
        for backend in backends():
            name, d = on_fresh_database(
                backend, f"draining {PEOPLE:,} messages at {RATE:g}/s", outbox_drain, platform
            )
            drain_rows.append(
                f"| {name} | {PEOPLE:,} | {RATE:g}/s | {d['rate']:.0f}/s | {100 * d['rate'] / RATE:.1f}% | "
                f"{d['seconds']:.1f} s | {d['refused']:.0f} |"
            )
            name, f = on_fresh_database(backend, f"fan-out to {PEOPLE:,} guides", fanout, platform)
            fanout_rows.append(
                f"| {name} | {f['planned']:,.0f} | {f['plan_seconds']:.1f} s "
                f"| {f['rate']:.0f}/s ({100 * f['rate'] / RATE:.1f}%) "
                f"| {f['idle_p50']:.1f} / {f['idle_p99']:.1f} ms "
                f"| {f['plan_p50']:.1f} / {f['plan_p99']:.1f} / {f['plan_max']:.0f} ms "
                f"| {f['send_p50']:.1f} / {f['send_p99']:.1f} / {f['send_max']:.0f} ms "
                f"| {f['plan_p99'] / f['idle_p99']:.1f}x / {f['send_p99'] / f['idle_p99']:.1f}x "
                f"| {f['probes']:,.0f} |"
            )
            if backend == "postgresql":
                with served_database(backend) as served:
                    print(f"  {served.name}: two dispatcher processes, {PEOPLE:,} messages ...", flush=True)
                    t = asyncio.run(two_processes(served.url, served.engine, platform))
                    pair_rows.append(
                        f"| {served.name} | 2 | {PEOPLE:,} | {RATE:g}/s | {t['rate']:.0f}/s "
                        f"| {100 * t['rate'] / RATE:.1f}% | {t['seconds']:.1f} s | {t['refused']:.0f} "
                        f"| {t['first']:,.0f} / {t['second']:,.0f} |"
                    )
    table = "\n".join(
        [
            "# Dispatch",
            "",
            f"The loopback platform allows {RATE:g} messages per second (429 + Retry-After beyond that);",
            "the dispatcher paces itself to the same limit (and to 1 message per second per channel).",
            "",
            "## Outbox drain",
            "",
            "| database | messages | allowed | achieved | of allowed | took | 429s |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *drain_rows,
            "",
            "## Fan-out: event acknowledgement while 10,000 weekly digests are planned and sent",
            "",
            "Latency: round trip of a POST to a trivial endpoint on the serving event loop, every 10 ms from",
            "another process, during the plan pass and the dispatch. Anchor: the same probe on the idle loop",
            "in the seconds before the plan pass; ratio: p99 while planning / sending to the idle p99.",
            "Goals (issue 15): sent at 95% of the allowed rate or more; ack p99 under 50 ms.",
            "",
            "| database | digests | plan pass | sent at (of allowed) | ack idle (p50 / p99) "
            "| ack while planning (p50 / p99 / max) | ack while sending (p50 / p99 / max) "
            "| p99 ratio planning / sending | probes |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *fanout_rows,
            "",
            "## Two processes, one workspace",
            "",
            "Two dispatcher processes (each what one `serve` runs, shared pacing on) drain one outbox",
            "together; the rate is what the platform saw. It must stay within the one workspace's limit.",
            "",
            "| database | processes | messages | allowed | together | of allowed | took | 429s "
            "| sent by each |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *pair_rows,
            "",
        ]
    )
    write_results("dispatch", table)


if __name__ == "__main__":
    main()
