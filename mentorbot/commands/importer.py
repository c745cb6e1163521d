"""``mentorbot import --people FILE --matches FILE [--dry-run]``: load the roster from CSV.

Cells that start like a spreadsheet formula (``= + - @``, a tab or a carriage return) in a person's
name, cohort or stage are accepted, since a name may really start with ``-``, but each is flagged with a
warning: every CSV mentorbot writes neutralises them (:mod:`mentorbot.csv_safe`), yet the values also
reach chats and whatever other tool reads the database.

All or nothing: on any problem, every problem is printed to stderr (one per line, with file and
line) and the exit code is 2; nothing is written.  The file formats are described in ``bot.roster``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.catalogue import TextLookup
from bot.errors import ImportRejected
from bot.roster import import_roster
from bot.roster_csv import parse_people
from mentorbot.commands.db import DatabaseUnusable
from mentorbot.commands.db import database_errors
from mentorbot.commands.db import fail
from mentorbot.csv_safe import looks_like_formula
from mentorbot.settings import Settings
from mentorbot.wiring import build_runtime

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "import",
        help="load people and matches from CSV files (all or nothing)",
        description=(
            "Load people and their matches from CSV files (UTF-8, comma-separated; Excel's "
            "'CSV UTF-8' is fine). Everything is checked first; if anything is wrong, every problem is "
            "listed with its file and line and nothing is written. Importing the same files again "
            "changes nothing. Give --people, --matches or both: adding people needs no match (a matches "
            "file with only its header row is accepted too)."
        ),
    )
    parser.add_argument(
        "--people", metavar="FILE", help="people CSV: email,name,roles,cohort,stage,timezone,capacity"
    )
    parser.add_argument(
        "--matches",
        metavar="FILE",
        help="matches CSV: match_id,kind,format,guides,learners,peers,start,end,cadence_days,"
        "assessor_conflict,override_reason",
    )
    parser.add_argument("--dry-run", action="store_true", help="check everything and show what would change")
    parser.set_defaults(func=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    if args.people is None and args.matches is None:
        args.parser.error("give --people FILE, --matches FILE or both")
    settings = Settings.from_env()
    try:
        with database_errors(settings.database_url):
            runtime = build_runtime(settings)
    except DatabaseUnusable as err:
        return fail("import", err)
    say = runtime.programme.text
    try:
        with database_errors(settings.database_url):
            summary = import_roster(
                runtime.uow_factory,
                runtime.programme,
                runtime.clock,
                args.people,
                args.matches,
                dry_run=args.dry_run,
            )
    except DatabaseUnusable as err:
        return fail("import", err)
    except ImportRejected as err:
        count = len(err.problems)
        noun = say("roster.problem_one" if count == 1 else "roster.problem_many")
        print(say("roster.rejected", count=count, problems=noun), file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        runtime.engine.dispose()
    print(summary)
    for change in summary.changes:
        print(f"  {change}")
    for warning in formula_warnings(args.people, say):
        print(warning, file=sys.stderr)
    if summary.dry_run:
        print(say("roster.dry_run"))
    return EXIT_OK


def formula_warnings(people_path: str | None, say: TextLookup) -> list[str]:
    """One warning per name, cohort or stage in the people file that a spreadsheet would run as a formula."""
    if people_path is None:
        return []
    path = Path(people_path)
    try:
        data = path.read_bytes()
    except OSError:
        return []
    warnings = []
    for row in parse_people(data, path.name, say).rows:
        for column, value in (("name", row.name), ("cohort", row.cohort), ("stage", row.stage)):
            if value and looks_like_formula(value):
                warnings.append(
                    say("roster.formula_warning", where=f"{path.name}:{row.line}", column=column, value=value)
                )
    return warnings
