"""``mentorbot chat --as EMAIL``: talk to the bot in the terminal as that person."""

from __future__ import annotations

import argparse
from typing import Any

from handlers.console.channel import ConsoleSession, run_interactive
from mentorbot.settings import Settings
from mentorbot.wiring import build_runtime


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("chat", help="talk to the bot in the terminal")
    parser.add_argument("--as", dest="email", required=True, metavar="EMAIL", help="who you are")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    runtime = build_runtime(Settings.from_env())
    run_interactive(ConsoleSession(runtime.bot, args.email))
    return 0
