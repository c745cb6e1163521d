"""``mentorbot serve``: HTTP endpoints, chat channels and the in-process scheduler."""

from __future__ import annotations

import argparse
import asyncio
import sys
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
    from handlers.teams.config import TeamsConfig, TeamsConfigError

    settings = Settings.from_env()
    try:
        # the Teams settings are checked before anything else starts: a refused combination (local mode
        # with an app id or beyond loopback) is one line and exit 2, not a half-started server
        TeamsConfig.from_env(settings.env)
    except TeamsConfigError as err:
        print(f"mentorbot serve: {err.message}", file=sys.stderr)
        return 2
    runtime = build_runtime(settings)
    seed_example_if_empty(runtime)
    app = build_app(runtime, channel_mounters(settings))
    asyncio.run(serve(runtime, app))
    return 0
