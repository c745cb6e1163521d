"""Announcement throughput on Slack against Slack's rate limits, through the real outbox and dispatcher.

A coordinator announces to every mentee of a programme (``mentorbot announce``'s own function: audience,
one outbox delivery per recipient). Then the same code as ``mentorbot tick`` sends it (``run_tick``: a
plan pass, then the dispatcher draining the outbox through mentorbot's real Slack sender), followed by
further drains, as ``serve``'s scheduler would run them, until every recipient has the message (a 429
brings a delivery back after its Retry-After). The fake Slack Web API runs in a process of its own and
enforces, like Slack, ``chat.postMessage`` limits of one message per second per channel and a
workspace-wide rate, and the Tier 3 limit on ``conversations.open`` (needed once per recipient whose DM
channel the sender does not know yet: after a restart, everyone's).

Scenarios (rows):

* **capacity**: Slack allows ``RATE`` messages per second (default 100) and the sender is told the same
  limit; ``PEOPLE`` recipients (default 2,000); no Tier 3 limit. How close to the allowed rate the
  outbox, the dispatcher and the sender get, on SQLite and PostgreSQL.
* **as shipped, DM channels known**: Slack's published limits (1/s per channel, 300 a minute across the
  workspace, Tier 3 at 50 a minute) and the sender's shipped pacing (``SLACK_SEND_RATE``'s default, 5 a
  second, without bursts); every recipient has written to the bot since the server started, so their DM
  channels are known.
* **as shipped, after a restart**: the same, with no DM channel known. The sender posts to the user id
  (Slack opens the DM itself), so this costs no Tier 3 ``conversations.open`` any more; before, each
  recipient cost one and a restart cut announcements to a fifth of their pace.

Anchor: what Slack allows (the fake's workspace limit); *of allowed* is the ratio (goal, issue 15: 95% or
more, also after a restart). Recipients have no quiet hours, so everything is due at once.
Settings (environment):
``MENTORBOT_BENCH_ANNOUNCE_PEOPLE`` (2000), ``MENTORBOT_BENCH_ANNOUNCE_RATE`` (100),
``MENTORBOT_BENCH_ANNOUNCE_SHIPPED`` (recipients in the as-shipped rows, 40; 0 leaves them out),
``MENTORBOT_BENCH_BACKENDS``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import time
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select

from bench._common import write_results
from bench._fake_slack import BOT_TOKEN
from bench._fake_slack import SIGNING_SECRET
from bench._fake_slack import FakeSlackProcess
from bench._fake_slack import SlackLimits
from bench._population import SLACK_TEAM
from bench._population import chat_backends
from bench._population import email
from bench._population import seed
from bench._population import served_database
from bench._population import slack_user
from bot.model import DeliveryStatus
from bot.sending import RateLimit
from mentorbot.channels import mount_slack
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands.announce import announce
from mentorbot.scheduling import register_channel_senders
from mentorbot.scheduling import run_tick
from mentorbot.settings import Settings
from mentorbot.wiring import build_runtime
from scheduler.dispatch import Dispatcher
from scheduler.planpass import PlanPass
from storage import tables

NAME = "announcement"
SLACK_LIMITS = SlackLimits(per_channel=1.0, workspace=5.0, tier3=50.0, tier4=100.0)


@dataclass(frozen=True)
class Scenario:
    name: str
    backend: str
    people: int
    limits: SlackLimits
    pacing: float | None  # the sender's workspace-wide pace; None = as shipped
    channels_known: bool


@dataclass
class Result:
    scenario: Scenario
    database: str
    allowed: float
    paced: float
    fan_out: float  # seconds to store the announcement and its deliveries
    sending: float  # seconds from the first send to the last message received
    total: float  # from the coordinator's command to the last message received
    sent: int
    refused: dict[str, int]
    opened: int  # conversations.open calls
    most_to_one: int  # the most messages one recipient got (1: nobody got it twice)

    @property
    def rate(self) -> float:
        return (self.sent - 1) / self.sending if self.sending > 0 else 0.0


def scenarios() -> list[Scenario]:
    people = int(os.environ.get("MENTORBOT_BENCH_ANNOUNCE_PEOPLE", "2000"))
    rate = float(os.environ.get("MENTORBOT_BENCH_ANNOUNCE_RATE", "100"))
    shipped = int(os.environ.get("MENTORBOT_BENCH_ANNOUNCE_SHIPPED", "40"))
    backends = chat_backends()
    found = [
        Scenario("capacity", b, people, SlackLimits(per_channel=1.0, workspace=rate), rate, False)
        for b in backends
    ]
    if shipped:
        found += [
            Scenario("as shipped, DM channels known", backends[0], shipped, SLACK_LIMITS, None, True),
            Scenario("as shipped, after a restart", backends[0], shipped, SLACK_LIMITS, None, False),
        ]
    return found


OPEN = (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, DeliveryStatus.FAILED)


def _still_open(engine: Engine) -> int:
    """Announcement deliveries not yet sent nor given up (a 429 brings one back after its Retry-After)."""
    d = tables.deliveries
    query = select(func.count()).select_from(d).where(d.c.kind == "announcement", d.c.status.in_(OPEN))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)


async def measure(scenario: Scenario, url: str, engine: Engine, database: str) -> Result:
    with FakeSlackProcess(scenario.limits) as fake:
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.url,
        }
        runtime = build_runtime(Settings(database_url=url, env=env), migrate=False)
        try:
            register_channel_senders(runtime, [mount_slack])
            sender = runtime.senders["slack"]
            if scenario.pacing is not None:
                sender.rate_limit = RateLimit(per_second=1.0, global_per_second=scenario.pacing)
            if scenario.channels_known:  # as after each recipient wrote to the bot once since the start
                known = sender.directory._dm_channels  # type: ignore[attr-defined]
                for pid in range(1, 2 * scenario.people + 2):
                    known[(SLACK_TEAM, slack_user(pid))] = f"D{slack_user(pid)}"
            started = time.perf_counter()
            args = argparse.Namespace(
                email=email(2 * scenario.people + 1), title="Programme news", preview=False, at=None,
                body="The spring workshop on giving feedback is open for sign-up: see the programme page.",
                roles=["mentee"], cohorts=[], stages=[], phases=[], kinds=[],
            )  # fmt: skip
            scope = CommandScope(runtime.uow_factory, runtime.programme, runtime.clock, out=io.StringIO())
            if announce(scope, args) != 0:
                raise RuntimeError("the announcement was refused")
            announced = time.perf_counter()
            dispatcher = Dispatcher(
                runtime.uow_factory, runtime.programme, runtime.clock, runtime.senders, shared_pacing=True
            )
            await run_tick(runtime, dispatcher)
            while await asyncio.to_thread(_still_open, engine):
                await asyncio.sleep(0.2)  # serve's scheduler dispatches every few seconds; retries wait
                await dispatcher.drain()
            await dispatcher.aclose()
            stats = await fake.stats()
        finally:
            runtime.engine.dispose()
    first, last = stats["first_post"], stats["last_post"]
    wall_started = time.time() - (time.perf_counter() - started)
    limit = scenario.limits.workspace
    return Result(
        scenario=scenario,
        database=database,
        allowed=limit,
        paced=scenario.pacing or sender.rate_limit.global_per_second,
        fan_out=announced - started,
        sending=last - first,
        total=last - wall_started,
        sent=stats["messages"],
        refused=stats["refused"],
        opened=stats["calls"].get("conversations.open", 0),
        most_to_one=stats["most_in_one_channel"],
    )


def prepare(engine: Engine, people: int) -> None:
    """``people`` mentees (and their guides) on Slack, and a coordinator; the scheduler has already run
    its first pass over them (what it planned is dropped, so only the announcement is in the outbox)."""
    seed(engine, focus=0, background=people, now=datetime.now(UTC), slack=True, quiet_hours=False)
    from bot.programme import ProgrammeConfig
    from storage.uow import SqlUnitOfWorkFactory

    PlanPass(SqlUnitOfWorkFactory(engine), ProgrammeConfig.default()).run(datetime.now(UTC))
    with engine.begin() as conn:
        conn.execute(delete(tables.deliveries))


def run(chosen: list[Scenario]) -> list[Result]:
    results = []
    for scenario in chosen:
        with served_database(scenario.backend) as db:
            print(f"  {db.name}: {scenario.name}, {scenario.people:,} recipients ...", flush=True)
            prepare(db.engine, scenario.people)
            results.append(asyncio.run(measure(scenario, db.url, db.engine, db.name)))
    return results


def report(results: list[Result]) -> str:
    lines = [
        "# Announcement throughput on Slack",
        "",
        "A coordinator's announcement to every mentee, sent through the outbox by the dispatcher and",
        "the Slack sender (`mentorbot tick`'s code, then further drains as `serve` runs them) to a fake",
        "Slack Web API in another process that enforces 1 message/s per channel, the workspace rate below",
        "and (as shipped) Tier 3 (50/min) on `conversations.open`. *Rate*: messages per second from the",
        "first to the last message received; *total*: from the coordinator's command to the last one.",
        "",
        "| scenario | database | recipients | Slack allows | sender paces at | rate | of allowed | total "
        "| fan-out | 429s (postMessage / open) | conversations.open | most to one person |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        refused = f"{r.refused.get('chat.postMessage', 0)} / {r.refused.get('conversations.open', 0)}"
        lines.append(
            f"| {r.scenario.name} | {r.database} | {r.sent:,} | {r.allowed:g}/s | {r.paced:g}/s "
            f"| {r.rate:.1f}/s | {100 * r.rate / r.allowed:.0f}% | {r.total:.1f} s | {r.fan_out:.2f} s "
            f"| {refused} | {r.opened:,} | {r.most_to_one} |"
        )
    return "\n".join([*lines, ""])


def main() -> None:
    write_results(NAME, report(run(scenarios())))


if __name__ == "__main__":
    main()
