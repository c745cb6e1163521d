"""What the nudge planner reads: a snapshot of plain domain objects, loaded by ``storage.scheduling``.

The planner is a pure function of a :class:`Snapshot`, the clock instant and the programme.  The
snapshot holds only the relationships whose review mark has come (plus, for the weekly digest, the other
relationships of their guides), and for each of them just what a nudge could depend on.

Content (agenda and action items, development goals) is in here only because a nudge to a member of the
same relationship needs it; the planner never puts it in a message to anyone else (stall alerts carry
activity only).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta

from bot.model import ActionItem
from bot.model import AgendaItem
from bot.model import Goal
from bot.model import GroundRules
from bot.model import Meeting
from bot.model import PhaseChange
from bot.model import Relationship

EXISTING_WINDOW = timedelta(days=30)  # outbox rows loaded to dedupe and to count against the daily cap


@dataclass
class RelationshipFacts:
    relationship: Relationship  # with its members and their people loaded
    review_seq: int = 0
    phase_history: Sequence[PhaseChange] = ()  # oldest first
    rules: Sequence[GroundRules] = ()  # every version
    meetings: Sequence[Meeting] = ()  # proposed and confirmed ones, and any that started recently
    last_met_at: datetime | None = None  # start of the latest meeting that was held
    meetings_held: int = 0
    agenda: Sequence[AgendaItem] = ()  # live items (open or carried over)
    actions: Sequence[ActionItem] = ()  # open items
    last_checkin: Mapping[int, datetime] = field(default_factory=dict)  # person id -> latest check-in
    goals: Sequence[Goal] = ()  # open and progressing goals, by number (the guide's digest names stale ones)
    goal_action_done: Mapping[int, datetime] = field(default_factory=dict)  # goal id -> latest action done

    @property
    def id(self) -> int:
        assert self.relationship.id is not None
        return self.relationship.id


@dataclass(frozen=True)
class ExistingDelivery:
    """A delivery already in the outbox for someone in the snapshot (recent or still to come)."""

    person_id: int
    kind: str
    dedupe_key: str
    due_at: datetime
    status: str


@dataclass
class Snapshot:
    relationships: Sequence[RelationshipFacts]
    existing: Sequence[ExistingDelivery] = ()
    people_with_network: frozenset[int] = frozenset()  # people who have mapped part of their network

    def existing_keys(self) -> frozenset[str]:
        return frozenset(d.dedupe_key for d in self.existing)
