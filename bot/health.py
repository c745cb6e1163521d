"""Programme health for coordinators, confidential by construction.

:func:`build_report` is computed from an :class:`~bot.ports.ActivityReader` -- ids, dates, statuses and
counts -- plus the clock and the programme settings. It never sees an agenda item, an action's text, a
note, a check-in answer or a message, because the reader has no way to return them. Check-in quadrants
are shown only for groups of at least :data:`MIN_GROUP` people, and a group is also hidden when
showing it would let the hidden remainder be worked out by subtraction.

This module holds the facts only. They are shown three ways: neutral chat blocks in
:mod:`bot.workflows._health_view` (the Slack App Home and the Teams card render them), and tables for the
``mentorbot report`` terminal view, CSV files and charts in :mod:`mentorbot.report_tables`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.activity import ActionCounts
from bot.activity import CheckInFact
from bot.activity import DeliveryFact
from bot.activity import GoalFact
from bot.activity import HeldMeeting
from bot.activity import PersonFacts
from bot.activity import RelationshipFacts
from bot.catalogue import TextLookup
from bot.channels import chosen_for
from bot.channels import reached_on
from bot.goals import LAYERS
from bot.match_dates import DateState
from bot.match_dates import date_state
from bot.model import DeliveryStatus
from bot.model import RelationshipStatus
from bot.model import Role
from bot.model import Side
from bot.ports import ActivityReader
from bot.programme import ProgrammeConfig

MIN_GROUP = 5
"""Check-in quadrants are shown only for groups of at least this many people."""

QUADRANTS: tuple[str, ...] = ("growth", "confirmation", "retreat", "stasis")
MONTHS_SHOWN = 6
STALL_FACTOR = 2  # a pair has stalled when it has not met for twice its agreed cadence


@dataclass(frozen=True)
class PairHealth:
    """One relationship that has not ended: its shape and its activity, never its content."""

    id: int
    kind: str
    format: str
    phase: str
    status: str
    guides: tuple[str, ...]
    learners: tuple[str, ...]
    started_on: date
    cadence_days: int
    meetings_held: int
    meetings_by_month: tuple[int, ...]  # aligned with HealthReport.months
    last_met: date | None
    days_without_meeting: int
    stalled: bool
    ground_rules_agreed: bool
    open_actions: int
    overdue_actions: int
    planned_end: date | None = None
    dates: DateState = DateState.RUNNING
    """Where the pair stands on its own calendar (:mod:`bot.match_dates`): only a running pair counts
    as active; one before its start or past its planned end is shown and counted apart."""

    @property
    def running(self) -> bool:
        return self.status == RelationshipStatus.ACTIVE and self.dates == DateState.RUNNING

    @property
    def names(self) -> str:
        members = [*self.guides, *self.learners]
        return ", ".join(members) if members else "-"


@dataclass(frozen=True)
class GuideLoad:
    person_id: int
    name: str
    learners: int
    capacity: int
    hours_this_month: float
    target_hours: float

    @property
    def over_capacity(self) -> bool:
        return self.learners > self.capacity


@dataclass(frozen=True)
class QuadrantGroup:
    """The quadrant counts of one group, or ``counts`` None when the group is too small to show."""

    label: str
    people: int
    counts: tuple[tuple[str, int], ...] | None


@dataclass(frozen=True)
class Unreachable:
    """Someone the bot cannot reach now; their messages wait (``unreachable`` in the outbox) and are
    tried again, at once when they are linked."""

    person_id: int
    name: str
    reason: str  # "no_identity" or "undeliverable"
    detail: str = ""  # why, as the last attempt found: "not found in Slack by e-mail", "Teams: ..."

    def says(self, say: TextLookup) -> str:
        """The reason as a coordinator reads it."""
        text = say(f"coordinator.health.unreachable.{self.reason}")
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True)
class DeadLetter:
    delivery_id: int
    kind: str
    recipient: str
    error: str
    due_at: datetime


@dataclass(frozen=True)
class GoalGroup:
    """Development goals counted for one group: all of them, one competence layer or one programme goal.

    ``goals`` and ``reached`` are None when fewer than :data:`MIN_GROUP` relationships have goals in the
    group: a count over one or two pairs would tell a coordinator what a named learner is working on."""

    dimension: str  # "all", "layer" or "programme_goal"
    label: str  # the layer or programme goal; "" for untagged goals (and for "all")
    relationships: int
    goals: int | None
    reached: int | None


@dataclass(frozen=True)
class HealthReport:
    generated_at: datetime
    today: date
    programme: str
    months: tuple[str, ...]  # "2026-03", oldest first, the current month last
    phases: tuple[tuple[str, int], ...]  # in the programme's phase order, then any others
    pairs: tuple[PairHealth, ...]
    meetings_by_month: tuple[int, ...]  # aligned with months
    guides: tuple[GuideLoad, ...]
    quadrants: tuple[QuadrantGroup, ...]
    unreachable: tuple[Unreachable, ...]
    dead_letters: tuple[DeadLetter, ...]
    protected_hours_per_month: float
    goals: tuple[GoalGroup, ...] = ()
    # (name, channel) for everyone taking part: where the bot reaches them (bot.channels.reached_on)
    channels: tuple[tuple[str, str], ...] = ()

    @property
    def active_pairs(self) -> int:
        return sum(1 for p in self.pairs if p.running)

    @property
    def not_started(self) -> tuple[PairHealth, ...]:
        """Pairs whose start date is still ahead (imported ahead of the cohort)."""
        return tuple(p for p in self.pairs if p.dates == DateState.NOT_STARTED)

    @property
    def past_end(self) -> tuple[PairHealth, ...]:
        """Pairs on or past their planned end date (in closure) that have not been ended yet."""
        return tuple(p for p in self.pairs if p.dates == DateState.PAST_END)

    @property
    def paused_pairs(self) -> int:
        return sum(1 for p in self.pairs if p.status == RelationshipStatus.PAUSED)

    @property
    def stalled(self) -> tuple[PairHealth, ...]:
        return tuple(p for p in self.pairs if p.stalled)

    @property
    def ground_rules_agreed(self) -> int:
        return sum(1 for p in self.pairs if p.ground_rules_agreed)

    @property
    def open_actions(self) -> int:
        return sum(p.open_actions for p in self.pairs)

    @property
    def overdue_actions(self) -> int:
        return sum(p.overdue_actions for p in self.pairs)

    @property
    def meetings_per_pair_this_month(self) -> float:
        if not self.pairs:
            return 0.0
        return sum(p.meetings_by_month[-1] for p in self.pairs) / len(self.pairs)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def last_months(today: date, n: int = MONTHS_SHOWN) -> tuple[str, ...]:
    year, month = today.year, today.month
    keys: list[str] = []
    for _ in range(n):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return tuple(reversed(keys))


def build_report(reader: ActivityReader, programme: ProgrammeConfig, now: datetime) -> HealthReport:
    zone = programme.zone
    today = now.astimezone(zone).date()
    months = last_months(today)
    first_month = date(int(months[0][:4]), int(months[0][5:]), 1)
    since = datetime(first_month.year, first_month.month, 1, tzinfo=zone)

    people = {p.id: p for p in reader.people()}
    relationships = reader.relationships()
    all_held = reader.held_meetings(now=now, grace=programme.held_grace)  # the one rule of "held"
    agreed = reader.ground_rules_agreed()
    actions = reader.action_counts(today)

    held_by_rel: dict[int, list[HeldMeeting]] = {}
    for m in all_held:
        held_by_rel.setdefault(m.relationship_id, []).append(m)

    pairs = tuple(
        _pair(rel, people, held_by_rel.get(rel.id, []), rel.id in agreed, actions, months, zone, today)
        for rel in relationships
    )
    meetings_by_month = tuple(
        sum(
            1
            for m in all_held
            if m.starts_at >= since and month_key(m.starts_at.astimezone(zone).date()) == key
        )
        for key in months
    )
    phase_counts = Counter(p.phase for p in pairs)
    ordered = [(name, phase_counts.pop(name, 0)) for name in programme.phase_names()]
    ordered += sorted(phase_counts.items())

    return HealthReport(
        generated_at=now,
        today=today,
        programme=programme.name,
        months=months,
        phases=tuple(ordered),
        pairs=pairs,
        meetings_by_month=meetings_by_month,
        guides=_guide_load(
            [
                r
                for r in relationships
                if date_state(r.started_on, r.planned_end, today) != DateState.PAST_END
            ],
            people,
            held_by_rel,
            programme,
            today,
        ),
        quadrants=quadrant_groups(reader.latest_checkins(since=now - 2 * programme.checkin_interval), people),
        unreachable=_unreachable(people, reader.last_delivery_status(), reader.unreachable_reasons()),
        dead_letters=tuple(_dead(d, people) for d in reader.dead_letters()),
        protected_hours_per_month=programme.protected_hours_per_month,
        goals=goal_groups(reader.goal_facts(), programme.programme_goals),
        channels=_channels(people, reader.last_channels(), programme),
    )


def _channels(
    people: dict[int, PersonFacts], last: dict[int, str], programme: ProgrammeConfig
) -> tuple[tuple[str, str], ...]:
    rows = [
        (p.name, reached_on(last.get(p.id, ""), chosen_for(p.channel, p.roles, programme), p.platforms))
        for p in people.values()
        if p.in_programme
    ]
    return tuple(sorted(rows, key=lambda r: r[0].lower()))


def _name(people: dict[int, PersonFacts], person_id: int) -> str:
    person = people.get(person_id)
    return person.name if person is not None else f"#{person_id}"


def _pair(
    rel: RelationshipFacts,
    people: dict[int, PersonFacts],
    held: list[HeldMeeting],
    agreed: bool,
    actions: dict[int, ActionCounts],
    months: tuple[str, ...],
    zone: ZoneInfo,
    today: date,
) -> PairHealth:
    held_days = [m.starts_at.astimezone(zone).date() for m in held]
    past = [d for d in held_days if d <= today]
    last_met = max(past) if past else None
    reference = last_met or rel.started_on
    days_without = max(0, (today - reference).days)
    by_month = Counter(month_key(d) for d in held_days)
    counts = actions.get(rel.id, ActionCounts(0, 0))
    dates = date_state(rel.started_on, rel.planned_end, today)
    return PairHealth(
        id=rel.id,
        kind=rel.kind,
        format=rel.format,
        phase=rel.phase,
        status=rel.status,
        guides=tuple(_name(people, pid) for pid in rel.person_ids(Side.GUIDE)),
        learners=tuple(
            _name(people, pid) for pid in rel.person_ids(Side.LEARNER) + rel.person_ids(Side.PEER)
        ),
        started_on=rel.started_on,
        cadence_days=rel.cadence_days,
        meetings_held=len(past),
        meetings_by_month=tuple(by_month.get(key, 0) for key in months),
        last_met=last_met,
        days_without_meeting=days_without,
        stalled=rel.status == RelationshipStatus.ACTIVE
        and dates == DateState.RUNNING
        and days_without > STALL_FACTOR * rel.cadence_days,
        ground_rules_agreed=agreed,
        open_actions=counts.open,
        overdue_actions=counts.overdue,
        planned_end=rel.planned_end,
        dates=dates,
    )


def _guide_load(
    relationships: Sequence[RelationshipFacts],
    people: dict[int, PersonFacts],
    held_by_rel: dict[int, list[HeldMeeting]],
    programme: ProgrammeConfig,
    today: date,
) -> tuple[GuideLoad, ...]:
    zone = programme.zone
    this_month = month_key(today)
    learners: Counter[int] = Counter()
    minutes: Counter[int] = Counter()
    guides: set[int] = {p.id for p in people.values() if Role.GUIDE in p.roles and p.in_programme}
    for rel in relationships:
        rel_guides = rel.person_ids(Side.GUIDE)
        rel_minutes = sum(
            m.minutes
            for m in held_by_rel.get(rel.id, [])
            if month_key(m.starts_at.astimezone(zone).date()) == this_month
            and m.starts_at.astimezone(zone).date() <= today
        )
        for gid in rel_guides:
            guides.add(gid)
            learners[gid] += len(rel.person_ids(Side.LEARNER))
            minutes[gid] += rel_minutes
    loads = [
        GuideLoad(
            person_id=gid,
            name=_name(people, gid),
            learners=learners[gid],
            capacity=_capacity(people.get(gid), programme),
            hours_this_month=round(minutes[gid] / 60, 2),
            target_hours=programme.protected_hours_per_month,
        )
        for gid in guides
    ]
    return tuple(sorted(loads, key=lambda g: (-g.learners, g.name.lower(), g.person_id)))


def _capacity(person: PersonFacts | None, programme: ProgrammeConfig) -> int:
    if person is not None and person.capacity is not None:
        return person.capacity
    return programme.max_learners_per_guide


def quadrant_groups(
    checkins: Sequence[CheckInFact],
    people: dict[int, PersonFacts],
    min_group: int = MIN_GROUP,
) -> tuple[QuadrantGroup, ...]:
    """The quadrant distribution overall and per cohort, each shown only for ``min_group`` people or more.

    When the overall distribution is shown, a cohort is shown only if the people left in hidden cohorts
    are none or at least ``min_group`` too; otherwise the hidden few could be read off by subtracting
    the shown cohorts from the total. Smallest cohorts are hidden first until that holds.
    """
    latest: dict[int, str] = {c.person_id: c.quadrant for c in checkins}
    groups: list[QuadrantGroup] = []
    total = len(latest)
    groups.append(_group("all", list(latest.values()), min_group))
    by_cohort: dict[str, list[str]] = {}
    for pid, quadrant in latest.items():
        person = people.get(pid)
        by_cohort.setdefault(person.cohort if person is not None else "", []).append(quadrant)
    shown = {c: q for c, q in by_cohort.items() if c and len(q) >= min_group}
    hidden = total - sum(len(q) for q in shown.values())
    while shown and total >= min_group and 0 < hidden < min_group:
        smallest = min(shown, key=lambda c: (len(shown[c]), c))
        hidden += len(shown.pop(smallest))
    for cohort in sorted(c for c in by_cohort if c):
        quadrants = by_cohort[cohort]
        if cohort in shown:
            groups.append(_group(cohort, quadrants, min_group))
        else:
            groups.append(QuadrantGroup(cohort, len(quadrants), None))
    return tuple(groups)


def _group(label: str, quadrants: list[str], min_group: int) -> QuadrantGroup:
    if len(quadrants) < min_group:
        return QuadrantGroup(label, len(quadrants), None)
    counts = Counter(quadrants)
    ordered = [(q, counts.pop(q, 0)) for q in QUADRANTS] + sorted(counts.items())
    return QuadrantGroup(label, len(quadrants), tuple(ordered))


def goal_groups(
    facts: Sequence[GoalFact], programme_goals: Sequence[str], min_group: int = MIN_GROUP
) -> tuple[GoalGroup, ...]:
    """Goals set and reached: overall, per competence layer and per programme goal (untagged ones too),
    each counted only when at least ``min_group`` relationships have goals in it."""

    def group(dimension: str, label: str, found: list[GoalFact]) -> GoalGroup:
        rels = len({f.relationship_id for f in found})
        if rels < min_group:
            return GoalGroup(dimension, label, rels, None, None)
        return GoalGroup(dimension, label, rels, len(found), sum(1 for f in found if f.status == "reached"))

    known_tags = list(programme_goals) + sorted({f.programme_goal for f in facts} - {*programme_goals, ""})
    return (
        group("all", "", list(facts)),
        *(group("layer", layer, [f for f in facts if f.layer == layer]) for layer in (*LAYERS, "")),
        *(
            group("programme_goal", tag, [f for f in facts if f.programme_goal == tag])
            for tag in (*known_tags, "")
        ),
    )


def goal_label(group: GoalGroup, say: TextLookup) -> str:
    if group.dimension == "all":
        return say("coordinator.health.goals.all")
    if not group.label:
        return say(f"coordinator.health.goals.untagged_{group.dimension}")
    return say(f"coordinator.health.goals.{group.dimension}", name=group.label)


def _unreachable(
    people: dict[int, PersonFacts], last_status: dict[int, str], reasons: dict[int, str]
) -> tuple[Unreachable, ...]:
    out: list[Unreachable] = []
    for person in people.values():
        if not person.in_programme:
            continue
        detail = reasons.get(person.id, "")
        if person.identities == 0 and last_status.get(person.id) != DeliveryStatus.SENT:
            # no chat account; one whose messages arrive (by e-mail) is reached all the same
            out.append(Unreachable(person.id, person.name, "no_identity", detail))
        elif last_status.get(person.id) == DeliveryStatus.UNREACHABLE:
            out.append(Unreachable(person.id, person.name, "undeliverable", detail))
    return tuple(sorted(out, key=lambda u: (u.name.lower(), u.person_id)))


def _dead(d: DeliveryFact, people: dict[int, PersonFacts]) -> DeadLetter:
    return DeadLetter(d.id, d.kind, _name(people, d.person_id), d.error, d.due_at)
