"""``home``: a person's dashboard at a glance (the Slack Home tab shows it; typed, it works anywhere).

Composed from what other modules already offer: the person's own relationships, meetings, agenda and
action items through their membership-checked content access; for guides, their load against their
capacity; for coordinators, the programme-health counts (activity only, never content).
"""

from __future__ import annotations

from datetime import date

from bot import meetings
from bot.context import Context
from bot.coordinator import guide_capacity
from bot.health import build_report
from bot.match_dates import DateState
from bot.match_dates import date_state
from bot.messages import Block
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import Reply
from bot.messages import Section
from bot.messages import Text
from bot.messages import quote
from bot.model import ActionStatus
from bot.model import AgendaStatus
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.model import Role
from bot.model import Side
from bot.relationship_view import title
from bot.routing import Router
from bot.timefmt import show
from bot.timefmt import show_date

SHOWN_ITEMS = 3  # agenda items and actions listed per relationship; the rest are counted


def register(router: Router) -> None:
    @router.command("home", "home.help", aliases=("dashboard",), group="general")
    def home(ctx: Context, rest: str) -> Reply:
        return Reply().say(*dashboard(ctx))


def dashboard(ctx: Context) -> list[Block]:
    blocks: list[Block] = [Text(ctx.text("home.heading", name=ctx.person.name))]
    relationships = [r for r in ctx.content().relationships() if r.status != RelationshipStatus.ENDED]
    for rel in relationships:
        blocks.append(
            Section(title(ctx.programme, rel, ctx.person_id), "\n".join(relationship_lines(ctx, rel)))
        )
    if ctx.person.has_role(Role.GUIDE):
        blocks.append(guide_section(ctx, relationships))
    if ctx.person.is_coordinator:
        blocks.append(coordinator_section(ctx))
    if not relationships and not ctx.person.is_coordinator:
        blocks.append(Text(ctx.text("home.no_relationship")))
    blocks.append(shortcuts(ctx, bool(relationships)))
    return blocks


def relationship_lines(ctx: Context, rel: Relationship) -> list[str]:
    assert rel.id is not None
    content = ctx.content()
    now = ctx.now()
    lines = [ctx.text("home.phase", phase=rel.phase)]
    if rel.status == RelationshipStatus.PAUSED:
        lines.append(ctx.text("home.paused"))
    dates = date_state(rel.started_on, rel.planned_end, programme_today(ctx))
    if dates == DateState.NOT_STARTED:
        lines.append(ctx.text("home.starts_on", date=show_date(rel.started_on)))
    elif dates == DateState.PAST_END and rel.planned_end is not None:
        lines.append(ctx.text("home.past_end", date=show_date(rel.planned_end)))
    booked = meetings.next_confirmed(content.meetings(rel.id), now)
    if booked is not None and booked.starts_at is not None:
        lines.append(ctx.text("home.next_meeting", when=show(booked.starts_at, ctx.person.timezone)))
    else:
        lines.append(ctx.text("home.no_meeting"))
    agenda = [i for i in content.agenda(rel.id) if i.status == AgendaStatus.OPEN]
    lines.append(ctx.text("home.agenda", count=len(agenda)))
    lines.extend(
        f"   • {quote(item.text)}" for item in sorted(agenda, key=lambda i: i.position)[:SHOWN_ITEMS]
    )
    actions = [a for a in content.actions(rel.id) if a.status == ActionStatus.OPEN]
    today = ctx.today()
    overdue = [a for a in actions if a.due_on is not None and a.due_on < today]
    lines.append(ctx.text("home.actions", count=len(actions), overdue=len(overdue)))
    for action in sorted(actions, key=lambda a: (a.due_on is None, a.due_on))[:SHOWN_ITEMS]:
        due = ctx.text("home.due", date=show_date(action.due_on)) if action.due_on else ""
        lines.append(f"   • {quote(action.text)}{due}")
    return lines


def guide_section(ctx: Context, relationships: list[Relationship]) -> Section:
    learners = {
        m.person_id or m.person.id
        for rel in relationships
        if rel.status == RelationshipStatus.ACTIVE
        and date_state(rel.started_on, rel.planned_end, programme_today(ctx)) != DateState.PAST_END
        and any(m.side == Side.GUIDE and m.person_id == ctx.person_id for m in rel.current_members())
        for m in rel.current_members()
        if m.side == Side.LEARNER
    }
    lines = [
        ctx.text("home.load", learners=len(learners), capacity=guide_capacity(ctx.person, ctx.programme))
    ]
    now = ctx.now()
    soon = sorted(
        (
            m
            for rel in relationships
            if rel.id is not None
            for m in meetings.upcoming(ctx.content().meetings(rel.id), now)
            if m.starts_at is not None
        ),
        key=lambda m: m.starts_at or now,
    )
    if soon:
        lines.extend(
            ctx.text("home.upcoming", when=show(m.starts_at, ctx.person.timezone))
            for m in soon[:5]
            if m.starts_at is not None
        )
    return Section(ctx.text("home.guide_title"), "\n".join(lines))


def coordinator_section(ctx: Context) -> Section:
    report = build_report(ctx.uow.activity, ctx.programme, ctx.now())
    body = ctx.text(
        "home.health",
        active=report.active_pairs,
        paused=report.paused_pairs,
        not_started=len(report.not_started),
        past_end=len(report.past_end),
        stalled=len(report.stalled),
        meetings=report.meetings_by_month[-1] if report.meetings_by_month else 0,
        overdue=report.overdue_actions,
        unreachable=len(report.unreachable),
    )
    return Section(ctx.text("home.coordinator_title"), body)


def programme_today(ctx: Context) -> date:
    """Today in the programme's zone, the zone a match's dates are days in (bot.match_dates)."""
    return ctx.now().astimezone(ctx.programme.zone).date()


def shortcuts(ctx: Context, in_relationship: bool) -> Buttons:
    """One-click equivalents of typed commands (the generic ``command`` action runs them)."""
    wanted = ["whats next", "agenda", "actions"] if in_relationship else []
    if ctx.person.is_coordinator:
        wanted.append("report")
    wanted.append("help")
    return Buttons(
        tuple(
            Button(ctx.text(f"home.button.{name.replace(' ', '_')}"), "command", {"text": name})
            for name in wanted
        )
    )
