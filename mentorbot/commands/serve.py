"""``mentorbot serve``: HTTP endpoints, chat channels and the in-process scheduler."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from mentorbot.channels import channel_mounters
from mentorbot.server import build_app, serve
from mentorbot.settings import Settings
from mentorbot.wiring import build_runtime, seed_example_if_empty


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve", help="run the bot: HTTP endpoints, Slack/Teams channels and the scheduler"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    runtime = build_runtime(settings)
    seed_example_if_empty(runtime)
    app = build_app(runtime, channel_mounters(settings))
    asyncio.run(serve(runtime, app))
    return 0
