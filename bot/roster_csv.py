"""Reading the roster CSV files: bytes in, typed rows and every problem (file and line) out.

This module knows the columns and the values each may hold; it does not know the database.  Checks
that need stored people or relationships (unknown emails, roles of people already in the database,
a guide's capacity) are made in :mod:`bot.roster_plan`.  The file format itself is described in the
docstring of :mod:`bot.roster`.

Line numbers are the row numbers a spreadsheet shows: the header is line 1, and a cell with a line
break inside it does not shift the rows after it.  Every reason is a catalogue text (``roster.*``),
filled through the ``say`` callable the caller passes in (the programme's ``text``).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import functools
import io
import re
import zoneinfo
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from bot.catalogue import TextLookup
from bot.errors import Problem
from bot.model import Format
from bot.model import Kind
from bot.model import Role
from bot.model import Side
from bot.zones import zone_hint

MAX_ROWS = 10_000
"""The most rows one file may hold; a bigger roster is imported in parts."""

MAX_CAPACITY = 50
MAX_CADENCE_DAYS = 365

PEOPLE_COLUMNS = ("email", "name", "roles", "cohort", "stage", "timezone", "capacity")
PEOPLE_REQUIRED = ("email", "name", "roles")
MATCH_COLUMNS = (
    "match_id",
    "kind",
    "format",
    "guides",
    "learners",
    "peers",
    "start",
    "end",
    "cadence_days",
    "assessor_conflict",
    "override_reason",
)
MATCH_REQUIRED = ("match_id", "kind", "format", "guides", "learners")

# The widths of the stored columns (storage/tables.py); a longer value is refused here, not by the database.
MAX_LENGTH = {
    "email": 320,
    "name": 200,
    "cohort": 100,
    "stage": 100,
    "match_id": 200,
    "override_reason": 2000,
}

PEER_FORMATS = frozenset({Format.PEER, Format.NEAR_PEER})

# Words coordinators use for a role that the programme calls something else: a suggestion, never a guess.
ROLE_HINTS = {
    "mentor": Role.GUIDE,
    "coach": Role.GUIDE,
    "advisor": Role.GUIDE,
    "adviser": Role.GUIDE,
    "sponsor": Role.GUIDE,
    "supervisor": Role.GUIDE,
    "learner": Role.MENTEE,
    "student": Role.MENTEE,
    "trainee": Role.MENTEE,
    "resident": Role.MENTEE,
    "admin": Role.COORDINATOR,
    "administrator": Role.COORDINATOR,
    "organiser": Role.COORDINATOR,
    "organizer": Role.COORDINATOR,
}
KIND_HINTS = {
    "mentorship": Kind.MENTORING,
    "mentor": Kind.MENTORING,
    "coach": Kind.COACHING,
    "advice": Kind.ADVISING,
}
FORMAT_HINTS = {
    "1:1": Format.ONE_TO_ONE,
    "1-1": Format.ONE_TO_ONE,
    "1-to-1": Format.ONE_TO_ONE,
    "dyad": Format.ONE_TO_ONE,
    "individual": Format.ONE_TO_ONE,
    "panel": Format.COMMITTEE,
    "distance": Format.E_MENTORING,
    "online": Format.E_MENTORING,
    "virtual": Format.E_MENTORING,
    "e-mentor": Format.E_MENTORING,
}
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0", ""})

_EMAIL = re.compile(r"^[^@\s;,<>\"']+@[^@\s;,<>\"']+\.[^@\s;,<>\"'.][^@\s;,<>\"']*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LIST_SEPARATOR = re.compile(r"[;,\s]+")
_HEADER_SEPARATOR = re.compile(r"[\s_\-]+")
_XLSX_MAGIC = b"PK\x03\x04"


# -- typed rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    """One valid row of the people file. ``None`` means the cell was blank."""

    line: int
    email: str
    name: str
    roles: tuple[str, ...]
    cohort: str | None = None
    stage: str | None = None
    timezone: str | None = None
    capacity: int | None = None


@dataclass(frozen=True)
class MatchRow:
    """One valid row of the matches file. ``None`` means the cell was blank."""

    line: int
    match_id: str
    kind: str
    format: str
    guides: tuple[str, ...] = ()
    learners: tuple[str, ...] = ()
    peers: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    cadence_days: int | None = None
    assessor_conflict: bool = False
    override_reason: str = ""

    def members(self) -> list[tuple[str, str]]:
        """(email, side) for everyone in the match."""
        return (
            [(e, Side.GUIDE.value) for e in self.guides]
            + [(e, Side.LEARNER.value) for e in self.learners]
            + [(e, Side.PEER.value) for e in self.peers]
        )


@dataclass
class PeopleFile:
    name: str
    rows: list[PersonRow] = field(default_factory=list)
    listed: dict[str, int] = field(default_factory=dict)
    """Every email the file names (valid row or not) and its line: a person with a bad row is not
    also reported as 'unknown' wherever they are matched."""
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True
    """False when the file as a whole could not be read (encoding, header, empty)."""


@dataclass(frozen=True)
class Mention:
    """An email named in a matches row, kept even when the row has other problems, so that an
    unknown email is reported in the same run as a bad date on the same line."""

    line: int
    column: str
    email: str


@dataclass
class MatchesFile:
    name: str
    rows: list[MatchRow] = field(default_factory=list)
    listed: dict[str, int] = field(default_factory=dict)
    """Every match_id the file names and its line."""
    mentions: list[Mention] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True
    """False when the file as a whole could not be read (encoding, header, empty)."""


# -- the CSV layer -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One non-blank data row: its spreadsheet line number and its cells by column name, stripped."""

    line: int
    cells: dict[str, str]


def read_records(
    data: bytes,
    name: str,
    columns: Sequence[str],
    required: Collection[str],
    say: TextLookup,
    *,
    rows_optional: bool = False,
) -> tuple[list[Record], list[Problem]]:
    """Decode and split one CSV file, checking its encoding, header and the shape of every line.

    A header with no rows is a problem unless ``rows_optional`` (the matches file: adding a coordinator
    or a guide who has no learner yet needs no match, and the template is a header).

    Accepts UTF-8 with or without Excel's byte order mark, and LF or CRLF line ends.  Headers are
    matched ignoring case, spaces, hyphens and underscores.  When the file as a whole cannot be read
    (encoding, header), the problems say so and no records are returned.
    """
    text, problem = _decode(data, name, say)
    if problem is not None:
        return [], [problem]
    assert text is not None
    if not text.strip():
        return [], [Problem(name, say("roster.file.empty"))]

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    header: list[str] | None = None
    records: list[Record] = []
    line = 0
    while True:
        line += 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(f"{name}:{line}", say("roster.file.csv_error", error=str(exc))))
            if header is None:
                return [], problems
            continue
        if header is None:
            if not any(cell.strip() for cell in row):
                return [], [Problem(f"{name}:{line}", say("roster.file.blank_header"))]
            header, header_problems = _read_header(row, name, columns, required, say)
            if header_problems:
                return [], header_problems
            continue
        if not any(cell.strip() for cell in row):
            continue  # a blank line, as spreadsheets often leave at the end
        if len(records) == MAX_ROWS:
            problems.append(Problem(name, say("roster.file.too_many_rows", limit=MAX_ROWS)))
            return [], problems
        where = f"{name}:{line}"
        if len(row) != len(header):
            if len(row) > len(header) and not any(cell.strip() for cell in row[len(header) :]):
                row = row[: len(header)]  # trailing empty cells, as Excel writes for formatted columns
            else:
                problems.append(
                    Problem(where, say("roster.file.field_count", found=len(row), expected=len(header)))
                )
                continue
        cells = {col: cell.strip() for col, cell in zip(header, row, strict=True) if col}
        blank_named = [i for i, col in enumerate(header) if not col and row[i].strip()]
        if blank_named:
            problems.append(Problem(where, say("roster.file.unnamed_column", number=blank_named[0] + 1)))
            continue
        records.append(Record(line, cells))
    if header is None:
        return [], [*problems, Problem(name, say("roster.file.empty"))]
    if not records and not problems and not rows_optional:
        problems.append(Problem(name, say("roster.file.header_only")))
    return records, problems


def _decode(data: bytes, name: str, say: TextLookup) -> tuple[str | None, Problem | None]:
    if data.startswith(_XLSX_MAGIC):
        return None, Problem(name, say("roster.file.workbook"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, Problem(name, say("roster.file.utf16"))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = f"0x{data[exc.start]:02X}"
        return None, Problem(f"{name}:{line}", say("roster.file.not_utf8", byte=byte, offset=exc.start))


def normalise_header(cell: str) -> str:
    """``" Match ID "`` -> ``"match_id"``; ``"Time-zone"`` -> ``"time_zone"``."""
    return _HEADER_SEPARATOR.sub("_", cell.replace("\ufeff", "").strip().lower()).strip("_")


def _read_header(
    row: list[str], name: str, columns: Sequence[str], required: Collection[str], say: TextLookup
) -> tuple[list[str], list[Problem]]:
    where = f"{name}:1"
    if len(row) == 1 and ";" in row[0]:
        return [], [Problem(where, say("roster.file.semicolons"))]
    if len(row) == 1 and "\t" in row[0]:
        return [], [Problem(where, say("roster.file.tabs"))]
    squashed = {c.replace("_", ""): c for c in columns}
    header: list[str] = []
    problems: list[Problem] = []
    for cell in row:
        col = normalise_header(cell)
        col = squashed.get(col.replace("_", ""), col)  # "time_zone" and "timezone" are the same column
        if col and col not in columns:
            problems.append(
                Problem(
                    where,
                    say(
                        "roster.file.unknown_column",
                        column=cell.strip(),
                        suggestion=_suggestion(col, columns, say),
                        allowed=", ".join(columns),
                    ),
                )
            )
        elif col and col in header:
            problems.append(Problem(where, say("roster.file.duplicate_column", column=col)))
        header.append(col)
    for col in required:
        if col not in header:
            problems.append(
                Problem(where, say("roster.file.missing_column", column=col, required=", ".join(required)))
            )
    return header, problems


def _suggestion(
    value: str, choices: Collection[str], say: TextLookup, hints: Mapping[str, str] | None = None
) -> str:
    """`` (did you mean "x"?)`` for the nearest choice, or an empty string."""
    hinted = (hints or {}).get(value.lower())
    close = [hinted] if hinted else difflib.get_close_matches(value.lower(), list(choices), n=1, cutoff=0.6)
    return say("roster.did_you_mean", name=close[0]) if close else ""


# -- people ------------------------------------------------------------------------------------------


def parse_people(data: bytes, name: str, say: TextLookup) -> PeopleFile:
    """The people file as typed rows; a row with any problem is reported and left out of ``rows``."""
    out = PeopleFile(name)
    records, out.problems = read_records(data, name, PEOPLE_COLUMNS, PEOPLE_REQUIRED, say)
    out.readable = bool(records) or not out.problems
    for record in records:
        cells = _Cells(record, name, say)
        email = cells.email("email")
        person_name = cells.required("name")
        roles = cells.choices("roles", [r.value for r in Role], "roster.people.unknown_role", ROLE_HINTS)
        cohort = cells.text("cohort")
        stage = cells.text("stage")
        timezone = cells.timezone("timezone")
        capacity = cells.integer("capacity", 0, MAX_CAPACITY, "roster.people.bad_capacity")
        if email is not None:
            if email in out.listed:
                cells.problem("roster.people.duplicate_email", email=email, other=out.listed[email])
            else:
                out.listed[email] = record.line
        if cells.problems:
            out.problems += cells.problems
            continue
        assert email is not None and person_name is not None and roles
        out.rows.append(PersonRow(record.line, email, person_name, roles, cohort, stage, timezone, capacity))
    return out


# -- matches -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """How many people a format takes on each side (``None``: no upper limit)."""

    guides: tuple[int, int | None]
    learners: tuple[int, int | None]
    peers: tuple[int, int | None] = (0, 0)

    def fits(self, guides: int, learners: int, peers: int) -> bool:
        return all(
            low <= n and (high is None or n <= high)
            for n, (low, high) in ((guides, self.guides), (learners, self.learners), (peers, self.peers))
        )


SHAPES: dict[str, Shape] = {
    Format.ONE_TO_ONE: Shape((1, 1), (1, 1)),
    Format.GROUP: Shape((1, 3), (2, None)),
    Format.COMMITTEE: Shape((2, 5), (1, 1)),
    Format.SPEED: Shape((1, None), (1, None)),
    Format.E_MENTORING: Shape((1, None), (1, None)),
    # Peer formats: guides may be empty; the total is checked separately (at least two people).
    Format.PEER: Shape((0, None), (0, None), (0, None)),
    Format.NEAR_PEER: Shape((0, None), (0, None), (0, None)),
}


def parse_matches(data: bytes, name: str, say: TextLookup) -> MatchesFile:
    """The matches file as typed rows; a row with any problem is reported and left out of ``rows``."""
    out = MatchesFile(name)
    records, out.problems = read_records(data, name, MATCH_COLUMNS, MATCH_REQUIRED, say, rows_optional=True)
    out.readable = bool(records) or not out.problems
    for record in records:
        cells = _Cells(record, name, say)
        match_id = cells.required("match_id")
        kind = cells.choice("kind", [k.value for k in Kind], "roster.matches.unknown_kind", KIND_HINTS)
        fmt = cells.choice(
            "format",
            [f.value for f in Format],
            "roster.matches.unknown_format",
            FORMAT_HINTS,
            normalise=_format_word,
        )
        guides = cells.emails("guides")
        learners = cells.emails("learners")
        peers = cells.emails("peers")
        for column, emails in (("guides", guides), ("learners", learners), ("peers", peers)):
            out.mentions += [Mention(record.line, column, email) for email in dict.fromkeys(emails)]
        start = cells.date("start")
        end = cells.date("end")
        cadence = cells.integer("cadence_days", 1, MAX_CADENCE_DAYS, "roster.matches.bad_cadence")
        conflict = cells.flag("assessor_conflict")
        override = cells.text("override_reason") or ""
        if match_id is not None:
            if match_id in out.listed:
                cells.problem("roster.matches.duplicate_match", match_id=match_id, other=out.listed[match_id])
            else:
                out.listed[match_id] = record.line
        if start is not None and end is not None and end <= start:
            cells.problem("roster.matches.end_before_start", end=end.isoformat(), start=start.isoformat())
        _check_members(cells, guides, learners, peers)
        if fmt is not None:  # people listed twice are reported once, above, and counted once here
            _check_shape(cells, fmt, *(len(set(emails)) for emails in (guides, learners, peers)))
        if conflict and not override:
            cells.problem("roster.matches.assessor_without_override")
        if override and not conflict:
            cells.problem("roster.matches.override_without_conflict")
        if cells.problems:
            out.problems += cells.problems
            continue
        assert match_id is not None and kind is not None and fmt is not None and conflict is not None
        out.rows.append(
            MatchRow(
                record.line,
                match_id,
                kind,
                fmt,
                guides,
                learners,
                peers,
                start,
                end,
                cadence,
                conflict,
                override,
            )
        )
    return out


def _format_word(value: str) -> str:
    return re.sub(r"[\s_]+", "-", value.strip().lower())


def _check_members(
    cells: _Cells, guides: tuple[str, ...], learners: tuple[str, ...], peers: tuple[str, ...]
) -> None:
    seen: dict[str, str] = {}
    for column, emails in (("guides", guides), ("learners", learners), ("peers", peers)):
        for email in emails:
            if email not in seen:
                seen[email] = column
            elif seen[email] == column:
                cells.problem("roster.matches.listed_twice", email=email, column=column)
            else:
                cells.problem("roster.matches.self_match", email=email, first=seen[email], second=column)


def _check_shape(cells: _Cells, fmt: str, guides: int, learners: int, peers: int) -> None:
    shape = SHAPES[fmt]
    fits = shape.fits(guides, learners, peers)
    if fmt in PEER_FORMATS:
        fits = fits and guides + learners + peers >= 2 and (guides == 0 or learners + peers >= 1)
    if not fits:
        cells.problem(
            "roster.matches.shape",
            format=fmt,
            rule=cells.say(f"roster.shape.{fmt}"),
            guides=guides,
            learners=learners,
            peers=peers,
        )


# -- cells -------------------------------------------------------------------------------------------


class _Cells:
    """The cells of one record, read as typed values; every bad cell adds a problem at this line."""

    def __init__(self, record: Record, name: str, say: TextLookup) -> None:
        self.record = record
        self.where = f"{name}:{record.line}"
        self.say = say
        self.problems: list[Problem] = []

    def problem(self, key: str, **values: object) -> None:
        self.problems.append(Problem(self.where, self.say(key, **values)))

    def raw(self, column: str) -> str:
        return self.record.cells.get(column, "")

    def text(self, column: str) -> str | None:
        value = self.raw(column)
        if not value:
            return None
        limit = MAX_LENGTH.get(column)
        if limit is not None and len(value) > limit:
            self.problem("roster.cell.too_long", column=column, limit=limit)
            return None
        return value

    def required(self, column: str) -> str | None:
        if not self.raw(column):
            self.problem("roster.cell.required", column=column)
            return None
        return self.text(column)

    def email(self, column: str) -> str | None:
        value = self.required(column)
        if value is None:
            return None
        if not _EMAIL.match(value):
            self.problem("roster.cell.bad_email", column=column, value=value)
            return None
        return value.lower()

    def emails(self, column: str) -> tuple[str, ...]:
        found: list[str] = []
        for value in _LIST_SEPARATOR.split(self.raw(column)):
            if not value:
                continue
            if not _EMAIL.match(value):
                self.problem("roster.cell.bad_email", column=column, value=value)
                continue
            found.append(value.lower())
        return tuple(found)

    def choice(
        self,
        column: str,
        allowed: Sequence[str],
        key: str,
        hints: Mapping[str, str],
        *,
        normalise: Callable[[str], str] = str.lower,
    ) -> str | None:
        raw = self.raw(column)
        if not raw:
            self.problem("roster.cell.required", column=column)
            return None
        value = normalise(raw)
        if value in allowed:
            return value
        self.problem(
            key,
            value=raw,
            suggestion=_suggestion(value, allowed, self.say, hints),
            allowed=", ".join(allowed),
        )
        return None

    def choices(
        self, column: str, allowed: Sequence[str], key: str, hints: Mapping[str, str]
    ) -> tuple[str, ...]:
        values = [v.lower() for v in _LIST_SEPARATOR.split(self.raw(column)) if v]
        if not values:
            self.problem("roster.cell.required", column=column)
            return ()
        bad = [v for v in values if v not in allowed]
        for value in bad:
            self.problem(
                key,
                value=value,
                suggestion=_suggestion(value, allowed, self.say, hints),
                allowed=", ".join(allowed),
            )
        return () if bad else tuple(v for v in allowed if v in values)  # canonical order, no repeats

    def integer(self, column: str, low: int, high: int, key: str) -> int | None:
        raw = self.raw(column)
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            self.problem(key, value=raw, low=low, high=high)
            return None
        return value

    def flag(self, column: str) -> bool | None:
        raw = self.raw(column).lower()
        if raw in YES:
            return True
        if raw in NO:
            return False
        self.problem("roster.cell.bad_flag", column=column, value=self.raw(column))
        return None

    def date(self, column: str) -> date | None:
        raw = self.raw(column)
        if not raw:
            return None
        if not _ISO_DATE.match(raw):
            self.problem("roster.cell.bad_date", column=column, value=raw)
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.problem("roster.cell.no_such_date", column=column, value=raw)
            return None

    def timezone(self, column: str) -> str | None:
        raw = self.raw(column)
        if not raw:
            return None
        found = _zone_names().get(raw.replace(" ", "_").lower())
        if found is not None and _is_place(found):
            return found
        hint = zone_hint(raw)
        if hint is not None or found is not None:
            zone, others = hint or ("Europe/London", ())
            self.problem(
                "roster.people.zone_abbreviation_ambiguous" if others else "roster.people.zone_abbreviation",
                value=raw,
                example=zone,
                others=" or ".join(others),
            )
            return None
        self.problem("roster.people.bad_timezone", value=raw, suggestion=_zone_suggestion(raw, self.say))
        return None


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every IANA zone name by its lower-case spelling."""
    return {z.lower(): z for z in zoneinfo.available_timezones()}


def _is_place(zone: str) -> bool:
    """True for 'Area/City' names (and UTC). Abbreviations such as EST and fixed offsets such as
    Etc/GMT+5 never change for daylight saving time, so a person given one would get nudges an hour
    off for half the year."""
    if zone in ("UTC", "Etc/UTC"):
        return True
    return "/" in zone and not zone.startswith("Etc/")


def _zone_suggestion(raw: str, say: TextLookup) -> str:
    wanted = raw.strip().replace(" ", "_").lower()
    places = [z for z in _zone_names().values() if _is_place(z)]
    by_city = [z for z in places if z.rsplit("/", 1)[-1].lower() == wanted]
    if by_city:
        return say("roster.did_you_mean", name=sorted(by_city)[0])
    lowered = {z.lower(): z for z in places}
    close = difflib.get_close_matches(wanted, list(lowered), n=1, cutoff=0.6)
    if not close:
        cities = {z.rsplit("/", 1)[-1].lower(): z for z in places}
        close_city = difflib.get_close_matches(wanted, list(cities), n=1, cutoff=0.75)
        return say("roster.did_you_mean", name=cities[close_city[0]]) if close_city else ""
    return say("roster.did_you_mean", name=lowered[close[0]])
