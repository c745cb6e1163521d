"""The phase engine: which phase of the programme's phase model a relationship is in (domain.md §4).

The programme lists its phases in order; the default is initiation (8 weeks) → cultivation (open) →
separation (6 weeks) → closure (2 weeks).  The engine reads the list by position, so a programme's own
names work the same way:

* the **first** phase ends when the pair has held a meeting (since the phase began) and has agreed
  ground rules, or when its length has passed, whichever comes first.  "Held" is the one rule of
  :func:`bot.meetings.counts_as_held` (a member said so, or nobody answered within ``held_grace``); a
  later "no" for that meeting moves the pair back (:func:`bot.meetings.take_back_phase_move`);
* a phase before the last open-ended one ends when its length has passed;
* the phases **after** the last open-ended phase are anchored to the relationship's planned end: the last
  phase (closure) begins on the planned end date and each one before it begins its own length earlier
  (separation six weeks before the end).  Without a planned end, the open phase lasts until a
  coordinator moves the pair on;
* the relationship is *finished* (no more nudges) once the last phase's length has passed.

Phases are not strictly linear: a coordinator can set any phase by hand
(:func:`bot.coordinator.change_phase`).  The engine
then measures from that moment, and an end-anchored move whose date had already passed when the
coordinator set the phase is not forced again: the engine waits for the next anchor still ahead (closure
on the planned end), or else for the phase's own length.  Every change is kept as a
:class:`~bot.model.PhaseChange` (``by_person_id`` None for the engine).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from bot.ground_rules import agreed
from bot.meetings import FIRST_MEETING_MOVE
from bot.meetings import held_starts
from bot.model import PhaseChange
from bot.programme import ProgrammeConfig
from bot.roster_plan import MATCHED_REASON
from bot.snapshot import RelationshipFacts
from scheduler.localtime import start_of_day


@dataclass(frozen=True)
class PhaseStep:
    """One automatic move, at the instant it became due."""

    relationship_id: int
    from_phase: str
    to_phase: str
    at: datetime
    reason: str

    @property
    def change(self) -> PhaseChange:
        """The move as the history keeps it (``by_person_id`` None: the engine)."""
        return PhaseChange(self.to_phase, self.at, self.reason, None, self.relationship_id)


@dataclass(frozen=True)
class PhaseState:
    phase: str
    entered_at: datetime
    manual: bool  # set by a coordinator (the engine does not force an end-anchored move already past)


@dataclass(frozen=True)
class PhaseOutcome:
    steps: tuple[PhaseStep, ...]
    state: PhaseState
    next_change_at: datetime | None  # when the engine will next have something to do
    finished: bool  # the last phase is over: nothing more is sent for this relationship


def current_state(facts: RelationshipFacts, programme: ProgrammeConfig) -> PhaseState:
    """The phase the relationship is in and when it began (the latest change into it, else the start).

    The import's own entry (``matched``) counts from the start of the match's first day, whatever time it
    was stamped with: earlier imports stamped the import instant, and a re-import may move the start."""
    rel = facts.relationship
    history = list(facts.phase_history)
    start = start_of_day(rel.started_on, programme.zone)
    if history and history[-1].phase == rel.phase:
        last = history[-1]
        if last.by_person_id is None and last.reason == MATCHED_REASON:
            return PhaseState(rel.phase, start, False)
        return PhaseState(rel.phase, last.at, last.by_person_id is not None)
    return PhaseState(rel.phase, start, False)


def met_since(facts: RelationshipFacts, since: datetime, now: datetime, grace: timedelta) -> datetime | None:
    """When the pair first met at or after ``since``, if they did: the start of the earliest meeting
    that counts as held (:func:`bot.meetings.counts_as_held`: a member said so, or ``grace`` has passed
    since a confirmed meeting's end with nobody answering)."""
    times = [t for t in held_starts(facts.meetings, now, grace) if t >= since]
    if times:
        return min(times)
    if facts.last_met_at is not None and facts.last_met_at >= since:
        return facts.last_met_at
    return None


def evaluate(facts: RelationshipFacts, now: datetime, programme: ProgrammeConfig) -> PhaseOutcome:
    """Every move that is due at ``now`` (in order), the resulting state, and when to look again."""
    state = current_state(facts, programme)
    names = programme.phase_names()
    steps: list[PhaseStep] = []
    if state.phase not in names:  # a phase the programme no longer has: leave it to a coordinator
        return PhaseOutcome((), state, None, False)
    for _ in range(len(names)):
        move = _next_move(facts, state, now, programme)
        if move is None:
            break
        at, to_phase, reason = move
        if at > now:
            return PhaseOutcome(tuple(steps), state, at, False)
        steps.append(PhaseStep(facts.id, state.phase, to_phase, at, reason))
        state = PhaseState(to_phase, at, False)
    last = programme.phases[-1]
    if state.phase == last.name and last.length is not None:
        end = state.entered_at + last.length
        return PhaseOutcome(tuple(steps), state, None if end <= now else end, end <= now)
    return PhaseOutcome(tuple(steps), state, None, False)


def _next_move(
    facts: RelationshipFacts, state: PhaseState, now: datetime, programme: ProgrammeConfig
) -> tuple[datetime, str, str] | None:
    names = programme.phase_names()
    i = names.index(state.phase)
    if i + 1 >= len(names):
        return None
    spec = programme.phases[i]
    rel = facts.relationship
    open_index = max((j for j, p in enumerate(programme.phases) if p.length is None), default=-1)
    options: list[tuple[datetime, str, str]] = []
    if i == 0:
        ready = _ready_at(facts, state.entered_at, now, programme)
        if ready is not None:
            options.append((ready, names[1], FIRST_MEETING_MOVE))
    by_length = (
        (state.entered_at + spec.length, names[i + 1], f"{spec.name} phase length passed")
        if spec.length is not None
        else None
    )
    if 0 <= open_index <= i and rel.planned_end is not None:
        # end-anchored; after a coordinator's move, only the anchors still ahead of it count
        for j in range(i + 1, len(names)):
            anchor = _anchored_start(j, rel.planned_end, programme)
            if not (state.manual and anchor <= state.entered_at):
                reason = "planned end reached" if j == len(names) - 1 else "planned end approaching"
                options.append((max(anchor, state.entered_at), names[j], reason))
                break
        else:
            if by_length is not None:
                options.append(by_length)
    elif by_length is not None:
        options.append(by_length)
    return min(options) if options else None


def _ready_at(
    facts: RelationshipFacts, since: datetime, now: datetime, programme: ProgrammeConfig
) -> datetime | None:
    """When the first phase is done: ground rules agreed and a meeting since it began that counts as
    held.  A meeting nobody has answered for counts only once the programme's ``held_grace`` has passed
    (the planner wakes the relationship then), so it is a member's "yes" that normally moves the pair."""
    rules = agreed(list(facts.rules))
    if rules is None or rules.agreed_at is None:
        return None
    met = met_since(facts, since, now, programme.held_grace)
    if met is None:
        return None
    return max(met, rules.agreed_at, since)


def _anchored_start(index: int, planned_end: date, programme: ProgrammeConfig) -> datetime:
    """When phase ``index`` (after the open-ended one) begins: the last on the planned end date, each
    earlier one its own length before the next."""
    start = start_of_day(planned_end, programme.zone)
    for j in range(len(programme.phases) - 2, index - 1, -1):
        start -= programme.phases[j].length or timedelta(0)
    return start
