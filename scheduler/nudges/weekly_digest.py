"""``weekly_digest``: each guide, once a week (``digest_weekday`` at ``digest_time``, Monday 08:30, in their
own zone), gets the meetings coming with their agenda status, proposals waiting, their learners' open
action items, goals nobody has moved for a while, one reflective prompt for a relationship's kind and
phase, and the reminder not to assess.  One digest per guide covers all their live relationships (not
gated by phase)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from bot import goals as goal_rules
from bot.action_plan import is_overdue
from bot.action_plan import open_items
from bot.action_plan import owner_label
from bot.messages import Block
from bot.messages import Buttons
from bot.messages import Message
from bot.messages import Section
from bot.messages import quote
from bot.model import ActionItem
from bot.model import Goal
from bot.model import MeetingStatus
from bot.model import Person
from bot.model import Relationship
from bot.model import Side
from bot.programme import ProgrammeConfig
from bot.readers import Reader
from bot.relationship_view import join_names
from bot.relationship_view import title
from bot.snapshot import RelationshipFacts
from bot.timefmt import show
from bot.timefmt import show_date
from scheduler.localtime import at_local
from scheduler.localtime import release
from scheduler.localtime import start_of_day
from scheduler.localtime import zone_of
from scheduler.nudges._compose import command_button
from scheduler.nudges._compose import message
from scheduler.nudges._scope import Candidate
from scheduler.nudges._scope import Planning
from scheduler.nudges._spec import Family
from scheduler.nudges._spec import NudgeSpec
from scheduler.nudges.agenda import agenda_count

WEEKLY_DIGEST = NudgeSpec("weekly_digest", None, 35, timedelta(days=3), False, day_bound=True)
HORIZON = timedelta(days=14)  # meetings shown in the weekly digest


@dataclass(frozen=True)
class DigestMeeting:
    starts_at: datetime
    relationship: Relationship
    agenda_items: int


def plan_guide(planning: Planning, guide: Person, rels: Sequence[RelationshipFacts]) -> None:
    programme, now = planning.programme, planning.now
    tz = zone_of(guide)
    local_now = now.astimezone(tz)
    day = local_now.date() - timedelta(days=(local_now.weekday() - programme.digest_weekday) % 7)

    def occurrence(d: date) -> datetime:
        return release(at_local(d, programme.digest_time, tz), guide, programme, routine=False)

    if occurrence(day) > now:
        day -= timedelta(days=7)
    ids = [f.id for f in rels]
    planning.wake(ids, occurrence(day + timedelta(days=7)))
    due = occurrence(day)
    # the guide's own first day: a Sydney guide whose match starts on a Monday gets that Monday's
    # digest, although the programme's Monday has not begun when it is due
    if due < min(start_of_day(f.relationship.started_on, tz) for f in rels):
        return
    year, week, _ = day.isocalendar()
    build = functools.partial(_build, programme, guide, rels, now, local_now.date(), week)
    key = f"weekly_digest:{guide.id}:{year}-W{week:02d}"
    planning.offer(Candidate(WEEKLY_DIGEST, guide, key, due, due + WEEKLY_DIGEST.grace, None, build), ids)


def _build(
    programme: ProgrammeConfig,
    guide: Person,
    rels: Sequence[RelationshipFacts],
    now: datetime,
    today: date,
    week: int,
) -> Message:
    meetings: list[DigestMeeting] = []
    proposals: list[Relationship] = []
    actions: list[tuple[Relationship, ActionItem]] = []
    stale: list[tuple[Relationship, Goal]] = []
    ordered = sorted(rels, key=lambda f: f.id)
    for f in ordered:
        rel = f.relationship
        stale += [
            (rel, g)
            for g in f.goals
            if g.id is not None and goal_rules.is_stale(g, f.goal_action_done.get(g.id), now)
        ]
        for m in f.meetings:
            if (
                m.status == MeetingStatus.CONFIRMED
                and m.starts_at is not None
                and now < m.starts_at <= now + HORIZON
            ):
                meetings.append(DigestMeeting(m.starts_at, rel, agenda_count(f, m)))
        if any(m.status == MeetingStatus.PROPOSED for m in f.meetings):
            proposals.append(rel)
        learners = {m.person.id for m in rel.current_members() if m.side != Side.GUIDE}
        actions += [(rel, a) for a in open_items(f.actions) if a.owner_id in learners]
    meetings.sort(key=lambda m: m.starts_at)
    chosen = ordered[week % len(ordered)]
    prompt = mentor_prompt(programme, chosen, week // len(ordered))
    kinds = list(dict.fromkeys(f.relationship.kind for f in ordered))
    return compose(
        programme, guide, meetings, proposals, actions, prompt, today, stale_goals=stale, kinds=kinds
    )


def mentor_prompt(
    programme: ProgrammeConfig, f: RelationshipFacts, turn: int
) -> tuple[Relationship, str] | None:
    """One reflective prompt fitting the relationship's kind and phase, rotating through the variants."""
    rel = f.relationship
    key = f"mentor_prompt.{rel.kind}.{rel.phase}"
    variants = [k for k in programme.catalogue.variants(key) if k != key] or (
        [key] if programme.catalogue.has(key) else []
    )
    if not variants:
        return None
    return rel, variants[turn % len(variants)]


def compose(
    programme: ProgrammeConfig,
    guide: Person,
    meetings: Sequence[DigestMeeting],
    proposals: Sequence[Relationship],
    actions: Sequence[tuple[Relationship, ActionItem]],
    prompt: tuple[Relationship, str] | None,
    today: date,
    *,
    stale_goals: Sequence[tuple[Relationship, Goal]] = (),
    kinds: Sequence[str] = (),
) -> Message:
    """The guide's week: meetings coming, proposals waiting, the learners' open actions, goals nobody has
    moved for a while (each with one question fitted to its competence layer) and a reflective prompt.
    ``kinds``: the kinds of relationship the guide is in, so the closing reminder fits each (a sponsor is
    not told to write no references)."""
    heading = programme.text("nudge.digest.title")
    lines = []
    for m in meetings:
        agenda = (
            programme.text("nudge.digest.agenda_some", count=m.agenda_items)
            if m.agenda_items
            else programme.text("nudge.digest.agenda_none")
        )
        lines.append(
            programme.text(
                "nudge.digest.meeting_line",
                when=show(m.starts_at, guide.timezone),
                title=title(programme, m.relationship, guide.id),
                agenda=agenda,
            )
        )
    lines += [
        programme.text("nudge.digest.proposed_line", title=title(programme, r, guide.id)) for r in proposals
    ]
    blocks: list[Block] = [
        Section(heading, ""),
        Section(
            programme.text("nudge.digest.meetings"),
            "\n".join(lines) or programme.text("nudge.digest.no_meetings"),
        ),
    ]
    action_lines = []
    for rel, a in actions:
        owner = owner_label(a, rel) or join_names(rel.learners(), programme)
        line = programme.text("nudge.digest.action_line", text=a.text, owner=owner)
        if a.due_on is not None:
            line += " — " + programme.text("nudge.digest.action_due", date=show_date(a.due_on))
            if is_overdue(a, today):
                line += " " + programme.text("nudge.digest.overdue")
        action_lines.append(line)
    blocks.append(
        Section(
            programme.text("nudge.digest.actions"),
            "\n".join(action_lines) or programme.text("nudge.digest.no_actions"),
        )
    )
    if stale_goals:
        goal_lines = []
        for rel, g in stale_goals:
            member = rel.member(g.owner_id)
            goal_lines.append(
                programme.text(
                    "goals.digest_line",
                    name=member.person.name if member is not None else "—",
                    number=g.number,
                    text=quote(g.text),
                    prompt=programme.text(goal_rules.prompt_key(g)),
                )
            )
        weeks = goal_rules.STALE_AFTER.days // 7
        blocks.append(Section(programme.text("goals.digest_title", weeks=weeks), "\n".join(goal_lines)))
    if prompt is not None:
        rel, key = prompt
        blocks.append(
            Section(
                programme.text("nudge.digest.reflect", title=title(programme, rel, guide.id)),
                programme.text(key),
            )
        )
    reminders = dict.fromkeys(
        programme.text_for("nudge.digest.non_evaluative", Reader("guide", kind)) for kind in kinds
    ) or {programme.text("nudge.digest.non_evaluative"): None}
    blocks.append(Section(programme.text("nudge.digest.non_evaluative_title"), "\n\n".join(reminders)))
    blocks.append(
        Buttons(
            (
                command_button(programme, "nudge.button.meetings", "meetings"),
                command_button(programme, "nudge.button.agenda", "agenda"),
            )
        )
    )
    summary = programme.text("nudge.digest.summary", meetings=len(meetings), actions=len(actions))
    return message(blocks, summary)


FAMILY = Family(specs=(WEEKLY_DIGEST,), plan_guide=plan_guide)
