"""The coordinators' window on the programme: aggregate queries that cannot return content.

Every query here selects ids, dates, statuses, numbers and names from the roster -- never a column that
holds what members wrote (``text``, ``items``, ``guide_comment``, ``ask``, ``guide_name``, check-in
answers) or what a message said (``payload``). ``tests/coordinator/test_confidentiality.py`` records the
SQL these methods send and fails if one of those columns appears in it.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.activity import ActionCounts
from bot.activity import CheckInFact
from bot.activity import DeliveryFact
from bot.activity import GoalFact
from bot.activity import HeldMeeting
from bot.activity import MemberFacts
from bot.activity import PersonFacts
from bot.activity import RelationshipFacts
from bot.meetings import counts_as_held
from bot.model import ActionStatus
from bot.model import AgreementStatus
from bot.model import DeliveryStatus
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import RelationshipStatus
from storage import tables

MAX_ERROR = 300  # a platform's error message, cut short; it never holds the message itself
FINAL_DELIVERY_STATES = (DeliveryStatus.SENT, DeliveryStatus.DEAD, DeliveryStatus.UNREACHABLE)


class SqlActivityReader:
    def __init__(self, session: Session) -> None:
        self.session = session

    def people(self) -> list[PersonFacts]:
        p = tables.people
        ident = (
            select(tables.chat_identities.c.person_id, func.count().label("n"))
            .group_by(tables.chat_identities.c.person_id)
            .subquery()
        )
        stmt = (
            select(
                p.c.id,
                p.c.name,
                p.c.roles,
                p.c.cohort,
                p.c.stage,
                p.c.active,
                p.c.erased_at,
                p.c.capacity,
                func.coalesce(ident.c.n, 0),
                p.c.channel,
            )
            .outerjoin(ident, ident.c.person_id == p.c.id)
            .order_by(p.c.id)
        )
        rows = self.session.execute(stmt).all()
        i = tables.chat_identities
        platforms: dict[int, list[str]] = {}
        for pid, platform in self.session.execute(select(i.c.person_id, i.c.platform).order_by(i.c.platform)):
            platforms.setdefault(int(pid), []).append(str(platform))
        return [
            PersonFacts(
                id=int(pid),
                name=str(name),
                roles=tuple(str(r) for r in (roles or ())),
                cohort=str(cohort or ""),
                stage=str(stage or ""),
                active=bool(active),
                erased=erased_at is not None,
                capacity=None if capacity is None else int(capacity),
                identities=int(n),
                platforms=tuple(platforms.get(int(pid), ())),
                channel=str(channel or ""),
            )
            for pid, name, roles, cohort, stage, active, erased_at, capacity, n, channel in rows
        ]

    def relationships(self, *, include_ended: bool = False) -> list[RelationshipFacts]:
        r, m = tables.relationships, tables.memberships
        stmt = select(
            r.c.id,
            r.c.kind,
            r.c.format,
            r.c.phase,
            r.c.status,
            r.c.started_on,
            r.c.cadence_days,
            r.c.planned_end,
        ).order_by(r.c.id)
        if not include_ended:
            stmt = stmt.where(r.c.status != RelationshipStatus.ENDED)
        rows = list(self.session.execute(stmt))
        members: dict[int, list[MemberFacts]] = {}
        member_stmt = (
            select(m.c.relationship_id, m.c.person_id, m.c.side)
            .where(m.c.left_at.is_(None))
            .order_by(m.c.relationship_id, m.c.id)
        )
        for rid, pid, side in self.session.execute(member_stmt):
            members.setdefault(int(rid), []).append(MemberFacts(int(pid), str(side)))
        return [
            RelationshipFacts(
                id=int(rid),
                kind=str(kind),
                format=str(fmt),
                phase=str(phase),
                status=str(status),
                started_on=started_on,
                cadence_days=int(cadence),
                members=tuple(members.get(int(rid), ())),
                planned_end=planned_end,
            )
            for rid, kind, fmt, phase, status, started_on, cadence, planned_end in rows
        ]

    def held_meetings(
        self, *, since: datetime | None = None, now: datetime | None = None, grace: timedelta | None = None
    ) -> list[HeldMeeting]:
        """Meetings that count as held, by the one rule of :func:`bot.meetings.counts_as_held`: those a
        member recorded as held and, given ``now`` and ``grace``, confirmed ones nobody answered for
        within ``grace`` of their end."""
        mt = tables.meetings
        minutes = func.coalesce(mt.c.held_minutes, mt.c.duration_minutes)
        statuses = [MeetingStatus.HELD.value]
        if now is not None and grace is not None:
            statuses.append(MeetingStatus.CONFIRMED.value)
        stmt = (
            select(mt.c.relationship_id, mt.c.starts_at, minutes, mt.c.status, mt.c.duration_minutes)
            .where(mt.c.status.in_(statuses), mt.c.starts_at.is_not(None))
            .order_by(mt.c.starts_at, mt.c.id)
        )
        if since is not None:
            stmt = stmt.where(mt.c.starts_at >= since)
        if now is not None:
            stmt = stmt.where(mt.c.starts_at <= now)
        found: list[HeldMeeting] = []
        for rid, at, mins, status, duration in self.session.execute(stmt):
            if status != MeetingStatus.HELD.value:
                assert now is not None and grace is not None
                probe = Meeting(
                    relationship_id=int(rid), status=MeetingStatus(status), scheduled_by=0,
                    created_at=at, starts_at=_aware(at), duration_minutes=int(duration),
                )  # fmt: skip
                if not counts_as_held(probe, now, grace):
                    continue
            found.append(HeldMeeting(int(rid), at, int(mins or 0)))
        return found

    def ground_rules_agreed(self) -> set[int]:
        g = tables.ground_rules
        stmt = select(g.c.relationship_id).where(g.c.status == AgreementStatus.AGREED).distinct()
        return {int(rid) for rid in self.session.scalars(stmt)}

    def action_counts(self, today: date) -> dict[int, ActionCounts]:
        a = tables.action_items
        is_open = a.c.status == ActionStatus.OPEN
        overdue = case((and_(is_open, a.c.due_on.is_not(None), a.c.due_on < today), 1), else_=0)
        stmt = select(a.c.relationship_id, func.sum(case((is_open, 1), else_=0)), func.sum(overdue)).group_by(
            a.c.relationship_id
        )
        return {
            int(rid): ActionCounts(open=int(n_open or 0), overdue=int(n_overdue or 0))
            for rid, n_open, n_overdue in self.session.execute(stmt)
        }

    def latest_checkins(self, *, since: datetime) -> list[CheckInFact]:
        c = tables.checkins
        latest = (
            select(c.c.person_id, func.max(c.c.at).label("at"))
            .where(c.c.at >= since)
            .group_by(c.c.person_id)
            .subquery()
        )
        stmt = (
            select(c.c.person_id, c.c.quadrant, c.c.at)
            .join(latest, and_(latest.c.person_id == c.c.person_id, latest.c.at == c.c.at))
            .order_by(c.c.person_id, c.c.id)
        )
        seen: dict[int, CheckInFact] = {}
        for pid, quadrant, at in self.session.execute(stmt):
            seen[int(pid)] = CheckInFact(int(pid), str(quadrant), at)  # two at the same instant: the later id
        return list(seen.values())

    def goal_facts(self) -> list[GoalFact]:
        g = tables.goals  # the tags and status only: text and note are never selected
        stmt = select(g.c.relationship_id, g.c.layer, g.c.programme_goal, g.c.status).order_by(g.c.id)
        return [
            GoalFact(int(rid), str(layer), str(tag), str(status))
            for rid, layer, tag, status in self.session.execute(stmt)
        ]

    def last_delivery_status(self) -> dict[int, str]:
        d = tables.deliveries
        stmt = select(d.c.person_id, d.c.status).join(_latest_final, _latest_final.c.id == d.c.id)
        return {int(pid): str(status) for pid, status in self.session.execute(stmt)}

    def last_channels(self) -> dict[int, str]:
        d = tables.deliveries
        latest = (
            select(d.c.person_id, func.max(d.c.id).label("id"))
            .where(d.c.status == DeliveryStatus.SENT, d.c.channel != "")
            .group_by(d.c.person_id)
            .subquery()
        )
        stmt = select(d.c.person_id, d.c.channel).join(latest, latest.c.id == d.c.id)
        return {int(pid): str(channel) for pid, channel in self.session.execute(stmt)}

    def unreachable_reasons(self) -> dict[int, str]:
        d = tables.deliveries
        stmt = (
            select(d.c.person_id, d.c.last_error)
            .join(_latest_final, _latest_final.c.id == d.c.id)
            .where(d.c.status == DeliveryStatus.UNREACHABLE)
        )
        return {int(pid): str(error or "")[:MAX_ERROR] for pid, error in self.session.execute(stmt)}

    def dead_letters(self, *, limit: int = 100) -> list[DeliveryFact]:
        d = tables.deliveries
        stmt = (
            select(d.c.id, d.c.person_id, d.c.kind, d.c.status, d.c.due_at, d.c.last_error)
            .where(d.c.status == DeliveryStatus.DEAD)
            .order_by(d.c.id.desc())
            .limit(limit)
        )
        return [self._fact(row) for row in self.session.execute(stmt)]

    def deliveries_keyed(self, prefix: str) -> list[DeliveryFact]:
        d = tables.deliveries
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = (
            select(d.c.id, d.c.person_id, d.c.kind, d.c.status, d.c.due_at, d.c.last_error)
            .where(d.c.dedupe_key.like(f"{escaped}%", escape="\\"))
            .order_by(d.c.id)
        )
        return [self._fact(row) for row in self.session.execute(stmt)]

    @staticmethod
    def _fact(row: Any) -> DeliveryFact:
        did, pid, kind, status, due_at, error = row
        return DeliveryFact(int(did), int(pid), str(kind), str(status), due_at, str(error or "")[:MAX_ERROR])


def _aware(at: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


# each person's latest delivery in a final state (the outcome a coordinator sees for them)
_latest_final = (
    select(tables.deliveries.c.person_id, func.max(tables.deliveries.c.id).label("id"))
    .where(tables.deliveries.c.status.in_([str(s) for s in FINAL_DELIVERY_STATES]))
    .group_by(tables.deliveries.c.person_id)
    .subquery()
)
