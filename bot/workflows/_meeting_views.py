"""How meetings look to each member: proposals with a button per time in the reader's zone,
confirmations with the calendar invite, and the list of upcoming and recent meetings."""

from __future__ import annotations

from bot import meetings
from bot.calendar_invite import invite_attachment
from bot.context import Context
from bot.errors import InvalidInput
from bot.errors import NotPermitted
from bot.messages import Block
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import ButtonStyle
from bot.messages import Reply
from bot.messages import Section
from bot.messages import Text
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Person
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.relationship_view import join_names
from bot.relationship_view import name_of
from bot.relationship_view import title
from bot.timefmt import show
from bot.workflows._meeting_common import meeting_button
from bot.workflows._meeting_common import pid
from bot.workflows._meeting_common import schedule_button


def proposal_blocks(
    ctx: Context,
    rel: Relationship,
    meeting: Meeting,
    viewer: Person,
    *,
    moved_from: bool = False,
    warning: list[str] | None = None,
) -> list[Block]:
    """A proposal as ``viewer`` sees it: each time in their zone, one button per time."""
    tz = ctx.tz(viewer)
    proposer = name_of(rel, meeting.scheduled_by, ctx.programme)
    body = [ctx.text("meeting.proposal.body", proposer=proposer, minutes=meeting.duration_minutes)]
    if meeting.location:
        body.append(ctx.text("meeting.where", location=meeting.location))
    if moved_from and meeting.starts_at is not None:
        body.append(ctx.text("meeting.proposal.moved", when=show(meeting.starts_at, tz)))
    blocks: list[Block] = [
        Section(
            ctx.text("meeting.proposal.title", title=title(ctx.programme, rel, viewer.id), id=meeting.id),
            "\n".join(body),
        ),
        *(Text(w) for w in warning or []),
    ]
    if viewer.id == meeting.scheduled_by:
        waiting = meetings.awaiting(meeting, rel)
        lines = "\n".join(f"• {show(t, tz)}" for t in meetings.option_times(meeting))
        blocks.append(Text(lines))
        blocks.append(Text(ctx.text("meeting.waiting_for", names=join_names(waiting, ctx.programme))))
        return blocks
    buttons = [
        meeting_button(show(t, tz), "meeting.accept", meeting, ButtonStyle.PRIMARY, at=t.isoformat())
        for t in meetings.option_times(meeting)
    ]
    buttons.append(meeting_button(ctx.text("meeting.button.decline"), "meeting.decline", meeting))
    buttons.append(meeting_button(ctx.text("meeting.button.counter"), "meeting.counter", meeting))
    blocks.append(Buttons(tuple(buttons)))
    blocks.append(Text(ctx.text("meeting.proposal.typed", id=meeting.id)))
    return blocks


def confirmed_blocks(ctx: Context, rel: Relationship, meeting: Meeting, viewer: Person) -> list[Block]:
    assert meeting.starts_at is not None
    tz = ctx.tz(viewer)
    body = [
        ctx.text("meeting.confirmed.body", when=show(meeting.starts_at, tz), minutes=meeting.duration_minutes)
    ]
    if meeting.location:
        body.append(ctx.text("meeting.where", location=meeting.location))
    body.append(ctx.text("meeting.confirmed.invite"))
    return [
        Section(
            ctx.text("meeting.confirmed.title", title=title(ctx.programme, rel, viewer.id), id=meeting.id),
            "\n".join(body),
        ),
        invite_attachment(meeting, rel, ctx.programme, ctx.now()),
        Buttons(
            (
                meeting_button(ctx.text("meeting.button.move"), "meeting.move", meeting),
                meeting_button(
                    ctx.text("meeting.button.cancel"), "meeting.cancel", meeting, ButtonStyle.DANGER
                ),
            )
        ),
    ]


def list_meetings(ctx: Context, rel_arg: str | None) -> Reply:
    content = ctx.content()
    rels = [ctx.my_relationship(rel_arg)] if rel_arg else ctx.live_relationships()
    if not rels:
        raise NotPermitted("error.no_relationship")
    reply = Reply()
    now = ctx.now()
    for rel in rels:
        history = content.meetings(pid(rel))
        coming = meetings.upcoming(history, now)
        past = meetings.recent(history, now)
        lines = [meeting_line(ctx, rel, m) for m in coming] or [ctx.text("meeting.list.none_upcoming")]
        blocks: list[Block] = [Section(title(ctx.programme, rel, ctx.person_id), "\n".join(lines))]
        if past:
            blocks.append(
                Text(
                    ctx.text("meeting.list.recent")
                    + "\n"
                    + "\n".join(meeting_line(ctx, rel, m) for m in past)
                )
            )
        buttons: list[Button] = []
        for m in coming:
            if (
                m.status == MeetingStatus.PROPOSED
                and meetings.answer_of(m, ctx.person_id) is None
                and m.scheduled_by != ctx.person_id
            ):
                answer = ctx.text("meeting.button.answer", id=m.id)
                buttons.append(meeting_button(answer, "meeting.answer", m, ButtonStyle.PRIMARY))
            elif m.status == MeetingStatus.CONFIRMED:
                buttons.append(
                    meeting_button(ctx.text("meeting.button.invite", id=m.id), "meeting.invite", m)
                )
        if (
            not any(m.status == MeetingStatus.CONFIRMED for m in coming)
            and rel.status != RelationshipStatus.ENDED
        ):
            buttons.append(schedule_button(ctx, rel))
        if buttons:
            blocks.append(Buttons(tuple(buttons[:5])))
        reply.say(*blocks)
    return reply


def meeting_line(ctx: Context, rel: Relationship, m: Meeting) -> str:
    tz = ctx.tz()
    if m.status == MeetingStatus.PROPOSED:
        times = ", ".join(show(t, tz) for t in meetings.option_times(m))
        waiting = join_names(meetings.awaiting(m, rel), ctx.programme)
        return ctx.text(
            "meeting.list.proposed",
            id=m.id,
            times=times,
            names=waiting,
            proposer=name_of(rel, m.scheduled_by, ctx.programme),
        )
    when = show(m.starts_at, tz) if m.starts_at else ctx.text("meeting.not_yet_agreed")
    extra = ""
    if m.status == MeetingStatus.HELD and m.held_minutes is not None:
        extra = ctx.text("meeting.list.held_minutes", minutes=m.held_minutes)
    status = ctx.text(f"meeting.status.{m.status}")
    return ctx.text("meeting.list.line", id=m.id, when=when, status=status, extra=extra)


def invite_again(ctx: Context, meeting: Meeting, rel: Relationship) -> Reply:
    if meeting.starts_at is None or meeting.status not in (MeetingStatus.CONFIRMED, MeetingStatus.CANCELLED):
        raise InvalidInput("meeting.error.no_invite", id=meeting.id)
    return Reply().say(
        Text(ctx.text("meeting.invite.again", id=meeting.id, when=show(meeting.starts_at, ctx.tz()))),
        invite_attachment(meeting, rel, ctx.programme, ctx.now()),
    )
