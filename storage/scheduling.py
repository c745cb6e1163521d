"""Storage for the scheduler: review marks, the planner's snapshot loader, the outbox queries and the
shared send pacing.

Review marks
    Every relationship has ``review_at`` (when the nudge planner next needs to look at it; NULL means
    "as soon as possible") and ``review_seq``.  A plan pass selects only relationships whose mark has
    come (an index range scan), so its cost grows with what is due, not with the table.  The planner
    sets the next mark from what it knows; whatever it cannot foresee -- a meeting booked, ground rules
    agreed, an action item added, a person pausing -- is caught here: an ORM flush that touches
    anything the planner depends on clears the relationship's mark and bumps ``review_seq`` in the
    same transaction (:func:`install_review_marks`).  The pass writes its new mark only if
    ``review_seq`` is still what it read, so a change made while it was planning is never lost.

Loading in bulk
    A chunk of relationships (2,000 by default) costs one query per kind of fact, each led by an index on
    the chunk's ids (on PostgreSQL passed as one array), and the planner's objects are built straight
    from the rows (:mod:`storage.rows`), not through the ORM; the same for the dispatcher's recipients.

Content
    The loader reads agenda and action items only for the members of the relationships being planned,
    joined through their current memberships, to be sent to those same members (purpose: nudges).

Send pacing
    ``send_pacing`` holds, per platform, when the next block of send slots is free; every process that
    sends takes its blocks from it (:func:`reserve_slots`), so together they keep to one workspace's rate.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import and_
from sqlalchemy import any_
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import cast
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.coordinator import Ending
from bot.model import ActionItem
from bot.model import ActionStatus
from bot.model import AgendaItem
from bot.model import AgendaStatus
from bot.model import AgreementStatus
from bot.model import ChatIdentity
from bot.model import CheckIn
from bot.model import DeliveryStatus
from bot.model import Goal
from bot.model import GoalStatus
from bot.model import GroundRuleConfirmation
from bot.model import GroundRules
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Membership
from bot.model import NetworkEntry
from bot.model import Person
from bot.model import PhaseChange
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.model import Role
from bot.model import Side
from bot.outbox import Claimed
from bot.outbox import Outcome
from bot.snapshot import EXISTING_WINDOW
from bot.snapshot import ExistingDelivery
from bot.snapshot import RelationshipFacts
from bot.snapshot import Snapshot
from storage import tables
from storage.outbox import insert_deliveries
from storage.rows import RowBuilder

_installed = False

# content and structure the planner reads, keyed to their relationship
_WITH_RELATIONSHIP_ID = (Meeting, GroundRules, ActionItem, AgendaItem, CheckIn, Membership, PhaseChange)


def install_review_marks() -> None:
    """Clear the review mark of every relationship touched by an ORM flush (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    event.listen(Session, "after_flush", _mark_touched_relationships)


def _mark_touched_relationships(session: Session, _flush_context: Any) -> None:
    _wake_unreachable(session)
    relationship_ids: set[int] = set()
    person_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _WITH_RELATIONSHIP_ID):
            rid = getattr(obj, "relationship_id", None)
            if rid is not None:
                relationship_ids.add(rid)
        elif isinstance(obj, Relationship):
            if obj.id is not None and obj not in session.new:
                relationship_ids.add(obj.id)
        elif isinstance(obj, Person | NetworkEntry):
            pid = obj.id if isinstance(obj, Person) else obj.person_id
            if pid is None:
                continue
            unchanged_person = isinstance(obj, Person) and obj in session.dirty
            if unchanged_person and not session.is_modified(obj, include_collections=False):
                continue
            person_ids.add(pid)
    if relationship_ids or person_ids:
        mark_for_review(session, relationship_ids, person_ids)


def _wake_unreachable(session: Session) -> None:
    """A person just got a chat identity (linked by e-mail, wrote for the first time, installed the
    Teams app): what could not reach them before is due now, not at its next look a few minutes on."""
    woken: dict[int, datetime] = {}
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, ChatIdentity) and obj.person_id is not None:
            at = obj.updated_at or datetime.now(UTC)
            woken[obj.person_id] = min(at, woken.get(obj.person_id, at))
    for person_id, at in woken.items():
        wake_unreachable(session, person_id, at)


def wake_unreachable(session: Session, person_id: int, at: datetime) -> None:
    """``person_id``'s unreachable deliveries are due at ``at`` (they have just become reachable). Also
    called for an identity written with a Core insert (``SqlPeople.add_identity``), which no ORM flush
    sees."""
    d = tables.deliveries
    session.connection().execute(
        update(d)
        .where(
            d.c.person_id == person_id,
            d.c.status == DeliveryStatus.UNREACHABLE.value,
            d.c.due_at > at,
        )
        .values(due_at=at)
        .execution_options(synchronize_session=False)
    )


def mark_for_review(
    session: Session, relationship_ids: Iterable[int], person_ids: Iterable[int] = ()
) -> None:
    """Ask the planner to look at these relationships (and those of these people) on its next pass."""
    r, m = tables.relationships, tables.memberships
    rids, pids = sorted(set(relationship_ids)), sorted(set(person_ids))
    conditions = []
    if rids:
        conditions.append(r.c.id.in_(rids))
    if pids:
        conditions.append(r.c.id.in_(select(m.c.relationship_id).where(m.c.person_id.in_(pids))))
    if not conditions:
        return
    stmt = (
        update(r)
        .where(or_(*conditions))
        .values(review_at=None, review_seq=r.c.review_seq + 1)
        .execution_options(synchronize_session=False)
    )
    session.connection().execute(stmt)


# -- the plan pass -----------------------------------------------------------------------------------------

_LIVE_RELATIONSHIP = (RelationshipStatus.ACTIVE.value, RelationshipStatus.PAUSED.value)
MEETING_WINDOW = timedelta(days=14)  # meetings that started this recently are loaded with the snapshot


def due_relationship_ids(session: Session, now: datetime, limit: int) -> list[int]:
    """Up to ``limit`` live relationships whose review mark has come (never reviewed ones first)."""
    r = tables.relationships
    live = r.c.status.in_(_LIVE_RELATIONSHIP)
    ids = list(session.scalars(select(r.c.id).where(live, r.c.review_at.is_(None)).limit(limit)))
    if len(ids) < limit:
        more = select(r.c.id).where(live, r.c.review_at <= now).limit(limit - len(ids))
        ids += list(session.scalars(more))
    return ids


def load_snapshot(session: Session, relationship_ids: Sequence[int], now: datetime) -> Snapshot:
    """Everything the planner needs about these relationships: one query per kind of fact, for the
    whole chunk, whatever its size.

    The guides' other live relationships are added, so a guide's weekly digest covers all of them.
    The objects are built from Core rows (:mod:`storage.rows`) and never belong to a session: the
    planner cannot write by accident.  Every query is led by an index on the relationship (or person)
    ids of the chunk, so a chunk costs the same in a table of a thousand relationships or a million.
    """
    conn = session.connection()
    m = tables.memberships
    people: dict[int, Person] = {}
    rels, seqs = _relationships(conn, relationship_ids, people)
    guide_ids = {mb.person_id for rel in rels for mb in rel.current_members() if mb.side == Side.GUIDE}
    if guide_ids:
        # two index lookups (memberships by person, then relationships by id): a join here tempts
        # SQLite into scanning relationships by status
        guided = select(m.c.relationship_id).where(
            _among(conn, m.c.person_id, sorted(guide_ids)),
            m.c.side == Side.GUIDE.value,
            m.c.left_at.is_(None),
        )
        known = {rel.id for rel in rels}
        others = sorted({rid for rid in conn.scalars(guided) if rid not in known})
        more, more_seqs = _relationships(conn, others, people)
        rels += [rel for rel in more if rel.status in _LIVE_RELATIONSHIP]
        seqs.update(more_seqs)
    ids = sorted(rel.id for rel in rels if rel.id is not None)
    member_ids = sorted(
        {mb.person_id for rel in rels for mb in rel.current_members() if mb.person_id is not None}
    )
    learner_ids = sorted(
        {
            mb.person_id
            for rel in rels
            for mb in rel.current_members()
            if mb.side != Side.GUIDE and mb.person_id
        }
    )
    history = _grouped(_objects(conn, PhaseChange, ids, "at"))
    gr = tables.ground_rules
    rules = _grouped(
        _objects(
            conn,
            GroundRules,
            ids,
            "version",
            _unindexed(gr.c.status).in_([AgreementStatus.AGREED.value, AgreementStatus.PROPOSED.value]),
        )
    )
    _attach_confirmations(conn, [r for group in rules.values() for r in group])
    mt = tables.meetings
    live_meeting = or_(
        mt.c.status.in_([MeetingStatus.PROPOSED.value, MeetingStatus.CONFIRMED.value]),
        mt.c.starts_at >= now - MEETING_WINDOW,
    )
    meetings = _grouped(_objects(conn, Meeting, ids, "starts_at", live_meeting))
    held = _held_meetings(conn, ids)
    agenda = _grouped(_member_content(conn, AgendaItem, ids, member_ids))
    actions = _grouped(_member_content(conn, ActionItem, ids, member_ids))
    ck = tables.checkins
    checkins: dict[int, dict[int, datetime]] = {}
    for rid, pid, at in conn.execute(
        select(ck.c.relationship_id, ck.c.person_id, func.max(ck.c.at))
        .where(_among(conn, ck.c.relationship_id, ids))
        .group_by(ck.c.relationship_id, ck.c.person_id)
    ):
        checkins.setdefault(rid, {})[pid] = _aware(at) or at
    goals = _grouped(_member_content(conn, Goal, ids, member_ids))
    goal_done = _goal_actions_done(conn, ids)
    ne = tables.network_entries
    with_network = frozenset(
        conn.scalars(select(ne.c.person_id).where(_among(conn, ne.c.person_id, learner_ids)).distinct())
    )
    existing = existing_deliveries(session, member_ids, now - EXISTING_WINDOW)
    facts = []
    for rel in sorted(rels, key=lambda x: x.id or 0):
        rid = rel.id or 0
        rel.__dict__["phase_history"] = history.get(rid, [])
        last_met, count = held.get(rid, (None, 0))
        facts.append(
            RelationshipFacts(
                relationship=rel,
                review_seq=seqs.get(rid, 0),
                phase_history=history.get(rid, []),
                rules=rules.get(rid, []),
                meetings=meetings.get(rid, []),
                last_met_at=last_met,
                meetings_held=count,
                agenda=agenda.get(rid, []),
                actions=actions.get(rid, []),
                last_checkin=checkins.get(rid, {}),
                goals=goals.get(rid, []),
                goal_action_done=goal_done.get(rid, {}),
            )
        )
    return Snapshot(relationships=facts, existing=existing, people_with_network=with_network)


@functools.cache
def _builder(cls: type[Any]) -> RowBuilder[Any]:
    return RowBuilder(cls)


def _relationships(
    conn: Connection, ids: Sequence[int], people: dict[int, Person]
) -> tuple[list[Relationship], dict[int, int]]:
    """These relationships with their members (every membership, in order, as the ORM loads them) and
    the members' people with their chat identities; a person already in ``people`` is the same object.
    Also each relationship's ``review_seq``."""
    if not ids:
        return [], {}
    r, m = tables.relationships, tables.memberships
    rb, mb = _builder(Relationship), _builder(Membership)
    rels: dict[int, Relationship] = {}
    seqs: dict[int, int] = {}
    for row in conn.execute(rb.select(r.c.review_seq).where(_among(conn, r.c.id, ids))):
        rel = rb.build(row)
        rel.__dict__["members"] = []
        rels[rel.id] = rel
        seqs[rel.id] = int(row[-1] or 0)
    # memberships, then their people by id: both index lookups (a join tempts PostgreSQL into scanning
    # every person to hash them)
    stmt = mb.select().where(_among(conn, m.c.relationship_id, list(rels))).order_by(m.c.id)
    memberships: list[Membership] = [mb.build(row) for row in conn.execute(stmt)]
    people.update(_people(conn, sorted({mm.person_id or 0 for mm in memberships} - people.keys())))
    for membership in memberships:
        membership.__dict__["person"] = people[membership.person_id or 0]
        rels[membership.relationship_id or 0].members.append(membership)
    return list(rels.values()), seqs


def _objects(conn: Connection, cls: type[Any], ids: Sequence[int], order: str, *where: Any) -> list[Any]:
    """Rows of ``cls`` for these relationships, in ``order`` (then id), as domain objects."""
    builder = _builder(cls)
    table = builder.columns[0].table
    stmt = (
        builder.select()
        .where(_among(conn, table.c.relationship_id, ids), *where)
        .order_by(table.c[order], table.c.id)
    )
    return [builder.build(row) for row in conn.execute(stmt)]


def _attach_confirmations(conn: Connection, agreements: Sequence[GroundRules]) -> None:
    by_id = {g.id: g for g in agreements}
    for g in agreements:
        g.__dict__["confirmations"] = []
    if not by_id:
        return
    builder, c = _builder(GroundRuleConfirmation), tables.ground_rule_confirmations
    stmt = builder.select().where(_among(conn, c.c.agreement_id, sorted(by_id))).order_by(c.c.id)
    for row in conn.execute(stmt):
        confirmation: GroundRuleConfirmation = builder.build(row)
        by_id[confirmation.agreement_id].confirmations.append(confirmation)


def _held_meetings(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[datetime | None, int]]:
    """Each relationship's latest held meeting (its start) and how many were held.

    The status test sits inside the aggregates, not in WHERE: given ``status = 'held'``, SQLite picks the
    (status, starts_at) index and reads every held meeting of the programme for each chunk."""
    mt = tables.meetings
    held = mt.c.status == MeetingStatus.HELD.value
    stmt = (
        select(
            mt.c.relationship_id,
            func.max(case((held, mt.c.starts_at))),
            func.count(case((held, mt.c.id))),
        )
        .where(_among(conn, mt.c.relationship_id, ids))
        .group_by(mt.c.relationship_id)
    )
    return {rid: (_aware(last), int(count)) for rid, last, count in conn.execute(stmt)}


def _goal_actions_done(conn: Connection, ids: Sequence[int]) -> dict[int, dict[int, datetime]]:
    """Per relationship and goal, when its latest action was done."""
    ai = tables.action_items
    done: dict[int, dict[int, datetime]] = {}
    stmt = (
        select(ai.c.relationship_id, ai.c.goal_id, func.max(ai.c.closed_at))
        .where(_among(conn, ai.c.relationship_id, ids), _unindexed(ai.c.goal_id).is_not(None))
        .where(_unindexed(ai.c.status) == ActionStatus.DONE.value, ai.c.closed_at.is_not(None))
        .group_by(ai.c.relationship_id, ai.c.goal_id)
    )
    for rid, gid, at in conn.execute(stmt):
        done.setdefault(rid, {})[gid] = _aware(at) or at
    return done


def _among(conn: Connection, column: Any, values: Iterable[int]) -> Any:
    """``column IN (values)``; on PostgreSQL as ``column = ANY(array)``: one array parameter instead of
    hundreds, which the server parses and plans in a fraction of the time (a chunk has 2,000 ids)."""
    values = list(values)
    if conn.dialect.name == "postgresql":
        return column == any_(cast(literal(_pg_array(values), String()), ARRAY(Integer)))
    # SQLite: ``column IN (SELECT value FROM json_each(?))``, the ids as one JSON text parameter. An
    # expanding IN renders one bound parameter per id into a new SQL string on every execution (a third
    # of a catch-up's loading time went to compiling them); this statement is compiled once and cached,
    # and SQLite still drives the lookup from the index on ``column``.
    ids = func.json_each(literal(json.dumps(values), String())).table_valued("value")
    return column.in_(select(ids.c.value))


def _pg_array(values: Iterable[object]) -> str:
    """A PostgreSQL array literal (``{1,2,3}``) of numbers or instants, for a ``CAST(... AS type[])``:
    psycopg dumps a Python list element by element in Python (a fifth of a second per 2,000-id chunk in
    a catch-up); one string is passed as it is."""
    return "{" + ",".join(v.isoformat() if isinstance(v, datetime) else str(v) for v in values) + "}"


def _unindexed(column: Any) -> Any:
    """``column`` in a form no index applies to (``column || ''`` for text, ``column + 0`` for numbers):
    in the loader's queries only the index on the chunk's ids should lead.  Without statistics SQLite
    prefers an index on a status column, and then reads that status across the whole table."""
    return column.concat("") if isinstance(column.type, String) else column + 0


def _member_content(
    conn: Connection, cls: type[Any], ids: Sequence[int], member_ids: Sequence[int]
) -> list[Any]:
    """Live agenda items / open action items / open goals of these relationships, joined through the
    current memberships of the people they will be sent to (purpose: nudges to those same members)."""
    m = tables.memberships
    builder = _builder(cls)
    table = builder.columns[0].table
    members_of = select(m.c.relationship_id).where(
        _among(conn, m.c.person_id, member_ids), m.c.left_at.is_(None)
    )
    if cls is AgendaItem:
        status, order = [AgendaStatus.OPEN.value, AgendaStatus.CARRIED_OVER.value], table.c.id
    elif cls is ActionItem:
        status, order = [ActionStatus.OPEN.value], table.c.id
    else:
        status, order = [GoalStatus.OPEN.value, GoalStatus.PROGRESSING.value], table.c.number
    stmt = (
        builder.select()
        .where(_among(conn, table.c.relationship_id, ids), table.c.relationship_id.in_(members_of))
        .where(_unindexed(table.c.status).in_(status))
        .order_by(order)
    )
    return [builder.build(row) for row in conn.execute(stmt)]


def _grouped(objects: Iterable[Any]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for obj in objects:
        out.setdefault(obj.relationship_id, []).append(obj)
    return out


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates (max) bypass the column type on SQLite; make them aware UTC like every other time."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def existing_deliveries(
    session: Session, person_ids: Sequence[int], since: datetime
) -> list[ExistingDelivery]:
    if not person_ids:
        return []
    d = tables.deliveries
    stmt = select(d.c.person_id, d.c.kind, d.c.dedupe_key, d.c.due_at, d.c.status).where(
        _among(session.connection(), d.c.person_id, person_ids), d.c.due_at >= since
    )
    return [ExistingDelivery(*row) for row in session.execute(stmt)]


def coordinators(session: Session) -> list[Person]:
    """Active coordinators (detached). Only read when a stall alert is due."""
    p = tables.people
    stmt = select(Person).where(
        p.c.active.is_(True),
        p.c.erased_at.is_(None),
        cast(p.c.roles, String).like(f'%"{Role.COORDINATOR.value}"%'),
    )
    found = [person for person in session.scalars(stmt) if person.is_coordinator]
    for person in found:
        session.expunge(person)
    return found


def try_plan_lock(session: Session) -> bool:
    """One plan pass at a time across processes on PostgreSQL (held until the transaction ends)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    # keyed by schema as well: advisory locks are per database, and a database may hold several schemas
    lock = text("SELECT pg_try_advisory_xact_lock(7213401, hashtext(current_schema()))")
    return bool(session.execute(lock).scalar())


def apply_phase_step(session: Session, from_phase: str, change: PhaseChange) -> bool:
    """Keep the phase engine's ``change`` (the domain's :class:`~bot.model.PhaseChange`, as
    :func:`bot.phases.set_phase` keeps a coordinator's): the relationship's phase and its history entry,
    guarded by the phase it was in so that of two passes only one moves it.  Written in SQL, not through
    the ORM, so the plan pass's own move does not mark the relationship for another review."""
    r = tables.relationships
    moved = session.execute(
        update(r).where(r.c.id == change.relationship_id, r.c.phase == from_phase).values(phase=change.phase)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        return False
    session.execute(
        insert(tables.phase_changes).values(
            relationship_id=change.relationship_id,
            phase=change.phase,
            at=change.at,
            reason=change.reason,
            by_person_id=change.by_person_id,
        )
    )
    return True


def end_relationship(session: Session, relationship_id: int, phase: str, end: Ending) -> bool:
    """End a live relationship whose last phase is over (the rule is ``bot.coordinator.ending``).

    Guarded by its status and phase, so of two passes (or processes) only one ends it -- and only that
    one gets True, to write the audit event (here) and the coordinators' notices (the caller)."""
    r = tables.relationships
    done = session.execute(
        update(r)
        .where(r.c.id == relationship_id, r.c.status.in_(_LIVE_RELATIONSHIP), r.c.phase == phase)
        .values(status=str(end.status), ended_at=end.ended_at, planned_end=end.planned_end)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        return False
    session.add(end.audit)
    return True


def write_reviews(session: Session, reviews: dict[int, datetime], seqs: dict[int, int]) -> None:
    """Set each relationship's next review, unless something changed it since it was read."""
    if not reviews:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # one statement for the whole chunk, the marks passed as three arrays: an executemany sends a
        # statement per relationship (a fifth of a catch-up's database time went to them)
        ids = list(reviews)
        params = {
            "ids": _pg_array(ids),
            "seqs": _pg_array(seqs.get(rid, 0) for rid in ids),
            "ats": _pg_array(reviews[rid] for rid in ids),
        }
        conn.execute(_REVIEWS_FROM_ARRAYS, params)
        return
    r = tables.relationships
    stmt = (
        update(r)
        .where(r.c.id == bindparam("rid"), r.c.review_seq == bindparam("seq"))
        .values(review_at=bindparam("at"))
    )
    params = [{"rid": rid, "seq": seqs.get(rid, 0), "at": at} for rid, at in reviews.items()]
    conn.execute(stmt, params)


_REVIEWS_FROM_ARRAYS = text(
    "UPDATE relationships AS r SET review_at = v.at"
    " FROM unnest(CAST(:ids AS integer[]), CAST(:seqs AS integer[]), CAST(:ats AS timestamptz[]))"
    " AS v(id, seq, at)"
    " WHERE r.id = v.id AND r.review_seq = v.seq"
)


# -- the outbox: claim, finish ----------------------------------------------------------------------------

# unreachable deliveries come back too, at the due time the dispatcher gave them (a few minutes on), or
# at once when the person is linked (``_wake_unreachable``): unreachable is a state, not an end
CLAIMABLE = (DeliveryStatus.PENDING.value, DeliveryStatus.FAILED.value, DeliveryStatus.UNREACHABLE.value)


def claim_due(
    session: Session, now: datetime, lease_until: datetime, token: str, limit: int
) -> list[Claimed]:
    """Claim up to ``limit`` deliveries that are due (or whose previous claim's lease ran out).

    PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` picks rows no other dispatcher holds, and the
    update marks them claimed in the same statement.  SQLite: the single UPDATE takes the database's write
    lock before it reads, so two dispatchers can never pick the same row.  The caller commits at once.
    """
    d = tables.deliveries
    claimable = or_(
        and_(d.c.status.in_(CLAIMABLE), d.c.due_at <= now),
        and_(d.c.status == DeliveryStatus.CLAIMED.value, d.c.lease_until <= now),
    )
    pick = select(d.c.id).where(claimable).order_by(d.c.priority, d.c.due_at, d.c.id).limit(limit)
    values = {
        "status": DeliveryStatus.CLAIMED.value,
        "lease_until": lease_until,
        "claim_token": token,
        "attempts": d.c.attempts + 1,
    }
    returning = (
        d.c.id, d.c.person_id, d.c.kind, d.c.dedupe_key, d.c.payload, d.c.due_at, d.c.expires_at,
        d.c.channel, d.c.priority, d.c.attempts, d.c.relationship_id,
    )  # fmt: skip
    if session.get_bind().dialect.name == "postgresql":
        picked = pick.with_for_update(skip_locked=True).cte("picked")
        stmt = update(d).where(d.c.id == picked.c.id).values(**values).returning(*returning)
    else:
        stmt = update(d).where(d.c.id.in_(pick.scalar_subquery())).values(**values).returning(*returning)
    rows = session.execute(stmt.execution_options(synchronize_session=False)).all()
    claimed = [Claimed(*row, lease_until=lease_until, token=token) for row in rows]
    return sorted(claimed, key=lambda c: (c.priority, c.due_at, c.id))


def recipients(session: Session, person_ids: Iterable[int]) -> dict[int, Person]:
    """The people (with their chat identities) that claimed deliveries go to, detached."""
    return _people(session.connection(), sorted(set(person_ids)))


def _people(conn: Connection, ids: Sequence[int]) -> dict[int, Person]:
    """These people with their chat identities, built from rows (:mod:`storage.rows`): two index
    lookups, however many people."""
    if not ids:
        return {}
    pb, ib = _builder(Person), _builder(ChatIdentity)
    p, ci = tables.people, tables.chat_identities
    found: dict[int, Person] = {}
    for row in conn.execute(pb.select().where(_among(conn, p.c.id, ids))):
        person: Person = pb.build(row)
        person.__dict__["identities"] = []
        found[person.id or 0] = person
    for row in conn.execute(ib.select().where(_among(conn, ci.c.person_id, ids)).order_by(ci.c.id)):
        identity: ChatIdentity = ib.build(row)
        found[identity.person_id or 0].identities.append(identity)
    return found


def finish(session: Session, outcomes: Sequence[Outcome]) -> int:
    """Record outcomes, each guarded by its claim, in one batched statement; returns how many claims
    had been lost meanwhile (the lease ran out and another dispatcher took the delivery over)."""
    if not outcomes:
        return 0
    d = tables.deliveries
    stmt = (
        update(d)
        .where(
            d.c.id == bindparam("o_id"),
            d.c.status == DeliveryStatus.CLAIMED.value,
            d.c.claim_token == bindparam("o_token"),
        )
        .values(
            status=bindparam("o_status"),
            attempts=bindparam("o_attempts"),
            due_at=bindparam("o_due_at"),
            last_error=bindparam("o_error"),
            channel=bindparam("o_channel"),
            sent_at=bindparam("o_sent_at"),
            lease_until=None,
            claim_token=None,
        )
    )
    params = [
        {
            "o_id": o.delivery_id,
            "o_token": o.token,
            "o_status": o.status,
            "o_attempts": o.attempts,
            "o_due_at": o.due_at,
            "o_error": o.last_error[:2000],
            "o_channel": o.channel,
            "o_sent_at": o.sent_at,
        }
        for o in outcomes
    ]
    # both drivers count the rows an executemany changed (supports_sane_multi_rowcount)
    changed = session.connection().execute(stmt, params).rowcount
    return len(outcomes) - changed


# a stored next slot further ahead than this is a clock gone wrong (or a process that jumped), not a
# queue: start again from now rather than stall every sender behind it
_PACING_HORIZON = 30.0


def reserve_slots(session: Session, key: str, count: int, interval: float, now: float) -> float:
    """Reserve ``count`` consecutive send slots ``interval`` seconds apart on ``key`` (a platform's
    workspace-wide limit) for the caller; returns the time of the first (Unix seconds, never before
    ``now``).  One statement, atomic on both databases, so every ``serve`` process on this database
    takes its own block and together they never go faster than ``1 / interval``.  Commit at once."""
    sp = tables.send_pacing
    span = count * interval
    ins = pg_insert(sp) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(sp)
    taken = case((sp.c.next_at > now + _PACING_HORIZON, now), (sp.c.next_at > now, sp.c.next_at), else_=now)
    stmt = (
        ins.values(key=key, next_at=now + span)
        .on_conflict_do_update(index_elements=["key"], set_={"next_at": taken + span})
        .returning(sp.c.next_at)
    )
    end = float(session.execute(stmt).scalar_one())
    return end - span


def claim_due_exists(session: Session, now: datetime) -> bool:
    """Is anything due (or abandoned by a dispatcher whose lease ran out)?"""
    d = tables.deliveries
    claimable = or_(
        and_(d.c.status.in_(CLAIMABLE), d.c.due_at <= now),
        and_(d.c.status == DeliveryStatus.CLAIMED.value, d.c.lease_until <= now),
    )
    return session.execute(select(d.c.id).where(claimable).limit(1)).first() is not None


class SqlScheduling:
    """:class:`bot.ports.SchedulingStore` over one unit of work's session (the functions above)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def try_plan_lock(self) -> bool:
        return try_plan_lock(self.session)

    def due_relationship_ids(self, now: datetime, limit: int) -> list[int]:
        return due_relationship_ids(self.session, now, limit)

    def load_snapshot(self, relationship_ids: Sequence[int], now: datetime) -> Snapshot:
        return load_snapshot(self.session, relationship_ids, now)

    def coordinators(self) -> list[Person]:
        return coordinators(self.session)

    def existing_deliveries(self, person_ids: Sequence[int], since: datetime) -> list[ExistingDelivery]:
        return existing_deliveries(self.session, person_ids, since)

    def apply_phase_step(self, from_phase: str, change: PhaseChange) -> bool:
        return apply_phase_step(self.session, from_phase, change)

    def end_relationship(self, relationship_id: int, phase: str, end: Ending) -> bool:
        return end_relationship(self.session, relationship_id, phase, end)

    def insert_deliveries(self, rows: Sequence[Mapping[str, object]]) -> set[str]:
        return insert_deliveries(self.session, rows)

    def write_reviews(self, reviews: dict[int, datetime], seqs: dict[int, int]) -> None:
        write_reviews(self.session, reviews, seqs)

    def claim_due(self, now: datetime, lease_until: datetime, token: str, limit: int) -> list[Claimed]:
        return claim_due(self.session, now, lease_until, token, limit)

    def recipients(self, person_ids: Iterable[int]) -> dict[int, Person]:
        return recipients(self.session, person_ids)

    def claim_due_exists(self, now: datetime) -> bool:
        return claim_due_exists(self.session, now)

    def reserve_slots(self, key: str, count: int, interval: float, now: float) -> float:
        return reserve_slots(self.session, key, count, interval, now)

    def finish(self, outcomes: Sequence[Outcome]) -> int:
        return finish(self.session, outcomes)
