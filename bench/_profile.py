"""Where one DM's time goes: a pyinstrument profile of the app under test, in parts a reader knows.

With ``MENTORBOT_BENCH_PROFILE=<path>`` the served mentorbot app runs its turns on the event loop's own
thread (``MENTORBOT_TURN_THREADS=0``: pyinstrument samples one thread) under a sampling profiler, and
writes the profile to ``<path>`` when it is stopped. :func:`breakdown` sorts each sample into one part by
the innermost frame that belongs to a known part (e.g. SQLAlchemy called from a workflow counts as the
database, a workflow's own Python as routing and workflow), and divides by the DMs profiled. Time spent
waiting (the event loop's ``select``) is left out: it is the fake platform's and the client's time.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from typing import Any

PROFILE = "MENTORBOT_BENCH_PROFILE"

# (part, fragments): the first part with a fragment in a frame's "file path:function" names that frame
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("waiting (event loop idle)", ("/selectors.py",)),
    (
        "signature check",
        (
            "slack_bolt/middleware/request_verification",
            "slack_sdk/signature",
            "slack/http.py:signed_by_slack",
        ),
    ),
    ("database (SQLAlchemy, driver)", ("/sqlalchemy/", "/sqlite3/", "/psycopg/", "/psycopg_pool/")),
    ("rendering (Block Kit)", ("handlers/slack/render", "handlers/slack/blockkit")),
    ("routing and workflow (bot/)", ("/bot/",)),
    ("Slack handler (handlers/slack)", ("/handlers/slack/",)),
    ("post (slack_sdk Web API client)", ("slack_sdk/web", "slack_sdk/http_retry", "aiohttp/client")),
    ("slack-bolt dispatch", ("/slack_bolt/",)),
    ("HTTP server (aiohttp) and the rest", ("",)),
)


def start_if_asked() -> None:
    """In the served app's process, on its event loop: start the profiler when the benchmark asked for
    one; SIGTERM (``ServedApp`` stopping the app) writes the profile and exits."""
    path = os.environ.get(PROFILE)
    if not path:
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005, async_mode="disabled")
    profiler.start()

    def stop() -> None:
        profiler.stop().save(path)
        os._exit(0)

    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop)


def load(path: str) -> Any:
    from pyinstrument.session import Session

    return Session.load(path)


def part_of(file_path: str) -> str | None:
    for part, fragments in PARTS[:-1]:
        if any(f in file_path for f in fragments):
            return part
    return None


def seconds_by_part(session: Any) -> Counter[str]:
    totals: Counter[str] = Counter()

    def walk(frame: Any, inherited: str) -> None:
        own = part_of(f"{frame.file_path or ''}:{frame.function or ''}") or inherited
        children = list(frame.children)
        totals[own] += max(0.0, frame.time - sum(c.time for c in children))
        for child in children:
            walk(child, own)

    root = session.root_frame()
    if root is not None:
        walk(root, PARTS[-1][0])
    return totals


def breakdown(profiles: dict[str, tuple[Any, int]]) -> list[str]:
    """A markdown table: for each app profiled (its session and the DMs it answered), each part's ms
    per DM and its share of the DM's busy time."""
    apps = {name: (seconds_by_part(session), dms) for name, (session, dms) in profiles.items()}
    busy = {name: {p: t for p, t in totals.items() if p != PARTS[0][0]} for name, (totals, _) in apps.items()}
    whole = {name: sum(parts.values()) or 1.0 for name, parts in busy.items()}
    lines = [
        "| part | " + " | ".join(f"{name} ms per DM | share" for name in apps) + " |",
        "|---|" + "---:|---:|" * len(apps),
    ]
    for part, _ in PARTS[1:]:
        if any(part in parts for parts in busy.values()):
            cells = []
            for name, (_, dms) in apps.items():
                spent = busy[name].get(part, 0.0)
                cells.append(f"{1000 * spent / dms:.2f} | {100 * spent / whole[name]:.0f}%")
            lines.append(f"| {part} | " + " | ".join(cells) + " |")
    totals = [f"**{1000 * whole[name] / dms:.2f}** | 100%" for name, (_, dms) in apps.items()]
    lines.append("| **all (busy)** | " + " | ".join(totals) + " |")
    return lines
