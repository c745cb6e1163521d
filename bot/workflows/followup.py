"""After a meeting: "did you meet?" -- held (with its length, for guide time accounting), missed, or
moved (which opens the move form).  Then the action plan is offered, per the cross-module contract.
"""

from __future__ import annotations

from bot import meetings
from bot.context import Context
from bot.errors import InvalidInput
from bot.errors import StaleAction
from bot.followup import action_plan_button
from bot.followup import did_you_meet_message
from bot.forms import error_text
from bot.forms import refilled
from bot.messages import Block
from bot.messages import Buttons
from bot.messages import Form
from bot.messages import Input
from bot.messages import InputKind
from bot.messages import Reply
from bot.messages import Text
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Person
from bot.model import Relationship
from bot.model import Side
from bot.routing import Router
from bot.timefmt import show
from bot.validation import whole_number
from bot.workflows._args import number
from bot.workflows._args import words
from bot.workflows._meeting_common import find_meeting
from bot.workflows._meeting_common import meeting_action
from bot.workflows._meeting_common import schedule_button
from bot.workflows._notify import notify_others
from bot.workflows.meetings import times_form

FLOW = "followup"
ANSWERS = {
    "yes": "held",
    "held": "held",
    "no": "missed",
    "missed": "missed",
    "moved": "moved",
    "later": "moved",
}


def register(router: Router) -> None:
    @router.command("met", "followup.help", usage="ID yes [minutes] | ID no | ID moved", group="meetings")
    def met(ctx: Context, rest: str) -> Reply:
        args = words(rest)
        meeting, rel = find_meeting(ctx, number(args[0] if args else None, "meeting number"))
        answer = ANSWERS.get(args[1].lower() if len(args) > 1 else "")
        if answer is None:
            raise InvalidInput("followup.error.which_answer", id=meeting.id)
        if answer == "held" and len(args) > 2:
            minutes = whole_number(args[2], ctx.text("meeting.field.minutes"), 5, meetings.MAX_MINUTES)
            return held(ctx, meeting, rel, minutes)
        return ANSWER_HANDLERS[answer](ctx, meeting, rel)

    @router.action("followup.ask")
    def ask(ctx: Context, values: dict[str, str]) -> Reply:
        meeting, rel = find_meeting(ctx, values.get("m"))
        _check_open(ctx, meeting)
        reply = Reply()
        reply.messages.append(did_you_meet_message(ctx.programme, rel, meeting, ctx.person))
        return reply

    meeting_action(router, "followup.held", minutes_form)

    @router.action("followup.minutes")
    def minutes_submitted(ctx: Context, values: dict[str, str]) -> Reply:
        conv = ctx.expect(FLOW, values, "minutes")
        meeting, rel = find_meeting(ctx, conv.data.get("m"))
        try:
            minutes = whole_number(
                values.get("minutes"), ctx.text("meeting.field.minutes"), 5, meetings.MAX_MINUTES
            )
        except InvalidInput as err:
            message = error_text(ctx.programme, err)
            form = refilled(_form(ctx, meeting, conv.version), values, {"minutes": message})
            return Reply().say(Text(message), form)
        ctx.finish()
        return held(ctx, meeting, rel, minutes)

    meeting_action(router, "followup.missed", missed)

    meeting_action(router, "followup.moved", moved)


def _check_open(ctx: Context, meeting: Meeting, answer: MeetingStatus | None = None) -> None:
    """A meeting not yet due, cancelled, or already recorded with this same ``answer`` is refused,
    specifically.  The other answer corrects the record: "no" after "yes" takes the meeting back (and
    any phase move it caused), "yes" after "no" records it as held after all.  Moving it needs a
    meeting still waiting for its answer."""
    recorded = (MeetingStatus.HELD, MeetingStatus.MISSED)
    if meeting.status == MeetingStatus.CANCELLED or (
        meeting.status in recorded and answer in (None, meeting.status)
    ):
        raise StaleAction(
            "followup.error.already", id=meeting.id, status=ctx.text(f"meeting.status.{meeting.status}")
        )
    if meeting.status not in (MeetingStatus.CONFIRMED, *recorded) or meeting.starts_at is None:
        raise StaleAction("meeting.error.not_confirmed", id=meeting.id)
    if meeting.starts_at > ctx.now():
        raise InvalidInput("followup.error.not_yet")


def minutes_form(ctx: Context, meeting: Meeting, rel: Relationship) -> Reply:
    _check_open(ctx, meeting, MeetingStatus.HELD)
    conv = ctx.start(FLOW, "minutes", m=meeting.id)
    form = refilled(_form(ctx, meeting, conv.version), {"minutes": str(meeting.duration_minutes)})
    return Reply().say(form, summary=form.title)


def _form(ctx: Context, meeting: Meeting, version: int) -> Form:
    assert meeting.starts_at is not None
    return Form(
        form_id="followup.minutes",
        title=ctx.text("followup.form.title"),
        inputs=(Input("minutes", ctx.text("followup.form.minutes"), InputKind.NUMBER),),
        submit_action="followup.minutes",
        submit_label=ctx.text("followup.form.submit"),
        hidden={"v": str(version)},
        intro=ctx.text("followup.form.intro", id=meeting.id, when=show(meeting.starts_at, ctx.tz())),
    )


def held(ctx: Context, meeting: Meeting, rel: Relationship, minutes: int) -> Reply:
    _check_open(ctx, meeting, MeetingStatus.HELD)
    meetings.record_held(meeting, minutes, ctx.now())
    ctx.audit("meeting.held", f"meeting:{meeting.id}", minutes=minutes)
    assert rel.id is not None and meeting.id is not None
    plan = action_plan_button(ctx.programme, rel.id, meeting.id)
    me = rel.member(ctx.person_id)
    drafts = me is not None and me.side != Side.GUIDE
    reply = Reply(replace=True).say(Text(ctx.text("followup.held.reply", minutes=minutes, id=meeting.id)))
    reply.say(
        *(
            [Text(ctx.text("followup.plan.mentee")), Buttons((plan,))]
            if drafts
            else [Text(ctx.text_for("followup.plan.guide", ctx.reader(rel)))]
        )
    )

    def notice(person: Person) -> list[Block]:
        when = _when(ctx, meeting, person.timezone)
        text = ctx.text(
            "followup.held.notice", name=ctx.person.name, id=meeting.id, when=when, minutes=minutes
        )
        member = rel.member(person.id)
        if member is not None and member.side != Side.GUIDE:
            return [Text(text), Text(ctx.text("followup.plan.mentee")), Buttons((plan,))]
        return [Text(text)]

    return notify_others(reply, rel, ctx.person_id, notice, kind="meeting", key=f"meeting:{meeting.id}:held")


def missed(ctx: Context, meeting: Meeting, rel: Relationship) -> Reply:
    _check_open(ctx, meeting, MeetingStatus.MISSED)
    was = meeting.status
    meetings.record_missed(meeting, ctx.now())
    ctx.audit("meeting.missed", f"meeting:{meeting.id}", was=str(was))
    _take_back_phase_move(ctx, meeting, rel)
    schedule = Buttons((schedule_button(ctx, rel),))
    reply = Reply(replace=True).say(Text(ctx.text("followup.missed.reply", id=meeting.id)), schedule)

    def notice(person: Person) -> tuple[Block, ...]:
        when = _when(ctx, meeting, person.timezone)
        return Text(
            ctx.text("followup.missed.notice", name=ctx.person.name, id=meeting.id, when=when)
        ), schedule

    return notify_others(
        reply, rel, ctx.person_id, notice, kind="meeting", key=f"meeting:{meeting.id}:missed"
    )


def moved(ctx: Context, meeting: Meeting, rel: Relationship) -> Reply:
    _check_open(ctx, meeting)
    return times_form(ctx, rel, "move", meeting)


def _take_back_phase_move(ctx: Context, meeting: Meeting, rel: Relationship) -> None:
    """A meeting that did not happen cannot have ended the first phase: undo the move it caused."""
    assert rel.id is not None
    relationship = ctx.uow.relationships.get(rel.id) or rel
    before = relationship.phase
    first = ctx.programme.phase_names()[0]
    change = meetings.take_back_phase_move(
        relationship, meeting, ctx.content().meetings(rel.id), first, ctx.now(), ctx.programme.held_grace
    )
    if change is not None:
        ctx.audit(
            "relationship.phase",
            f"relationship:{rel.id}",
            **{"from": before, "to": change.phase, "reason": change.reason},
        )


ANSWER_HANDLERS = {"missed": missed, "moved": moved, "held": minutes_form}


def _when(ctx: Context, meeting: Meeting, tz: str) -> str:
    assert meeting.starts_at is not None
    return show(meeting.starts_at, tz)
