"""Plan-pass time at 1k, 10k and 100k relationships with 1% due, on SQLite and PostgreSQL.

Each relationship is a mentoring pair in cultivation that met once, 4 to 8 weeks ago, and agreed to meet
"every 4 weeks". The meeting dates are spread so that at the measured instant (Friday 6 March 2026,
09:30 UTC) exactly 1% of the pairs have just passed their rhythm with nothing booked: a cadence nudge
is due for each of them, and nothing else for anyone (no digest day, no check-in week).

Steps per size and database:

1. *catch-up*: the first pass looks at every relationship once (new relationships have no review mark);
   it plans nothing here and sets each relationship's next review mark. Reported per relationship.
2. *1% due*: the clock moves an hour on; the pass must load and plan only the 1% (the measured number,
   median of three runs, the outbox emptied and the marks reset between runs).
3. *nothing due*: the same instant again -- the floor cost of a pass (index lookups that find nothing).

On PostgreSQL the catch-up rewrites every row once; the benchmark then runs ``VACUUM ANALYZE``, as
autovacuum would shortly after (without it, the index lookups wade through the dead row versions for a
while: about 12 ms instead of 3 ms at 100k).

If the 1% column stays flat while the table grows 100-fold, planning grows with what is due, not with the
table.

Anchor: *bare read*, measured in the same run right after each figure: the rows the planner needs
(relationships, their memberships with the people, meetings and ground rules) read for the same
relationships with one plain SQL ``SELECT`` per table in chunks of the same size, nothing built and nothing
planned -- what the database and its driver cost alone. The ratio says how much the pass adds to it; the
goals (issue 15) are absolute: a catch-up of 100,000 relationships within 15 s, a 1%-due pass within 400 ms.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import Integer
from sqlalchemy import any_
from sqlalchemy import delete
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import ARRAY

from bench._common import CHUNK
from bench._common import OWN_TABLES
from bench._common import ProgrammeRows
from bench._common import backends
from bench._common import database
from bench._common import person_row
from bench._common import sizes
from bench._common import write_results
from bot.programme import ProgrammeConfig
from scheduler.planpass import PlanPass
from storage import tables
from storage.uow import SqlUnitOfWorkFactory

T0 = datetime(2026, 3, 6, 8, 30, tzinfo=UTC)  # the catch-up pass
T1 = T0 + timedelta(hours=1)  # 1% due: their cadence nudge is due at 09:00 London time
RULES = {"frequency": "every 4 weeks", "who_schedules": "mentee"}


def populate(engine: Engine, n: int) -> list[int]:
    """``n`` pairs; returns the ids of the 1% whose cadence nudge falls due between T0 and T1."""
    now = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    due_every = 100  # 1%
    due: list[int] = []
    rows = ProgrammeRows()
    for i in range(1, n + 1):
        guide, mentee = 2 * i - 1, 2 * i
        rows.people += [
            person_row(guide, f"guide{i}@bench.example", f"Guide {i}", "America/New_York", "guide", now),
            person_row(mentee, f"mentee{i}@bench.example", f"Mentee {i}", "Europe/London", "mentee", now),
        ]
        rows.relationships.append({
            "id": i, "kind": "mentoring", "format": "one-to-one", "phase": "cultivation",
            "started_on": date(2026, 1, 12), "cadence_days": 28, "status": "active", "created_at": now,
        })  # fmt: skip
        rows.memberships += [
            {"relationship_id": i, "person_id": guide, "side": "guide"},
            {"relationship_id": i, "person_id": mentee, "side": "learner"},
        ]
        if i % due_every == 0:
            met = date(2026, 2, 6)  # + 28 days = Friday 6 March: due at 09:00 London
            due.append(i)
        else:
            met = date(2026, 2, 7) + timedelta(days=i % 27)  # due from Monday 9 March on
        starts = datetime.combine(met, datetime.min.time(), UTC) + timedelta(hours=14)
        rows.meetings.append({
            "relationship_id": i, "status": "held", "scheduled_by": mentee, "created_at": now, "options": [],
            "starts_at": starts, "duration_minutes": 60, "held_minutes": 60, "updated_at": starts,
        })  # fmt: skip
        agreed = now + timedelta(days=3)
        rows.ground_rules.append({
            "relationship_id": i, "version": 1, "items": RULES, "proposed_by": mentee, "proposed_at": agreed,
            "status": "agreed", "agreed_at": agreed,
        })  # fmt: skip
    rows.write(engine)
    return due


def reset(engine: Engine, due: list[int]) -> None:
    """Undo what the 1% pass did, so it can be measured again."""
    with engine.begin() as conn:
        conn.execute(delete(tables.deliveries))
        r = tables.relationships
        for start in range(0, len(due), CHUNK):
            conn.execute(
                update(r)
                .where(r.c.id.in_(due[start : start + CHUNK]))
                .values(review_at=T1 - timedelta(minutes=31))
            )


def bare_read(engine: Engine, ids: list[int], chunk: int = 2000) -> float:
    """Seconds to read the planner's rows for ``ids`` with plain SELECTs, chunk by chunk (the anchor):
    each table led by its index on the chunk's ids, as the loader reads them."""
    r, m, p = tables.relationships, tables.memberships, tables.people
    mt, gr = tables.meetings, tables.ground_rules
    pg = engine.dialect.name == "postgresql"

    def among(column: Any, part: list[int]) -> Any:  # each database's fastest way to pass a chunk's ids
        return column == any_(literal(part, ARRAY(Integer))) if pg else column.in_(part)

    started = time.perf_counter()
    with engine.connect() as conn:
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            conn.execute(select(r).where(among(r.c.id, part))).all()
            members = conn.execute(select(m).where(among(m.c.relationship_id, part))).all()
            conn.execute(select(p).where(among(p.c.id, sorted({row.person_id for row in members})))).all()
            conn.execute(select(mt).where(among(mt.c.relationship_id, part))).all()
            conn.execute(select(gr).where(among(gr.c.relationship_id, part))).all()
    return time.perf_counter() - started


def measure(engine: Engine, n: int, programme: ProgrammeConfig) -> dict[str, float]:
    started = time.perf_counter()
    due = populate(engine, n)
    setup = time.perf_counter() - started
    planner = PlanPass(SqlUnitOfWorkFactory(engine), programme)
    catch_up = planner.run(T0)
    assert catch_up.planned == 0, catch_up
    catch_up_anchor = bare_read(engine, list(range(1, n + 1)))
    if engine.dialect.name == "postgresql":  # what autovacuum does soon after 100k rows changed at once
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"VACUUM ANALYZE {OWN_TABLES}")
    runs, anchors = [], []
    for attempt in range(3):
        if attempt:
            reset(engine, due)
        summary = planner.run(T1)
        assert summary.reviewed == len(due) and summary.planned == len(due), (summary, len(due))
        runs.append(summary.seconds)
        anchors.append(bare_read(engine, due))
    idle = planner.run(T1)
    assert idle.reviewed == 0
    return {
        "setup": setup,
        "catch_up": catch_up.seconds,
        "catch_up_anchor": catch_up_anchor,
        "due_anchor": statistics.median(anchors),
        "catch_up_per_rel_ms": 1000 * catch_up.seconds / n,
        "due": len(due),
        "due_pass": statistics.median(runs),
        "idle_pass": idle.seconds,
    }


def main() -> None:
    programme = ProgrammeConfig.default()
    rows = []
    for backend in backends():
        for n in sizes((1_000, 10_000, 100_000)):
            with database(backend) as db:
                print(f"  {db.name}: {n:,} relationships ...", flush=True)
                m = measure(db.engine, n, programme)
                rows.append(
                    f"| {db.name} | {n:,} | {m['due']:,} | {1000 * m['due_pass']:.0f} ms "
                    f"| {1000 * m['due_anchor']:.0f} ms | {m['due_pass'] / m['due_anchor']:.1f}x "
                    f"| {1000 * m['idle_pass']:.1f} ms | {m['catch_up']:.1f} s "
                    f"({m['catch_up_per_rel_ms']:.2f} ms each) | {m['catch_up_anchor']:.1f} s "
                    f"| {m['catch_up'] / m['catch_up_anchor']:.1f}x |"
                )
    table = "\n".join(
        [
            "# Plan pass",
            "",
            "Pairs in cultivation; 1% have a cadence nudge due at the measured instant, nothing else is due.",
            "*1% due*: one pass that loads, plans and writes the due nudges (median of 3).",
            "*nothing due*: a pass right after, when nothing is due. *catch-up*: the very first pass, which",
            "looks at every relationship once (after an import, or after the scheduler was off for a day).",
            "*Bare read* (the anchor, same run): the same relationships' rows read with plain SELECTs,",
            "nothing built or planned. Goals (issue 15): at 100,000 relationships, the 1%-due pass within",
            "400 ms and the catch-up within 15 s.",
            "",
            "| database | relationships | due | plan pass, 1% due | bare read | ratio "
            "| nothing due | catch-up (all) | bare read | ratio |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
        ]
    )
    write_results("plan_pass", table)


if __name__ == "__main__":
    main()
