"""The nudge planner: a pure function of a snapshot, the clock instant and the programme.

:func:`plan` answers three questions for the relationships in a :class:`~scheduler.snapshot.Snapshot`:

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

Stall alerts are returned as :class:`StallAlert` facts without recipients; :func:`address_alerts` turns
them into one batched message per coordinator (activity only).  Batched messages (action reminders,
stall alerts) carry the dedupe keys of their items; the plan pass writes those as ``batched`` marker
rows, so an item is never reminded twice even when it arrives in a different batch.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from bot import goals as goal_rules
from bot.action_plan import open_items
from bot.agenda import agenda_setters, is_peer_relationship
from bot.followup import did_you_meet_message
from bot.ground_rules import (
    ReviewPeriod,
    agreed,
    pending,
    responsible_for_scheduling,
    review_period,
    waiting_for,
)
from bot.ground_rules import agenda_lead as agenda_lead_of
from bot.meetings import counts_as_held, ends_at, held_becomes_due, held_starts
from bot.messages import Message
from bot.model import (
    ActionItem,
    DeliveryStatus,
    Goal,
    Meeting,
    MeetingStatus,
    Person,
    Relationship,
    RelationshipStatus,
    Side,
)
from bot.onboarding import onboarding_message
from bot.programme import ProgrammeConfig
from scheduler import compose
from scheduler.kinds import (
    ACTION_DUE,
    ACTION_OVERDUE,
    AGENDA_COMPILED,
    AGENDA_REQUEST,
    CADENCE,
    CHECKIN,
    DAY_BOUND_KINDS,
    FIRST_MEETING,
    FOLLOWUP,
    GROUND_RULES_PROMPT,
    GROUND_RULES_REVIEW,
    NETWORK_TIP,
    ONBOARDING,
    PHASE_PROMPT,
    REFLECTION_FAMILIES,
    ROUTINE_KINDS,
    SCHEDULER_KINDS,
    STALL,
    WEEKLY_DIGEST,
    NudgeSpec,
)
from scheduler.localtime import at_local, day_slot, local_date, release, start_of_day, zone_of
from scheduler.phases import PhaseStep, evaluate
from scheduler.rhythm import cadence as cadence_of
from scheduler.snapshot import ExistingDelivery, RelationshipFacts, Snapshot

# days after the match when the first and second first-meeting and ground-rules prompts go
FIRST_MEETING_DAYS = (2, 9)
GROUND_RULES_DAYS = (7, 21)
NETWORK_TIP_DAYS = 28
AGENDA_REQUEST_BEFORE_DEADLINE = timedelta(hours=24)  # the mentee is asked a day before the agenda is due
FOLLOWUP_AFTER_END = timedelta(hours=1)
DIGEST_HORIZON = timedelta(days=14)  # meetings shown in the weekly digest
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


@dataclass(frozen=True)
class StallAlert:
    """A relationship with no meeting for twice its rhythm: facts for coordinators (no content)."""

    line: compose.StallLine
    window_start: date
    due_on: date  # the day (programme time zone) the threshold passed


@dataclass
class Plan:
    deliveries: list[Planned]
    phase_steps: list[PhaseStep]
    reviews: dict[int, datetime]  # relationship id -> when to look at it again
    alerts: list[StallAlert]


@dataclass
class _Candidate:
    spec: NudgeSpec
    person: Person
    key: str  # for a batch: the prefix; the key is completed with the first new item
    due: datetime
    expires: datetime
    relationship_id: int | None
    build: Callable[[], Message]
    items: tuple[str, ...] = ()
    recompose: Callable[[tuple[str, ...]], Message] | None = None


def plan(snapshot: Snapshot, now: datetime, programme: ProgrammeConfig) -> Plan:
    """Everything due at ``now`` for the relationships in ``snapshot``; see the module docstring."""
    return _Planner(snapshot, now, programme).run()


class _Planner:
    def __init__(self, snapshot: Snapshot, now: datetime, programme: ProgrammeConfig) -> None:
        self.snapshot = snapshot
        self.now = now
        self.programme = programme
        self.existing = snapshot.existing_keys()
        self.planned: dict[str, Planned] = {}
        self.wakes: dict[int, datetime] = {}
        self.steps: list[PhaseStep] = []
        self.alerts: list[StallAlert] = []
        self.people: dict[int, Person] = {}

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
            self._digest(guide, rels)
        deliveries = apply_daily_cap(
            list(self.planned.values()), self.snapshot.existing, self.people, self.programme
        )
        reviews = {
            f.id: min(
                max(self.wakes.get(f.id, self.now + MAX_REVIEW), self.now + MIN_REVIEW), self.now + MAX_REVIEW
            )
            for f in self.snapshot.relationships
        }
        return Plan(deliveries, self.steps, reviews, self.alerts)

    def wake(self, relationship_ids: Iterable[int], at: datetime) -> None:
        for rid in relationship_ids:
            if at < self.wakes.get(rid, datetime.max.replace(tzinfo=at.tzinfo)):
                self.wakes[rid] = at

    def offer(self, c: _Candidate, wake_ids: Iterable[int]) -> None:
        """Plan ``c`` if it is due now and wanted; otherwise note when to look again."""
        p = c.person
        if p.id is None or not p.active or p.erased_at is not None or c.spec.kind in p.opt_outs:
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
        outcome = evaluate(f, self.now, self.programme)
        self.steps.extend(outcome.steps)
        if outcome.next_change_at is not None:
            self.wake([f.id], outcome.next_change_at)
        if rel.status != RelationshipStatus.ACTIVE or outcome.finished:
            return False
        phase = outcome.state.phase
        families = set(self.programme.phase(phase).nudges) if phase in self.programme.phase_names() else set()
        ctx = _RelContext(self, f, phase, families)
        ctx.onboarding()
        ctx.first_meeting()
        ctx.ground_rules()
        ctx.rhythm()
        ctx.meetings()
        ctx.actions()
        ctx.checkins(outcome.state.entered_at)
        changed_at = outcome.steps[-1].at if outcome.steps else _latest_change_at(f)
        manual = not outcome.steps and outcome.state.manual
        if changed_at is not None and (phase != self.programme.phase_names()[0] or manual):
            ctx.phase_prompt(changed_at)
        ctx.network_tip()
        return True

    # -- the weekly digest -------------------------------------------------------------------------------
    def _digest(self, guide: Person, rels: list[RelationshipFacts]) -> None:
        programme, now = self.programme, self.now
        tz = zone_of(guide)
        local_now = now.astimezone(tz)
        day = local_now.date() - timedelta(days=(local_now.weekday() - programme.digest_weekday) % 7)

        def occurrence(d: date) -> datetime:
            return release(at_local(d, programme.digest_time, tz), guide, programme, routine=False)

        if occurrence(day) > now:
            day -= timedelta(days=7)
        ids = [f.id for f in rels]
        self.wake(ids, occurrence(day + timedelta(days=7)))
        due = occurrence(day)
        # the guide's own first day: a Sydney guide whose match starts on a Monday gets that Monday's
        # digest, although the programme's Monday has not begun when it is due
        if due < min(start_of_day(f.relationship.started_on, tz) for f in rels):
            return
        year, week, _ = day.isocalendar()
        today = local_now.date()
        build = functools.partial(_build_digest, programme, guide, rels, now, today, week)
        self.offer(
            _Candidate(
                WEEKLY_DIGEST,
                guide,
                f"weekly_digest:{guide.id}:{year}-W{week:02d}",
                due,
                due + WEEKLY_DIGEST.grace,
                None,
                build,
            ),
            ids,
        )


class _RelContext:
    """The rules for one relationship, sharing what they all need."""

    def __init__(self, planner: _Planner, f: RelationshipFacts, phase: str, families: set[str]) -> None:
        self.p = planner
        self.f = f
        self.rel: Relationship = f.relationship
        self.phase = phase
        self.families = families
        self.programme = planner.programme
        self.now = planner.now
        self.rules = agreed(list(f.rules))
        self.members = [m.person for m in self.rel.current_members()]
        self.learner_side = [m.person for m in self.rel.current_members() if m.side != Side.GUIDE]

    def gated(self, spec: NudgeSpec) -> bool:
        return spec.family is None or spec.family in self.families

    def offer(
        self,
        spec: NudgeSpec,
        person: Person,
        key: str,
        due: datetime,
        build: Callable[[], Message],
        *,
        expires: datetime | None = None,
    ) -> None:
        self.p.offer(
            _Candidate(spec, person, key, due, expires or due + spec.grace, self.f.id, build), [self.f.id]
        )

    def day(self, offset_days: int) -> date:
        return self.rel.started_on + timedelta(days=offset_days)

    def joined_on(self, person: Person) -> date:
        """The person's first day in the match: its start, or their own later join (a late joiner)."""
        m = self.rel.member(person.id)
        joined = local_date(m.joined_at, person) if m is not None and m.joined_at is not None else None
        return max(self.rel.started_on, joined) if joined is not None else self.rel.started_on

    # -- initiation ---------------------------------------------------------------------------------------
    def onboarding(self) -> None:
        if not self.gated(ONBOARDING):
            return
        for m in self.rel.current_members():
            person = m.person
            day = self.joined_on(person)
            build = functools.partial(
                onboarding_message, self.programme, self.rel, person, rules_agreed=self.rules is not None
            )
            self.offer(
                ONBOARDING,
                person,
                f"onboarding:{self.f.id}:{person.id}",
                day_slot(day, person, self.programme),
                build,
            )

    def first_meeting(self) -> None:
        if not self.gated(FIRST_MEETING) or self.f.meetings_held or self.f.last_met_at is not None:
            return
        live = (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED, MeetingStatus.HELD, MeetingStatus.MISSED)
        if any(m.status in live for m in self.f.meetings):
            return
        learners = {p.id for p in self.learner_side}
        for n, days in enumerate(FIRST_MEETING_DAYS, start=1):
            for person in responsible_for_scheduling(self.rules, self.programme, self.rel):
                build = functools.partial(
                    compose.first_meeting,
                    self.programme,
                    self.rel,
                    person,
                    self.rules,
                    goals=person.id in learners and "goals" in self.families,
                )
                self.offer(
                    FIRST_MEETING,
                    person,
                    f"first_meeting:{self.f.id}:{n}:{person.id}",
                    day_slot(self.joined_on(person) + timedelta(days=days), person, self.programme),
                    build,
                )

    def ground_rules(self) -> None:
        if self.rules is None:
            if not self.gated(GROUND_RULES_PROMPT):
                return
            waiting = pending(list(self.f.rules))
            recipients = waiting_for(waiting, self.rel) if waiting is not None else self.members
            for n, days in enumerate(GROUND_RULES_DAYS, start=1):
                for person in recipients:
                    build = functools.partial(
                        compose.ground_rules_prompt, self.programme, self.rel, person, waiting
                    )
                    self.offer(
                        GROUND_RULES_PROMPT,
                        person,
                        f"ground_rules:{self.f.id}:{n}:{person.id}",
                        day_slot(self.day(days), person, self.programme),
                        build,
                    )
            return
        if self.rules.agreed_at is None or not self.reviews_agreement():
            return
        period = review_period(self.rules, self.programme)
        anchor = self.rules.agreed_at
        for n in _review_occurrences(anchor, period, self.now):
            at = period.after(anchor, n)
            for person in self.members:
                build = functools.partial(
                    compose.ground_rules_review, self.programme, self.rel, person, self.rules
                )
                self.offer(
                    GROUND_RULES_REVIEW,
                    person,
                    f"ground_rules_review:{self.f.id}:v{self.rules.version}:{n}:{person.id}",
                    day_slot(local_date(at, person), person, self.programme),
                    build,
                )

    def reviews_agreement(self) -> bool:
        """The pair's agreement is reviewed at the interval they agreed in every phase of a running
        relationship but the last (closure: the pair is ending, not renewing), or wherever the programme
        lists ``ground_rules_review``.  A person's opt-out still counts (``offer``)."""
        last = self.programme.phase_names()[-1]
        return self.gated(GROUND_RULES_REVIEW) or self.phase != last

    # -- rhythm: the cadence nudge and the stall alert -----------------------------------------------------
    def last_met(self) -> datetime | None:
        """The start of the latest meeting that counts as held (``bot.meetings.counts_as_held``)."""
        found = [self.f.last_met_at] if self.f.last_met_at is not None else []
        found += held_starts(self.f.meetings, self.now, self.programme.held_grace)
        return max(found) if found else None

    def meetings_held(self) -> int:
        """How many meetings count as held: those a member recorded, and confirmed ones past the grace."""
        grace = self.programme.held_grace
        unanswered = [m for m in self.f.meetings if m.status == MeetingStatus.CONFIRMED]
        return self.f.meetings_held + sum(1 for m in unanswered if counts_as_held(m, self.now, grace))

    def rhythm(self) -> None:
        rhythm = cadence_of(self.rules, self.rel)
        grace = self.programme.held_grace
        # booked: a confirmed meeting ahead, or one that is over and waiting for "did you meet?" (it is
        # not held yet, and not missed: no "time to book" nudge or stall alert while the pair can answer)
        booked = any(
            (
                m.status == MeetingStatus.CONFIRMED
                and m.starts_at is not None
                and not counts_as_held(m, self.now, grace)
            )
            or (m.status == MeetingStatus.PROPOSED and m.created_at >= self.now - rhythm)
            for m in self.f.meetings
        )
        if booked:
            return
        last = self.last_met()
        zone = self.programme.zone
        window = last.astimezone(zone).date() if last is not None else self.rel.started_on
        if self.gated(CADENCE):
            for person in responsible_for_scheduling(self.rules, self.programme, self.rel):
                today = local_date(self.now, person)
                last_on = local_date(last, person) if last is not None else None
                build = functools.partial(
                    compose.cadence, self.programme, self.rel, person, self.rules, last_on, today
                )
                self.offer(
                    CADENCE,
                    person,
                    f"cadence:{self.f.id}:{window.isoformat()}:{person.id}",
                    day_slot(window + rhythm, person, self.programme),
                    build,
                )
        # from the start of that day in the programme's zone, so each coordinator gets it at their own 09:00
        stall_on = window + 2 * rhythm
        stall_at = start_of_day(stall_on, zone)
        if stall_at > self.now:
            self.p.wake([self.f.id], stall_at)
        elif self.now < stall_at + STALL.grace:
            line = compose.StallLine(
                relationship_id=self.f.id,
                kind=self.rel.kind,
                names=tuple(p.name for p in self.members),
                last_met_on=last.astimezone(zone).date() if last is not None else None,
                started_on=self.rel.started_on,
                meetings_held=self.meetings_held(),
            )
            self.p.alerts.append(StallAlert(line, window, stall_on))

    # -- meetings: agenda request, compiled agenda, "did you meet?" ----------------------------------------
    def meetings(self) -> None:
        """Before every confirmed meeting (the first included, in any phase): the agenda request to
        whoever sets the agenda and the compiled agenda to the guides; after it, "did you meet?".  These
        are tied to meetings, not to phase families; a person's opt-out of a kind still counts."""
        lead = agenda_lead_of(self.rules, self.programme)
        never_met = self.last_met() is None
        confirmed = [m for m in self.f.meetings if m.status == MeetingStatus.CONFIRMED and m.starts_at]
        for m in self.f.meetings:
            if m.status != MeetingStatus.CONFIRMED or m.starts_at is None or m.id is None:
                continue
            ref = f"{m.id}.{m.sequence}"
            if m.starts_at > self.now:
                # the pair's first meeting: they never met, and nothing confirmed comes before it
                first = never_met and not any(o.starts_at < m.starts_at for o in confirmed if o.starts_at)
                self._agenda(m, ref, lead, first)
            held_at = held_becomes_due(m, self.programme.held_grace)
            if held_at is not None and held_at > self.now:
                self.p.wake([self.f.id], held_at)  # an unanswered meeting starts to count as held then
            end = ends_at(m) or m.starts_at
            for person in self.members:
                build = functools.partial(did_you_meet_message, self.programme, self.rel, m, person)
                self.offer(
                    FOLLOWUP,
                    person,
                    f"followup:{ref}:{person.id}",
                    release(end + FOLLOWUP_AFTER_END, person, self.programme, routine=False),
                    build,
                    expires=end + FOLLOWUP.grace,
                )

    def _agenda(self, m: Meeting, ref: str, lead: timedelta, first: bool) -> None:
        assert m.starts_at is not None
        deadline = m.starts_at - lead
        count = compose.agenda_count(self.f, m)
        for person in agenda_setters(self.rel, compose.rules_items(self.rules)):
            build = functools.partial(
                compose.agenda_request, self.programme, self.rel, person, m, deadline, count, first=first
            )
            due = release(deadline - AGENDA_REQUEST_BEFORE_DEADLINE, person, self.programme, routine=False)
            self.offer(
                AGENDA_REQUEST, person, f"agenda_request:{ref}:{person.id}", due, build, expires=deadline
            )
        readers = self.members if is_peer_relationship(self.rel) else (self.rel.guides() or self.members)
        for person in readers:
            build = functools.partial(
                compose.agenda_compiled, self.programme, self.f, person, m, local_date(self.now, person)
            )
            due = release(deadline, person, self.programme, routine=False)
            self.offer(
                AGENDA_COMPILED, person, f"agenda_compiled:{ref}:{person.id}", due, build, expires=m.starts_at
            )

    # -- action plans ---------------------------------------------------------------------------------------
    def actions(self) -> None:
        if not self.gated(ACTION_DUE):
            return
        groups: dict[tuple[str, int, datetime], list[tuple[str, ActionItem]]] = {}
        owners: dict[int, Person] = {}
        for a in open_items(self.f.actions):
            member = self.rel.member(a.owner_id) if a.owner_id is not None else None
            if member is None or a.due_on is None or member.person.id is None:
                continue
            owner = member.person
            owners[member.person.id] = owner
            before = day_slot(a.due_on - timedelta(days=2), owner, self.programme)
            if a.created_at < before:
                groups.setdefault(("due", member.person.id, before), []).append(
                    (f"action_due:{a.id}:{a.due_on}", a)
                )
            after = day_slot(a.due_on + timedelta(days=1), owner, self.programme)
            groups.setdefault(("overdue", member.person.id, after), []).append(
                (f"action_overdue:{a.id}:{a.due_on}", a)
            )
        for (which, owner_id, due), entries in sorted(groups.items(), key=lambda kv: (kv[0][2], kv[0][0])):
            owner = owners[owner_id]
            overdue = which == "overdue"
            spec = ACTION_OVERDUE if overdue else ACTION_DUE
            by_key = dict(entries)
            first_due = min(a.due_on for _, a in entries if a.due_on is not None)
            # "due soon" is worth sending until the end of the due date; "overdue" for a week
            expires = (
                due + spec.grace
                if overdue
                else at_local(first_due + timedelta(days=1), time(0, 0), zone_of(owner))
            )

            def recompose(
                keys: tuple[str, ...],
                owner: Person = owner,
                by_key: Mapping[str, ActionItem] = by_key,
                overdue: bool = overdue,
            ) -> Message:
                return compose.action_reminder(
                    self.programme, self.rel, owner, [by_key[k] for k in keys], overdue=overdue
                )

            items = tuple(k for k, _ in entries)
            self.p.offer(
                _Candidate(
                    spec,
                    owner,
                    f"action_reminder:{self.f.id}:{owner_id}:{which}",
                    due,
                    expires,
                    self.f.id,
                    functools.partial(recompose, items),
                    items,
                    recompose,
                ),
                [self.f.id],
            )

    # -- growth ---------------------------------------------------------------------------------------------
    def checkins(self, phase_entered_at: datetime) -> None:
        if not self.gated(CHECKIN):
            return
        interval = self.programme.checkin_interval
        for person in self.learner_side:
            last = self.f.last_checkin.get(person.id or 0)
            anchor = max(last, phase_entered_at) if last is not None else phase_entered_at
            for n in _occurrences(anchor, interval, self.now):
                day = local_date(anchor + n * interval, person)
                build = functools.partial(compose.checkin, self.programme, self.rel, person)
                self.offer(
                    CHECKIN,
                    person,
                    f"checkin:{self.f.id}:{person.id}:{day.isoformat()}",
                    day_slot(day, person, self.programme),
                    build,
                )

    def phase_prompt(self, changed_at: datetime) -> None:
        # a phase the match was already in when the roster was imported (phases count from the match's
        # own start) is announced on the day the bot learned of the match, not lost to the misfire policy
        created = self.rel.created_at
        told_from = max(changed_at, created) if created is not None else changed_at
        reflections = [r for r in REFLECTION_FAMILIES if r in self.families]
        for person in self.members:
            build = functools.partial(
                compose.phase_prompt, self.programme, self.rel, person, self.phase, reflections
            )
            self.offer(
                PHASE_PROMPT,
                person,
                f"phase_prompt:{self.f.id}:{self.phase}:{changed_at:%Y%m%dT%H%M}:{person.id}",
                day_slot(local_date(told_from, person), person, self.programme),
                build,
            )

    def network_tip(self) -> None:
        if is_peer_relationship(self.rel):
            return
        for person in self.learner_side:
            if person.id in self.p.snapshot.people_with_network:
                continue
            self.offer(
                NETWORK_TIP,
                person,
                f"network_tip:{self.f.id}:{person.id}",
                day_slot(self.day(NETWORK_TIP_DAYS), person, self.programme),
                functools.partial(compose.network_tip, self.programme),
            )


def _occurrences(anchor: datetime, interval: timedelta, now: datetime) -> list[int]:
    """The numbers of the current (latest at or before ``now``) and the next periodic occurrence."""
    k = int((now - anchor) / interval) if now >= anchor else 0
    return [n for n in (k, k + 1) if n >= 1]


def _review_occurrences(anchor: datetime, period: ReviewPeriod, now: datetime) -> list[int]:
    """Like :func:`_occurrences`, for a calendar period: the latest review at or before ``now``, and the
    next one."""
    n = 0
    while period.after(anchor, n + 1) <= now:
        n += 1
    return [k for k in (n, n + 1) if k >= 1]


def _latest_change_at(f: RelationshipFacts) -> datetime | None:
    history = list(f.phase_history)
    if history and history[-1].phase == f.relationship.phase:
        return history[-1].at
    return None


def _build_digest(
    programme: ProgrammeConfig,
    guide: Person,
    rels: Sequence[RelationshipFacts],
    now: datetime,
    today: date,
    week: int,
) -> Message:
    meetings: list[compose.DigestMeeting] = []
    proposals: list[Relationship] = []
    actions: list[tuple[Relationship, ActionItem]] = []
    stale: list[tuple[Relationship, Goal]] = []
    ordered = sorted(rels, key=lambda f: f.id)
    for f in ordered:
        rel = f.relationship
        stale += [
            (rel, g)
            for g in f.goals
            if g.id is not None and goal_rules.is_stale(g, f.goal_action_done.get(g.id), now)
        ]
        for m in f.meetings:
            if (
                m.status == MeetingStatus.CONFIRMED
                and m.starts_at is not None
                and now < m.starts_at <= now + DIGEST_HORIZON
            ):
                meetings.append(compose.DigestMeeting(m.starts_at, rel, compose.agenda_count(f, m)))
        if any(m.status == MeetingStatus.PROPOSED for m in f.meetings):
            proposals.append(rel)
        learners = {m.person.id for m in rel.current_members() if m.side != Side.GUIDE}
        actions += [(rel, a) for a in open_items(f.actions) if a.owner_id in learners]
    meetings.sort(key=lambda m: m.starts_at)
    chosen = ordered[week % len(ordered)]
    prompt = _mentor_prompt(programme, chosen, week // len(ordered))
    kinds = list(dict.fromkeys(f.relationship.kind for f in ordered))
    return compose.weekly_digest(
        programme, guide, meetings, proposals, actions, prompt, today, stale_goals=stale, kinds=kinds
    )


def _mentor_prompt(
    programme: ProgrammeConfig, f: RelationshipFacts, turn: int
) -> tuple[Relationship, str] | None:
    """One reflective prompt fitting the relationship's kind and phase, rotating through the variants."""
    rel = f.relationship
    key = f"mentor_prompt.{rel.kind}.{rel.phase}"
    variants = [k for k in programme.catalogue.variants(key) if k != key] or (
        [key] if programme.catalogue.has(key) else []
    )
    if not variants:
        return None
    return rel, variants[turn % len(variants)]


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
        if c.id is None or not c.active or c.erased_at is not None or STALL.kind in c.opt_outs:
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
            return compose.stall_alert(programme, [lines[k].line for k in keys], today)

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
