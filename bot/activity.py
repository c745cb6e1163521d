"""Activity facts: what coordinators may know about the programme -- ids, dates, statuses and counts.

These are the rows an :class:`bot.ports.ActivityReader` returns. None of them has a field that could
carry what a member wrote (agenda, actions, notes, check-in answers, ground-rule answers, message
payloads); that is the point: a coordinator view built from them cannot leak content, whatever it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime


@dataclass(frozen=True)
class PersonFacts:
    """A person as the programme's roster knows them; ``identities`` counts the platforms linked."""

    id: int
    name: str
    roles: tuple[str, ...]
    cohort: str
    stage: str
    active: bool
    erased: bool
    capacity: int | None
    identities: int
    platforms: tuple[str, ...] = ()  # the chat platforms they are linked on
    channel: str = ""  # the channel they chose (``channel email``); "" = the programme's rule

    @property
    def in_programme(self) -> bool:
        return self.active and not self.erased


@dataclass(frozen=True)
class MemberFacts:
    person_id: int
    side: str


@dataclass(frozen=True)
class RelationshipFacts:
    """A relationship's structure: its kind, shape, phase, status and current members."""

    id: int
    kind: str
    format: str
    phase: str
    status: str
    started_on: date
    cadence_days: int
    members: tuple[MemberFacts, ...]
    planned_end: date | None = None

    def person_ids(self, side: str | None = None) -> list[int]:
        return [m.person_id for m in self.members if side is None or m.side == side]


@dataclass(frozen=True)
class HeldMeeting:
    """A meeting that took place: when, and for how many minutes."""

    relationship_id: int
    starts_at: datetime
    minutes: int


@dataclass(frozen=True)
class ActionCounts:
    """A relationship's action items as coordinators may see them: how many are open and how many of
    those are overdue -- counts only, never what the items say."""

    open: int
    overdue: int


@dataclass(frozen=True)
class CheckInFact:
    """The quadrant of one person's latest check-in -- never the answers behind it."""

    person_id: int
    quadrant: str
    at: datetime


@dataclass(frozen=True)
class GoalFact:
    """One development goal as coordinators may count it: its tags and status, never its words."""

    relationship_id: int
    layer: str
    programme_goal: str
    status: str


@dataclass(frozen=True)
class DeliveryFact:
    """One outbox row without its message: who, what kind, its state, and the platform's error."""

    id: int
    person_id: int
    kind: str
    status: str
    due_at: datetime
    error: str = ""
