"""The nudge planner: a pure function of a snapshot, the clock instant and the programme.

:func:`plan` answers three questions for the relationships in a :class:`~bot.snapshot.Snapshot`:

* which **phase moves** are due (the phase engine, ``scheduler.phases``);
* which **deliveries** are due now, each with a dedupe key built from stable facts
  (``agenda_request:{meeting}.{sequence}:{person}``, ``weekly_digest:{guide}:{iso week}``,
  ``cadence:{relationship}:{window start}:{person}``...), so the same nudge is never planned twice --
  the outbox refuses a second row with the same key;
* when each relationship next needs a look (its **review** time): the earliest future moment at which
  something could become due, so a plan pass only ever loads what is due.

Nothing is planned ahead of time: a nudge is planned once its time has come (so its content is fresh),
and a nudge whose time passed longer ago than its kind's grace (the misfire policy) is not planned at
all.  People are respected here: their own time zone and quiet hours, the programme's weekend days for
routine nudges, pauses, opt-outs and the daily cap (lower-priority nudges move to the next day; they
are deferred, never dropped).

What each nudge family plans, and what it says, lives in its own module of :mod:`scheduler.nudges`
(the registry); this module runs them all and applies what is common to every nudge.

Stall alerts are returned as :class:`StallAlert` facts without recipients; :func:`address_alerts` turns
them into one batched message per coordinator (activity only).  Batched messages (action reminders,
stall alerts) carry the dedupe keys of their items; the plan pass writes those as ``batched`` marker
rows, so an item is never reminded twice even when it arrives in a different batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import timedelta

from bot.messages import Message
from bot.model import DeliveryStatus
from bot.model import Person
from bot.model import RelationshipStatus
from bot.nudge_kinds import opted_out
from bot.programme import ProgrammeConfig
from bot.snapshot import ExistingDelivery
from bot.snapshot import RelationshipFacts
from bot.snapshot import Snapshot
from scheduler.localtime import day_slot
from scheduler.localtime import local_date
from scheduler.localtime import start_of_day
from scheduler.nudges import DAY_BOUND_KINDS
from scheduler.nudges import FAMILIES
from scheduler.nudges import ROUTINE_KINDS
from scheduler.nudges import SCHEDULER_KINDS
from scheduler.nudges._scope import Candidate
from scheduler.nudges._scope import RelationshipScope
from scheduler.nudges.schedule import STALL
from scheduler.nudges.schedule import StallAlert
from scheduler.nudges.schedule import compose_stall_alert
from scheduler.phases import PhaseOutcome
from scheduler.phases import PhaseStep
from scheduler.phases import evaluate

MIN_REVIEW = timedelta(minutes=1)
MAX_REVIEW = timedelta(hours=24)  # every relationship is looked at at least daily, as a safety net

# outbox states that still count against the daily cap (a skipped or failed-for-good one does not)
_COUNTING = frozenset(
    {DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, DeliveryStatus.SENT, DeliveryStatus.FAILED}
)


@dataclass(frozen=True)
class Planned:
    """One delivery to write to the outbox."""

    person_id: int
    kind: str
    dedupe_key: str
    due_at: datetime
    expires_at: datetime
    priority: int
    relationship_id: int | None
    message: Message
    items: tuple[str, ...] = ()  # dedupe keys of the items batched into this message
    # the message for a subset of ``items`` (when some of them went out in another batch meanwhile)
    recompose: Callable[[tuple[str, ...]], Message] | None = field(default=None, compare=False)


@dataclass
class Plan:
    deliveries: list[Planned]
    phase_steps: list[PhaseStep]
    reviews: dict[int, datetime]  # relationship id -> when to look at it again
    alerts: list[StallAlert]
    # relationship id -> what the phase engine said (for those that have started), for the plan pass
    phases: dict[int, PhaseOutcome] = field(default_factory=dict)


def plan(snapshot: Snapshot, now: datetime, programme: ProgrammeConfig) -> Plan:
    """Everything due at ``now`` for the relationships in ``snapshot``; see the module docstring."""
    return _Planner(snapshot, now, programme).run()


class _Planner:
    """One planning of one snapshot: the :class:`~scheduler.nudges._scope.Planning` the families' rules
    offer their candidates to."""

    def __init__(self, snapshot: Snapshot, now: datetime, programme: ProgrammeConfig) -> None:
        self.snapshot = snapshot
        self.now = now
        self.programme = programme
        self.existing = snapshot.existing_keys()
        self.planned: dict[str, Planned] = {}
        self.wakes: dict[int, datetime] = {}
        self.steps: list[PhaseStep] = []
        self.phases: dict[int, PhaseOutcome] = {}
        self.alerts: list[StallAlert] = []
        self.people: dict[int, Person] = {}
        self.phase_families: dict[str, frozenset[str]] = {}

    # -- driving ---------------------------------------------------------------------------------------
    def run(self) -> Plan:
        by_guide: dict[int, tuple[Person, list[RelationshipFacts]]] = {}
        for facts in self.snapshot.relationships:
            for m in facts.relationship.current_members():
                if m.person.id is not None:
                    self.people[m.person.id] = m.person
            if self._relationship(facts):
                for g in facts.relationship.guides():
                    if g.id is not None:
                        by_guide.setdefault(g.id, (g, []))[1].append(facts)
        for guide, rels in by_guide.values():
            for family in FAMILIES:
                if family.plan_guide is not None:
                    family.plan_guide(self, guide, rels)
        deliveries = apply_daily_cap(
            list(self.planned.values()), self.snapshot.existing, self.people, self.programme
        )
        reviews = {
            f.id: min(
                max(self.wakes.get(f.id, self.now + MAX_REVIEW), self.now + MIN_REVIEW), self.now + MAX_REVIEW
            )
            for f in self.snapshot.relationships
        }
        return Plan(deliveries, self.steps, reviews, self.alerts, self.phases)

    def wake(self, relationship_ids: Iterable[int], at: datetime) -> None:
        wakes = self.wakes
        for rid in relationship_ids:
            earliest = wakes.get(rid)
            if earliest is None or at < earliest:
                wakes[rid] = at

    def alert(self, alert: StallAlert) -> None:
        self.alerts.append(alert)

    def offer(self, c: Candidate, wake_ids: Iterable[int]) -> None:
        """Plan ``c`` if it is due now and wanted; otherwise note when to look again."""
        p = c.person
        if p.id is None or not p.in_programme or opted_out(p.opt_outs, c.spec.kind):
            return
        if c.due > self.now:
            self.wake(wake_ids, c.due)
            return
        if self.now >= c.expires:
            return  # the misfire policy: no longer worth sending
        if p.is_paused_on(local_date(self.now, p)):
            if p.paused_until is not None:
                self.wake(wake_ids, day_slot(p.paused_until, p, self.programme))
            return
        items = tuple(i for i in c.items if i not in self.existing)
        if c.items and not items:
            return
        key = f"{c.key}+{items[0]}" if c.items else c.key
        if key in self.existing or key in self.planned:
            return
        message = c.recompose(items) if c.items and items != c.items and c.recompose else c.build()
        self.planned[key] = Planned(
            person_id=p.id,
            kind=c.spec.kind,
            dedupe_key=key,
            due_at=c.due,
            expires_at=c.expires,
            priority=c.spec.priority,
            relationship_id=c.relationship_id,
            message=message,
            items=items,
            recompose=c.recompose,
        )

    # -- one relationship --------------------------------------------------------------------------------
    def _relationship(self, f: RelationshipFacts) -> bool:
        """Plan one relationship; True when it is live (so its guides get a digest)."""
        rel = f.relationship
        starts = start_of_day(rel.started_on, self.programme.zone)
        if self.now < starts:  # not yet running (bot.match_dates): nothing until its first day
            self.wake([f.id], starts)
            return False
        outcome = self.phases[f.id] = evaluate(f, self.now, self.programme)
        self.steps.extend(outcome.steps)
        if outcome.next_change_at is not None:
            self.wake([f.id], outcome.next_change_at)
        if rel.status != RelationshipStatus.ACTIVE or outcome.finished:
            return False
        scope = RelationshipScope(
            self,
            f,
            outcome.state.phase,
            families=self._families(outcome.state.phase),
            phase_entered_at=outcome.state.entered_at,
            phase_changed_at=outcome.steps[-1].at if outcome.steps else _latest_change_at(f),
            phase_set_by_hand=not outcome.steps and outcome.state.manual,
        )
        for rule in _RELATIONSHIP_RULES:
            rule(scope)
        return True

    def _families(self, phase: str) -> frozenset[str]:
        """The names a phase lists (``phases[].nudges``), worked out once per pass and phase."""
        names = self.phase_families.get(phase)
        if names is None:
            known = phase in self.programme.phase_names()
            names = frozenset(self.programme.phase(phase).nudges) if known else frozenset()
            self.phase_families[phase] = names
        return names


# every family's per-relationship rule, in the registry's order
_RELATIONSHIP_RULES = tuple(family.plan for family in FAMILIES if family.plan is not None)


def _latest_change_at(f: RelationshipFacts) -> datetime | None:
    history = list(f.phase_history)
    if history and history[-1].phase == f.relationship.phase:
        return history[-1].at
    return None


# -- coordinators -----------------------------------------------------------------------------------------


def address_alerts(
    alerts: Sequence[StallAlert],
    coordinators: Sequence[Person],
    now: datetime,
    programme: ProgrammeConfig,
    existing: Sequence[ExistingDelivery] = (),
) -> list[Planned]:
    """One stall alert per coordinator and day, listing every relationship newly past its threshold."""
    planned: list[Planned] = []
    existing_keys = {d.dedupe_key for d in existing}
    people: dict[int, Person] = {}
    for c in coordinators:
        if c.id is None or not c.in_programme or opted_out(c.opt_outs, STALL.kind):
            continue
        if c.is_paused_on(local_date(now, c)):
            continue
        people[c.id] = c
        lines = {
            f"stall:{a.line.relationship_id}:{a.window_start.isoformat()}:{c.id}": a
            for a in sorted(alerts, key=lambda a: a.line.relationship_id)
        }
        fresh = tuple(k for k in lines if k not in existing_keys)
        if not fresh:
            continue
        due = min(day_slot(lines[k].due_on, c, programme) for k in fresh)
        today = local_date(now, c)

        def recompose(
            keys: tuple[str, ...], lines: Mapping[str, StallAlert] = lines, today: date = today
        ) -> Message:
            return compose_stall_alert(programme, [lines[k].line for k in keys], today)

        planned.append(
            Planned(
                person_id=c.id,
                kind=STALL.kind,
                dedupe_key=f"stall_alert:{c.id}:{due:%Y%m%d}+{fresh[0]}",
                due_at=due,
                expires_at=due + STALL.grace,
                priority=STALL.priority,
                relationship_id=None,
                message=recompose(fresh),
                items=fresh,
                recompose=recompose,
            )
        )
    return apply_daily_cap(planned, existing, people, programme)


# -- the daily cap ---------------------------------------------------------------------------------------


def apply_daily_cap(
    planned: Sequence[Planned],
    existing: Sequence[ExistingDelivery],
    people: Mapping[int, Person],
    programme: ProgrammeConfig,
) -> list[Planned]:
    """At most ``daily_nudge_cap`` nudges per person per local day: the most important go first, the
    rest move to the next day that has room (deferred, never dropped). Day-bound kinds (the weekly
    digest) are placed first and never moved."""
    cap = programme.daily_nudge_cap
    counts: Counter[tuple[int, date]] = Counter()
    for d in existing:
        person = people.get(d.person_id)
        if person is not None and d.kind in SCHEDULER_KINDS and d.status in _COUNTING:
            counts[(d.person_id, local_date(d.due_at, person))] += 1
    out: list[Planned] = []
    order = sorted(
        planned,
        key=lambda d: (d.person_id, d.kind not in DAY_BOUND_KINDS, d.priority, d.due_at, d.dedupe_key),
    )
    for item in order:
        person = people.get(item.person_id)
        if person is None:
            out.append(item)
            continue
        if item.kind in DAY_BOUND_KINDS:
            counts[(item.person_id, local_date(item.due_at, person))] += 1
            out.append(item)
            continue
        due = item.due_at
        day = local_date(due, person)
        for _ in range(366):
            if counts[(item.person_id, day)] < cap:
                break
            due = day_slot(day + timedelta(days=1), person, programme)
            day = local_date(due, person)
        counts[(item.person_id, day)] += 1
        if due == item.due_at:
            out.append(item)
        else:  # our own deferral: a routine nudge stays worth sending for as long as it was before
            expires = item.expires_at + (due - item.due_at) if item.kind in ROUTINE_KINDS else item.expires_at
            out.append(replace(item, due_at=due, expires_at=expires))
    return out
