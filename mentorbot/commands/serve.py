"""``mentorbot serve``: HTTP endpoints, chat channels and the in-process scheduler."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from typing import Any

from mentorbot.channels import channel_mounters
from mentorbot.commands.db import DatabaseUnusable
from mentorbot.commands.db import configuration_problem
from mentorbot.commands.db import database_errors
from mentorbot.server import build_app
from mentorbot.server import serve
from mentorbot.settings import Settings
from mentorbot.wiring import SchemaNotUpToDate
from mentorbot.wiring import open_runtime
from mentorbot.wiring import prepare_database
from mentorbot.wiring import seed_example_if_empty

log = logging.getLogger(__name__)


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve", help="run the bot: HTTP endpoints, Slack/Teams channels and the scheduler"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from handlers.email.config import EmailConfig
    from handlers.email.config import EmailConfigError
    from handlers.teams.config import TeamsConfig
    from handlers.teams.config import TeamsConfigError

    settings = Settings.from_env()
    try:
        # the Teams settings are checked before anything else starts: a refused combination (local mode
        # with an app id or beyond loopback) is one line and exit 2, not a half-started server
        TeamsConfig.from_env(settings.env)
    except TeamsConfigError as err:
        print(f"mentorbot serve: {err.message}", file=sys.stderr)
        return 2
    try:  # e-mail too: SMTP set without a sender, a public address or a link key is one line, exit 2
        EmailConfig.from_env(settings.env)
    except EmailConfigError as err:
        print(f"mentorbot serve: {err}", file=sys.stderr)
        return 2
    problem = configuration_problem(settings.database_url)
    if problem is not None:  # a bad URL, an unknown driver, a missing folder: nothing to wait for
        print(f"mentorbot serve: {problem}", file=sys.stderr)
        return 2
    runtime = open_runtime(settings)

    def prepare() -> None:
        """The start-up's database work, its failures as one line (DatabaseUnusable)."""
        with database_errors(settings.database_url):
            prepare_database(runtime)
            seed_example_if_empty(runtime)

    waiting_for: Callable[[], None] | None = None
    try:
        prepare()
        runtime.database_ready = True
    except SchemaNotUpToDate as err:
        print(f"mentorbot serve: {err}", file=sys.stderr)
        return 2
    except DatabaseUnusable as err:
        # unreachable now (PostgreSQL down, an SQLite file not writable yet): serve anyway, /healthz
        # says 503, and the server keeps trying (see server.py _wait_for_database)
        log.warning("database not ready at start: %s", err)
        waiting_for = prepare
    app = build_app(runtime, channel_mounters(settings), prepare=waiting_for)
    asyncio.run(serve(runtime, app))
    return 0
