"""Moving a relationship to another phase, by hand or by the phase engine, with its history kept.

Phases are not strictly linear (domain.md §4): a pair may move back, so any phase of the programme may
follow any other. Every change appends a :class:`~bot.model.PhaseChange` saying when, why and who
(``by_person_id`` None: the phase engine).
"""

from __future__ import annotations

from datetime import datetime

from bot.model import PhaseChange
from bot.model import Relationship


def set_phase(
    relationship: Relationship,
    phase: str,
    by_person_id: int | None,
    reason: str,
    now: datetime,
) -> PhaseChange | None:
    """Put ``relationship`` in ``phase``; returns the recorded change, or None if it was already there.

    The caller checks that ``phase`` is one of the programme's phases and commits.
    """
    if relationship.phase == phase:
        return None
    change = PhaseChange(phase=phase, at=now, reason=reason, by_person_id=by_person_id)
    relationship.phase = phase
    relationship.phase_history.append(change)
    return change
