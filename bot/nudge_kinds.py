"""The kinds of reminder ("nudge") the bot sends, named once for the scheduler and for ``optout``.

A person may opt out of any of these (``optout KIND``), and the scheduler's planner skips a nudge
whose kind is in ``Person.opt_outs``.  Two kinds of message are deliberately *not* listed here and so
cannot be opted out of this way: stall alerts, which go to coordinators about a relationship, and
programme announcements, which the coordinator addresses to a group.
"""

from __future__ import annotations

NUDGE_KINDS: tuple[str, ...] = (
    "onboarding",
    "first_meeting",
    "agenda_request",
    "agenda_compiled",
    "followup",
    "action_reminder",
    "cadence",
    "ground_rules_reminder",
    "checkin",
    "phase_prompt",
    "network_tip",
    "weekly_digest",
)


def opted_out(opt_outs: list[str] | tuple[str, ...], kind: str) -> bool:
    """True when a person with these opt-outs does not want nudges of ``kind``."""
    return kind in NUDGE_KINDS and kind in opt_outs
