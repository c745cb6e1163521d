"""``mentorbot chat --as EMAIL [--now ISO-8601]``: talk to the bot in the terminal as that person.

``--now`` starts the conversation at another instant (time keeps passing from there), and inside the
session ``/time +3d`` (or ``+2w``, ``+4h``, ``+30m``, or an ISO-8601 instant) moves the clock on and runs
one scheduler pass at the new instant, exactly as ``mentorbot tick --now`` would, then shows what reached
you: a newcomer or a coordinator can walk a pair through weeks and months of a relationship.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import timedelta
from typing import Any

from bot.clock import ShiftedClock
from bot.timefmt import show
from handlers.console.channel import ConsoleSession
from handlers.console.channel import run_interactive
from mentorbot.commands.tick import EXAMPLE
from mentorbot.commands.tick import parse_now
from mentorbot.settings import Settings
from mentorbot.wiring import Runtime
from mentorbot.wiring import build_runtime

_STEP = re.compile(r"^\+(\d{1,4})\s*([mhdw])$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "chat",
        help="talk to the bot in the terminal",
        description="Talk to the bot as a person of the roster, through the console channel. Type 'help'"
        " inside; '/time +1w' moves the clock a week on and runs the scheduler's pass for the new instant.",
    )
    parser.add_argument("--as", dest="email", required=True, metavar="EMAIL", help="who you are")
    parser.add_argument(
        "--now",
        metavar="ISO-8601",
        help=f"start at this instant instead of the current time, e.g. {EXAMPLE}; without a zone it is UTC",
    )
    parser.set_defaults(func=run)


class TimeStep:
    """``/time WHEN`` in a console session: move the clock, run one scheduler pass, show what came."""

    def __init__(self, runtime: Runtime, clock: ShiftedClock, settings: Settings, email: str) -> None:
        self.runtime = runtime
        self.clock = clock
        self.settings = settings
        self.email = email.strip().lower()

    def __call__(self, when: str) -> str:
        step = _STEP.match(when)
        if step is not None:
            self.clock.advance(timedelta(**{_UNITS[step.group(2).lower()]: int(step.group(1))}))
        else:
            try:
                self.clock.set(parse_now(when or None))
            except ValueError as exc:
                return f"/time: {exc}; or a step such as +3d, +2w, +4h, +30m"
        received: list[str] = []
        summary = asyncio.run(self._tick(received))
        lines = [f"It is now {show(self.clock.now(), 'UTC')}. A scheduler pass ran: {summary}."]
        lines += received or ["(nothing new for you)"]
        return "\n".join(lines)

    async def _tick(self, received: list[str]) -> str:
        from mentorbot.channels import channel_mounters
        from mentorbot.scheduling import mount_scheduler
        from mentorbot.scheduling import register_channel_senders
        from mentorbot.scheduling import run_tick

        def mine(text: str) -> None:
            if f"<{self.email}>" in text.lower():
                received.append(text.split("\n", 1)[-1].rstrip())

        # the senders are made afresh for each pass: a tick closes them when it is done
        self.runtime.senders.clear()
        mounters = [m for m in channel_mounters(self.settings) if m is not mount_scheduler]
        register_channel_senders(self.runtime, mounters, console_sink=mine)
        return (await run_tick(self.runtime)).line()


def run(args: argparse.Namespace) -> int:
    try:
        start = parse_now(args.now) if args.now else None
    except ValueError as exc:
        print(f"mentorbot chat: --now: {exc}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    clock = ShiftedClock(start)
    runtime = build_runtime(settings, clock=clock)
    try:
        session = ConsoleSession(runtime.bot, args.email)
        run_interactive(session, time_step=TimeStep(runtime, clock, settings, args.email))
    finally:
        runtime.engine.dispose()
    return 0
