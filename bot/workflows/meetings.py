"""Scheduling meetings: propose times, answer, confirm with a calendar invite, move, cancel, list.

Times are typed in the proposer's zone and shown to every member in their own.  The rules live in
``bot.meetings``; this module reads commands and forms, calls them, and says what happened.  A group
meeting is confirmed when every current member other than the proposer has accepted the same time.

Typed equivalents of every button: ``schedule [#rel]``, ``meetings [#rel]``, ``meetings accept ID N``,
``meetings decline ID``, ``meetings counter ID``, ``meetings move ID``, ``meetings cancel ID [reason]``,
``meetings invite ID``.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from bot import ground_rules
from bot import meetings
from bot.calendar_invite import invite_attachment
from bot.context import Context
from bot.errors import InvalidInput
from bot.errors import StaleAction
from bot.forms import error_text
from bot.forms import refilled
from bot.messages import Block
from bot.messages import Buttons
from bot.messages import ButtonStyle
from bot.messages import Form
from bot.messages import Input
from bot.messages import InputKind
from bot.messages import Reply
from bot.messages import Section
from bot.messages import Text
from bot.model import GroundRules
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Person
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.relationship_view import join_names
from bot.routing import Router
from bot.timefmt import as_input
from bot.timefmt import parse_local_datetime
from bot.timefmt import show
from bot.validation import clean_text
from bot.validation import whole_number
from bot.workflows._args import number
from bot.workflows._args import relationship_arg
from bot.workflows._args import words
from bot.workflows._inputs import long_text
from bot.workflows._meeting_common import find_meeting
from bot.workflows._meeting_common import meeting_action
from bot.workflows._meeting_common import meeting_button
from bot.workflows._meeting_common import others_text
from bot.workflows._meeting_common import pid
from bot.workflows._meeting_common import schedule_button
from bot.workflows._meeting_common import shortfall_lines
from bot.workflows._meeting_common import text_limit
from bot.workflows._meeting_common import when_text
from bot.workflows._meeting_views import confirmed_blocks
from bot.workflows._meeting_views import invite_again
from bot.workflows._meeting_views import list_meetings
from bot.workflows._meeting_views import proposal_blocks
from bot.workflows._notify import notify_others

FLOW = "meeting"
CANCEL_FLOW = "meeting-cancel"
LOCATION_LIMIT = 200
OPTION_FIELDS = ("option1", "option2", "option3")


def register(router: Router) -> None:
    @router.command("schedule", "help.schedule", usage="[#relationship]", aliases=("book",), group="meetings")
    def schedule_command(ctx: Context, rest: str) -> Reply:
        return times_form(ctx, ctx.my_relationship(relationship_arg(rest)), "new")

    @router.action("meeting.schedule")
    def schedule_button(ctx: Context, values: dict[str, str]) -> Reply:
        return times_form(ctx, ctx.my_relationship(values.get("r")), "new")

    @router.command(
        "meetings",
        "help.meetings",
        usage="[#rel] | accept ID N | decline ID | counter ID | move ID | cancel ID [reason] | invite ID",
        aliases=("meeting",),
        group="meetings",
    )
    def meetings_command(ctx: Context, rest: str) -> Reply:
        args = words(rest)
        verb = args[0].lower() if args else ""
        if verb in TYPED:
            return TYPED[verb](ctx, args[1:])
        if verb and not relationship_arg(rest):
            raise InvalidInput("meeting.error.unknown_verb", verb=verb[:20])
        return list_meetings(ctx, relationship_arg(rest))

    @router.action("meeting.times")
    def submit_times(ctx: Context, values: dict[str, str]) -> Reply:
        return times_submitted(ctx, values)

    @router.action("meeting.answer")
    def answer(ctx: Context, values: dict[str, str]) -> Reply:
        meeting, rel = find_meeting(ctx, values.get("m"))
        if meeting.status != MeetingStatus.PROPOSED:
            raise StaleAction()
        return Reply().say(*proposal_blocks(ctx, rel, meeting, ctx.person))

    @router.action("meeting.accept")
    def accept(ctx: Context, values: dict[str, str]) -> Reply:
        meeting, rel = find_meeting(ctx, values.get("m"))
        try:
            option = datetime.fromisoformat(values.get("at", ""))
        except ValueError:
            raise StaleAction() from None
        return accepted(ctx, meeting, rel, option)

    meeting_action(router, "meeting.decline", declined)

    meeting_action(
        router,
        "meeting.counter",
        lambda ctx, meeting, rel: times_form(ctx, rel, "counter", meeting),
        status=MeetingStatus.PROPOSED,
    )

    meeting_action(
        router,
        "meeting.move",
        lambda ctx, meeting, rel: times_form(ctx, rel, "move", meeting),
        status=MeetingStatus.CONFIRMED,
    )

    meeting_action(router, "meeting.cancel", cancel_form)

    @router.action("meeting.cancel.submit")
    def cancel_submit(ctx: Context, values: dict[str, str]) -> Reply:
        conv = ctx.expect(CANCEL_FLOW, values, "reason")
        meeting, rel = find_meeting(ctx, conv.data.get("m"))
        reason = clean_text(
            values.get("reason"), ctx.text("meeting.field.reason"), text_limit(ctx), required=False
        )
        ctx.finish()
        return cancelled(ctx, meeting, rel, reason)

    meeting_action(router, "meeting.invite", invite_again)


# -- typed sub-commands -----------------------------------------------------------------------------


def _typed_accept(ctx: Context, args: list[str]) -> Reply:
    meeting, rel = find_meeting(ctx, number(args[0] if args else None, "meeting number"))
    times = meetings.option_times(meeting)
    choice = number(args[1], "time number") if len(args) > 1 else (1 if len(times) == 1 else 0)
    if meeting.status != MeetingStatus.PROPOSED:
        raise StaleAction("meeting.error.not_open", id=meeting.id)
    if not 1 <= choice <= len(times):
        raise InvalidInput("meeting.error.which_time", id=meeting.id, count=len(times))
    return accepted(ctx, meeting, rel, times[choice - 1])


def _typed_decline(ctx: Context, args: list[str]) -> Reply:
    meeting, rel = find_meeting(ctx, number(args[0] if args else None, "meeting number"))
    return declined(ctx, meeting, rel)


def _typed_counter(ctx: Context, args: list[str]) -> Reply:
    meeting, rel = find_meeting(ctx, number(args[0] if args else None, "meeting number"))
    if meeting.status != MeetingStatus.PROPOSED:
        raise StaleAction("meeting.error.not_open", id=meeting.id)
    return times_form(ctx, rel, "counter", meeting)


def _typed_move(ctx: Context, args: list[str]) -> Reply:
    meeting, rel = find_meeting(ctx, number(args[0] if args else None, "meeting number"))
    if meeting.status != MeetingStatus.CONFIRMED:
        raise StaleAction("meeting.error.not_confirmed", id=meeting.id)
    return times_form(ctx, rel, "move", meeting)


def _typed_cancel(ctx: Context, args: list[str]) -> Reply:
    meeting, rel = find_meeting(ctx, number(args[0] if args else None, "meeting number"))
    if len(args) < 2:
        return cancel_form(ctx, meeting, rel)
    reason = clean_text(" ".join(args[1:]), ctx.text("meeting.field.reason"), text_limit(ctx), required=False)
    return cancelled(ctx, meeting, rel, reason)


def _typed_invite(ctx: Context, args: list[str]) -> Reply:
    meeting, rel = find_meeting(ctx, number(args[0] if args else None, "meeting number"))
    return invite_again(ctx, meeting, rel)


TYPED = {
    "accept": _typed_accept,
    "decline": _typed_decline,
    "counter": _typed_counter,
    "move": _typed_move,
    "reschedule": _typed_move,
    "cancel": _typed_cancel,
    "invite": _typed_invite,
}


# -- proposing times --------------------------------------------------------------------------------


def times_form(ctx: Context, rel: Relationship, mode: str, meeting: Meeting | None = None) -> Reply:
    """The form for one to three times, in the person's own zone (mode: new, counter, move)."""
    if rel.status == RelationshipStatus.ENDED:
        raise InvalidInput("meeting.error.ended", id=rel.id)
    content = ctx.content()
    rules = ground_rules.agreed(content.ground_rules(pid(rel)))
    suggestion = meetings.suggest_next(
        content.meetings(pid(rel)),
        timedelta(days=rel.cadence_days),
        ctx.now(),
        ctx.tz(),
        ctx.programme.weekend_days,
    )
    conv = ctx.start(FLOW, "times", r=rel.id, m=meeting.id if meeting else None, mode=mode)
    prefill = {
        "option1": as_input(suggestion, ctx.tz()),
        "minutes": str(meeting.duration_minutes if meeting else _agreed_minutes(rules, ctx)),
        "location": meeting.location if meeting else "",
    }
    form = _times_form(ctx, rel, mode, meeting, rules, conv.version)
    return Reply().say(refilled(form, prefill), summary=form.title)


def _times_form(
    ctx: Context,
    rel: Relationship,
    mode: str,
    meeting: Meeting | None,
    rules: GroundRules | None,
    version: int,
) -> Form:
    intro = [ctx.text("meeting.form.intro", timezone=ctx.person.timezone, others=others_text(ctx, rel))]
    if meeting is not None and mode == "move" and meeting.starts_at is not None:
        moving = "meeting.form.moving" if meeting.starts_at > ctx.now() else "meeting.form.moved_past"
        intro.append(ctx.text(moving, when=show(meeting.starts_at, ctx.tz())))
        intro += shortfall_lines(ctx, meeting, rules)
    if mode == "new" and not _is_responsible(ctx, rel, rules):
        intro.append(
            ctx.text_for(
                f"meeting.form.who_schedules.{ground_rules.who_schedules(rules, ctx.programme)}",
                ctx.reader(rel),
            )
        )
    hint = ctx.text("meeting.field.time_hint", timezone=ctx.person.timezone)
    return Form(
        form_id="meeting.times",
        title=ctx.text(f"meeting.form.title.{mode}"),
        inputs=(
            Input("option1", ctx.text("meeting.field.option1"), InputKind.DATETIME, hint=hint),
            Input(
                "option2", ctx.text("meeting.field.option2"), InputKind.DATETIME, required=False, hint=hint
            ),
            Input(
                "option3", ctx.text("meeting.field.option3"), InputKind.DATETIME, required=False, hint=hint
            ),
            Input("minutes", ctx.text("meeting.field.minutes"), InputKind.NUMBER),
            Input("location", ctx.text("meeting.field.location"), required=False, max_length=LOCATION_LIMIT),
        ),
        submit_action="meeting.times",
        submit_label=ctx.text("meeting.form.submit"),
        hidden={"v": str(version)},
        intro="\n".join(intro),
    )


def times_submitted(ctx: Context, values: dict[str, str]) -> Reply:
    conv = ctx.expect(FLOW, values, "times")
    rel = ctx.my_relationship(conv.data.get("r"))
    mode = str(conv.data.get("mode", "new"))
    content = ctx.content()
    rules = ground_rules.agreed(content.ground_rules(pid(rel)))
    meeting = find_meeting(ctx, conv.data.get("m"))[0] if mode != "new" else None
    times, notes, errors = _read_times(ctx, values)
    try:
        minutes = whole_number(
            values.get("minutes"), ctx.text("meeting.field.minutes"), 5, meetings.MAX_MINUTES
        )
    except InvalidInput as err:
        errors["minutes"] = error_text(ctx.programme, err)
    try:
        location = clean_text(
            values.get("location"), ctx.text("meeting.field.location"), LOCATION_LIMIT, required=False
        )
    except InvalidInput as err:
        errors["location"] = error_text(ctx.programme, err)
    if errors:
        form = _times_form(ctx, rel, mode, meeting, rules, conv.version)
        return Reply().say(Text(next(iter(errors.values()))), refilled(form, values, errors))

    warning: list[str] = []
    warning_others: list[str] = []
    if meeting is None:
        meeting = meetings.propose(
            rel, ctx.person_id, times, ctx.now(), duration_minutes=minutes, location=location
        )
        content.add_meeting(meeting)
    else:
        warning = shortfall_lines(ctx, meeting, rules) if mode == "move" else []
        warning_others = shortfall_lines(ctx, meeting, rules, to_others=True) if mode == "move" else []
        meetings.offer_other_times(
            meeting, ctx.person_id, times, ctx.now(), duration_minutes=minutes, location=location
        )
    ctx.finish()
    ctx.audit(f"meeting.{'proposed' if mode == 'new' else mode}", f"meeting:{meeting.id}", options=len(times))

    reply = Reply(replace=True)
    mine = "\n".join(f"• {show(t, ctx.tz())}" for t in meetings.option_times(meeting))
    reply.say(
        Section(ctx.text(f"meeting.sent.{mode}", others=others_text(ctx, rel)), mine),
        *(Text(line) for line in (*notes, *warning)),
    )
    key = f"meeting:{meeting.id}:proposed:{'|'.join(meeting.options)}"
    return notify_others(
        reply,
        rel,
        ctx.person_id,
        lambda person: proposal_blocks(
            ctx, rel, meeting, person, moved_from=mode == "move", warning=warning_others
        ),
        kind="meeting",
        key=key,
    )


def _read_times(ctx: Context, values: dict[str, str]) -> tuple[list[datetime], list[str], dict[str, str]]:
    """The typed times as instants, notes about ambiguous ones, and an error per unusable field."""
    times: list[datetime] = []
    notes: list[str] = []
    errors: dict[str, str] = {}
    for name in OPTION_FIELDS:
        raw = (values.get(name) or "").strip()
        if not raw:
            continue
        try:
            parsed = parse_local_datetime(raw, ctx.tz())
            meetings.check_options([parsed.at], ctx.now())
        except InvalidInput as err:
            errors[name] = error_text(ctx.programme, err)
            continue
        times.append(parsed.at)
        if parsed.ambiguous:
            notes.append(_ambiguous_note(ctx, parsed.at))
    if not times and not errors:
        errors["option1"] = ctx.text("meeting.error.no_times")
    return times, notes, errors


# -- answering --------------------------------------------------------------------------------------


def accepted(ctx: Context, meeting: Meeting, rel: Relationship, option: datetime) -> Reply:
    confirmed = meetings.accept(meeting, rel, ctx.person_id, option, ctx.now())
    ctx.audit("meeting.accepted", f"meeting:{meeting.id}")
    reply = Reply(replace=True)
    if not confirmed:
        waiting = meetings.awaiting(meeting, rel)
        reply.say(
            Text(
                ctx.text(
                    "meeting.accepted.waiting",
                    when=show(option, ctx.tz()),
                    names=join_names(waiting, ctx.programme),
                )
            )
        )
        proposer = rel.member(meeting.scheduled_by)
        if proposer is not None:
            reply.notify(
                pid(proposer.person),
                Text(
                    ctx.text(
                        "meeting.accepted.notice",
                        name=ctx.person.name,
                        id=meeting.id,
                        when=show(option, ctx.tz(proposer.person)),
                        names=join_names(waiting, ctx.programme),
                    )
                ),
                kind="meeting",
                key=f"meeting:{meeting.id}:accepted:{ctx.person_id}:{option.isoformat()}",
            )
        return reply
    ctx.audit("meeting.confirmed", f"meeting:{meeting.id}")
    reply.say(*confirmed_blocks(ctx, rel, meeting, ctx.person))
    return notify_others(
        reply,
        rel,
        ctx.person_id,
        lambda person: confirmed_blocks(ctx, rel, meeting, person),
        kind="meeting",
        key=f"meeting:{meeting.id}:confirmed:{meeting.sequence}",
    )


def declined(ctx: Context, meeting: Meeting, rel: Relationship) -> Reply:
    meetings.decline(meeting, ctx.person_id, ctx.now())
    ctx.audit("meeting.declined", f"meeting:{meeting.id}")
    counter = meeting_button(
        ctx.text("meeting.button.counter"), "meeting.counter", meeting, ButtonStyle.PRIMARY
    )
    reply = Reply(replace=True).say(Text(ctx.text("meeting.declined.reply")), Buttons((counter,)))
    proposer = rel.member(meeting.scheduled_by)
    if proposer is not None:
        reply.notify(
            pid(proposer.person),
            Text(ctx.text("meeting.declined.notice", name=ctx.person.name, id=meeting.id)),
            Buttons((meeting_button(ctx.text("meeting.button.other_times"), "meeting.counter", meeting),)),
            kind="meeting",
            key=f"meeting:{meeting.id}:declined:{ctx.person_id}:{'|'.join(meeting.options)}",
        )
    return reply


# -- cancelling -------------------------------------------------------------------------------------


def _check_cancellable(ctx: Context, meeting: Meeting) -> None:
    if meeting.status not in meetings.OPEN:
        status = ctx.text(f"meeting.status.{meeting.status}")
        raise StaleAction("meeting.error.closed", id=meeting.id, status=status)


def cancel_form(ctx: Context, meeting: Meeting, rel: Relationship) -> Reply:
    _check_cancellable(ctx, meeting)
    rules = ground_rules.agreed(ctx.content().ground_rules(pid(rel)))
    conv = ctx.start(CANCEL_FLOW, "reason", m=meeting.id)
    when = show(meeting.starts_at, ctx.tz()) if meeting.starts_at else ctx.text("meeting.not_yet_agreed")
    intro = [
        ctx.text("meeting.cancel.intro", when=when, others=others_text(ctx, rel)),
        *shortfall_lines(ctx, meeting, rules),
    ]
    form = Form(
        form_id="meeting.cancel",
        title=ctx.text("meeting.cancel.title", id=meeting.id),
        inputs=(long_text(ctx, "reason", ctx.text("meeting.field.reason"), required=False),),
        submit_action="meeting.cancel.submit",
        submit_label=ctx.text("meeting.cancel.submit"),
        hidden={"v": str(conv.version)},
        intro="\n".join(intro),
    )
    return Reply().say(form, summary=form.title)


def cancelled(ctx: Context, meeting: Meeting, rel: Relationship, reason: str) -> Reply:
    _check_cancellable(ctx, meeting)
    rules = ground_rules.agreed(ctx.content().ground_rules(pid(rel)))
    warning = shortfall_lines(ctx, meeting, rules)
    warning_others = shortfall_lines(ctx, meeting, rules, to_others=True)
    had_time = meeting.starts_at is not None and meeting.status == MeetingStatus.CONFIRMED
    meetings.cancel(meeting, reason, ctx.now())
    ctx.audit("meeting.cancelled", f"meeting:{meeting.id}", short_notice=bool(warning))
    reply = Reply(replace=True)
    reply.say(
        Text(ctx.text("meeting.cancel.done", id=meeting.id, others=others_text(ctx, rel))),
        *(Text(w) for w in warning),
    )

    def notice(person: Person) -> list[Block]:
        blocks: list[Block] = [
            Text(
                ctx.text(
                    "meeting.cancel.notice",
                    name=ctx.person.name,
                    id=meeting.id,
                    when=when_text(ctx, meeting, person),
                )
            )
        ]
        if reason:
            blocks.append(Text(ctx.text("meeting.cancel.reason", reason=reason)))
        blocks += [Text(w) for w in warning_others]
        if had_time:
            blocks.append(invite_attachment(meeting, rel, ctx.programme, ctx.now()))
        blocks.append(Buttons((schedule_button(ctx, rel),)))
        return blocks

    notify_others(reply, rel, ctx.person_id, notice, kind="meeting", key=f"meeting:{meeting.id}:cancelled")
    if had_time:
        reply.say(invite_attachment(meeting, rel, ctx.programme, ctx.now()))
    return reply


# -- listing ----------------------------------------------------------------------------------------


# -- helpers ----------------------------------------------------------------------------------------


def _is_responsible(ctx: Context, rel: Relationship, rules: GroundRules | None) -> bool:
    return any(
        p.id == ctx.person_id for p in ground_rules.responsible_for_scheduling(rules, ctx.programme, rel)
    )


def _agreed_minutes(rules: GroundRules | None, ctx: Context) -> int:
    text = rules.items.get("duration", "") if rules is not None else ""
    text = text or ctx.programme.ground_rule_defaults.get("duration", "")
    digits = "".join(ch for ch in text.split(" ")[0] if ch.isdecimal())
    minutes = int(digits) if digits else 60
    return minutes if 5 <= minutes <= meetings.MAX_MINUTES else 60


def _ambiguous_note(ctx: Context, at: datetime) -> str:
    local = at.astimezone(ctx.tz())
    return ctx.text(
        "time.ambiguous",
        time=local.strftime("%H:%M"),
        date=local.strftime("%Y-%m-%d"),
        timezone=ctx.person.timezone,
        when=show(at, ctx.tz()),
    )
