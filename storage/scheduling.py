"""Storage for the scheduler: review marks, the planner's snapshot loader, and the outbox queries.

Review marks
    Every relationship has ``review_at`` (when the nudge planner next needs to look at it; NULL means
    "as soon as possible") and ``review_seq``.  A plan pass selects only relationships whose mark has
    come (an index range scan), so its cost grows with what is due, not with the table.  The planner
    sets the next mark from what it knows; whatever it cannot foresee -- a meeting booked, ground rules
    agreed, an action item added, a person pausing -- is caught here: an ORM flush that touches
    anything the planner depends on clears the relationship's mark and bumps ``review_seq`` in the
    same transaction (:func:`install_review_marks`).  The pass writes its new mark only if
    ``review_seq`` is still what it read, so a change made while it was planning is never lost.

Content
    The loader reads agenda and action items only for the members of the relationships being planned,
    joined through their current memberships, to be sent to those same members (purpose: nudges).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, bindparam, cast, event, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from bot.coordinator import Ending
from bot.model import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaStatus,
    AgreementStatus,
    ChatIdentity,
    CheckIn,
    DeliveryStatus,
    Goal,
    GoalStatus,
    GroundRules,
    Meeting,
    MeetingStatus,
    Membership,
    NetworkEntry,
    Person,
    PhaseChange,
    Relationship,
    RelationshipStatus,
    Role,
    Side,
)
from scheduler.snapshot import ExistingDelivery, RelationshipFacts, Snapshot
from storage import tables

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
EXISTING_WINDOW = timedelta(days=30)  # outbox rows loaded to dedupe and to count against the daily cap


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
    """Everything the planner needs about these relationships, in a fixed number of queries.

    The guides' other live relationships are added, so a guide's weekly digest covers all of them.
    Objects are detached from the session before they are returned: the planner cannot write by accident.
    """
    r, m = tables.relationships, tables.memberships
    rels = _relationships(session, relationship_ids)
    guide_ids = {mb.person_id for rel in rels for mb in rel.current_members() if mb.side == Side.GUIDE}
    if guide_ids:
        # two index lookups (memberships by person, then relationships by id): a join here tempts
        # SQLite into scanning relationships by status
        guided = select(m.c.relationship_id).where(
            m.c.person_id.in_(sorted(guide_ids)), m.c.side == Side.GUIDE.value, m.c.left_at.is_(None)
        )
        known = {rel.id for rel in rels}
        others = sorted({rid for rid in session.scalars(guided) if rid not in known})
        rels += [rel for rel in _relationships(session, others) if rel.status in _LIVE_RELATIONSHIP]
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
    seqs = dict(session.execute(select(r.c.id, r.c.review_seq).where(r.c.id.in_(ids))).all())
    history = _grouped(session.scalars(_by_relationship(PhaseChange, tables.phase_changes, ids, "at")))
    rules = _grouped(
        session.scalars(
            _by_relationship(GroundRules, tables.ground_rules, ids, "version").where(
                tables.ground_rules.c.status.in_(
                    [AgreementStatus.AGREED.value, AgreementStatus.PROPOSED.value]
                )
            )
        )
    )
    mt = tables.meetings
    meetings = _grouped(
        session.scalars(
            _by_relationship(Meeting, mt, ids, "starts_at").where(
                or_(
                    mt.c.status.in_([MeetingStatus.PROPOSED.value, MeetingStatus.CONFIRMED.value]),
                    mt.c.starts_at >= now - MEETING_WINDOW,
                )
            )
        )
    )
    held = {
        rid: (last, count)
        for rid, last, count in session.execute(
            select(mt.c.relationship_id, func.max(mt.c.starts_at), func.count(mt.c.id))
            .where(mt.c.relationship_id.in_(ids), mt.c.status == MeetingStatus.HELD.value)
            .group_by(mt.c.relationship_id)
        )
    }
    agenda = _grouped(_member_content(session, AgendaItem, tables.agenda_items, ids, member_ids))
    actions = _grouped(_member_content(session, ActionItem, tables.action_items, ids, member_ids))
    ck = tables.checkins
    checkins: dict[int, dict[int, datetime]] = {}
    for rid, pid, at in session.execute(
        select(ck.c.relationship_id, ck.c.person_id, func.max(ck.c.at))
        .where(ck.c.relationship_id.in_(ids))
        .group_by(ck.c.relationship_id, ck.c.person_id)
    ):
        checkins.setdefault(rid, {})[pid] = _aware(at) or at
    gl, ai = tables.goals, tables.action_items
    members_of = select(m.c.relationship_id).where(m.c.person_id.in_(member_ids), m.c.left_at.is_(None))
    goals = _grouped(
        session.scalars(
            select(Goal)
            .where(gl.c.relationship_id.in_(ids), gl.c.relationship_id.in_(members_of))
            .where(gl.c.status.in_([GoalStatus.OPEN.value, GoalStatus.PROGRESSING.value]))
            .order_by(gl.c.number)
        )
    )
    goal_done: dict[int, dict[int, datetime]] = {}
    for rid, gid, at in session.execute(
        select(ai.c.relationship_id, ai.c.goal_id, func.max(ai.c.closed_at))
        .where(ai.c.relationship_id.in_(ids), ai.c.goal_id.is_not(None))
        .where(ai.c.status == ActionStatus.DONE.value, ai.c.closed_at.is_not(None))
        .group_by(ai.c.relationship_id, ai.c.goal_id)
    ):
        goal_done.setdefault(rid, {})[gid] = _aware(at) or at
    ne = tables.network_entries
    with_network = frozenset(
        session.scalars(select(ne.c.person_id).where(ne.c.person_id.in_(learner_ids)).distinct())
    )
    existing = existing_deliveries(session, member_ids, now - EXISTING_WINDOW)
    facts = [
        RelationshipFacts(
            relationship=rel,
            review_seq=seqs.get(rel.id, 0),
            phase_history=history.get(rel.id, []),
            rules=rules.get(rel.id, []),
            meetings=meetings.get(rel.id, []),
            last_met_at=_aware(held.get(rel.id, (None, 0))[0]),
            meetings_held=int(held.get(rel.id, (None, 0))[1]),
            agenda=agenda.get(rel.id, []),
            actions=actions.get(rel.id, []),
            last_checkin=checkins.get(rel.id, {}),
            goals=goals.get(rel.id, []),
            goal_action_done=goal_done.get(rel.id, {}),
        )
        for rel in sorted(rels, key=lambda x: x.id or 0)
    ]
    session.expunge_all()
    return Snapshot(relationships=facts, existing=existing, people_with_network=with_network)


def _relationships(session: Session, ids: Sequence[int]) -> list[Relationship]:
    if not ids:
        return []
    stmt = select(Relationship).where(tables.relationships.c.id.in_(list(ids)))
    return list(session.scalars(stmt))


def _by_relationship(cls: type[Any], table: Any, ids: Sequence[int], order: str) -> Any:
    return select(cls).where(table.c.relationship_id.in_(ids)).order_by(table.c[order], table.c.id)


def _member_content(
    session: Session, cls: type[Any], table: Any, ids: Sequence[int], member_ids: Sequence[int]
) -> Iterable[Any]:
    """Live agenda items / open action items of these relationships, joined through the current
    memberships of the people they will be sent to (purpose: nudges to those same members)."""
    m = tables.memberships
    members_of = select(m.c.relationship_id).where(m.c.person_id.in_(member_ids), m.c.left_at.is_(None))
    status = (
        [AgendaStatus.OPEN.value, AgendaStatus.CARRIED_OVER.value]
        if cls is AgendaItem
        else [ActionStatus.OPEN.value]
    )
    stmt = (
        select(cls)
        .where(table.c.relationship_id.in_(ids), table.c.relationship_id.in_(members_of))
        .where(table.c.status.in_(status))
        .order_by(table.c.id)
    )
    return session.scalars(stmt)


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
        d.c.person_id.in_(list(person_ids)), d.c.due_at >= since
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
    r = tables.relationships
    stmt = (
        update(r)
        .where(r.c.id == bindparam("rid"), r.c.review_seq == bindparam("seq"))
        .values(review_at=bindparam("at"))
    )
    params = [{"rid": rid, "seq": seqs.get(rid, 0), "at": at} for rid, at in reviews.items()]
    session.connection().execute(stmt, params)


# -- the outbox: claim, finish ----------------------------------------------------------------------------

# unreachable deliveries come back too, at the due time the dispatcher gave them (a few minutes on), or
# at once when the person is linked (``_wake_unreachable``): unreachable is a state, not an end
CLAIMABLE = (DeliveryStatus.PENDING.value, DeliveryStatus.FAILED.value, DeliveryStatus.UNREACHABLE.value)


@dataclass(frozen=True)
class Claimed:
    """A delivery this dispatcher holds until ``lease_until``; every later change is guarded by ``token``."""

    id: int
    person_id: int
    kind: str
    dedupe_key: str
    payload: dict[str, Any]
    due_at: datetime
    expires_at: datetime | None
    channel: str
    priority: int
    attempts: int  # including this one
    relationship_id: int | None
    lease_until: datetime
    token: str


@dataclass(frozen=True)
class Outcome:
    """What became of a claimed delivery."""

    delivery_id: int
    token: str
    status: str
    attempts: int
    due_at: datetime
    last_error: str = ""
    channel: str = ""
    sent_at: datetime | None = None


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
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    found = {p.id: p for p in session.scalars(select(Person).where(tables.people.c.id.in_(ids))) if p.id}
    session.expunge_all()
    return found


def finish(session: Session, outcomes: Sequence[Outcome]) -> int:
    """Record outcomes, each guarded by its claim; returns how many claims had been lost meanwhile
    (the lease ran out and another dispatcher took the delivery over)."""
    d = tables.deliveries
    lost = 0
    for o in outcomes:
        stmt = (
            update(d)
            .where(
                d.c.id == o.delivery_id,
                d.c.status == DeliveryStatus.CLAIMED.value,
                d.c.claim_token == o.token,
            )
            .values(
                status=o.status,
                attempts=o.attempts,
                due_at=o.due_at,
                last_error=o.last_error[:2000],
                channel=o.channel,
                sent_at=o.sent_at,
                lease_until=None,
                claim_token=None,
            )
        )
        if not session.execute(stmt).rowcount:  # type: ignore[attr-defined]
            lost += 1
    return lost


def claim_due_exists(session: Session, now: datetime) -> bool:
    """Is anything due (or abandoned by a dispatcher whose lease ran out)?"""
    d = tables.deliveries
    claimable = or_(
        and_(d.c.status.in_(CLAIMABLE), d.c.due_at <= now),
        and_(d.c.status == DeliveryStatus.CLAIMED.value, d.c.lease_until <= now),
    )
    return session.execute(select(d.c.id).where(claimable).limit(1)).first() is not None
