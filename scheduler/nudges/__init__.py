"""The nudge registry: one module per nudge family, found here by name.

Each public module of this package (``welcome``, ``first_meeting``, ``ground_rules``, ``schedule``,
``agenda``, ``actions``, ``checkin``, ``phase_prompt``, ``network_tip``, ``weekly_digest``) holds one
family: its :class:`NudgeSpec` policies (kind, phase family, priority, misfire grace, weekdays only),
its planning rule and its composer, and declares them as ``FAMILY``.  The planner
(``scheduler.planner``) runs every family's rule; the texts are catalogue keys (``nudges.yaml``).  A new
family is one new module here plus its texts (``docs/nudges.md``).

Messages that workflows queue (``notice``) and announcements are not nudges: they are not capped, not
gated by phase, and cannot be opted out of.
"""

from __future__ import annotations

import importlib
import pkgutil

from scheduler.nudges._spec import Family
from scheduler.nudges._spec import NudgeSpec


def _discover() -> tuple[Family, ...]:
    # discovered rather than listed, so that adding a family touches only its own module (as the CLI
    # finds its commands in mentorbot.commands)
    found: list[Family] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        family = getattr(module, "FAMILY", None)
        if not isinstance(family, Family):
            raise TypeError(f"{module.__name__} declares no FAMILY (a scheduler.nudges.Family)")
        found.append(family)
    return tuple(found)


FAMILIES: tuple[Family, ...] = _discover()

ALL_SPECS: tuple[NudgeSpec, ...] = tuple(spec for family in FAMILIES for spec in family.specs)

# every kind the planner writes, for the outbox statistics and the daily cap
SCHEDULER_KINDS: frozenset[str] = frozenset(s.kind for s in ALL_SPECS)

# kinds that keep to weekdays (their timing is ours to choose, unlike meeting-bound ones)
ROUTINE_KINDS: frozenset[str] = frozenset(s.kind for s in ALL_SPECS if s.routine)

# kinds bound to their day, which the daily cap places first and never moves
DAY_BOUND_KINDS: frozenset[str] = frozenset(s.kind for s in ALL_SPECS if s.day_bound)

# what a programme's phases[].nudges may name: every family's names (gating families and options)
PROGRAMME_NAMES: frozenset[str] = frozenset(
    name for family in FAMILIES for name in (*family.names, *(s.family for s in family.specs if s.family))
)


def is_nudge(kind: str) -> bool:
    """A message the scheduler decided to send (as opposed to a workflow's notice or an announcement)."""
    return kind in SCHEDULER_KINDS


__all__ = [
    "ALL_SPECS",
    "DAY_BOUND_KINDS",
    "FAMILIES",
    "PROGRAMME_NAMES",
    "ROUTINE_KINDS",
    "SCHEDULER_KINDS",
    "Family",
    "NudgeSpec",
    "is_nudge",
]
