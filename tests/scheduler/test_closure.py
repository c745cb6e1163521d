"""Closure as people live it: a match imported with its planned end behind it comes to a close and then
ends by itself, nobody acting; each member writes a closing reflection the other member reads and the
coordinators never see; after the end, the pair's tools answer with a friendly word instead of working.

Time moves only through the injected clock and scheduler passes (``PlanPass`` + ``Dispatcher``, as
``mentorbot tick --now`` runs them); people act through the console channel (``MentorBot.handle``).
Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
import threading
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from scheduler_world import World

from bot.app import MentorBot
from bot.messages import Sender
from bot.roster import import_roster
from bot.timefmt import show_date
from handlers.console.channel import ConsoleSession
from handlers.console.render import render_message
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands.person import export
from mentorbot.commands.person import forget
from scheduler.planpass import PlanPass
from storage import tables

PEOPLE = """email,name,roles,cohort,stage,timezone,capacity
helen@example.org,Dr Helen Okafor,coordinator,,,Europe/London,
marcus@example.org,Marcus Bell,coordinator,,,America/New_York,
amara@example.org,Dr Amara Nwosu,guide,,faculty,Europe/London,
eli@example.org,Eli Mentee,mentee,,phd,Europe/London,
"""
MATCHES = """match_id,kind,format,guides,learners,peers,start,end,cadence_days,assessor_conflict,\
override_reason
m-001,mentoring,one-to-one,amara@example.org,eli@example.org,,2025-09-01,2026-02-23,28,no,
"""
PLANTED = "PLANTED-closing-words: the rotation in Lagos changed how I teach"
PLANTED_THANKS = "PLANTED-thanks to Amara for the Friday calls"


def _import(world: World, tmp_path: Path) -> int:
    people, matches = tmp_path / "people.csv", tmp_path / "matches.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    matches.write_text(MATCHES, encoding="utf-8")
    import_roster(world.uow_factory, world.programme, world.clock, people, matches)
    # everyone here uses the console (``mentorbot chat``), where the world's console sender records
    bot = MentorBot(world.uow_factory, world.programme, world.clock)
    for line in PEOPLE.splitlines()[1:]:
        address = line.split(",")[0]
        bot.link(Sender(platform="console", external_id=address, email=address))
    with world.uow_factory() as uow:
        rel = uow.relationships.by_external_ref("m-001")
        assert rel is not None and rel.id is not None
        return rel.id


def _state(world: World, rid: int) -> tuple[str, str, datetime | None]:
    r = tables.relationships
    with world.uow_factory() as uow:
        row = (
            uow.session.execute(  # type: ignore[attr-defined]
                r.select().where(r.c.id == rid)
            )
            .mappings()
            .one()
        )
    return row["status"], row["phase"], row.get("ended_at")


def _ids(world: World) -> dict[str, int]:
    with world.uow_factory() as uow:
        return {p.email: p.id for p in uow.people.all(include_inactive=True) if p.id is not None}


def _days_until(world: World, done: object, limit: int = 150) -> None:
    """Tick each day at the same hour (14:00 UTC: daytime in London and New York) until ``done()``
    holds, as cron running ``tick`` would."""
    for _ in range(limit):
        if done():  # type: ignore[operator]
            return
        now = world.clock.now()
        world.move_to(datetime.combine(now.date() + timedelta(days=1), now.timetz()))
        world.tick()
    raise AssertionError("never happened")


def _texts(world: World, person_id: int) -> list[str]:
    return [r.text for r in world.inbox(person_id)]


def _ended_notices(world: World, person_id: int) -> list[str]:
    return [t for t in _texts(world, person_id) if "has ended by itself" in t]


def test_a_match_past_its_planned_end_closes_and_ends_by_itself_and_coordinators_hear_once(
    world: World, tmp_path: Path
) -> None:
    world.start_at(world.at("2026-03-02 14:00"))
    rid = _import(world, tmp_path)
    ids = _ids(world)
    world.tick()
    _days_until(world, lambda: _state(world, rid)[0] == "ended")
    status, phase, ended_at = _state(world, rid)
    assert (status, phase) == ("ended", "closure") and ended_at is not None
    assert ended_at <= world.clock.now()

    # the notices keep to each coordinator's waking hours (Marcus is in New York): a day later, all heard
    _days_until(world, lambda: world.clock.now() >= ended_at + timedelta(days=1))
    for coordinator in ("helen@example.org", "marcus@example.org"):
        [notice] = _ended_notices(world, ids[coordinator])
        assert f"Relationship #{rid}" in notice
        assert "Dr Amara Nwosu" in notice and "Eli Mentee" in notice and "Mentoring" in notice
        assert show_date(date(2026, 2, 23)) in notice  # the planned end
    for member in ("amara@example.org", "eli@example.org"):
        closing = [t for t in _texts(world, ids[member]) if "has now come to a close" in t]
        assert len(closing) == 1 and "reflection" in closing[0]

    # the days that follow, and two passes at the same instant (two processes): nothing more
    _days_until(world, lambda: world.clock.now() >= ended_at + timedelta(days=5))
    passes = [PlanPass(world.uow_factory, world.programme) for _ in range(2)]
    threads = [threading.Thread(target=p.run, args=(world.clock.now(),)) for p in passes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    world.dispatch()
    for coordinator in ("helen@example.org", "marcus@example.org"):
        assert len(_ended_notices(world, ids[coordinator])) == 1
    # no nudges for an ended relationship
    after = [d for d in world.outbox() if d.due_at > ended_at + timedelta(hours=1) and d.kind != "notice"]
    assert after == []
    with world.uow_factory() as uow:
        ends = [(e.target, e.actor_id) for e in uow.audit.events(limit=100) if e.action == "relationship.end"]
    assert ends == [(f"relationship:{rid}", None)]

    # re-importing the same roster does not revive it
    _import(world, tmp_path)
    world.tick()
    assert _state(world, rid)[0] == "ended"


def test_members_write_and_read_closing_reflections_coordinators_never_see_them_and_the_end_is_kept(
    world: World, tmp_path: Path
) -> None:
    world.start_at(world.at("2026-03-02 14:00"))
    rid = _import(world, tmp_path)
    ids = _ids(world)
    bot = MentorBot(world.uow_factory, world.programme, world.clock)
    eli, amara = ConsoleSession(bot, "eli@example.org"), ConsoleSession(bot, "amara@example.org")
    helen = ConsoleSession(bot, "helen@example.org")

    # before closure the reflection is not open yet; in closure it is, with a button on the prompt
    world.tick()
    _days_until(world, lambda: _state(world, rid)[1] == "closure")
    prompts = [t for t in _texts(world, ids["eli@example.org"]) if "closure phase" in t]
    assert prompts and "Write my closing reflection" in prompts[-1]

    eli.send("reflection")
    form = eli.last_form()
    assert form is not None and [i.name for i in form.inputs] == ["gained", "next_steps", "thanks"]
    eli.submit({"gained": "", "next_steps": "", "thanks": ""})
    assert "at least one" in eli.text()
    eli.submit({"gained": PLANTED, "next_steps": "Apply for the lectureship", "thanks": PLANTED_THANKS})
    assert "closing reflection for relationship" in eli.text() and "saved" in eli.text()

    # the other member is told, and reads it
    world.dispatch()
    told = [t for t in _texts(world, ids["amara@example.org"]) if "wrote a closing reflection" in t]
    assert len(told) == 1 and PLANTED not in told[0]
    amara.send("reflection show")
    assert PLANTED in amara.text() and PLANTED_THANKS in amara.text() and "Eli Mentee" in amara.text()

    # a coordinator cannot read it, and sees nothing of it anywhere
    helen.send(f"reflection show #{rid}")
    assert PLANTED not in helen.text() and "not" in helen.text().lower()
    for command in ("report", "audit", f"reflection #{rid}"):
        helen.send(command)
        assert PLANTED not in helen.text() and "Lagos" not in helen.text()

    # the relationship ends by itself; then schedule, agenda and actions answer with a friendly word
    _days_until(world, lambda: _state(world, rid)[0] == "ended")
    _, _, ended_at = _state(world, rid)
    assert ended_at is not None
    ended_on = show_date(ended_at.date())
    until = show_date(ended_at.date() + timedelta(days=30))
    for command in (
        "schedule",
        f"schedule #{rid}",
        "agenda",
        "actions",
        "meetings",
        "ground rules",
        "checkin",
    ):
        eli.send(command)
        said = eli.text()
        assert f"ended on {ended_on}" in said, (command, said)
        assert f"closing reflection until {until}" in said
        assert eli.last_form() is None
    for coordinator in ("helen@example.org", "marcus@example.org"):
        for text in _texts(world, ids[coordinator]):
            assert PLANTED not in text and "Lagos" not in text

    # still writable after the end, by the other member too; the coordinator's report is still clean
    amara.send("reflection")
    amara.submit({"gained": "Learning to listen", "next_steps": "", "thanks": "Thank you, Eli"})
    assert "saved" in amara.text()
    eli.send(f"reflections #{rid}")
    assert "Learning to listen" in eli.text() and PLANTED in eli.text()
    helen.send("report")
    assert "Learning to listen" not in helen.text() and PLANTED not in helen.text()

    # 30 days after the end it can be read, no longer written
    world.move_to(ended_at + timedelta(days=32))
    eli.send("reflection")
    assert "can no longer be written" in eli.text() and eli.last_form() is None
    eli.send("schedule")
    assert f"ended on {ended_on}" in eli.text() and "closing reflection until" not in eli.text()

    # the person's own data: in the export, gone after forget
    out = io.StringIO()
    assert (
        export(CommandScope(world.uow_factory, world.programme, world.clock, out), "eli@example.org", None)
        == 0
    )
    data = json.loads(out.getvalue())
    assert [r["gained"] for r in data["closing_reflections"]] == [PLANTED]
    assert (
        forget(
            CommandScope(world.uow_factory, world.programme, world.clock, io.StringIO()),
            "eli@example.org",
            True,
        )
        == 0
    )
    amara.send(f"reflection show #{rid}")
    assert PLANTED not in amara.text() and "Learning to listen" in amara.text()
    with world.uow_factory() as uow:
        left = uow.session.execute(tables.closing_reflections.select()).all()  # type: ignore[attr-defined]
    assert all(PLANTED not in str(row) and PLANTED_THANKS not in str(row) for row in left)


def test_a_coordinator_ending_a_relationship_by_hand_gives_the_same_friendly_refusal(
    world: World, tmp_path: Path
) -> None:
    world.start_at(world.at("2026-03-02 14:00"))
    rid = _import(world, tmp_path)
    bot = MentorBot(world.uow_factory, world.programme, world.clock)
    ConsoleSession(bot, "helen@example.org").send(f"end relationship {rid}")
    assert _state(world, rid)[0] == "ended"
    eli = ConsoleSession(bot, "eli@example.org")
    eli.send("schedule")
    today = show_date(world.clock.now().date())
    assert f"ended on {today}" in eli.text() and "reflection" in eli.text()
    eli.send("reflection")
    assert eli.last_form() is not None
    assert render_message(eli.last[0])  # a form, rendered on the console without error
