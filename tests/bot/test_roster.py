"""The roster import, as a coordinator with a spreadsheet meets it: every problem with its file and
line, nothing written unless everything is right, and a second import of the same files changing
nothing. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import codecs
from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.errors import ImportRejected
from bot.errors import Problem
from bot.match_dates import start_instant
from bot.model import Person
from bot.model import RelationshipStatus
from bot.model import Role
from bot.model import Side
from bot.programme import ProgrammeConfig
from bot.programme import load_programme
from bot.roster import ImportSummary
from bot.roster import example_paths
from bot.roster import import_roster
from bot.roster_csv import MAX_ROWS
from storage.uow import SqlUnitOfWorkFactory

PEOPLE_HEADER = "email,name,roles,cohort,stage,timezone,capacity"
MATCHES_HEADER = (
    "match_id,kind,format,guides,learners,peers,start,end,cadence_days,assessor_conflict,override_reason"
)

PEOPLE = [
    PEOPLE_HEADER,
    "coord@example.org,Helen Okafor,coordinator,,,Europe/London,",  # line 2
    "guide@example.org,Amara Nwosu,guide,,faculty,Europe/London,",  # line 3
    "coach@example.org,Javier Castillo,guide,,faculty,America/New_York,",  # line 4
    "ann@example.org,Ann Lee,mentee,2027,clinical,Europe/London,",  # line 5
    "bob@example.org,Bob Roy,mentee,2027,clinical,America/New_York,",  # line 6
    "cy@example.org,Cy Tan,mentee,2028,preclinical,Australia/Sydney,",  # line 7
    "di@example.org,Di Ward,mentee,2028,preclinical,,",  # line 8
]
MATCHES = [
    MATCHES_HEADER,
    "m1,mentoring,one-to-one,guide@example.org,ann@example.org,,2026-01-12,2026-12-18,28,no,",  # line 2
    "m2,coaching,one-to-one,coach@example.org,bob@example.org,,,,,,",  # line 3
]


def with_row(rows: list[str], new: str) -> list[str]:
    """``rows`` with the row that has the same first cell (email or match_id) replaced by ``new``."""
    key = new.split(",", 1)[0]
    assert any(r.split(",", 1)[0] == key for r in rows)
    return [new if r.split(",", 1)[0] == key else r for r in rows]


def group(match_id: str, guide: str, *learners: str) -> str:
    """A group-mentoring row of the matches file with every optional cell blank."""
    return f"{match_id},mentoring,group,{guide},{';'.join(learners)},,,,,,"


@pytest.fixture
def programme() -> ProgrammeConfig:
    return ProgrammeConfig.default()


class Roster:
    """Writes CSV files and runs the import against the test database."""

    def __init__(
        self, tmp_path: Path, uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
    ) -> None:
        self.dir = tmp_path
        self.uow_factory = uow_factory
        self.programme = programme
        self.clock = clock

    def write(self, name: str, lines: list[str] | str | bytes, *, newline: str = "\n") -> Path:
        path = self.dir / name
        if isinstance(lines, bytes):
            path.write_bytes(lines)
        else:
            text = lines if isinstance(lines, str) else newline.join(lines) + newline
            path.write_bytes(text.encode("utf-8"))
        return path

    def run(
        self,
        people: list[str] | str | bytes | None = None,
        matches: list[str] | str | bytes | None = None,
        *,
        dry_run: bool = False,
    ) -> ImportSummary:
        people_path = self.write("people.csv", people) if people is not None else None
        matches_path = self.write("matches.csv", matches) if matches is not None else None
        return import_roster(
            self.uow_factory, self.programme, self.clock, people_path, matches_path, dry_run=dry_run
        )

    def problems(
        self, people: list[str] | str | bytes | None = None, matches: list[str] | str | bytes | None = None
    ) -> list[Problem]:
        with pytest.raises(ImportRejected) as caught:
            self.run(people, matches)
        self.assert_nothing_stored()
        return caught.value.problems

    def assert_nothing_stored(self) -> None:
        with self.uow_factory() as uow:
            assert uow.people.all(include_inactive=True) == []
            assert uow.relationships.all(include_ended=True) == []
            assert uow.audit.events() == []

    def person(self, email: str) -> Person:
        """A detached copy of the stored person (the unit of work expires its objects on exit)."""
        with self.uow_factory() as uow:
            p = uow.people.by_email(email)
            assert p is not None
            return Person(
                email=p.email,
                name=p.name,
                roles=list(p.roles),
                cohort=p.cohort,
                stage=p.stage,
                timezone=p.timezone,
                capacity=p.capacity,
                active=p.active,
                created_at=p.created_at,
            )


@pytest.fixture
def roster(
    tmp_path: Path, uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> Roster:
    return Roster(tmp_path, uow_factory, programme, clock)


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


# -- the happy path ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "programme", [ProgrammeConfig.default(), load_programme(None)], ids=["default", "example"]
)
def test_the_shipped_examples_import_cleanly_into_the_first_phase(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    """Against the default programme and the example programme that ``make run`` loads."""
    people, matches = example_paths()
    summary = import_roster(uow_factory, programme, clock, people, matches)
    assert (summary.people_created, summary.relationships_created) == (14, 7)
    assert str(summary) == "people: 14 new, 0 updated, 0 unchanged; matches: 7 new, 0 updated, 0 unchanged"
    with uow_factory() as uow:
        for email in ("coordinator@example.org", "mentor@example.org", "mentee@example.org"):
            assert uow.people.by_email(email) is not None
        assert uow.people.by_email("l.moreau@example.org").name == "Léa Moreau"  # type: ignore[union-attr]
        relationships = uow.relationships.all()
        assert {r.kind for r in relationships} == {"mentoring", "coaching", "advising", "sponsorship"}
        assert {r.format for r in relationships} >= {"one-to-one", "group", "peer", "e-mentoring"}
        first = programme.phases[0].name
        for r in relationships:
            assert (r.phase, r.status, r.created_at) == (first, RelationshipStatus.ACTIVE, clock.now())
            # the first phase counts from the start of the match's first day, not from the import
            begins = start_instant(r.started_on, programme.zone)
            assert [(h.phase, h.reason, h.at) for h in r.phase_history] == [(first, "matched", begins)]
        pair = uow.relationships.by_external_ref("m-001")
        assert pair is not None
        assert [p.email for p in pair.guides()] == ["mentor@example.org"]
        assert [p.email for p in pair.learners()] == ["mentee@example.org"]
        overridden = [r for r in relationships if r.assessor_conflict]
        assert len(overridden) == 1 and overridden[0].override_reason
        [event] = uow.audit.events()
        assert event.action == "roster.import"
        assert event.detail["people_created"] == 14 and event.detail["relationships_created"] == 7
        assert "example.org" not in str(event.detail)  # counts only, nobody's details


def test_blank_cells_take_the_programme_defaults(roster: Roster, programme: ProgrammeConfig) -> None:
    roster.run(PEOPLE, MATCHES)
    di = roster.person("di@example.org")
    assert di.timezone == programme.timezone and di.capacity is None
    with roster.uow_factory() as uow:
        m2 = uow.relationships.by_external_ref("m2")
        assert m2 is not None
        assert m2.started_on == date(2026, 3, 2)  # today in the programme's zone (the fixed clock)
        assert m2.planned_end is None
        assert m2.cadence_days == programme.cadence_days["coaching"]
        assert not m2.assessor_conflict


def test_a_file_saved_by_excel_with_bom_and_crlf_imports(roster: Roster) -> None:
    people = (
        codecs.BOM_UTF8 + ("\r\n".join([*PEOPLE, "le@example.org,Léa Moreau,mentee,,,,"]) + "\r\n").encode()
    )
    matches = codecs.BOM_UTF8 + ("\r\n".join(MATCHES) + "\r\n").encode()
    summary = roster.run(people, matches)
    assert (summary.people_created, summary.relationships_created) == (8, 2)
    assert roster.person("le@example.org").name == "Léa Moreau"
    assert roster.person("coord@example.org").roles == [
        "coordinator"
    ]  # the first column was read despite the BOM


def test_headers_ignore_case_spaces_and_order(roster: Roster) -> None:
    people = ["Time Zone , E-mail,Name,ROLES", "Europe/Paris,X@Example.org,Xavier,Mentee;Guide"]
    assert roster.run(people).people_created == 1
    person = roster.person("x@example.org")
    assert (person.email, person.timezone, person.roles) == (
        "x@example.org",
        "Europe/Paris",
        ["mentee", "guide"],
    )


def test_quoted_cells_with_commas_and_blank_lines_are_fine(roster: Roster) -> None:
    people = [PEOPLE_HEADER, '"a@example.org","Okafor, Helen",coordinator,,,,', "", ",,,,,,"]
    assert roster.run(people).people_created == 1
    assert roster.person("a@example.org").name == "Okafor, Helen"


def test_a_peer_match_needs_no_guide(roster: Roster) -> None:
    matches = [MATCHES_HEADER, "p1,mentoring,peer,,,ann@example.org;bob@example.org,,,,,"]
    roster.run(PEOPLE, matches)
    with roster.uow_factory() as uow:
        peer = uow.relationships.by_external_ref("p1")
        assert peer is not None and {m.side for m in peer.members} == {Side.PEER}


def test_an_assessor_conflict_with_an_override_is_accepted_and_kept(roster: Roster) -> None:
    reason = "Only cardiologist at the site; a second examiner signs her assessments"
    matches = [
        MATCHES_HEADER,
        f'm1,mentoring,one-to-one,guide@example.org,ann@example.org,,,,,Yes,"{reason}"',
    ]
    roster.run(PEOPLE, matches)
    with roster.uow_factory() as uow:
        m1 = uow.relationships.by_external_ref("m1")
        assert m1 is not None and m1.assessor_conflict and m1.override_reason == reason


# -- idempotence and updates -------------------------------------------------------------------------


def test_importing_the_same_files_again_changes_nothing(roster: Roster, clock: FixedClock) -> None:
    roster.run(PEOPLE, MATCHES)
    clock.advance(timedelta(days=3))  # "today" moved: blank start dates must not look like changes
    again = roster.run(PEOPLE, MATCHES)
    assert (again.people_created, again.people_updated, again.people_unchanged) == (0, 0, 7)
    assert (again.relationships_created, again.relationships_updated, again.relationships_unchanged) == (
        0,
        0,
        2,
    )
    assert not again.changed_anything and again.changes == ()
    with roster.uow_factory() as uow:
        assert len(uow.people.all()) == 7
        relationships = uow.relationships.all()
        assert len(relationships) == 2
        assert sum(len(r.members) for r in relationships) == 4
        m2 = uow.relationships.by_external_ref("m2")
        assert m2 is not None and m2.started_on == date(2026, 3, 2)


def test_emails_match_people_whatever_their_case(roster: Roster) -> None:
    roster.run(PEOPLE, MATCHES)
    shouting = [PEOPLE[0]] + [
        line.split(",", 1)[0].upper() + "," + line.split(",", 1)[1] for line in PEOPLE[1:]
    ]
    again = roster.run(shouting, MATCHES)
    assert (again.people_created, again.people_unchanged) == (0, 7)


def test_changed_people_are_updated_in_place_and_the_change_is_named(roster: Roster) -> None:
    roster.run(PEOPLE, MATCHES)
    changed = with_row(PEOPLE, "ann@example.org,Ann Lee-Smith,mentee,2027,clinical,America/Chicago,")
    summary = roster.run(changed, MATCHES)
    assert (summary.people_created, summary.people_updated, summary.people_unchanged) == (0, 1, 6)
    assert summary.changes == (
        "people.csv:5: ann@example.org: name: Ann Lee → Ann Lee-Smith; "
        "timezone: Europe/London → America/Chicago",
    )
    ann = roster.person("ann@example.org")
    assert (ann.name, ann.timezone) == ("Ann Lee-Smith", "America/Chicago")


def test_blank_optional_people_cells_leave_stored_values_alone(roster: Roster) -> None:
    roster.run(PEOPLE)
    with roster.uow_factory() as uow:
        ann = uow.people.by_email("ann@example.org")
        assert ann is not None
        ann.timezone = "Asia/Tokyo"  # as if she had set it herself in the bot
        uow.commit()
    blanked = [PEOPLE_HEADER, "ann@example.org,Ann Lee,mentee,,,,"]
    assert roster.run(blanked).people_unchanged == 1
    assert roster.person("ann@example.org").timezone == "Asia/Tokyo"


def test_a_changed_match_is_updated_in_place_not_duplicated(roster: Roster, clock: FixedClock) -> None:
    roster.run(PEOPLE, MATCHES)
    clock.advance(timedelta(days=10))
    changed = [
        MATCHES[0],
        "m1,coaching,one-to-one,guide@example.org,cy@example.org,,2026-01-12,2026-12-18,14,no,",
        MATCHES[2],
    ]
    summary = roster.run(PEOPLE, changed)
    assert (
        summary.relationships_created,
        summary.relationships_updated,
        summary.relationships_unchanged,
    ) == (0, 1, 1)
    assert summary.changes == (
        "matches.csv:2: match m1: kind: mentoring → coaching; cadence_days: 28 → 14; "
        "cy@example.org joins as learner; ann@example.org leaves",
    )
    with roster.uow_factory() as uow:
        assert len(uow.relationships.all()) == 2
        m1 = uow.relationships.by_external_ref("m1")
        assert m1 is not None
        assert (m1.kind, m1.cadence_days) == ("coaching", 14)
        assert [p.email for p in m1.learners()] == ["cy@example.org"]
        left = [m for m in m1.members if m.left_at is not None]
        assert [(m.person.email, m.left_at) for m in left] == [("ann@example.org", clock.now())]
        ann = uow.people.by_email("ann@example.org")
        assert ann is not None and uow.relationships.of_person(ann.id) == []  # type: ignore[arg-type]


def test_an_ended_match_is_not_revived_by_a_re_import(roster: Roster) -> None:
    roster.run(PEOPLE, MATCHES)
    with roster.uow_factory() as uow:
        m1 = uow.relationships.by_external_ref("m1")
        assert m1 is not None
        m1.status = RelationshipStatus.ENDED
        uow.commit()
    summary = roster.run(PEOPLE, MATCHES)
    assert (summary.relationships_created, summary.relationships_updated) == (0, 0)
    assert summary.changes == ("matches.csv:2: match m1 has ended; it is left as it is",)
    with roster.uow_factory() as uow:
        assert uow.relationships.by_external_ref("m1").status == RelationshipStatus.ENDED  # type: ignore[union-attr]


def test_matches_alone_can_name_people_already_in_the_programme(roster: Roster) -> None:
    roster.run(PEOPLE)
    summary = roster.run(matches=MATCHES)
    assert (summary.people_created, summary.relationships_created) == (0, 2)


def test_a_dry_run_reports_what_would_change_and_writes_nothing(roster: Roster) -> None:
    summary = roster.run(PEOPLE, MATCHES, dry_run=True)
    assert summary.dry_run
    assert (summary.people_created, summary.relationships_created) == (7, 2)
    roster.assert_nothing_stored()


def test_a_dry_run_names_the_updates_it_would_make(roster: Roster) -> None:
    roster.run(PEOPLE, MATCHES)
    changed = with_row(PEOPLE, "guide@example.org,Amara Nwosu,guide,,faculty,Europe/London,5")
    summary = roster.run(changed, MATCHES, dry_run=True)
    assert summary.changes == ("people.csv:3: guide@example.org: capacity: (blank) → 5",)
    assert roster.person("guide@example.org").capacity is None


# -- capacity ----------------------------------------------------------------------------------------


def test_capacity_counts_learners_already_matched_in_the_database(roster: Roster) -> None:
    roster.run(
        PEOPLE, [MATCHES_HEADER, group("g1", "guide@example.org", "ann@example.org", "bob@example.org")]
    )
    more = [MATCHES_HEADER, group("g2", "guide@example.org", "cy@example.org", "di@example.org")]
    with pytest.raises(ImportRejected) as caught:
        roster.run(matches=more)
    problem = only(caught.value.problems)
    assert problem.where == "matches.csv:2"
    assert problem.reason.startswith(
        "guide guide@example.org would have 4 learners, more than their limit of 3 "
        "(2 in relationships already in Mentoring Programme, 2 in this file"
    )
    with roster.uow_factory() as uow:
        assert uow.relationships.by_external_ref("g2") is None


def test_capacity_is_reported_on_the_line_that_passes_the_limit(roster: Roster) -> None:
    matches = [
        MATCHES_HEADER,
        "a,mentoring,one-to-one,guide@example.org,ann@example.org,,,,,,",
        "b,mentoring,one-to-one,guide@example.org,bob@example.org,,,,,,",
        "c,mentoring,one-to-one,guide@example.org,cy@example.org,,,,,,",
        "d,mentoring,one-to-one,guide@example.org,di@example.org,,,,,,",
    ]
    problem = only(roster.problems(PEOPLE, matches))
    assert problem.where == "matches.csv:5"
    assert "would have 4 learners, more than their limit of 3 (0 in relationships" in problem.reason


def test_a_re_imported_match_is_not_counted_twice_against_capacity(roster: Roster) -> None:
    full = [
        MATCHES_HEADER,
        group("g1", "guide@example.org", "ann@example.org", "bob@example.org", "cy@example.org"),
    ]
    roster.run(PEOPLE, full)
    assert roster.run(PEOPLE, full).relationships_unchanged == 1


def test_a_capacity_raised_in_the_people_file_allows_more_learners(roster: Roster) -> None:
    people = with_row(PEOPLE, "guide@example.org,Amara Nwosu,guide,,faculty,Europe/London,4")
    matches = [
        MATCHES_HEADER,
        group(
            "g", "guide@example.org", "ann@example.org", "bob@example.org", "cy@example.org", "di@example.org"
        ),
    ]
    assert roster.run(people, matches).relationships_created == 1


def test_a_capacity_stored_earlier_still_applies(roster: Roster) -> None:
    people = with_row(PEOPLE, "guide@example.org,Amara Nwosu,guide,,faculty,Europe/London,1")
    roster.run(people)
    matches = [MATCHES_HEADER, group("g", "guide@example.org", "ann@example.org", "bob@example.org")]
    with pytest.raises(ImportRejected) as caught:
        roster.run(matches=matches)
    assert "more than their limit of 1" in only(caught.value.problems).reason


# -- all or nothing ----------------------------------------------------------------------------------


def test_one_bad_row_in_four_hundred_writes_nothing(roster: Roster) -> None:
    people = [PEOPLE_HEADER] + [
        f"p{i}@example.org,Person {i},mentee,2027,clinical,Europe/London," for i in range(400)
    ]
    people[213] = "p212@example.org,Person 212,mentee,2027,clinical,Europe/Londn,"
    problem = only(roster.problems(people))
    assert problem.where == "people.csv:214"
    assert problem.reason.startswith('unknown time zone "Europe/Londn" (did you mean "Europe/London"?)')


def test_every_problem_is_reported_at_once_in_file_and_line_order(roster: Roster) -> None:
    people = [PEOPLE_HEADER, "a@example.org,,mentee,,,,", "b@example.org,B,mentor,,,Mars/Olympus,"]
    matches = [MATCHES_HEADER, "x,mentoring,one-to-one,nobody@example.org,a@example.org,,tomorrow,,,,"]
    problems = roster.problems(people, matches)
    assert [p.where for p in problems] == [
        "people.csv:2",
        "people.csv:3",
        "people.csv:3",
        "matches.csv:2",
        "matches.csv:2",
    ]


# -- bad input, one case at a time ------------------------------------------------------------------

BAD_PEOPLE = [
    pytest.param(
        [PEOPLE_HEADER, "a@example.org,A,mentee,,,,", "A@Example.org,A again,mentee,,,,"],
        "people.csv:3",
        "a@example.org is listed twice (also on line 2)",
        id="duplicate-email",
    ),
    pytest.param(
        [PEOPLE_HEADER, "a@example.org,A,mentee,,,Europe/Lodnon,"],
        "people.csv:2",
        'unknown time zone "Europe/Lodnon" (did you mean "Europe/London"?)',
        id="bad-time-zone",
    ),
    pytest.param(
        [PEOPLE_HEADER, "a@example.org,A,mentee,,,New York,"],
        "people.csv:2",
        'unknown time zone "New York" (did you mean "America/New_York"?)',
        id="city-without-area",
    ),
    pytest.param(
        [PEOPLE_HEADER, "a@example.org,A,mentee,,,EST,"],
        "people.csv:2",
        '"EST" is an abbreviation or a fixed offset, not a place; '
        "write a place name such as America/New_York",
        id="zone-abbreviation",
    ),
    pytest.param(
        [PEOPLE_HEADER, "a@example.org,A,mentee,,,IST,"],
        "people.csv:2",
        '"IST" is an abbreviation, not a place, and it is used in several places; write a place name '
        "such as Asia/Kolkata (the usual meaning), or Europe/Dublin or Asia/Jerusalem",
        id="ambiguous-zone-abbreviation",
    ),
    pytest.param(
        [PEOPLE_HEADER, "a@example.org,A,mentee,,,PST,"],
        "people.csv:2",
        '"PST" is an abbreviation or a fixed offset, not a place; '
        "write a place name such as America/Los_Angeles",
        id="zone-abbreviation-not-in-zone-database",
    ),
    pytest.param(
        [PEOPLE_HEADER, "a@example.org,A,mentor,,,,"],
        "people.csv:2",
        'unknown role "mentor" (did you mean "guide"?); the roles are: mentee, guide, coordinator',
        id="unknown-role",
    ),
    pytest.param(
        [PEOPLE_HEADER, "a@example.org,A,,,,,"],
        "people.csv:2",
        "roles is empty; every row needs one",
        id="no-role",
    ),
    pytest.param(
        [PEOPLE_HEADER, "not-an-email,A,mentee,,,,"],
        "people.csv:2",
        '"not-an-email" in email is not an email address',
        id="bad-email",
    ),
    pytest.param(
        [PEOPLE_HEADER, "a@example.org,A,guide,,,,three"],
        "people.csv:2",
        'capacity "three" is not a whole number from 0 to 50',
        id="bad-capacity",
    ),
    pytest.param(
        [PEOPLE_HEADER, "a@example.org,A,mentee,,,,", "b@example.org,B,mentee,2027"],
        "people.csv:3",
        "this line has 4 cells but the header has 7; a value with a comma in it must be in double quotes",
        id="wrong-number-of-fields",
    ),
    pytest.param(
        [PEOPLE_HEADER, "a@example.org,A,mentee,,,,", 'b@example.org,"B,mentee,,,,'],
        "people.csv:3",
        "this line cannot be read as CSV",
        id="unclosed-quote",
    ),
    pytest.param(
        ["email,name,roles,timezone,capacty", "a@example.org,A,mentee,,"],
        "people.csv:1",
        'unknown column "capacty" (did you mean "capacity"?); the columns are: email, name, roles, cohort',
        id="unknown-column",
    ),
    pytest.param(
        ["email,name", "a@example.org,A"],
        "people.csv:1",
        'the column "roles" is missing (required columns: email, name, roles)',
        id="missing-column",
    ),
    pytest.param(
        ["email;name;roles", "a@example.org;A;mentee"],
        "people.csv:1",
        "the columns are separated by semicolons; use commas",
        id="semicolons",
    ),
    pytest.param("", "people.csv", "the file is empty", id="empty-file"),
    pytest.param("\r\n\r\n", "people.csv", "the file is empty", id="only-blank-lines"),
    pytest.param([PEOPLE_HEADER], "people.csv", "the file has a header but no rows", id="header-only"),
    pytest.param(
        PEOPLE_HEADER.encode() + b"\na@example.org,A,mentee,,,,\nb@example.org,L\xe9a,mentee,,,,\n",
        "people.csv:3",
        "the file is not UTF-8 text: byte 0xE9 (at byte offset 90) cannot be read. "
        'In Excel choose File > Save As > "CSV UTF-8',
        id="not-utf8",
    ),
    pytest.param(
        codecs.BOM_UTF16_LE + "email,name,roles\n".encode("utf-16-le"),
        "people.csv",
        "the file is UTF-16 text",
        id="utf16",
    ),
    pytest.param(
        b"PK\x03\x04rest-of-a-zip", "people.csv", "this is a spreadsheet workbook (.xlsx)", id="xlsx"
    ),
]


@pytest.mark.parametrize(("people", "where", "reason"), BAD_PEOPLE)
def test_a_bad_people_file_is_refused_with_its_line_and_reason(
    roster: Roster, people: list[str] | str | bytes, where: str, reason: str
) -> None:
    problem = only(roster.problems(people))
    assert problem.where == where
    assert reason in problem.reason


BAD_MATCHES = [
    pytest.param(
        "m1,mentoring,one-to-one,guide@example.org,zed@example.org,,,,,,",
        "unknown email zed@example.org in learners: not in people.csv and not in Mentoring Programme",
        id="unknown-email",
    ),
    pytest.param(
        "m1,mentorship,one-to-one,guide@example.org,ann@example.org,,,,,,",
        'unknown kind "mentorship" (did you mean "mentoring"?); '
        "the kinds are: mentoring, coaching, advising, sponsorship",
        id="unknown-kind",
    ),
    pytest.param(
        "m1,mentoring,pair,guide@example.org,ann@example.org,,,,,,",
        'unknown format "pair"; '
        "the formats are: one-to-one, group, peer, near-peer, committee, speed, e-mentoring",
        id="unknown-format",
    ),
    pytest.param(
        "m1,mentoring,one-to-one,ann@example.org,ann@example.org,,,,,,",
        "ann@example.org is in both guides and learners: nobody can be matched with themselves",
        id="matched-with-themselves",
    ),
    pytest.param(
        "m1,mentoring,one-to-one,guide@example.org,coord@example.org,,,,,,",
        "coord@example.org is in learners but does not have the mentee role",
        id="learner-not-a-mentee",
    ),
    pytest.param(
        "m1,mentoring,one-to-one,bob@example.org,ann@example.org,,,,,,",
        "bob@example.org is in guides but does not have the guide role",
        id="guide-without-the-role",
    ),
    pytest.param(
        "m1,mentoring,one-to-one,,ann@example.org,,,,,,",
        "a one-to-one match has one guide and one learner; "
        "this one has 0 in guides, 1 in learners and 0 in peers",
        id="no-guide-outside-peer-formats",
    ),
    pytest.param(
        "m1,mentoring,group,guide@example.org,ann@example.org,,,,,,",
        "a group match has 1 to 3 guides and at least 2 learners",
        id="group-of-one",
    ),
    pytest.param(
        "m1,mentoring,peer,,,ann@example.org,,,,,",
        "a peer match has at least two people",
        id="peer-alone",
    ),
    pytest.param(
        "m1,mentoring,one-to-one,guide@example.org,ann@example.org,,,,,yes,",
        "assessor_conflict is yes but override_reason is empty. A guide should not formally assess "
        "the learner they guide, so that the relationship stays a safe space apart from evaluation",
        id="assessor-without-override",
    ),
    pytest.param(
        "m1,mentoring,one-to-one,guide@example.org,ann@example.org,,,,,no,because",
        "override_reason is filled in but assessor_conflict is not yes",
        id="override-without-conflict",
    ),
    pytest.param(
        "m1,mentoring,one-to-one,guide@example.org,ann@example.org,,,,,perhaps,",
        'assessor_conflict is "perhaps"; write yes or no',
        id="bad-yes-no",
    ),
    pytest.param(
        "m1,mentoring,one-to-one,guide@example.org,ann@example.org,,12/01/2026,,,,",
        'start "12/01/2026" is not a date written as YYYY-MM-DD (for example 2026-09-01)',
        id="bad-date",
    ),
    pytest.param(
        "m1,mentoring,one-to-one,guide@example.org,ann@example.org,,2026-02-30,,,,",
        'start "2026-02-30" is not a day in the calendar',
        id="no-such-date",
    ),
    pytest.param(
        "m1,mentoring,one-to-one,guide@example.org,ann@example.org,,2026-06-01,2026-05-01,,,",
        "end 2026-05-01 is not after start 2026-06-01",
        id="end-before-start",
    ),
    pytest.param(
        "m1,mentoring,one-to-one,guide@example.org,ann@example.org,,,2026-02-01,,,",
        "end 2026-02-01 is not after the start of the match (2026-03-02)",
        id="end-before-default-start",
    ),
    pytest.param(
        "m1,mentoring,one-to-one,guide@example.org,ann@example.org,,,,0,,",
        'cadence_days "0" is not a whole number of days from 1 to 365',
        id="bad-cadence",
    ),
    pytest.param(
        "m1,mentoring,one-to-one,guide@example.org,ann@example.org;ann@example.org,,,,,,",
        "ann@example.org is listed twice in learners",
        id="listed-twice",
    ),
]


@pytest.mark.parametrize(("row", "reason"), BAD_MATCHES)
def test_a_bad_match_row_is_refused_with_its_line_and_reason(roster: Roster, row: str, reason: str) -> None:
    problems = roster.problems(PEOPLE, [MATCHES_HEADER, MATCHES[1].replace("m1", "m0"), row])
    assert {p.where for p in problems} == {"matches.csv:3"}, "\n".join(map(str, problems))
    assert any(reason in p.reason for p in problems), "\n".join(map(str, problems))


def test_a_duplicate_match_id_names_both_lines(roster: Roster) -> None:
    problem = only(roster.problems(PEOPLE, [*MATCHES, MATCHES[1]]))
    assert problem.where == "matches.csv:4"
    assert problem.reason.startswith("match_id m1 is used twice (also on line 2)")


def test_an_unknown_email_without_a_people_file_says_how_to_add_them(roster: Roster) -> None:
    problem, *others = roster.problems(matches=MATCHES)
    assert [p.where for p in others] == ["matches.csv:2", "matches.csv:3", "matches.csv:3"]
    assert problem.where == "matches.csv:2"
    assert problem.reason.startswith(
        "unknown email guide@example.org in guides: nobody with this email is in"
    )
    assert "import them with --people" in problem.reason


def test_someone_who_left_cannot_be_matched_until_listed_again(roster: Roster) -> None:
    roster.run(PEOPLE)
    with roster.uow_factory() as uow:
        ann = uow.people.by_email("ann@example.org")
        assert ann is not None
        ann.active = False
        uow.commit()
    with pytest.raises(ImportRejected) as caught:
        roster.run(matches=MATCHES)
    assert only(caught.value.problems).reason.startswith(
        "ann@example.org in learners has left Mentoring Programme"
    )
    summary = roster.run(PEOPLE, MATCHES)  # listed in the people file again: back in
    assert summary.people_updated == 1 and roster.person("ann@example.org").active


def test_a_person_with_a_bad_row_is_not_also_reported_as_unknown(roster: Roster) -> None:
    people = with_row(PEOPLE, "ann@example.org,Ann Lee,mentee,2027,clinical,Mars/Olympus,")
    problem = only(roster.problems(people, MATCHES))
    assert problem.where == "people.csv:5"


def test_an_unreadable_people_file_does_not_flood_the_matches_with_unknown_emails(roster: Roster) -> None:
    problem = only(roster.problems(b"\xff\xfe\x00garbage", MATCHES))
    assert problem.where.startswith("people.csv")


def test_more_than_the_row_limit_is_refused_as_a_whole(roster: Roster) -> None:
    people = [PEOPLE_HEADER] + [f"p{i}@example.org,P{i},mentee,,,," for i in range(MAX_ROWS + 1)]
    problem = only(roster.problems(people))
    assert problem == Problem(
        "people.csv",
        "the file has more than 10,000 rows; import at most 10,000 rows at a time by splitting it",
    )


def test_a_missing_file_is_named(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock, tmp_path: Path
) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_roster(uow_factory, programme, clock, tmp_path / "peple.csv", None)
    assert only(caught.value.problems) == Problem("peple.csv", f"file not found: {tmp_path / 'peple.csv'}")


def test_the_new_person_gets_the_roles_in_a_stable_order(roster: Roster) -> None:
    roster.run([PEOPLE_HEADER, "a@example.org,A,coordinator; Guide ;guide,,,,"])
    assert roster.person("a@example.org").roles == [Role.GUIDE, Role.COORDINATOR]


def test_today_is_the_programme_s_day_by_the_injected_clock(roster: Roster, clock: FixedClock) -> None:
    roster.programme = replace(roster.programme, timezone="Australia/Sydney")
    clock.set(datetime(2026, 6, 30, 23, 30, tzinfo=UTC))  # already 1 July in Sydney
    roster.run(PEOPLE, MATCHES)
    with roster.uow_factory() as uow:
        assert uow.relationships.by_external_ref("m2").started_on == date(2026, 7, 1)  # type: ignore[union-attr]
    assert roster.person("ann@example.org").created_at == clock.now()
    assert roster.person("di@example.org").timezone == "Australia/Sydney"  # the programme's zone by default


def test_the_examples_in_the_format_documentation_are_valid_files(programme: ProgrammeConfig) -> None:
    """The module docstring of bot.roster documents the format (and is copied into the README)."""
    import bot.roster
    from bot.roster_csv import parse_matches
    from bot.roster_csv import parse_people

    doc = bot.roster.__doc__ or ""
    blocks = [
        "\n".join(line.strip() for line in part.split("\n\n", 2)[1].splitlines())
        for part in doc.split("Example::")[1:]
    ]
    people_doc, matches_doc = blocks
    people = parse_people(people_doc.encode(), "people.csv", programme.text)
    matches = parse_matches(matches_doc.encode(), "matches.csv", programme.text)
    assert (people.problems, matches.problems) == ([], [])
    assert (len(people.rows), len(matches.rows)) == (4, 3)
