"""``my relationships`` and ``what's next``: where a person stands, and the one or two most useful
things to do now. Everything is read through the person's own membership-checked content access."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from datetime import datetime

from bot import ground_rules
from bot import meetings
from bot.context import Context
from bot.errors import NotPermitted
from bot.match_dates import DateState
from bot.match_dates import date_state
from bot.messages import Block
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import ButtonStyle
from bot.messages import Fields
from bot.messages import Reply
from bot.messages import Section
from bot.messages import Text
from bot.model import GroundRules
from bot.model import Meeting
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.next_steps import Situation
from bot.next_steps import Step
from bot.next_steps import next_steps
from bot.relationship_view import format_label
from bot.relationship_view import join_names
from bot.relationship_view import kind_label
from bot.relationship_view import side_word
from bot.relationship_view import title
from bot.routing import Router
from bot.timefmt import show
from bot.timefmt import show_date
from bot.timefmt import weekday

MAX_STEPS = 2


def register(router: Router) -> None:
    @router.command(
        "my relationships",
        "help.my_relationships",
        aliases=("relationships", "my matches", "matches"),
        group="relationships",
    )
    def my_relationships(ctx: Context, rest: str) -> Reply:
        content = ctx.content()
        rels = content.relationships()
        if not rels:
            raise NotPermitted("error.no_relationship")
        ids = [rel.id for rel in rels if rel.id is not None]
        rules, booked = content.ground_rules_of(ids), content.meetings_of(ids)  # one read each, for all
        reply = Reply()
        for rel in rels:
            assert rel.id is not None
            reply.say(*relationship_blocks(ctx, rel, rules[rel.id], booked[rel.id]))
        return reply

    @router.command(
        "whats next",
        "help.whats_next",
        aliases=("what's next", "what next", "next", "todo"),
        group="relationships",
    )
    def whats_next(ctx: Context, rest: str) -> Reply:
        return Reply().say(*next_blocks(ctx))


def relationship_blocks(
    ctx: Context, rel: Relationship, versions: Sequence[GroundRules], booked: Sequence[Meeting]
) -> list[Block]:
    upcoming = meetings.next_confirmed(booked, ctx.now())
    members = [
        ctx.text("overview.member", name=m.person.name, side=side_word(ctx.programme, rel, m))
        for m in rel.current_members()
        if m.person.id != ctx.person_id
    ]
    me = rel.member(ctx.person_id)
    pairs = [
        (ctx.text("overview.field.kind"), kind_label(ctx.programme, rel.kind)),
        (ctx.text("overview.field.format"), format_label(ctx.programme, rel.format)),
        (ctx.text("overview.field.phase"), rel.phase.capitalize()),
        (ctx.text("overview.field.you"), side_word(ctx.programme, rel, me) if me else ""),
        (ctx.text("overview.field.with"), ", ".join(members) or ctx.text("view.nobody")),
        (
            ctx.text("overview.field.next_meeting"),
            show(upcoming.starts_at, ctx.tz())
            if upcoming and upcoming.starts_at
            else ctx.text("overview.none_booked"),
        ),
        (ctx.text("overview.field.ground_rules"), _rules_state(ctx, rel, versions)),
    ]
    dates = date_state(rel.started_on, rel.planned_end, ctx.now().astimezone(ctx.programme.zone).date())
    if rel.status != RelationshipStatus.ACTIVE:
        pairs.append((ctx.text("overview.field.status"), ctx.text(f"overview.status.{rel.status}")))
    elif dates == DateState.NOT_STARTED:
        status = ctx.text("overview.status.not_started", date=show_date(rel.started_on))
        pairs.append((ctx.text("overview.field.status"), status))
    elif dates == DateState.PAST_END and rel.planned_end is not None:
        status = ctx.text("overview.status.past_end", date=show_date(rel.planned_end))
        pairs.append((ctx.text("overview.field.status"), status))
    blocks: list[Block] = [Section(title(ctx.programme, rel, ctx.person_id)), Fields(tuple(pairs))]
    if rel.status != RelationshipStatus.ENDED:
        r = {"r": str(rel.id)}
        blocks.append(
            Buttons(
                (
                    Button(ctx.text("overview.button.rules"), "rules.show", r),
                    Button(ctx.text("overview.button.meetings"), "command", {"text": f"meetings #{rel.id}"}),
                    Button(ctx.text("overview.button.about"), "command", {"text": f"about #{rel.id}"}),
                )
            )
        )
    return blocks


def _rules_state(ctx: Context, rel: Relationship, versions: Sequence[GroundRules]) -> str:
    agreed, pending = ground_rules.agreed(versions), ground_rules.pending(versions)
    if pending is not None:
        waiting = join_names(ground_rules.waiting_for(pending, rel), ctx.programme)
        return ctx.text("overview.rules.pending", version=pending.version, names=waiting)
    if agreed is not None:
        return ctx.text("overview.rules.agreed", version=agreed.version)
    return ctx.text("overview.rules.none")


def next_blocks(ctx: Context) -> list[Block]:
    content = ctx.content()
    steps: list[Step] = []
    titles: dict[int, str] = {}
    rels: dict[int, Relationship] = {}
    for rel in content.relationships():
        if rel.status != RelationshipStatus.ACTIVE or rel.id is None:
            continue
        titles[rel.id] = title(ctx.programme, rel, ctx.person_id)
        rels[rel.id] = rel
        situation = Situation(
            relationship=rel,
            me=ctx.person,
            rules=content.ground_rules(rel.id),
            meetings=content.meetings(rel.id),
            agenda=content.agenda(rel.id),
            actions=content.actions(rel.id),
            now=ctx.now(),
            today=ctx.today(),
        )
        steps += next_steps(situation, ctx.programme)
    if not titles:
        raise NotPermitted("error.no_relationship")
    chosen = sorted(steps, key=lambda s: (s.rank, s.relationship_id))[:MAX_STEPS]
    if not chosen:
        return [Text(ctx.text("overview.next.all_set"))]
    blocks: list[Block] = [Text(ctx.text("overview.next.heading"))]
    for step in chosen:
        body = ctx.text_for(step.key, ctx.reader(rels[step.relationship_id]), **_shown(ctx, step.values))
        blocks.append(Section(titles[step.relationship_id], body))
        if step.action:
            label = ctx.text(step.button_key)
            blocks.append(
                Buttons((Button(label, step.action, dict(step.action_values), ButtonStyle.PRIMARY),))
            )
    return blocks


def _shown(ctx: Context, values: dict[str, object]) -> dict[str, object]:
    """Times and dates as this person reads them (their zone)."""
    shown: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, datetime):
            shown["when"] = show(value, ctx.tz())
            shown["day"] = weekday(value, ctx.tz())
        elif isinstance(value, date):
            shown[key] = show_date(value)
        else:
            shown[key] = value
    return shown
