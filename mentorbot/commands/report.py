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
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import TextIO

from bot.clock import Clock
from bot.clock import FixedClock
from bot.clock import as_utc
from bot.health import build_report
from bot.ports import UnitOfWorkFactory
from bot.programme import ProgrammeConfig
from mentorbot.commands._coordinator import EXIT_BAD_INPUT
from mentorbot.commands._coordinator import EXIT_OK
from mentorbot.commands._coordinator import command_parser
from mentorbot.commands._coordinator import open_runtime
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
    runtime = open_runtime()
    clock: Clock = runtime.clock
    if args.now:
        try:
            clock = FixedClock(as_utc(datetime.fromisoformat(args.now)))
        except ValueError:
            print(
                "mentorbot report: --now must be an ISO-8601 time such as 2026-03-31T18:00, "
                f"not {args.now!r}",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
    return report(runtime.uow_factory, runtime.programme, clock, args.format, Path(args.out))


def report(
    uow_factory: UnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: Clock,
    fmt: str,
    out_dir: Path,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    with uow_factory() as uow:
        health = build_report(uow.activity, programme, clock.now())
    say = programme.text
    if fmt == "table":
        for table in report_tables(health, say):
            print(table_text(table), file=out)
            print(file=out)
        return EXIT_OK
    if fmt == "csv":
        for path in write_csv(health, out_dir, say):
            print(say("coordinator.cli.wrote", path=path), file=out)
        return EXIT_OK
    if not charts_installed():
        print(
            "mentorbot report: PNG charts need matplotlib, in the charts extra: "
            f"{Path(sys.executable).parent / 'pip'} install 'mentorbot[charts]'",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    from mentorbot.charts import everyone
    from mentorbot.charts import write_charts

    for path in write_charts(health, out_dir, say):
        print(say("coordinator.cli.wrote", path=path), file=out)
    if everyone(health) is None:
        print(say("coordinator.cli.no_png_quadrants"), file=out)
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
