"""Dates come from the match: a roster imported ahead of its start, phases counted from the start,
re-imports that never restart anything, late joiners.

The roster goes in as a coordinator puts it in (``import_roster``, what ``mentorbot import`` runs), time
moves with the injected clock, and each tick is one plan pass and a dispatch, as ``mentorbot tick``.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from scheduler_world import World
from sqlalchemy import select
from sqlalchemy import update

from bot.errors import ImportRejected
from bot.model import ChatIdentity
from bot.model import Platform
from bot.roster import import_roster
from storage import tables

LONDON = "Europe/London"

PEOPLE = (
    "email,name,roles,timezone\n"
    "mentor@example.org,Maria Mentor,guide,Europe/London\n"
    "mentee@example.org,Eli Mentee,mentee,Europe/London\n"
    "ann@example.org,Ann Learner,mentee,Europe/London\n"
    "late@example.org,Lou Late,mentee,Europe/London\n"
)


def write_roster(tmp: Path, matches: str) -> tuple[Path, Path]:
    people, match_file = tmp / "people.csv", tmp / "matches.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    match_file.write_text("match_id,kind,format,guides,learners,start,end\n" + matches, encoding="utf-8")
    return people, match_file


def do_import(w: World, files: tuple[Path, Path]) -> None:
    import_roster(w.uow_factory, w.programme, w.clock, *files)


def reachable(w: World) -> dict[str, int]:
    """Give everyone a console identity (as if they had opened the bot), so the console sender records
    what reaches them; returns person ids by email."""
    ids: dict[str, int] = {}
    with w.uow_factory() as uow:
        for person in uow.people.all(include_inactive=True):
            if not person.identities:
                person.identities.append(
                    ChatIdentity(
                        platform=Platform.CONSOLE.value,
                        external_id=f"console:{person.email}",
                        updated_at=w.clock.now(),
                    )
                )
            assert person.id is not None
            ids[person.email] = person.id
        uow.commit()
    return ids


def sent_kinds(w: World, person_id: int) -> list[tuple[str, str]]:
    """(kind, local send time) of everything that reached the person, in order."""
    return [
        (s.kind, s.sent_at.astimezone(ZoneInfo(LONDON)).strftime("%a %Y-%m-%d %H:%M"))
        for s in w.outbox(person_id)
        if s.status == "sent" and s.sent_at is not None
    ]


def phase_of(w: World, external_ref: str) -> str:
    with w.uow_factory() as uow:
        rel = uow.relationships.by_external_ref(external_ref)
        assert rel is not None
        return rel.phase


def test_a_roster_imported_a_week_ahead_is_welcomed_once_on_its_start_day(
    world: World, tmp_path: Path
) -> None:
    w = world
    w.start_at(w.at("2026-03-03 10:00", LONDON))  # Tuesday; the match starts next Tuesday
    files = write_roster(
        tmp_path, "m-1,mentoring,one-to-one,mentor@example.org,mentee@example.org,2026-03-10,\n"
    )
    do_import(w, files)
    ids = reachable(w)
    maria, eli = ids["mentor@example.org"], ids["mentee@example.org"]

    w.run_until(w.at("2026-03-10 08:59", LONDON))  # every day up to the start: nothing at all
    assert w.outbox() == []
    assert w.inbox(maria) == [] and w.inbox(eli) == []

    w.run_until(w.at("2026-03-10 12:00", LONDON))
    assert sent_kinds(w, maria) == [("onboarding", "Tue 2026-03-10 09:00")]
    assert sent_kinds(w, eli) == [("onboarding", "Tue 2026-03-10 09:00")]

    # the same files again, on later days, change nothing and welcome nobody twice
    w.move_to(w.at("2026-03-11 15:00", LONDON))
    do_import(w, files)
    w.run_until(w.at("2026-03-13 12:00", LONDON))
    assert [k for k, _ in sent_kinds(w, maria)].count("onboarding") == 1
    assert [k for k, _ in sent_kinds(w, eli)].count("onboarding") == 1
    assert phase_of(w, "m-1") == "initiation"


def test_before_its_start_a_match_gets_no_digest_nudge_or_alert_even_for_a_guide_with_a_running_one(
    world: World, tmp_path: Path
) -> None:
    w = world
    w.start_at(w.at("2026-01-05 08:00", LONDON))
    files = write_roster(
        tmp_path,
        "m-1,mentoring,one-to-one,mentor@example.org,ann@example.org,2026-01-05,\n"
        "m-2,mentoring,one-to-one,mentor@example.org,mentee@example.org,2026-04-06,\n",
    )
    do_import(w, files)
    ids = reachable(w)
    w.run_until(w.at("2026-04-05 12:00", LONDON))
    # three months in which m-1 runs: its people hear from the bot; m-2's mentee hears nothing at all
    assert sent_kinds(w, ids["ann@example.org"])
    assert sent_kinds(w, ids["mentee@example.org"]) == []
    # the guide's weekly digests cover the running match only
    texts = [r.text for r in w.inbox(ids["mentor@example.org"])]
    digests = [t for t in texts if "Ann Learner" in t]
    assert digests
    assert all("Eli Mentee" not in t for t in texts)


def test_a_match_imported_in_january_that_starts_in_february_keeps_initiation_for_eight_weeks_from_its_start(
    world: World, tmp_path: Path
) -> None:
    w = world
    w.start_at(w.at("2026-01-15 10:00", LONDON))
    do_import(
        w,
        write_roster(
            tmp_path, "m-1,mentoring,one-to-one,mentor@example.org,mentee@example.org,2026-02-02,\n"
        ),
    )
    # the programme's zone is UTC: the match begins 2026-02-02 00:00 UTC; 11 weeks after the import:
    w.move_to(w.at("2026-03-29 23:00"))
    w.plan()
    assert phase_of(w, "m-1") == "initiation"
    w.move_to(w.at("2026-03-30 00:00"))  # eight weeks after the start
    w.plan()
    assert phase_of(w, "m-1") == "cultivation"
    changes = _history(w)
    assert changes[-1] == ("cultivation", "2026-03-30 00:00", "initiation phase length passed")


def test_a_match_stored_by_an_earlier_import_counts_its_phases_from_its_start_too(
    world: World, tmp_path: Path
) -> None:
    """Earlier versions stamped the import instant on the first phase; the engine ignores that stamp."""
    w = world
    w.start_at(w.at("2026-01-15 10:00", LONDON))
    do_import(
        w,
        write_roster(
            tmp_path, "m-1,mentoring,one-to-one,mentor@example.org,mentee@example.org,2026-02-02,\n"
        ),
    )
    with w.uow_factory() as uow:
        uow.session.execute(update(tables.phase_changes).values(at=w.clock.now()))  # type: ignore[attr-defined]
        uow.commit()
    w.move_to(w.at("2026-03-20 12:00", LONDON))  # past 8 weeks from the import, not from the start
    w.plan()
    assert phase_of(w, "m-1") == "initiation"


def test_reimporting_after_the_start_changes_nothing_and_cannot_move_the_start_later(
    world: World, tmp_path: Path
) -> None:
    w = world
    w.start_at(w.at("2026-03-02 08:00", LONDON))
    files = write_roster(
        tmp_path, "m-1,mentoring,one-to-one,mentor@example.org,mentee@example.org,2026-03-02,\n"
    )
    do_import(w, files)
    ids = reachable(w)
    w.run_until(w.at("2026-03-20 12:00", LONDON))
    before = sent_kinds(w, ids["mentee@example.org"])
    assert before[0] == ("onboarding", "Mon 2026-03-02 09:00")
    do_import(w, files)
    later = tmp_path / "later"
    later.mkdir()
    moved = write_roster(
        later, "m-1,mentoring,one-to-one,mentor@example.org,mentee@example.org,2026-04-06,\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        do_import(w, moved)
    assert [str(p) for p in rejected.value.problems] == [
        "matches.csv:2: the match began on 2026-03-02 and is running; its start cannot move to a later day "
        "(2026-04-06). Keep 2026-03-02, or end it and add a new match"
    ]
    w.run_until(w.at("2026-03-25 12:00", LONDON))
    assert [k for k, _ in sent_kinds(w, ids["mentee@example.org"])].count("onboarding") == 1


def test_a_late_joiner_is_welcomed_on_their_join_and_asked_to_book_from_there(
    world: World, tmp_path: Path
) -> None:
    w = world
    w.start_at(w.at("2026-03-02 08:00", LONDON))
    group = "m-1,mentoring,group,mentor@example.org,{},2026-03-02,\n"
    do_import(w, write_roster(tmp_path, group.format("mentee@example.org;ann@example.org")))
    reachable(w)
    w.run_until(w.at("2026-03-18 08:00", LONDON))  # Wednesday, 16 days in: Lou is added
    do_import(w, write_roster(tmp_path, group.format("mentee@example.org;ann@example.org;late@example.org")))
    ids = reachable(w)
    w.run_until(w.at("2026-03-28 12:00", LONDON))
    lou = sent_kinds(w, ids["late@example.org"])
    assert lou[0] == ("onboarding", "Wed 2026-03-18 09:00")
    # the first-meeting prompts count from Lou's own join (2 and 9 days), not from the match's start
    assert [t for k, t in lou if k == "first_meeting"] == ["Fri 2026-03-20 09:00", "Fri 2026-03-27 09:00"]
    # nobody else is welcomed again
    eli = sent_kinds(w, ids["mentee@example.org"])
    assert [k for k, _ in eli].count("onboarding") == 1


def _history(w: World) -> list[tuple[str, str, str]]:
    with w.uow_factory() as uow:
        rows = (
            uow.session.execute(  # type: ignore[attr-defined]
                select(tables.phase_changes).order_by(tables.phase_changes.c.id)
            )
            .mappings()
            .all()
        )
    return [(r["phase"], r["at"].strftime("%Y-%m-%d %H:%M"), r["reason"]) for r in rows]


def test_a_start_moved_before_the_match_begins_moves_the_welcome_with_it(
    world: World, tmp_path: Path
) -> None:
    w = world
    w.start_at(w.at("2026-03-03 10:00", LONDON))
    row = "m-1,mentoring,one-to-one,mentor@example.org,mentee@example.org,{},\n"
    do_import(w, write_roster(tmp_path, row.format("2026-03-17")))
    ids = reachable(w)
    w.run_until(w.at("2026-03-05 12:00", LONDON))
    do_import(w, write_roster(tmp_path, row.format("2026-03-10")))  # the cohort starts a week earlier
    w.run_until(w.at("2026-03-18 12:00", LONDON))
    for email in ("mentor@example.org", "mentee@example.org"):
        welcomed = [t for k, t in sent_kinds(w, ids[email]) if k == "onboarding"]
        assert welcomed == ["Tue 2026-03-10 09:00"]
