"""What the two DM benchmarks share: their settings, the interleaved measuring loop and the table."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bench._population import chat_backends
from bench._serving import percentile

COMMANDS = ("my relationships", "help")


@dataclass(frozen=True)
class Config:
    requests: int = 200
    users: int = 20
    background: int = 5000
    backends: tuple[str, ...] = ()

    @classmethod
    def from_env(cls) -> Config:
        return cls(
            requests=int(os.environ.get("MENTORBOT_BENCH_DM_REQUESTS", "200")),
            users=int(os.environ.get("MENTORBOT_BENCH_DM_USERS", "20")),
            background=int(os.environ.get("MENTORBOT_BENCH_DM_BACKGROUND", "5000")),
            backends=tuple(chat_backends()),
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
    command: str
    apps: dict[str, Samples]


class Client(Protocol):
    async def send(self, pid: int, text: str, expected: int) -> tuple[float, float]:
        """(seconds to the HTTP answer, seconds to the ``expected``-th reply message)."""
        ...

    async def reply_size(self, pid: int, text: str) -> int:
        """How many messages the app answers ``text`` with."""
        ...


async def interleaved(
    clients: dict[str, Client], people: list[int], requests: int, database: str
) -> list[Row]:
    """Each command ``requests`` times to every app, one request at a time, the apps taking turns (and
    turning the order round each time), after one unmeasured round that warms every cache."""
    rows = {c: Row(database, c, {name: Samples() for name in clients}) for c in COMMANDS}
    for command in COMMANDS:
        for name, client in clients.items():
            rows[command].apps[name].messages = await client.reply_size(people[0], command)
    for pid, command in itertools.product(people[1:], COMMANDS):
        for name, client in clients.items():
            await client.send(pid, command, rows[command].apps[name].messages)
    order = list(clients)
    for i in range(requests):
        pid = people[i % len(people)]
        for command in COMMANDS:
            for name in order if i % 2 else reversed(order):
                samples = rows[command].apps[name]
                answered, reply = await clients[name].send(pid, command, samples.messages)
                samples.answered.append(answered)
                samples.reply.append(reply)
    return list(rows.values())


def ms(samples: Sequence[float], q: float) -> str:
    return f"{1000 * percentile(list(samples), q):.1f}"


def ratio(numerator: Sequence[float], denominator: Sequence[float], q: float) -> str:
    return f"{percentile(list(numerator), q) / percentile(list(denominator), q):.1f}x"


def table(title: str, intro: list[str], rows: list[Row], baselines: list[str], answered: bool) -> str:
    """One line per database and command: each app's p50 / p99 reply latency, mentorbot's ratio to each
    baseline, and (``answered``) how soon mentorbot answered the HTTP request."""
    heads = [f"{b} p50 / p99" for b in baselines] + ["mentorbot p50 / p99"]
    heads += [f"ratio to {b} p50 / p99" for b in baselines]
    if answered:
        heads.append("mentorbot HTTP answer p50 / p99")
    lines = [
        f"# {title}",
        "",
        *intro,
        "",
        "| database | command | messages per reply | " + " | ".join(heads) + " |",
        "|---|---|---:|" + "---:|" * len(heads),
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
            cells.append(f"{ms(bot.answered, 50)} / {ms(bot.answered, 99)}")
        lines.append(f"| {r.database} | {r.command} | {sizes} | " + " | ".join(cells) + " |")
    return "\n".join([*lines, ""])
