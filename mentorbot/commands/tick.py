"""``mentorbot tick [--now ISO-8601]``: one scheduler pass at that instant, then exit.

Plans what is due at the instant (default: now), sends it, and prints a one-line summary.  For
operations (run it from cron instead of ``serve``'s scheduler), demos (``--now`` a week ahead to see the
reminders a pair would get) and tests.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC
from datetime import datetime
from typing import Any

from bot.clock import FixedClock
from bot.clock import SystemClock
from mentorbot.settings import Settings
from mentorbot.wiring import build_runtime

EXAMPLE = "2026-03-02T09:00:00Z"


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "tick",
        help="one scheduler pass: plan what is due at an instant, send it, exit",
        description="Plan every reminder due at the given instant, send what is due, print a summary.",
    )
    parser.add_argument(
        "--now",
        metavar="ISO-8601",
        help=f"the instant to act at, e.g. {EXAMPLE} or 2026-03-02T10:00+01:00; without a zone it is UTC"
        " (default: the current time)",
    )
    parser.add_argument(
        "--show",
        action="store_true",
        help="print the messages delivered on the console/log channel (people who used `mentorbot chat`)",
    )
    parser.set_defaults(func=run)


def parse_now(text: str | None) -> datetime:
    """The ``--now`` instant as aware UTC; ValueError with a specific reason otherwise."""
    if text is None:
        return SystemClock().now()
    raw = text.strip()
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"expected an ISO-8601 date and time like {EXAMPLE}, got {text!r}") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


def run(args: argparse.Namespace) -> int:
    try:
        now = parse_now(args.now)
    except ValueError as exc:
        print(f"mentorbot tick: --now: {exc}", file=sys.stderr)
        return 2
    from mentorbot.channels import channel_mounters
    from mentorbot.scheduling import mount_scheduler
    from mentorbot.scheduling import register_channel_senders
    from mentorbot.scheduling import run_tick

    settings = Settings.from_env()
    runtime = build_runtime(settings, clock=FixedClock(now))
    register_channel_senders(
        runtime,
        [m for m in channel_mounters(settings) if m is not mount_scheduler],
        console_sink=print if args.show else None,
    )
    try:
        summary = asyncio.run(run_tick(runtime))
    finally:
        runtime.engine.dispose()
    print(f"mentorbot tick at {now.isoformat()}: {summary.line()}")
    return 0
