"""What the two DM benchmarks share: their settings, the interleaved measuring loop and the table."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from collections.abc import Callable
from collections.abc import Coroutine
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any

import aiohttp

from bench._loopback import LoopbackFake
from bench._population import Served
from bench._population import chat_backends
from bench._population import seed
from bench._population import served_database
from bench._serving import ECHO_PARTS
from bench._serving import percentile
from bench._serving import settled

COMMANDS = ("my relationships", "help")
INFLIGHT = "MENTORBOT_BENCH_DM_INFLIGHT"  # e.g. "1,8": requests in flight, one run each
RUNS = "MENTORBOT_BENCH_DM_RUNS"  # runs of each line; the table shows the median one (default 3)


@dataclass(frozen=True)
class Config:
    requests: int = 200
    users: int = 20
    background: int = 5000
    backends: tuple[str, ...] = ()
    inflight: tuple[int, ...] = (1,)
    runs: int = 3  # each line is the median of this many runs (the machine is shared and noisy)

    @classmethod
    def from_env(cls, inflight: str = "1") -> Config:
        return cls(
            requests=int(os.environ.get("MENTORBOT_BENCH_DM_REQUESTS", "200")),
            users=int(os.environ.get("MENTORBOT_BENCH_DM_USERS", "20")),
            background=int(os.environ.get("MENTORBOT_BENCH_DM_BACKGROUND", "5000")),
            backends=tuple(chat_backends()),
            inflight=tuple(
                int(n) for n in os.environ.get("MENTORBOT_BENCH_DM_INFLIGHT", inflight).split(",")
            ),
            runs=max(1, int(os.environ.get(RUNS, "3"))),
        )


@dataclass
class Samples:
    """Seconds per request, for one app and one command."""

    messages: int = 0  # messages in one reply
    answered: list[float] = field(default_factory=list)  # to the HTTP response
    reply: list[float] = field(default_factory=list)  # to the reply's last message at the fake platform


@dataclass
class Row:
    database: str
    inflight: int
    command: str
    apps: dict[str, Samples]
    run_ratios: list[float] = field(default_factory=list)  # mentorbot's p50 ratio in each run


def p50_ratio(row: Row, baseline: str) -> float:
    return percentile(row.apps["mentorbot"].reply, 50) / percentile(row.apps[baseline].reply, 50)


def median_runs(runs: list[list[Row]], baseline: str) -> list[Row]:
    """For each line, the run whose mentorbot p50 ratio to ``baseline`` is the median of the runs (the
    middle one, and the upper of the two middle ones for an even count), with every run's ratio."""
    chosen = []
    for lines in zip(*runs, strict=True):
        ranked = sorted(lines, key=lambda r: p50_ratio(r, baseline))
        middle = ranked[len(ranked) // 2]
        middle.run_ratios = [p50_ratio(r, baseline) for r in lines]
        chosen.append(middle)
    return chosen


class Client:
    """Sends DMs to one app as its platform would, and times the reply at the platform's fake."""

    def __init__(self, session: aiohttp.ClientSession, fake: LoopbackFake, url: str) -> None:
        self.session = session
        self.fake = fake
        self.url = url

    def conversation(self, pid: int) -> str:
        """Where the fake receives the app's replies to ``pid``."""
        raise NotImplementedError

    def request(self, pid: int, text: str) -> tuple[str, dict[str, str]]:
        """The body and headers of the request that brings ``pid``'s DM ``text`` to the app."""
        raise NotImplementedError

    async def send(self, pid: int, text: str, expected: int) -> tuple[float, float]:
        """(seconds to the HTTP answer, seconds to the ``expected``-th reply message)."""
        conversation = self.conversation(pid)
        arrived = self.fake.expect(conversation, self.fake.posts[conversation] + expected)
        body, headers = self.request(pid, text)
        started = time.perf_counter()
        async with self.session.post(self.url, data=body, headers=headers) as resp:
            await resp.read()
            if resp.status >= 300:
                raise RuntimeError(f"{self.url} answered {resp.status}")
        answered = time.perf_counter()
        done = await asyncio.wait_for(arrived, 30)
        return answered - started, done - started

    async def reply_size(self, pid: int, text: str) -> int:
        """How many messages the app answers ``text`` with."""
        conversation = self.conversation(pid)
        before = self.fake.posts[conversation]
        await self.send(pid, text, 1)
        return await settled(lambda: self.fake.posts[conversation]) - before


async def reply_sizes(client: Client, pid: int) -> dict[str, int]:
    """How many messages mentorbot answers each command with: the bare apps echo in as many (a reply of
    two messages costs two Web API calls in any app; the floor is the framework posting the same)."""
    return {command: await client.reply_size(pid, command) for command in COMMANDS}


def echo_env(sizes: dict[str, int]) -> dict[str, str]:
    return {ECHO_PARTS: json.dumps(sizes)}


async def interleaved(
    clients: dict[str, Client], people: list[int], requests: int, database: str, inflight: int = 1
) -> list[Row]:
    """Each command ``requests`` times to every app, ``inflight`` at a time (to as many different
    people), the apps taking turns batch by batch (and turning the order round each time), after one
    unmeasured round that warms every cache."""
    rows = {c: Row(database, inflight, c, {name: Samples() for name in clients}) for c in COMMANDS}
    for command in COMMANDS:
        for name, client in clients.items():
            rows[command].apps[name].messages = await client.reply_size(people[0], command)
    for pid, command in itertools.product(people[1:], COMMANDS):
        for name, client in clients.items():
            await client.send(pid, command, rows[command].apps[name].messages)
    order = list(clients)
    for i in range(0, requests, inflight):
        batch = [people[(i + j) % len(people)] for j in range(min(inflight, requests - i))]
        for command in COMMANDS:
            for name in order if (i // inflight) % 2 else reversed(order):
                samples = rows[command].apps[name]
                client = clients[name]
                timed = await asyncio.gather(*(client.send(pid, command, samples.messages) for pid in batch))
                for answered, reply in timed:
                    samples.answered.append(answered)
                    samples.reply.append(reply)
    return list(rows.values())


async def repeated(
    clients: dict[str, Client], people: list[int], config: Config, database: str, inflight: int, baseline: str
) -> list[Row]:
    """:func:`interleaved`, ``config.runs`` times; the median run of each line (:func:`median_runs`)."""
    runs = [
        await interleaved(clients, people, config.requests, database, inflight) for _ in range(config.runs)
    ]
    return median_runs(runs, baseline)


# measure(database URL, the measured mentees, config, database name) -> the lines of the table
Measure = Callable[[str, list[int], Config, str], Coroutine[Any, Any, list[Row]]]


def seeded(db: Served, config: Config, *, slack: bool) -> list[int]:
    """The config's mentees and background pairs written to ``db`` (everyone linked to Slack when
    ``slack``), and its engine closed: the apps under test open the database by URL. The measured
    mentees."""
    population = seed(db.engine, focus=config.users, background=config.background,
                      now=datetime.now(UTC), slack=slack)  # fmt: skip
    db.engine.dispose()
    return population.focus


def measure_each_backend(config: Config, measure: Measure, *, slack: bool) -> list[Row]:
    """``measure`` on a fresh database of each of the config's backends, :func:`seeded`."""
    rows: list[Row] = []
    for backend in config.backends:
        with served_database(backend) as db:
            print(f"  {db.name}: {config.users} mentees + {config.background:,} pairs ...", flush=True)
            rows += asyncio.run(measure(db.url, seeded(db, config, slack=slack), config, db.name))
    return rows


def ms(samples: Sequence[float], q: float) -> str:
    return f"{1000 * percentile(list(samples), q):.1f}"


def ratio(numerator: Sequence[float], denominator: Sequence[float], q: float) -> str:
    return f"{percentile(list(numerator), q) / percentile(list(denominator), q):.2f}x"


def table(title: str, intro: list[str], rows: list[Row], baselines: list[str], answered: bool) -> str:
    """One line per database, requests in flight and command: each app's p50 / p99 reply latency,
    mentorbot's ratio to each baseline, and (``answered``) each app's HTTP answer (the acknowledgement)
    with mentorbot's ratio to the first baseline's."""
    heads = [f"{b} p50 / p99" for b in baselines] + ["mentorbot p50 / p99"]
    heads += [f"ratio to {b} p50 / p99" for b in baselines]
    if answered:
        heads += [f"{b} ack p50 / p99" for b in baselines[:1]] + ["mentorbot ack p50 / p99"]
        heads.append(f"ack ratio to {baselines[0]} p50 / p99")
    runs = max((len(r.run_ratios) for r in rows), default=0)
    if runs > 1:
        heads.append(f"p50 ratio to {baselines[0]}, each of {runs} runs")
    lines = [
        f"# {title}",
        "",
        *intro,
        "",
        "| database | in flight | command | messages per reply | " + " | ".join(heads) + " |",
        "|---|---:|---|---:|" + "---:|" * len(heads),
    ]
    for r in rows:
        bot = r.apps["mentorbot"]
        sizes = " / ".join(str(r.apps[n].messages) for n in [*baselines, "mentorbot"])
        cells = [f"{ms(r.apps[b].reply, 50)} / {ms(r.apps[b].reply, 99)}" for b in baselines]
        cells.append(f"{ms(bot.reply, 50)} / {ms(bot.reply, 99)}")
        cells += [
            f"{ratio(bot.reply, r.apps[b].reply, 50)} / {ratio(bot.reply, r.apps[b].reply, 99)}"
            for b in baselines
        ]
        if answered:
            first = r.apps[baselines[0]]
            cells.append(f"{ms(first.answered, 50)} / {ms(first.answered, 99)}")
            cells.append(f"{ms(bot.answered, 50)} / {ms(bot.answered, 99)}")
            cells.append(
                f"{ratio(bot.answered, first.answered, 50)} / {ratio(bot.answered, first.answered, 99)}"
            )
        if runs > 1:
            cells.append(" ".join(f"{x:.2f}x" for x in r.run_ratios))
        lines.append(f"| {r.database} | {r.inflight} | {r.command} | {sizes} | " + " | ".join(cells) + " |")
    return "\n".join([*lines, ""])
