"""Importing the roster: people and their matches, from two CSV files, all or nothing.

``mentorbot import --people people.csv --matches matches.csv [--dry-run]`` reads both files, checks
every row against the files and against what is already stored, and then either writes everything
in one transaction or writes nothing and lists every problem with its file and line
(``matches.csv:14: unknown email ...``).  Importing the same files again changes nothing, so a
coordinator can keep one spreadsheet and re-import it whenever it changes.  Either file may be
imported alone: people only, or matches between people already in the programme.

The files
=========

Both are CSV with a header line naming the columns, separated by commas, in UTF-8 ("CSV UTF-8
(Comma delimited)" in Excel; its byte order mark and Windows line ends are fine).  Column names
ignore case, spaces and underscores (``Match ID`` is ``match_id``); the order of the columns does not
matter; an unknown column is an error, so that a misspelt one is not silently ignored.  Line numbers
in messages are the row numbers a spreadsheet shows (the header is line 1).  Blank lines are skipped.
Lists of emails or roles are separated by ``;``.  At most 10,000 rows per file.

A blank optional cell gives a new person or match the programme's default and leaves an existing
one's stored value as it is.  People and matches that are missing from a file are left alone: the
import never removes anyone and never ends a relationship.

people.csv: one row per person
------------------------------

===============  ==========  ===================================================================
column           required    meaning
===============  ==========  ===================================================================
``email``        yes         the person's email; identifies them (case does not matter); unique
``name``         yes         the name the bot uses for them
``roles``        yes         one or more of ``mentee``, ``guide``, ``coordinator``, separated by
                             ``;`` (a guide is anyone who mentors, coaches, advises or sponsors)
``cohort``                   free text, e.g. ``2027`` or ``PGY-2``
``stage``                    developmental stage, e.g. ``preclinical``, ``clinical``, ``resident``
``timezone``                 IANA place name such as ``Europe/London`` (default: the programme's);
                             abbreviations such as ``EST`` are refused because they ignore
                             daylight saving time
``capacity``                 for guides: the most learners they take (default: the programme's
                             ``max_learners_per_guide``, 3)
===============  ==========  ===================================================================

Example::

    email,name,roles,cohort,stage,timezone,capacity
    coordinator@example.org,Dr Helen Okafor,coordinator,,,Europe/London,
    mentor@example.org,Dr Amara Nwosu,guide,,faculty,Europe/London,
    mentee@example.org,Priya Shah,mentee,2027,clinical,Europe/London,
    g.liu@example.org,Dr Grace Liu,guide;coordinator,,faculty,Australia/Sydney,4

matches.csv: one row per relationship
-------------------------------------

=====================  ==========  ==============================================================
column                 required    meaning
=====================  ==========  ==============================================================
``match_id``           yes         your key for the match, unique in the file; a re-import with
                                   the same ``match_id`` updates that match instead of adding one
``kind``               yes         ``mentoring``, ``coaching``, ``advising`` or ``sponsorship``
``format``             yes         ``one-to-one`` (one guide, one learner), ``group`` (1-3 guides,
                                   2 or more learners), ``peer`` and ``near-peer`` (two or more
                                   people, usually in ``peers``; guides may be empty),
                                   ``committee`` (2-5 guides, one learner), ``speed``,
                                   ``e-mentoring`` (at least one guide and one learner)
``guides``             yes         emails of the guides, ``;``-separated (column required; the cell
                                   may be blank only for peer formats); each needs the guide role
``learners``           yes         emails of the learners, ``;``-separated; each needs the mentee role
``peers``                          for peer formats: emails of the peers (mentees), ``;``-separated
``start``                          first day, ``YYYY-MM-DD`` (default: today in the programme's zone)
``end``                            planned last day, ``YYYY-MM-DD``, after ``start``
``cadence_days``                   days between meetings, 1-365 (default: the programme's cadence
                                   for the kind)
``assessor_conflict``              ``yes`` if a guide formally assesses a learner in this match
                                   (``yes``/``no``/``true``/``false``/``1``/``0``; blank is no)
``override_reason``                required when ``assessor_conflict`` is yes: why the match must
                                   stand and how the assessment is kept apart
=====================  ==========  ==============================================================

Every person named in a match must be in the people file or already in the programme.  A guide may
not end up with more learners than their capacity, counting the learners they already have.  A match
in which the guide assesses the learner is refused unless ``override_reason`` says why: mentoring
is kept apart from evaluation.  Ended matches are never revived by a re-import.  A new match starts
in the programme's first phase, counted from the start of its ``start`` day (programme zone), whenever
the file is imported: before that day it is not yet running and nobody in it hears from the bot; on it,
each member is welcomed once.  A running match's ``start`` cannot move to a later day.  Someone added to
a running match is welcomed on the day they are added (:mod:`bot.match_dates`, README "How dates work").

Example::

    match_id,kind,format,guides,learners,peers,start,end,cadence_days,assessor_conflict,override_reason
    m-001,mentoring,one-to-one,mentor@example.org,mentee@example.org,,2026-01-12,2026-12-18,28,no,
    m-004,mentoring,group,g.liu@example.org,t.adeyemi@example.org;l.moreau@example.org,,2026-01-19,,,,
    m-005,mentoring,peer,,,mentee@example.org;d.oconnor@example.org,2026-02-02,,21,,

The complete examples ship with the package: see :func:`example_paths`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

from bot.catalogue import TextLookup
from bot.clock import Clock
from bot.errors import ImportRejected
from bot.errors import Problem
from bot.model import AuditEvent
from bot.ports import UnitOfWorkFactory
from bot.programme import ProgrammeConfig
from bot.roster_csv import MatchesFile
from bot.roster_csv import PeopleFile
from bot.roster_csv import parse_matches
from bot.roster_csv import parse_people
from bot.roster_plan import MatchChange
from bot.roster_plan import PersonChange
from bot.roster_plan import Plan
from bot.roster_plan import make_plan

log = logging.getLogger(__name__)

AUDIT_ACTION = "roster.import"


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    relationships_created: int = 0
    relationships_updated: int = 0
    relationships_unchanged: int = 0
    dry_run: bool = False
    changes: tuple[str, ...] = ()
    """One line per person or match that is updated, naming what changes (new ones are only counted)."""
    headline: str = ""

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if isinstance(v, int) and not isinstance(v, bool)}

    @property
    def changed_anything(self) -> bool:
        return any(v for k, v in self.counts().items() if not k.endswith("unchanged"))

    def __str__(self) -> str:
        return self.headline


def example_paths() -> tuple[Path, Path]:
    """The example people and matches files shipped with the package."""
    examples = files("bot.content.examples")
    return Path(str(examples.joinpath("people.csv"))), Path(str(examples.joinpath("matches.csv")))


def import_roster(
    uow_factory: UnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: Clock,
    people_path: str | Path | None,
    matches_path: str | Path | None,
    *,
    dry_run: bool = False,
) -> ImportSummary:
    """Import people and/or matches; all or nothing.

    Raises :class:`~bot.errors.ImportRejected` listing every problem (each with file and line) when
    anything is wrong; then nothing is written.  A dry run checks everything the same way and
    reports what would change, and writes nothing.
    """
    if people_path is None and matches_path is None:
        raise ValueError("import_roster needs a people file, a matches file or both")
    say: TextLookup = programme.text
    names = _display_names(people_path, matches_path)
    problems: list[Problem] = []
    people: PeopleFile | None = None
    matches: MatchesFile | None = None
    if people_path is not None:
        data = _read(Path(people_path), names[0], say, problems)
        people = (
            parse_people(data, names[0], say) if data is not None else PeopleFile(names[0], readable=False)
        )
        problems += people.problems
    if matches_path is not None:
        data = _read(Path(matches_path), names[1], say, problems)
        matches = (
            parse_matches(data, names[1], say) if data is not None else MatchesFile(names[1], readable=False)
        )
        problems += matches.problems
    if (people and not people.readable) or (matches and not matches.readable):
        # Checking rows against a file that could not be read would only add noise ("unknown email"
        # for everyone); the file-level problem comes first.
        raise ImportRejected(_in_order(problems, names))

    now = clock.now()
    today: date = now.astimezone(programme.zone).date()
    with uow_factory() as uow:
        plan = make_plan(uow, programme, today, people, matches, say)
        problems += plan.problems
        if problems:
            raise ImportRejected(_in_order(problems, names))
        summary = _summary(plan, programme, dry_run)
        if dry_run:
            return summary
        plan.apply(uow, programme, now)
        uow.audit.record(
            AuditEvent(
                at=now,
                action=AUDIT_ACTION,
                target=", ".join(
                    n for n, p in zip(names, (people_path, matches_path), strict=True) if p is not None
                ),
                detail=dict(summary.counts()),
            )
        )
        uow.commit()
    log.debug("roster imported: %s", summary)
    return summary


# -- helpers -----------------------------------------------------------------------------------------


def _display_names(people_path: str | Path | None, matches_path: str | Path | None) -> tuple[str, str]:
    """How the files are named in problems: their file names, or their paths if the names are equal."""
    people = Path(people_path).name if people_path is not None else "people.csv"
    matches = Path(matches_path).name if matches_path is not None else "matches.csv"
    if people_path is not None and matches_path is not None and people == matches:
        return str(people_path), str(matches_path)
    return people, matches


def _read(path: Path, name: str, say: TextLookup, problems: list[Problem]) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(name, say("roster.file.missing", path=str(path))))
    except IsADirectoryError:
        problems.append(Problem(name, say("roster.file.not_a_file", path=str(path))))
    except OSError as exc:
        problems.append(
            Problem(name, say("roster.file.unreadable", path=str(path), error=exc.strerror or exc))
        )
    return None


_LINE = re.compile(r"^(?P<file>.*?)(?::(?P<line>\d+))?$")


def _in_order(problems: list[Problem], names: tuple[str, str]) -> list[Problem]:
    """Problems by file (people first), then line; file-level problems before the lines."""

    def key(problem: Problem) -> tuple[int, int]:
        match = _LINE.match(problem.where)
        assert match is not None
        rank = names.index(match["file"]) if match["file"] in names else len(names)
        return rank, int(match["line"] or 0)

    return sorted(problems, key=key)


def _summary(plan: Plan, programme: ProgrammeConfig, dry_run: bool) -> ImportSummary:
    counts = {
        "people_created": plan.count(True, plan.people),
        "people_updated": plan.count(False, plan.people),
        "people_unchanged": plan.people_unchanged,
        "relationships_created": plan.count(True, plan.matches),
        "relationships_updated": plan.count(False, plan.matches),
        "relationships_unchanged": plan.matches_unchanged,
    }
    changes = [_describe_person(c, programme) for c in plan.people if c.existing is not None]
    changes += [_describe_match(c, programme) for c in plan.matches if c.existing is not None]
    changes += [
        programme.text("roster.change.ended", where=w, match_id=row.match_id) for w, row in plan.ended
    ]
    return ImportSummary(
        **counts,
        dry_run=dry_run,
        changes=tuple(changes),
        headline=programme.text("roster.summary", **counts),
    )


def _describe_person(change: PersonChange, programme: ProgrammeConfig) -> str:
    assert change.existing is not None
    fields = "; ".join(
        f"{k}: {_show(getattr(change.existing, k))} → {_show(v)}" for k, v in change.fields.items()
    )
    return programme.text("roster.change.person", where=change.where, email=change.row.email, fields=fields)


def _describe_match(change: MatchChange, programme: ProgrammeConfig) -> str:
    assert change.existing is not None
    parts = [f"{k}: {_show(getattr(change.existing, k))} → {_show(v)}" for k, v in change.fields.items()]
    parts += [programme.text("roster.change.joins", email=email, side=side) for email, side in change.joins]
    parts += [programme.text("roster.change.leaves", email=m.person.email) for m in change.leaves]
    return programme.text(
        "roster.change.match", where=change.where, match_id=change.row.match_id, fields="; ".join(parts)
    )


def _show(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)
