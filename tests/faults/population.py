"""Rows for the fault tests, written with bulk inserts (SQLAlchemy Core): thousands of people already
linked to Slack, and mentoring pairs matched a few days ago, so that the real clock of a ``serve``
process finds their first nudges due. Person ``p`` is ``person<p>@drill.example``, Slack user
``U<p:08d>`` (see ``fake_slack_api.slack_user``). Also the outbox queries the tests poll."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

from fake_slack_api import TEAM
from fake_slack_api import slack_user
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from bot.programme import ProgrammeConfig
from bot.programme import load_programme
from storage import tables

CHUNK = 2000

# The drill's programme: nobody has quiet hours and there is no weekend, so that what is due is due now,
# whatever the hour and the day the suite runs at (the real clock of ``serve`` decides).
PROGRAMME_YAML = """\
name: Fault drill
timezone: UTC
quiet_start: "00:00"
quiet_end: "00:00"
weekend_days: []
"""


def write_programme(folder: Path) -> tuple[Path, ProgrammeConfig]:
    path = folder / "programme.yaml"
    path.write_text(PROGRAMME_YAML)
    return path, load_programme(str(path))


def email(pid: int) -> str:
    return f"person{pid}@drill.example"


def _programme_id(engine: Engine, programme: ProgrammeConfig) -> int:
    p = tables.programmes
    with engine.begin() as conn:
        found = conn.execute(select(p.c.id).where(p.c.slug == programme.slug)).scalar()
        if found is None:
            found = conn.execute(
                insert(p).values(slug=programme.slug, name=programme.name).returning(p.c.id)
            ).scalar_one()
    return int(found)


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(table), rows[start : start + CHUNK])


def _bump_sequences(engine: Engine) -> None:
    """Ids were given explicitly: move PostgreSQL's sequences past them."""
    if engine.dialect.name != "postgresql":
        return
    seeded = ("people", "relationships", "chat_identities", "memberships")
    with engine.begin() as conn:
        for name in seeded:
            top = f"coalesce((SELECT max(id) FROM {name}), 1)"
            conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), {top})")
        # these tables of this schema only: a bare ANALYZE locks every table of every schema in the
        # database, and deadlocked with the TRUNCATE of test sessions running meanwhile in other schemas
        conn.exec_driver_sql(f"ANALYZE {', '.join(seeded)}")


@dataclass(frozen=True)
class Crowd:
    coordinator_email: str
    mentees: list[int]


def seed_crowd(engine: Engine, programme: ProgrammeConfig, n: int) -> Crowd:
    """``n`` mentees and one coordinator, everyone with a Slack identity."""
    pid = _programme_id(engine, programme)
    created = datetime.now(UTC) - timedelta(days=30)
    ids = list(range(1, n + 2))
    coordinator = ids[-1]
    _insert(engine, tables.people, [
        {"id": i, "programme_id": pid, "email": email(i), "name": f"Person {i}",
         "roles": ["coordinator" if i == coordinator else "mentee"], "timezone": "UTC", "opt_outs": [],
         "created_at": created}
        for i in ids
    ])  # fmt: skip
    _insert(engine, tables.chat_identities, [
        {"id": i, "person_id": i, "platform": "slack", "external_id": slack_user(i), "workspace": TEAM,
         "address": {}, "updated_at": created}
        for i in ids
    ])  # fmt: skip
    _bump_sequences(engine)
    return Crowd(email(coordinator), ids[:-1])


def seed_pairs(
    engine: Engine, programme: ProgrammeConfig, pairs: int, started_on: date
) -> list[tuple[int, int]]:
    """``pairs`` mentoring relationships (a guide and a mentee, both on Slack) matched on ``started_on``
    and never looked at by the planner: their welcome and first prompts are due."""
    pid = _programme_id(engine, programme)
    created = datetime.combine(started_on, datetime.min.time(), UTC)
    people: list[dict[str, Any]] = []
    identities: list[dict[str, Any]] = []
    rels: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    result = []
    for k in range(pairs):
        guide, mentee, rid = 2 * k + 1, 2 * k + 2, k + 1
        result.append((guide, mentee))
        for i, role in ((guide, "guide"), (mentee, "mentee")):
            people.append({
                "id": i, "programme_id": pid, "email": email(i), "name": f"Person {i}", "roles": [role],
                "timezone": "UTC", "opt_outs": [], "created_at": created,
            })  # fmt: skip
            identities.append({
                "id": i, "person_id": i, "platform": "slack", "external_id": slack_user(i), "workspace": TEAM,
                "address": {}, "updated_at": created,
            })  # fmt: skip
        rels.append({
            "id": rid, "programme_id": pid, "kind": "mentoring", "format": "one-to-one",
            "phase": "initiation", "started_on": started_on, "cadence_days": 28, "status": "active",
            "created_at": created,
        })  # fmt: skip
        for i, person, side in ((2 * k + 1, guide, "guide"), (2 * k + 2, mentee, "learner")):
            members.append(
                {"id": i, "relationship_id": rid, "person_id": person, "side": side, "joined_at": created}
            )
    for table, rows in (
        (tables.people, people),
        (tables.chat_identities, identities),
        (tables.relationships, rels),
        (tables.memberships, members),
    ):
        _insert(engine, table, rows)
    _bump_sequences(engine)
    return result


# -- the outbox, as the tests watch it -------------------------------------------------------------------


def outbox(engine: Engine) -> Counter[str]:
    """How many deliveries are in each status."""
    d = tables.deliveries
    with engine.connect() as conn:
        return Counter(
            {str(s): int(n) for s, n in conn.execute(select(d.c.status, func.count()).group_by(d.c.status))}
        )


def claimed(engine: Engine) -> dict[int, int]:
    """The deliveries a dispatcher holds right now: delivery id -> person id."""
    d = tables.deliveries
    with engine.connect() as conn:
        return {
            int(i): int(p)
            for i, p in conn.execute(select(d.c.id, d.c.person_id).where(d.c.status == "claimed"))
        }


def attempts(engine: Engine, delivery_ids: Iterable[int]) -> list[int]:
    """How many times each of these deliveries was claimed."""
    d = tables.deliveries
    with engine.connect() as conn:
        return list(conn.scalars(select(d.c.attempts).where(d.c.id.in_(sorted(delivery_ids)))))


def unfinished(engine: Engine) -> int:
    """Deliveries not yet in a final state (pending, claimed, or failed and waiting for a retry)."""
    counts = outbox(engine)
    return counts["pending"] + counts["claimed"] + counts["failed"]


def sent_per_person(engine: Engine) -> Counter[int]:
    d = tables.deliveries
    with engine.connect() as conn:
        rows = conn.execute(
            select(d.c.person_id, func.count()).where(d.c.status == "sent").group_by(d.c.person_id)
        )
        return Counter({int(p): int(n) for p, n in rows})
