"""What the scheduler sends, and the policy for each kind: priority, misfire grace, phase gating.

A delivery's ``kind`` is one of :data:`bot.nudge_kinds.NUDGE_KINDS` (the names people opt out of with
``optout KIND``), or :data:`STALL_ALERT` for coordinators.  Messages that workflows queue (``notice``)
and announcements are not nudges: they are not capped, not gated by phase, and cannot be opted out of.

``family`` ties a nudge to the programme's phase model: a phase lists the nudges it wants
(``phases[].nudges`` in the programme file: welcome, first_meeting, ground_rules, goals, schedule, agenda,
actions, checkin, ground_rules_review, reflect_growth, closing_reflection), and a gated nudge is sent
only while the relationship is in a phase that lists its family.  Phase prompts, the post-meeting
follow-up, the network tip, the weekly digest and stall alerts are not gated.

``grace`` is the misfire policy: how long after its due time a nudge is still worth sending (after
downtime, a weekly digest still is; an agenda for a meeting that has started is not -- meeting-bound
nudges carry their own deadline).  ``routine`` nudges keep to weekdays (the programme's weekend days carry
none); meeting-bound ones follow the meeting and only keep out of quiet hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.nudge_kinds import NUDGE_KINDS

STALL_ALERT = "stall_alert"


@dataclass(frozen=True)
class NudgeSpec:
    kind: str
    family: str | None  # the phase nudge that enables it; None: not gated by phase
    priority: int  # lower is more important; decides what the daily cap defers first
    grace: timedelta  # how long after its due time it is still worth sending
    routine: bool  # keeps to weekdays


ONBOARDING = NudgeSpec("onboarding", "welcome", 20, timedelta(days=28), True)
FIRST_MEETING = NudgeSpec("first_meeting", "first_meeting", 40, timedelta(days=5), True)
GROUND_RULES_PROMPT = NudgeSpec("ground_rules_reminder", "ground_rules", 50, timedelta(days=7), True)
GROUND_RULES_REVIEW = NudgeSpec("ground_rules_reminder", "ground_rules_review", 70, timedelta(days=14), True)
AGENDA_REQUEST = NudgeSpec("agenda_request", "agenda", 20, timedelta(days=2), False)
AGENDA_COMPILED = NudgeSpec("agenda_compiled", "agenda", 15, timedelta(days=2), False)
FOLLOWUP = NudgeSpec("followup", None, 25, timedelta(days=3), False)
ACTION_DUE = NudgeSpec("action_reminder", "actions", 30, timedelta(days=2), True)
ACTION_OVERDUE = NudgeSpec("action_reminder", "actions", 30, timedelta(days=7), True)
CADENCE = NudgeSpec("cadence", "schedule", 40, timedelta(days=14), True)
CHECKIN = NudgeSpec("checkin", "checkin", 60, timedelta(days=7), True)
PHASE_PROMPT = NudgeSpec("phase_prompt", None, 45, timedelta(days=7), True)
NETWORK_TIP = NudgeSpec("network_tip", None, 80, timedelta(days=14), True)
WEEKLY_DIGEST = NudgeSpec("weekly_digest", None, 35, timedelta(days=3), False)
STALL = NudgeSpec(STALL_ALERT, None, 40, timedelta(days=14), True)

ALL_SPECS: tuple[NudgeSpec, ...] = (
    ONBOARDING,
    FIRST_MEETING,
    GROUND_RULES_PROMPT,
    GROUND_RULES_REVIEW,
    AGENDA_REQUEST,
    AGENDA_COMPILED,
    FOLLOWUP,
    ACTION_DUE,
    ACTION_OVERDUE,
    CADENCE,
    CHECKIN,
    PHASE_PROMPT,
    NETWORK_TIP,
    WEEKLY_DIGEST,
    STALL,
)

# every kind the planner writes, for the outbox statistics and the daily cap
SCHEDULER_KINDS: frozenset[str] = frozenset(s.kind for s in ALL_SPECS)

# kinds that keep to weekdays (their timing is ours to choose, unlike meeting-bound ones)
ROUTINE_KINDS: frozenset[str] = frozenset(s.kind for s in ALL_SPECS if s.routine)

# kinds bound to their day: the daily cap never moves them (a weekly digest on Tuesday is last week's
# news); they still count against the cap, so the day's other nudges make room for them
DAY_BOUND_KINDS: frozenset[str] = frozenset({WEEKLY_DIGEST.kind})

# reflections a phase prompt carries when the phase lists them
REFLECTION_FAMILIES: tuple[str, ...] = ("reflect_growth", "closing_reflection")

assert SCHEDULER_KINDS - {STALL_ALERT} <= set(NUDGE_KINDS), "every nudge kind can be opted out of"


def is_nudge(kind: str) -> bool:
    """A message the scheduler decided to send (as opposed to a workflow's notice or an announcement)."""
    return kind in SCHEDULER_KINDS
