"""Resident memory of a ``serve`` process with 100,000 people in the programme.

The database holds ``pairs`` mentoring pairs (default 50,000: 100,000 people and 50,000 relationships,
each with a held meeting and agreed ground rules), everyone linked to Slack. It is written with bulk
inserts (SQLAlchemy Core, see :mod:`bench._population`), not the CSV importer, which checks every row
through the domain model and would take most of the run.

A child process then does what ``mentorbot serve`` does -- ``build_runtime``, ``build_app`` with every
channel mounter (the scheduler, Slack against a fake Web API in this process, Teams in local mode) --
and we read its memory (``/proc/self/status``: VmRSS now, VmHWM the peak so far) at three moments:

1. *started*: serving, before the scheduler's first plan pass has finished;
2. *after the plan pass*: the scheduler's first pass after a start, which looks at every relationship
   once (catch-up; on PostgreSQL it may stop after its time budget and carry on at the next trigger);
3. *after a DM*: a signed Slack DM (``my relationships``) answered end to end.

A row with an almost empty programme shows what the process costs before any data.
Settings (environment): ``MENTORBOT_BENCH_MEMORY_PAIRS`` (50000), ``MENTORBOT_BENCH_BACKENDS`` (default:
PostgreSQL when it answers, else SQLite; ``sqlite,postgresql`` for both).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import time
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

import aiohttp

from bench._common import write_results
from bench._fake_slack import BOT_TOKEN
from bench._fake_slack import SIGNING_SECRET
from bench._fake_slack import FakeSlackApi
from bench._population import chat_backends
from bench._population import seed
from bench._population import served_database
from bench._population import slack_user
from bench._serving import settled
from bench._serving import slack_signature
from bench.slack_dm import envelope

NAME = "memory"
STAGES = ("started", "after the plan pass", "after a DM")


def memory_mib() -> dict[str, float]:
    """This process's resident memory now and at its peak, in MiB (Linux ``/proc/self/status``)."""
    found: dict[str, float] = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0]) / 1024
    return found


def _child(url: str, env: dict[str, str], out: Any, dm_done: Any) -> None:
    """A ``serve`` process; reports its memory on ``out`` at each stage."""
    import logging

    logging.basicConfig(level=logging.WARNING)

    async def main() -> None:
        from bench._serving import start_site
        from mentorbot.channels import channel_mounters
        from mentorbot.scheduling import SCHEDULER
        from mentorbot.server import build_app
        from mentorbot.settings import Settings
        from mentorbot.wiring import build_runtime

        settings = Settings(database_url=url, env=env)
        runtime = build_runtime(settings, migrate=False)
        app = build_app(runtime, channel_mounters(settings))
        runner, port = await start_site(app)
        out.put((STAGES[0], memory_mib(), 0.0))
        service = app[SCHEDULER]
        started = time.perf_counter()
        while service._plan_task is None or not service._plan_task.done():
            await asyncio.sleep(0.1)
        planned = service._plan_task.result()
        seconds = time.perf_counter() - started
        out.put((STAGES[1], memory_mib(), seconds, planned.reviewed if planned else 0))
        out.put(("port", port))
        await asyncio.to_thread(dm_done.wait)
        out.put((STAGES[2], memory_mib(), 0.0))
        await runner.cleanup()

    asyncio.run(main())


@dataclass
class Measured:
    database: str
    people: int
    relationships: int
    seconds_to_seed: float
    stages: dict[str, dict[str, float]]
    plan_seconds: float
    reviewed: int


async def measure(url: str, mentee: int) -> tuple[dict[str, dict[str, float]], float, int]:
    fake = FakeSlackApi()
    await fake.start()
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.url}
    ctx = mp.get_context("spawn")
    out, dm_done = ctx.Queue(), ctx.Event()
    child = ctx.Process(target=_child, args=(url, env, out, dm_done), daemon=True)
    child.start()
    stages: dict[str, dict[str, float]] = {}
    plan_seconds, reviewed = 0.0, 0
    try:
        while True:
            message = await asyncio.to_thread(out.get, True, 600)
            if message[0] == "port":
                await _dm(fake, int(message[1]), mentee)
                dm_done.set()
                continue
            stages[message[0]] = message[1]
            if message[0] == STAGES[1]:
                plan_seconds, reviewed = message[2], message[3]
            if message[0] == STAGES[-1]:
                break
        child.join(30)
    finally:
        if child.is_alive():
            child.terminate()
        await fake.stop()
    return stages, plan_seconds, reviewed


async def _dm(fake: FakeSlackApi, port: int, mentee: int) -> None:
    user = slack_user(mentee)
    replied = fake.expect(f"D{user}", 1)
    body = json.dumps(envelope(user, "my relationships", "EvMemory0001"))
    headers = {"Content-Type": "application/json", **slack_signature(body, SIGNING_SECRET)}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as resp,
    ):
        if resp.status != 200:
            raise RuntimeError(f"the DM was answered with {resp.status}")
    await asyncio.wait_for(replied, 60)
    await settled(lambda: fake.posts[f"D{user}"])  # the whole answer, not only its first message


def run(sizes: tuple[int, ...], backends: list[str]) -> list[Measured]:
    results = []
    for backend in backends:
        for pairs in sizes:
            with served_database(backend) as db:
                print(f"  {db.name}: {2 * pairs:,} people, {pairs:,} relationships ...", flush=True)
                started = time.perf_counter()
                population = seed(db.engine, focus=1, background=pairs, now=datetime.now(UTC), slack=True)
                seeded = time.perf_counter() - started
                db.engine.dispose()
                stages, plan_seconds, reviewed = asyncio.run(measure(db.url, population.focus[0]))
                measured = Measured(
                    db.name,
                    population.people,
                    population.relationships,
                    seeded,
                    stages,
                    plan_seconds,
                    reviewed,
                )
                results.append(measured)
    return results


def report(results: list[Measured]) -> str:
    lines = [
        "# Memory of a serve process",
        "",
        "Resident memory (VmRSS) of a process running what `mentorbot serve` runs (scheduler, Slack, Teams),",
        "in MiB, at three moments; *peak* is VmHWM at the end. The people and relationships were written",
        "with bulk inserts (not the CSV importer); everyone is linked to Slack; each relationship has a held",
        "meeting and agreed ground rules. *First plan pass*: the scheduler's first pass after the start",
        "(catch-up), and how many relationships it looked at. Anchor: the peak of the same process with an",
        "almost empty programme (first row of each database), in the same run; goal (issue 15): at most",
        "150 MiB with 100,000 people.",
        "",
        "| database | people | relationships | started | after the plan pass | after a DM | peak "
        "| peak / almost empty | first plan pass |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    empty: dict[str, float] = {}
    for m in results:
        rss = [f"{m.stages[s]['VmRSS']:.0f}" for s in STAGES]
        peak = m.stages[STAGES[-1]]["VmHWM"]
        anchor = empty.setdefault(m.database, peak)
        lines.append(
            f"| {m.database} | {m.people:,} | {m.relationships:,} | " + " | ".join(rss)
            + f" | {peak:.0f} | {peak / anchor:.2f}x | {m.plan_seconds:.1f} s ({m.reviewed:,} reviewed) |"
        )  # fmt: skip
    return "\n".join([*lines, ""])


def main() -> None:
    pairs = int(os.environ.get("MENTORBOT_BENCH_MEMORY_PAIRS", "50000"))
    backends = chat_backends()
    if not os.environ.get("MENTORBOT_BENCH_BACKENDS"):
        backends = backends[-1:]  # production's database when it answers: the run stays short
    write_results(NAME, report(run((10, pairs), backends)))


if __name__ == "__main__":
    main()
