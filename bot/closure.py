"""Closure (domain.md §4, redefinition): when a member may write a closing reflection, and what an ended
relationship still allows.

A relationship comes to closure in the programme's last phase and, once that phase has lasted its
length, ends by itself (``scheduler.planpass``, through the one ending rule in ``bot.coordinator``).
Each member may write a closing reflection -- what they gained, what comes next, whom they thank --
while the relationship is in its last phase and for :data:`REFLECTION_WINDOW` after it ended. Everything
else (meetings, agenda, actions, ground rules, check-ins) stops with the end.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.programme import ProgrammeConfig

REFLECTION_WINDOW = timedelta(days=30)
FIELDS = ("gained", "next_steps", "thanks")


def is_ended(rel: Relationship) -> bool:
    return rel.status == RelationshipStatus.ENDED


def ended_on(rel: Relationship, zone: ZoneInfo) -> date | None:
    """The day it ended, in the programme's time zone (relationships ended before ``ended_at`` was kept:
    their planned end)."""
    if not is_ended(rel):
        return None
    if rel.ended_at is not None:
        return rel.ended_at.astimezone(zone).date()
    return rel.planned_end


def reflection_until(rel: Relationship, zone: ZoneInfo) -> date | None:
    """The last day a closing reflection can be written after the end (None: not ended yet)."""
    day = ended_on(rel, zone)
    return day + REFLECTION_WINDOW if day is not None else None


def in_closure(rel: Relationship, programme: ProgrammeConfig) -> bool:
    names = programme.phase_names()
    return not is_ended(rel) and bool(names) and rel.phase == names[-1]


def may_reflect(rel: Relationship, programme: ProgrammeConfig, today: date) -> bool:
    """Open during the last phase and for the window after the end."""
    if in_closure(rel, programme):
        return True
    until = reflection_until(rel, programme.zone)
    return until is not None and today <= until
