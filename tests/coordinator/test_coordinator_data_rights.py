"""Data rights: ``mentorbot person export`` and ``mentorbot person forget``."""

from __future__ import annotations

import io
import json
from pathlib import Path

from coordinator_seed import SECRETS
from coordinator_seed import Seeded
from coordinator_seed import all_database_text

from bot.clock import FixedClock
from bot.health import build_report
from bot.programme import ProgrammeConfig
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands.person import add
from mentorbot.commands.person import export
from mentorbot.commands.person import forget
from mentorbot.report_tables import report_tables
from storage.uow import SqlUnitOfWorkFactory

# what Eli (the mentee of relationship 1) wrote, or what was written to Eli
ELIS_TEXTS = (
    "agenda",
    "action",
    "comment",
    "network",
    "ask",
    "draft",
    "rules",
    "location",
    "cancel",
    "nudge",
)


def audit_trail(uow_factory: SqlUnitOfWorkFactory) -> list[tuple[str, str, str, dict[str, object]]]:
    with uow_factory() as uow:
        return [
            (e.action, e.target, e.outcome, dict(e.detail)) for e in reversed(uow.audit.events(limit=1000))
        ]


def counts(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> dict[str, object]:
    """The report's numbers, without names (an erased person's name changes, their counts must not)."""
    with uow_factory() as uow:
        health = build_report(uow.activity, programme, clock.now())
    tables = {t.name: t for t in report_tables(health, programme.text)}
    summary = {row[0]: row[1] for row in tables["summary"].rows if row[0] != "People the bot cannot reach"}
    return {
        "summary": summary,
        "phases": tables["phases"].rows,
        "meetings": tables["meetings_by_month"].rows,
        "quadrants": tables["quadrants"].rows,
        "guide load": sorted(row[1:] for row in tables["guide_load"].rows),
        "pairs": [row[:5] + row[7:] for row in tables["pairs"].rows],  # without the names
    }


def test_export_writes_everything_stored_about_the_person_and_nothing_of_others(
    seeded: Seeded,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    target = tmp_path / "export" / "eli.json"
    assert export(CommandScope(uow_factory, programme, clock, out), "Mentee@Example.org", target) == 0
    assert f"Wrote everything stored about Mentee@Example.org to {target}" in out.getvalue()
    raw = target.read_text(encoding="utf-8")
    data = json.loads(raw)

    assert data["profile"]["email"] == "mentee@example.org" and data["profile"]["name"] == "Eli Mentee"
    assert [i["external_id"] for i in data["identities"]] == ["U-eli"]
    (rel,) = data["relationships"]
    assert (rel["id"], rel["kind"], rel["your_side"]) == (seeded.rels["r1"], "mentoring", "learner")
    assert {m["name"] for m in rel["members"]} == {"Maria Mentor", "Eli Mentee"}
    content = rel["content"]
    assert [a["text"] for a in content["agenda"]] == [SECRETS["agenda"]]
    assert SECRETS["action"] in [a["text"] for a in content["actions"]]
    assert SECRETS["note"] in [n["text"] for n in content["notes"]]  # the guide's note, visible to members
    assert content["ground_rules"][0]["items"]["boundaries"] == SECRETS["rules"]
    assert SECRETS["location"] in [m["location"] for m in content["meetings"]]
    assert [c["quadrant"] for c in data["check_ins"]] == ["stasis", "growth"]
    assert [n["guide_name"] for n in data["network"]] == [SECRETS["network"]]
    assert [a["ask"] for a in data["network_asks"]] == [SECRETS["ask"]]
    assert sorted(d["kind"] for d in data["deliveries"]) == ["agenda_reminder", "checkin_result"]
    assert [e["action"] for e in data["audit_events"]] == ["agenda.add"]
    assert data["conversation"][0]["data"] == {"draft": SECRETS["draft"]}

    # nothing of relationships Eli is not in, nor of other people
    for secret in (SECRETS["r3_agenda"], SECRETS["r3_note"]):
        assert secret not in raw
    for other in ("Gus Guide", "Cy Student", "bo@example.org", "Ida Alone"):
        assert other not in raw

    assert ("person.export", f"person:{seeded.ids['eli']}", "ok") in [a[:3] for a in audit_trail(uow_factory)]


def test_export_to_the_terminal(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    out = io.StringIO()
    assert export(CommandScope(uow_factory, programme, clock, out), "ida@example.org", None) == 0
    data = json.loads(out.getvalue())
    assert data["profile"]["name"] == "Ida Alone" and data["relationships"] == []


def test_forget_erases_the_person_everywhere_and_keeps_the_report_counts(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    before = counts(uow_factory, programme, clock)
    assert SECRETS["agenda"] in all_database_text(uow_factory)

    out = io.StringIO()
    assert forget(CommandScope(uow_factory, programme, clock, out), "mentee@example.org", True) == 0
    eli = seeded.ids["eli"]
    assert f"Erased the personal data of person #{eli}" in out.getvalue()
    assert "Anonymous counts in reports are unchanged" in out.getvalue()

    everything = all_database_text(uow_factory)
    for gone in ("mentee@example.org", "Eli Mentee", "U-eli", *(SECRETS[k] for k in ELIS_TEXTS)):
        assert gone not in everything, f"{gone!r} is still stored"
    # what other people wrote stays theirs
    for kept in (
        SECRETS["note"],
        SECRETS["r3_agenda"],
        SECRETS["r3_note"],
        "Maria Mentor",
        "mentor@example.org",
    ):
        assert kept in everything
    assert f"erased person #{eli}" in everything

    assert counts(uow_factory, programme, clock) == before
    action, target, outcome, detail = audit_trail(uow_factory)[-1]
    assert (action, target, outcome) == ("person.forget", f"person:{eli}", "ok")
    assert detail["via"] == "cli" and int(str(detail["changed"])) > 10

    # the address is gone, so a second request finds nobody
    err = io.StringIO()
    assert (
        forget(CommandScope(uow_factory, programme, clock, io.StringIO(), err), "mentee@example.org", True)
        == 2
    )
    assert "Nobody in Mentoring Programme has the e-mail address mentee@example.org" in err.getvalue()


def test_forget_does_nothing_without_yes(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    out = io.StringIO()
    assert forget(CommandScope(uow_factory, programme, clock, out), "mentee@example.org", False) == 2
    assert "Run it again with --yes to go ahead" in out.getvalue()
    assert "Eli Mentee" in all_database_text(uow_factory)
    assert [a for a in audit_trail(uow_factory) if a[0] == "person.forget"] == []


def test_unknown_addresses_are_refused_politely_and_nothing_is_written(
    seeded: Seeded,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    before = all_database_text(uow_factory)
    for run in (
        lambda err: export(
            CommandScope(uow_factory, programme, clock, io.StringIO(), err),
            "ghost@example.org",
            tmp_path / "g.json",
        ),
        lambda err: forget(
            CommandScope(uow_factory, programme, clock, io.StringIO(), err), "ghost@example.org", True
        ),
        lambda err: forget(
            CommandScope(uow_factory, programme, clock, io.StringIO(), err), "ghost@example.org", False
        ),
    ):
        err = io.StringIO()
        assert run(err) == 2
        assert "Nobody in Mentoring Programme has the e-mail address ghost@example.org" in err.getvalue()
        assert "nothing was exported or erased" in err.getvalue()
    assert not (tmp_path / "g.json").exists()
    assert all_database_text(uow_factory) == before


def test_add_person_from_the_cli(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert (
        add(CommandScope(uow_factory, programme, clock, out, err), "ola@example.org", "Ola Nowak", "Mentee")
        == 0
    )
    assert "Ola Nowak has joined Mentoring Programme as a mentee" in out.getvalue()
    assert (
        add(
            CommandScope(uow_factory, programme, clock, io.StringIO(), err),
            "ola@example.org",
            "Ola Again",
            "mentee",
        )
        == 2
    )
    assert "already in the programme" in err.getvalue()
    assert [a[:3] for a in audit_trail(uow_factory) if a[0] == "person.add"] == [
        ("person.add", f"person:{len(seeded.ids) + 1}", "ok")
    ]
