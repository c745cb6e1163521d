"""What a family's planning rule sees: :class:`RelationshipScope`, one live relationship in its current
phase, and :class:`Planning`, the planner it offers candidates to.  Pure: facts in, candidates out."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Protocol

from bot.ground_rules import agreed
from bot.meetings import counts_as_held
from bot.meetings import held_starts
from bot.messages import Message
from bot.model import MeetingStatus
from bot.model import Person
from bot.model import Relationship
from bot.model import Side
from bot.nudge_kinds import opted_out
from bot.programme import ProgrammeConfig
from bot.snapshot import RelationshipFacts
from bot.snapshot import Snapshot
from scheduler.localtime import local_date
from scheduler.nudges._spec import NudgeSpec

if TYPE_CHECKING:
    from scheduler.nudges.schedule import StallAlert


@dataclass
class Candidate:
    """A nudge a rule would send: the planner plans it once it is due, wanted and new."""

    spec: NudgeSpec
    person: Person
    key: str  # for a batch: the prefix; the key is completed with the first new item
    due: datetime
    expires: datetime
    relationship_id: int | None
    build: Callable[[], Message]
    items: tuple[str, ...] = ()  # dedupe keys of the items batched into this message
    # the message for a subset of ``items`` (when some of them went out in another batch meanwhile)
    recompose: Callable[[tuple[str, ...]], Message] | None = None


_UNKNOWN = object()


class Planning(Protocol):
    """The planner as the rules see it (``scheduler.planner``)."""

    now: datetime
    programme: ProgrammeConfig
    snapshot: Snapshot

    def offer(self, c: Candidate, wake_ids: Iterable[int]) -> None: ...

    def wake(self, relationship_ids: Iterable[int], at: datetime) -> None: ...

    def alert(self, alert: StallAlert) -> None: ...


class RelationshipScope:
    """One live relationship on one plan pass, with what most rules need about it."""

    def __init__(
        self,
        planning: Planning,
        f: RelationshipFacts,
        phase: str,
        *,
        phase_entered_at: datetime,
        phase_changed_at: datetime | None,
        phase_set_by_hand: bool,
        families: frozenset[str] | None = None,
    ) -> None:
        self.planning = planning
        self.f = f
        self.rel: Relationship = f.relationship
        self.phase = phase
        self.programme = planning.programme
        if families is None:
            known = phase in self.programme.phase_names()
            families = frozenset(self.programme.phase(phase).nudges) if known else frozenset()
        self.families = families  # what the phase lists (the planner works it out once per phase)
        self.now = planning.now
        self.phase_entered_at = phase_entered_at
        self.phase_changed_at = phase_changed_at  # the latest change into this phase, if known
        self.phase_set_by_hand = phase_set_by_hand
        self.rules = agreed(list(f.rules))
        self._last_met: object = _UNKNOWN
        current = self.rel.current_members()
        self.members = [m.person for m in current]
        self.learner_side = [m.person for m in current if m.side != Side.GUIDE]

    def wants(self, name: str) -> bool:
        """Does the current phase list ``name`` (a family or one of its options, e.g. ``goals``)?"""
        return name in self.families

    def gated(self, spec: NudgeSpec) -> bool:
        """May ``spec`` be sent in the current phase?"""
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
        if due > self.now:
            # not due yet: only when to look again matters (the planner's own first tests, without
            # building the candidate; most offers of a pass end here)
            if person.id is not None and person.in_programme and not opted_out(person.opt_outs, spec.kind):
                self.planning.wake([self.f.id], due)
            return
        expires = expires or due + spec.grace
        if self.now >= expires:
            return  # the misfire policy (the planner's own test, before building the candidate)
        self.offer_candidate(Candidate(spec, person, key, due, expires, self.f.id, build))

    def offer_candidate(self, c: Candidate) -> None:
        self.planning.offer(c, [self.f.id])

    def wake(self, at: datetime) -> None:
        """Look at this relationship again at ``at`` (something may become due then)."""
        self.planning.wake([self.f.id], at)

    def day(self, offset_days: int) -> date:
        return self.rel.started_on + timedelta(days=offset_days)

    def joined_on(self, person: Person) -> date:
        """The person's first day in the match: its start, or their own later join (a late joiner)."""
        m = self.rel.member(person.id)
        joined = local_date(m.joined_at, person) if m is not None and m.joined_at is not None else None
        return max(self.rel.started_on, joined) if joined is not None else self.rel.started_on

    def last_met(self) -> datetime | None:
        """The start of the latest meeting that counts as held (``bot.meetings.counts_as_held``)."""
        if self._last_met is _UNKNOWN:  # asked by several families: worked out once per scope
            found = [self.f.last_met_at] if self.f.last_met_at is not None else []
            found += held_starts(self.f.meetings, self.now, self.programme.held_grace)
            self._last_met = max(found) if found else None
        return self._last_met  # type: ignore[return-value]

    def meetings_held(self) -> int:
        """How many meetings count as held: those a member recorded, and confirmed ones past the grace."""
        grace = self.programme.held_grace
        unanswered = [m for m in self.f.meetings if m.status == MeetingStatus.CONFIRMED]
        return self.f.meetings_held + sum(1 for m in unanswered if counts_as_held(m, self.now, grace))
