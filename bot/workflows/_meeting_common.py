"""Shared by the meeting workflows: finding a meeting the person may see, and short-notice warnings."""

from __future__ import annotations

from collections.abc import Callable

from bot import ground_rules
from bot import meetings
from bot.context import Context
from bot.errors import StaleAction
from bot.messages import Button
from bot.messages import ButtonStyle
from bot.messages import Reply
from bot.model import GroundRules
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Person
from bot.model import Relationship
from bot.relationship_view import join_names
from bot.routing import Router
from bot.timefmt import show
from bot.timefmt import show_span


def find_meeting(ctx: Context, meeting_id: object) -> tuple[Meeting, Relationship]:
    """A meeting of one of the person's relationships (anything else is "not found", on purpose)."""
    try:
        mid = int(str(meeting_id or "").lstrip("#"))
    except ValueError:
        raise StaleAction() from None
    content = ctx.content()
    meeting = content.meeting(mid)
    return meeting, content.relationship(meeting.relationship_id)


def meeting_action(
    router: Router,
    name: str,
    handler: Callable[[Context, Meeting, Relationship], Reply],
    *,
    status: MeetingStatus | None = None,
) -> None:
    """Register a button that acts on the meeting in its ``m`` value; with ``status``, a meeting no
    longer in that state makes the button stale."""

    def action(ctx: Context, values: dict[str, str]) -> Reply:
        meeting, rel = find_meeting(ctx, values.get("m"))
        if status is not None and meeting.status != status:
            raise StaleAction()
        return handler(ctx, meeting, rel)

    router.action(name)(action)


def meeting_button(
    label: str, action: str, meeting: Meeting, style: ButtonStyle = ButtonStyle.DEFAULT, **more: str
) -> Button:
    """A button whose action finds the meeting by its ``m`` value (:func:`meeting_action`,
    :func:`find_meeting`); ``more`` are further values it carries."""
    return Button(label, action, {"m": str(meeting.id), **more}, style)


def schedule_button(ctx: Context, rel: Relationship) -> Button:
    """ "Schedule a meeting" for the pair: the ``meeting.schedule`` action takes the relationship."""
    return Button(ctx.text("meeting.button.schedule"), "meeting.schedule", {"r": str(rel.id)})


def when_text(ctx: Context, meeting: Meeting, viewer: Person) -> str:
    if meeting.starts_at is not None:
        return show(meeting.starts_at, ctx.tz(viewer))
    return ctx.text("meeting.not_yet_agreed")


def others_text(ctx: Context, rel: Relationship) -> str:
    return join_names(rel.others(ctx.person_id), ctx.programme)


def shortfall_lines(
    ctx: Context, meeting: Meeting, rules: GroundRules | None, *, to_others: bool = False
) -> list[str]:
    """A note when a change comes later than the pair's agreed notice. The one who makes the change is
    told how an apology helps; the people it happens to (``to_others``) only learn that it is short
    notice -- the advice is not theirs to take."""
    notice = ground_rules.cancellation_notice(rules, ctx.programme)
    short = meetings.notice_shortfall(meeting, notice, ctx.now())
    if short is None:
        return []
    key = "meeting.notice_short_others" if to_others else "meeting.notice_short"
    return [ctx.text(key, agreed=show_span(short.agreed), given=show_span(short.given))]


def text_limit(ctx: Context) -> int:
    return ctx.programme.max_text_length


def pid(obj: Person | Relationship) -> int:
    assert obj.id is not None
    return obj.id
