"""A programme of any size, written with bulk inserts (SQLAlchemy Core), for the chat-path benchmarks.

The CSV importer checks every row and writes through the domain model, which is right for a roster but
slow for 100,000 people; the benchmarks only need the rows to be there. Ids follow simple conventions so
that the fake platforms can answer for anyone without a list:

* person ``p`` has the e-mail ``person<p>@bench.example``, the Slack user id ``U<p:08d>`` and the Teams
  ids ``29:<p>`` (Bot Framework) and ``aad-<p>`` (Entra object id);
* the first ``focus`` people are mentees in **two** relationships each (each with its own guide, a held
  meeting, a confirmed one ahead and agreed ground rules): the people whose DMs are measured;
* ``background`` more pairs (a guide and a mentee in one relationship) make the tables realistically big;
* the last person is a coordinator.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy import make_url
from sqlalchemy import text

from bench._common import PG_URL
from bench._common import ProgrammeRows
from bench._common import backends
from storage.database import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWorkFactory

DOMAIN = "bench.example"
SLACK_TEAM = "T0BENCH"
TEAMS_TENANT = "tenant-bench"
TIMEZONE = "Europe/London"  # everyone's


def email(pid: int) -> str:
    return f"person{pid}@{DOMAIN}"


def slack_user(pid: int) -> str:
    return f"U{pid:08d}"


def person_of_slack_user(user_id: str) -> int | None:
    digits = user_id[1:]
    return int(digits) if user_id.startswith("U") and digits.isdigit() else None


def teams_user(pid: int) -> str:
    return f"29:{pid}"


def teams_aad(pid: int) -> str:
    return f"aad-{pid}"


def person_of_teams_user(user_id: str) -> int | None:
    digits = user_id.removeprefix("29:")
    return int(digits) if user_id.startswith("29:") and digits.isdigit() else None


@dataclass(frozen=True)
class Served:
    """A migrated database that other processes can open by URL."""

    name: str  # "SQLite" or "PostgreSQL"
    url: str
    engine: Engine


def chat_backends() -> list[str]:
    """``MENTORBOT_BENCH_BACKENDS=sqlite`` (comma-separated) limits the databases; else SQLite, plus
    PostgreSQL when it answers."""
    chosen = os.environ.get("MENTORBOT_BENCH_BACKENDS")
    if chosen:
        return [b.strip() for b in chosen.split(",") if b.strip()]
    return backends()


@contextmanager
def served_database(backend: str) -> Iterator[Served]:
    """A fresh, migrated database reachable by URL (other processes open it from the URL alone): an
    SQLite file, or a PostgreSQL database of its own on the benchmark server."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.sqlite3"
            engine = make_engine(url)
            upgrade(engine)
            try:
                yield Served("SQLite", url, engine)
            finally:
                engine.dispose()
        return
    # a database of its own, not a schema: PostgreSQL's advisory locks (the plan pass takes one) are
    # per database, and tests running meanwhile in other schemas of the test database would hold it
    name = f"mb_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield Served("PostgreSQL", url, engine)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Population:
    focus: list[int]  # mentees with two relationships each
    coordinator: int
    people: int
    relationships: int
    mentees: list[int] = field(default_factory=list)  # every mentee (focus and background)


def seed(
    engine: Engine,
    *,
    focus: int,
    background: int,
    now: datetime,
    slack: bool = False,
    quiet_hours: bool = True,
) -> Population:
    """Write the programme (see the module docstring). ``slack``: everyone is already linked to Slack
    (as after the directory lookup), so replies and announcements need no first-contact linking.
    ``quiet_hours=False`` gives everyone an empty quiet span, so that a message is due at any hour."""
    with SqlUnitOfWorkFactory(engine)() as uow:
        programme_id = uow.programmes.get_or_create("bench", "Benchmark programme").id
        uow.commit()
    created = now - timedelta(days=60)
    started = (now - timedelta(days=56)).date()
    quiet = {} if quiet_hours else {"quiet_start": "00:00", "quiet_end": "00:00"}
    rows = ProgrammeRows()

    def person(pid: int, role: str) -> None:
        rows.people.append({
            "id": pid, "programme_id": programme_id, "email": email(pid), "name": f"Person {pid}",
            "roles": [role], "timezone": TIMEZONE, "opt_outs": [], "created_at": created, **quiet,
        })  # fmt: skip

    def relationship(guide: int, mentee: int) -> int:
        rid = len(rows.relationships) + 1
        rows.relationships.append({
            "id": rid, "programme_id": programme_id, "kind": "mentoring", "format": "one-to-one",
            "phase": "cultivation", "started_on": started, "cadence_days": 28, "status": "active",
            "created_at": created,
        })  # fmt: skip
        rows.memberships.extend([
            {"relationship_id": rid, "person_id": guide, "side": "guide", "joined_at": created},
            {"relationship_id": rid, "person_id": mentee, "side": "learner", "joined_at": created},
        ])  # fmt: skip
        held = now - timedelta(days=21)
        rows.meetings.append({
            "relationship_id": rid, "status": "held", "scheduled_by": mentee, "created_at": created,
            "options": [], "starts_at": held, "duration_minutes": 60, "held_minutes": 55, "updated_at": held,
        })  # fmt: skip
        rows.ground_rules.append({
            "relationship_id": rid, "version": 1, "proposed_by": mentee, "proposed_at": created,
            "items": {"frequency": "every 4 weeks", "who_schedules": "mentee"}, "status": "agreed",
            "agreed_at": created + timedelta(days=2),
        })  # fmt: skip
        return rid

    focus_ids = list(range(1, focus + 1))
    mentees = list(focus_ids)
    for pid in focus_ids:
        person(pid, "mentee")
    next_id = focus + 1
    for mentee in focus_ids:
        for _ in range(2):
            guide, next_id = next_id, next_id + 1
            person(guide, "guide")
            rid = relationship(guide, mentee)
            ahead = datetime.combine(now.date() + timedelta(days=7), datetime.min.time(), UTC)
            rows.meetings.append({
                "relationship_id": rid, "status": "confirmed", "scheduled_by": mentee, "options": [],
                "created_at": now - timedelta(days=2), "starts_at": ahead + timedelta(hours=15),
                "duration_minutes": 60, "held_minutes": None, "updated_at": now - timedelta(days=2),
            })  # fmt: skip
    for _ in range(background):
        guide, mentee, next_id = next_id, next_id + 1, next_id + 2
        person(guide, "guide")
        person(mentee, "mentee")
        mentees.append(mentee)
        relationship(guide, mentee)
    coordinator = next_id
    person(coordinator, "coordinator")

    if slack:
        rows.chat_identities = [
            {"person_id": p["id"], "platform": "slack", "external_id": slack_user(p["id"]),
             "workspace": SLACK_TEAM, "address": {}, "updated_at": created}
            for p in rows.people
        ]  # fmt: skip
    rows.write(engine)
    return Population(focus_ids, coordinator, len(rows.people), len(rows.relationships), mentees)
