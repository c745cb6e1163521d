"""``mentorbot report``: programme health as a terminal table, CSV files or PNG charts.

    mentorbot report                              # tables in the terminal
    mentorbot report --format csv --out report/   # one CSV file per table
    mentorbot report --format png --out report/   # charts: meetings over time, phases, check-in
                                                  # quadrants (5 people or more), guide load, overview

Activity only: who met and how often, never what anyone wrote.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.clock import FixedClock
from bot.clock import as_utc
from bot.health import build_report
from mentorbot.commands._coordinator import EXIT_BAD_INPUT
from mentorbot.commands._coordinator import EXIT_OK
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands._coordinator import command_parser
from mentorbot.commands._coordinator import open_scope
from mentorbot.csv_safe import SafeWriter
from mentorbot.report_tables import report_tables
from mentorbot.report_tables import table_text

FORMATS = ("table", "csv", "png")


def add_parser(sub: Any) -> None:
    parser = command_parser(sub, "report", "programme health: activity only, never content", __doc__)
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument(
        "--out", metavar="DIR", default="report", help="folder for CSV or PNG files (report/)"
    )
    parser.add_argument("--now", metavar="ISO", help="report as of this instant (default: now)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    scope = open_scope()
    if args.now:
        try:
            scope = replace(scope, clock=FixedClock(as_utc(datetime.fromisoformat(args.now))))
        except ValueError:
            scope.complain(
                f"mentorbot report: --now must be an ISO-8601 time such as 2026-03-31T18:00, not {args.now!r}"
            )
            return EXIT_BAD_INPUT
    return report(scope, args.format, Path(args.out))


def report(scope: CommandScope, fmt: str, out_dir: Path) -> int:
    with scope.uow_factory() as uow:
        health = build_report(uow.activity, scope.programme, scope.clock.now())
    words = scope.programme.text
    if fmt == "table":
        for table in report_tables(health, words):
            scope.say(table_text(table))
            scope.say()
        return EXIT_OK
    if fmt == "csv":
        for path in write_csv(health, out_dir, words):
            scope.say(words("coordinator.cli.wrote", path=path))
        return EXIT_OK
    if not charts_installed():
        scope.complain(
            "mentorbot report: PNG charts need matplotlib, in the charts extra: "
            f"{Path(sys.executable).parent / 'pip'} install 'mentorbot[charts]'"
        )
        return EXIT_BAD_INPUT
    from mentorbot.charts import everyone
    from mentorbot.charts import write_charts

    for path in write_charts(health, out_dir, words):
        scope.say(words("coordinator.cli.wrote", path=path))
    if everyone(health) is None:
        scope.say(words("coordinator.cli.no_png_quadrants"))
    return EXIT_OK


def charts_installed() -> bool:
    """True when matplotlib can be imported (it is in the optional ``charts`` extra, which ``make run``
    installs). Checked before anything is drawn, so a missing extra is one line, not a traceback."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def write_csv(health: Any, out_dir: Path, say: Any) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table in report_tables(health, say):
        path = out_dir / f"{table.name}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = SafeWriter(f)  # no cell a spreadsheet would run as a formula
            writer.writerow(table.columns)
            writer.writerows(table.rows)
        written.append(path)
    return written
