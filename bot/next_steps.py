"""What is most worth doing next in a relationship, for one person ("what's next").

Pure: the workflow gathers what it may read for the person and passes it in; this module ranks the
candidates.  A lower rank comes first.  Wording follows the person's own agreed ground rules, so that
the reminder to book a meeting goes to whoever the pair said books.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta

from bot import ground_rules
from bot import meetings
from bot.model import ActionItem
from bot.model import ActionStatus
from bot.model import AgendaItem
from bot.model import AgendaStatus
from bot.model import GroundRules
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Person
from bot.model import Relationship
from bot.model import Side
from bot.programme import ProgrammeConfig

AGENDA_WINDOW = timedelta(days=3)  # start nudging for the agenda this long before the agenda is due


@dataclass(frozen=True)
class Step:
    """One suggestion: a catalogue ``key`` with its ``values``, and the action a button should run."""

    rank: int
    relationship_id: int
    key: str
    values: dict[str, object] = field(default_factory=dict)
    action: str = ""
    action_values: dict[str, str] = field(default_factory=dict)
    button_key: str = ""


@dataclass(frozen=True)
class Situation:
    """Everything about one relationship that the person may see and that matters for next steps."""

    relationship: Relationship
    me: Person
    rules: Sequence[GroundRules]
    meetings: Sequence[Meeting]
    agenda: Sequence[AgendaItem]
    actions: Sequence[ActionItem]
    now: datetime
    today: date


def next_steps(s: Situation, programme: ProgrammeConfig) -> list[Step]:
    rel, me = s.relationship, s.me
    assert rel.id is not None and me.id is not None
    rid, r = rel.id, {"r": str(rel.id)}
    steps: list[Step] = []
    agreed, pending = ground_rules.agreed(s.rules), ground_rules.pending(s.rules)

    if pending is not None and not pending.confirmed_by(me.id):
        steps.append(
            Step(
                10,
                rid,
                "overview.next.confirm_rules",
                {"version": pending.version},
                "rules.show",
                r,
                "overview.button.rules",
            )
        )
    for m in s.meetings:
        if (
            m.status == MeetingStatus.PROPOSED
            and m.scheduled_by != me.id
            and meetings.answer_of(m, me.id) is None
        ):
            steps.append(
                Step(
                    15,
                    rid,
                    "overview.next.answer_meeting",
                    {"id": m.id},
                    "meeting.answer",
                    {"m": str(m.id)},
                    "overview.button.answer",
                )
            )
        if meetings.needs_outcome(m, s.now):
            steps.append(
                Step(
                    20,
                    rid,
                    "overview.next.record_meeting",
                    {"id": m.id, "at": m.starts_at},
                    "followup.ask",
                    {"m": str(m.id)},
                    "overview.button.record",
                )
            )
    overdue = [a for a in s.actions if _overdue_for(a, rel, me, s.today)]
    if overdue:
        first = min(overdue, key=lambda a: a.due_on or s.today)
        steps.append(
            Step(
                30,
                rid,
                "overview.next.overdue_action",
                {
                    "text": _short(first.text),
                    "due": first.due_on,
                    "count": len(overdue),
                    "n": first.number,
                    "rid": rid,
                },
                "command",
                {"text": f"actions #{rid}"},
                "overview.button.actions",
            )
        )
    if agreed is None and pending is None:
        steps.append(
            Step(
                40, rid, "overview.next.agree_rules", {}, "rules.propose", r, "overview.button.propose_rules"
            )
        )

    coming = meetings.upcoming(s.meetings, s.now)
    confirmed = meetings.next_confirmed(s.meetings, s.now)
    if confirmed is not None and confirmed.starts_at is not None and _sets_agenda(rel, me, agreed, programme):
        due = confirmed.starts_at - ground_rules.agenda_lead(agreed, programme)
        live = [i for i in s.agenda if i.status in (AgendaStatus.OPEN, AgendaStatus.CARRIED_OVER)]
        if not live and s.now >= due - AGENDA_WINDOW:
            steps.append(
                Step(
                    25 if s.now >= due else 45,
                    rid,
                    "overview.next.add_agenda",
                    {"at": confirmed.starts_at},
                    "command",
                    {"text": f"agenda #{rid}"},
                    "overview.button.agenda",
                )
            )
    if not coming:
        held = [m for m in s.meetings if m.status == MeetingStatus.HELD]
        responsible = any(
            p.id == me.id for p in ground_rules.responsible_for_scheduling(agreed, programme, rel)
        )
        key = "overview.next.first_meeting" if not held else "overview.next.schedule"
        if not responsible:
            key += "_other"
        names = [p.name for p in ground_rules.responsible_for_scheduling(agreed, programme, rel)]
        steps.append(
            Step(
                50 if responsible else 60,
                rid,
                key,
                {"who": ", ".join(names)},
                "meeting.schedule",
                r,
                "overview.button.schedule",
            )
        )
    return sorted(steps, key=lambda st: st.rank)


def _overdue_for(item: ActionItem, rel: Relationship, me: Person, today: date) -> bool:
    if item.status != ActionStatus.OPEN or item.due_on is None or item.due_on >= today:
        return False
    if item.owner_id is not None:
        return item.owner_id == me.id
    mine = rel.member(me.id)
    return not item.owner_name and mine is not None and mine.side != Side.GUIDE


def _sets_agenda(
    rel: Relationship, me: Person, agreed: GroundRules | None, programme: ProgrammeConfig
) -> bool:
    """Who prepares the agenda, as the pair agreed; by default the mentee ("mentoring up", domain.md §6)."""
    mine = rel.member(me.id)
    if mine is None:
        return False
    who = ground_rules.who_sets_agenda(agreed, programme)
    if who == "either" or mine.side == Side.PEER:
        return True
    return (mine.side == Side.GUIDE) == (who == "guide")


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
