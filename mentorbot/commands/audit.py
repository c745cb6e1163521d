"""``mentorbot audit [--limit N]``: the audit trail, newest first -- who did what, to what, and when."""

from __future__ import annotations

import argparse
from typing import Any

from bot.coordinator import audit_rows
from mentorbot.commands._coordinator import EXIT_OK
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands._coordinator import open_scope
from mentorbot.report_tables import Table
from mentorbot.report_tables import table_text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("audit", help="list the audit trail, newest first")
    parser.add_argument("--limit", type=_positive, default=50, metavar="N", help="how many entries (50)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return show_audit(open_scope(), args.limit)


def show_audit(scope: CommandScope, limit: int) -> int:
    with scope.uow_factory() as uow:
        rows = audit_rows(uow, limit)
    table = Table(
        "audit",
        scope.programme.text("coordinator.audit.heading", n=len(rows)),
        ("at", "who", "action", "target", "outcome", "detail"),
        tuple(
            (r.at.strftime("%Y-%m-%d %H:%M:%S UTC"), r.actor, r.action, r.target or "-", r.outcome, r.detail)
            for r in rows
        ),
    )
    scope.say(table_text(table))
    return EXIT_OK
