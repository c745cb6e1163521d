"""What a nudge family declares: its kinds' policies (:class:`NudgeSpec`) and its planning rules
(:class:`Family`).  See :mod:`scheduler.nudges` for the registry and ``docs/nudges.md`` for the recipe."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.model import Person

if TYPE_CHECKING:
    from bot.snapshot import RelationshipFacts
    from scheduler.nudges._scope import Planning
    from scheduler.nudges._scope import RelationshipScope


@dataclass(frozen=True)
class NudgeSpec:
    """The policy of one kind of nudge.

    ``family`` ties it to the programme's phase model: a gated nudge is sent only while the relationship
    is in a phase whose ``nudges`` list names its family (None: not gated by phase).  ``grace`` is the
    misfire policy: how long after its due time it is still worth sending.  ``routine`` nudges keep to
    weekdays; meeting-bound ones follow the meeting and only keep out of quiet hours."""

    kind: str  # what the outbox row says and what ``optout KIND`` names (bot.nudge_kinds)
    family: str | None
    priority: int  # lower is more important; decides what the daily cap defers first
    grace: timedelta
    routine: bool
    # bound to its day: the daily cap never moves it (a weekly digest on Tuesday is last week's news); it
    # still counts against the cap, so the day's other nudges make room for it
    day_bound: bool = False


@dataclass(frozen=True)
class Family:
    """One nudge family: its specs, the names a programme's ``phases[].nudges`` may list for it, and its
    planning rules.  ``plan`` runs once per live relationship on every plan pass; ``plan_guide`` once per
    guide with all their live relationships (the weekly digest).  A rule offers candidates
    (``RelationshipScope.offer``); the planner decides what is due, wanted and within the daily cap."""

    specs: tuple[NudgeSpec, ...]
    names: tuple[str, ...] = ()
    plan: Callable[[RelationshipScope], None] | None = None
    plan_guide: Callable[[Planning, Person, Sequence[RelationshipFacts]], None] | None = None
