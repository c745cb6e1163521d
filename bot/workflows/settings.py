"""Self-service settings: pause, resume, quiet hours, time zone, reminder opt-outs, leaving.

Typed commands::

    settings                     what is set now
    pause / pause until DATE     no reminders, indefinitely or until DATE (YYYY-MM-DD)
    resume                       reminders back on
    quiet 21:00-07:30            my own quiet hours; ``quiet off`` none; ``quiet default`` the programme's
    timezone Europe/Berlin       my time zone (a typo gets the nearest name suggested)
    optout KIND / optin KIND     one kind of reminder off / on again (``optout`` alone lists them)
    leave                        leave the programme (asks first; the coordinators are told)

The rules live in :mod:`bot.preferences`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from bot import preferences as prefs
from bot.context import Context
from bot.errors import InvalidInput
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import ButtonStyle
from bot.messages import Fields
from bot.messages import Reply
from bot.messages import Section
from bot.messages import Text
from bot.model import Person
from bot.model import Relationship
from bot.nudge_kinds import NUDGE_KINDS
from bot.routing import Router
from bot.timefmt import show_date
from bot.timefmt import show_time
from bot.workflows._notify import notify_others
from bot.workflows._notify import same_for_all

LEAVE_FLOW = "settings.leave"
CONFIRM_WORDS = ("yes", "confirm")


def _kinds_list(ctx: Context) -> str:
    return "\n".join(f"• *{kind}*: {ctx.text(f'settings.kind.{kind}')}" for kind in NUDGE_KINDS)


def show_settings(ctx: Context) -> Reply:
    person = ctx.person
    today = ctx.today()
    if prefs.is_paused(person, today):
        reminders = (
            ctx.text("settings.show.paused_until", date=show_date(person.paused_until))
            if person.paused_until
            else ctx.text("settings.show.paused")
        )
    else:
        reminders = ctx.text("settings.show.on")
    start, end, source = prefs.quiet_span(person, ctx.programme.quiet_start, ctx.programme.quiet_end)
    quiet = ctx.text(f"settings.show.quiet_{source}", start=start, end=end)
    opted = ", ".join(person.opt_outs) or ctx.text("settings.show.none")
    fields = Fields(
        (
            (ctx.text("settings.show.reminders"), reminders),
            (ctx.text("settings.show.quiet"), quiet),
            (
                ctx.text("settings.show.timezone"),
                f"{person.timezone} ({show_time(ctx.now(), person.timezone)})",
            ),
            (ctx.text("settings.show.opted_out"), opted),
        )
    )
    toggle = (
        Button(ctx.text("settings.button.resume"), "command", {"text": "resume"})
        if prefs.is_paused(person, today)
        else Button(ctx.text("settings.button.pause"), "command", {"text": "pause"})
    )
    return Reply().say(
        Section(ctx.text("settings.show.title")),
        fields,
        Buttons((toggle,)),
        Text(ctx.text("settings.show.hint")),
    )


def _changed(ctx: Context, key: str, **values: object) -> Reply:
    ctx.audit("settings.change", f"person:{ctx.person_id}", setting=key.rsplit(".", 1)[-1])
    return Reply().say(Text(ctx.text(key, **values)))


def _switch_nudges(
    ctx: Context, rest: str, switch: Callable[[Person, str], bool], already_key: str, switched_key: str
) -> Reply:
    """``optout``/``optin`` KIND: ``switch`` turns that kind of nudge off or on (False when it already
    was); without a kind, the kinds there are."""
    if not rest.strip():
        return Reply().say(Section(ctx.text("settings.kinds_title"), _kinds_list(ctx)))
    kind = prefs.parse_nudge_kind(rest)
    if not switch(ctx.person, kind):
        return Reply().say(Text(ctx.text(already_key, kind=kind)))
    return _changed(ctx, switched_key, kind=kind)


# -- leaving ---------------------------------------------------------------------------------------------


def _ask_to_leave(ctx: Context) -> Reply:
    conv = ctx.start(LEAVE_FLOW, "confirm")
    return Reply().say(
        Text(ctx.text("settings.leave.confirm")),
        Buttons(
            (
                Button(
                    ctx.text("settings.leave.yes"),
                    "settings.leave",
                    {"v": str(conv.version)},
                    ButtonStyle.DANGER,
                ),
                Button(ctx.text("settings.leave.no"), "settings.stay", {"v": str(conv.version)}),
            )
        ),
    )


def _describe(ctx: Context, rel: Relationship, person_id: int) -> str:
    others = ", ".join(p.name for p in rel.others(person_id)) or "—"
    return ctx.text(
        "settings.leave.relationship", id=rel.id, kind=ctx.text(f"kind.{rel.kind}.label"), others=others
    )


def leave(ctx: Context) -> Reply:
    """Mark the person inactive. Nothing ends silently: their relationships stay as they are, flagged
    for the coordinators, who are each told (activity only); the other members are told too."""
    person = ctx.person
    rels = ctx.uow.relationships.of_person(ctx.person_id)
    person.active = False
    ctx.finish()
    stamp = ctx.now().astimezone(UTC).strftime("%Y%m%d%H%M%S")
    reply = Reply(replace=True).say(
        Text(ctx.text("settings.leave.done", coordinator_contact=ctx.programme.coordinator_contact))
    )
    listing = "\n".join(_describe(ctx, rel, ctx.person_id) for rel in rels) or ctx.text(
        "settings.leave.no_relationships"
    )
    for coordinator in _coordinators(ctx):
        assert coordinator.id is not None
        reply.notify(
            coordinator.id,
            Section(
                ctx.text("settings.leave.coordinator_title", name=person.name, email=person.email), listing
            ),
            Text(ctx.text("settings.leave.coordinator_hint")),
            kind="member_left",
            key=f"left:{ctx.person_id}:{stamp}",
        )
    for rel in rels:
        ctx.audit("relationship.member_left", f"relationship:{rel.id}", person=ctx.person_id)
        notice = Text(ctx.text("settings.leave.member_notice", name=person.name, id=rel.id))
        key = f"left:{ctx.person_id}:{rel.id}:{stamp}"
        notify_others(reply, rel, ctx.person_id, same_for_all(notice), kind="member_left", key=key)
    ctx.audit("person.left", f"person:{ctx.person_id}", relationships=[rel.id for rel in rels])
    return reply


def _coordinators(ctx: Context) -> list[Person]:
    return [p for p in ctx.uow.people.all() if p.is_coordinator and p.id != ctx.person_id]


# -- registration ---------------------------------------------------------------------------------------


def register(router: Router) -> None:
    group = "settings"

    @router.command("settings", "settings.help.settings", aliases=("my settings", "preferences"), group=group)
    def settings_cmd(ctx: Context, rest: str) -> Reply:
        return show_settings(ctx)

    @router.command("pause", "help.pause", usage="[until YYYY-MM-DD]", group=group)
    def pause_cmd(ctx: Context, rest: str) -> Reply:
        words = rest.strip().split()
        if not words:
            prefs.pause(ctx.person, None)
            return _changed(ctx, "settings.paused")
        if words[0].lower() != "until" or len(words) != 2:
            raise InvalidInput("settings.error.pause_usage")
        day = prefs.pause_until(words[1], ctx.today())
        prefs.pause(ctx.person, day)
        return _changed(ctx, "settings.paused_until", date=show_date(day))

    @router.command("resume", "help.resume", group=group)
    def resume_cmd(ctx: Context, rest: str) -> Reply:
        was_paused = prefs.is_paused(ctx.person, ctx.today())
        prefs.resume(ctx.person)
        if not was_paused:
            return Reply().say(Text(ctx.text("settings.not_paused")))
        return _changed(ctx, "settings.resumed")

    @router.command(
        "quiet", "help.quiet", usage="HH:MM-HH:MM | off | default", aliases=("quiet hours",), group=group
    )
    def quiet_cmd(ctx: Context, rest: str) -> Reply:
        arg = rest.strip().lower()
        if not arg:
            return show_settings(ctx)
        if arg == "off":
            ctx.person.quiet_start = ctx.person.quiet_end = prefs.QUIET_OFF
            return _changed(ctx, "settings.quiet_off")
        if arg == "default":
            ctx.person.quiet_start = ctx.person.quiet_end = None
            return _changed(
                ctx,
                "settings.quiet_default",
                start=ctx.programme.quiet_start.strftime("%H:%M"),
                end=ctx.programme.quiet_end.strftime("%H:%M"),
            )
        start, end = prefs.parse_quiet(arg)
        ctx.person.quiet_start, ctx.person.quiet_end = start, end
        return _changed(ctx, "settings.quiet_set", start=start, end=end)

    @router.command("timezone", "help.timezone", usage="AREA/CITY", aliases=("time zone", "tz"), group=group)
    def timezone_cmd(ctx: Context, rest: str) -> Reply:
        if not rest.strip():
            return Reply().say(Text(ctx.text("settings.timezone_current", timezone=ctx.person.timezone)))
        zone = prefs.parse_timezone(rest)
        ctx.person.timezone = zone
        return _changed(ctx, "settings.timezone_set", timezone=zone, now=show_time(ctx.now(), zone))

    @router.command("optout", "help.optout", usage="KIND", aliases=("opt out",), group=group)
    def optout_cmd(ctx: Context, rest: str) -> Reply:
        return _switch_nudges(ctx, rest, prefs.opt_out, "settings.already_out", "settings.opted_out")

    @router.command("optin", "help.optin", usage="KIND", aliases=("opt in",), group=group)
    def optin_cmd(ctx: Context, rest: str) -> Reply:
        return _switch_nudges(ctx, rest, prefs.opt_in, "settings.already_in", "settings.opted_in")

    @router.command("leave", "help.leave", aliases=("leave programme", "leave the programme"), group=group)
    def leave_cmd(ctx: Context, rest: str) -> Reply:
        if rest.strip().lower() in CONFIRM_WORDS and ctx.conversation(LEAVE_FLOW) is not None:
            return leave(ctx)
        return _ask_to_leave(ctx)

    @router.action("settings.leave")
    def leave_action(ctx: Context, values: dict[str, str]) -> Reply:
        ctx.expect(LEAVE_FLOW, values, "confirm")
        return leave(ctx)

    @router.action("settings.stay")
    def stay_action(ctx: Context, values: dict[str, str]) -> Reply:
        ctx.expect(LEAVE_FLOW, values, "confirm")
        ctx.finish()
        return Reply(replace=True).say(Text(ctx.text("settings.leave.stayed")))
