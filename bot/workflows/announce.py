"""``announce``: a coordinator composes an announcement, previews its audience, sends or schedules it.

The steps (stored, so a restart in between loses nothing):

1. ``announce`` opens a form: title, message, the audience (role, cohort, stage, phase, relationship
   kind; several values each) and an optional send time in the coordinator's time zone.
2. Submitting it shows the announcement as recipients will see it, how many people it reaches and up
   to five of their names, with *Send now* (or *Schedule*), *Edit* and *Cancel*.
3. Sending stores the announcement and puts one delivery per recipient in the outbox.

``announce status N`` shows sent / waiting / failed / unreachable counts and who could not be reached.
Only coordinators get past the first line of each handler; anyone else is refused and the attempt audited.
"""

from __future__ import annotations

from datetime import datetime

from bot.announcements import BODY_LIMIT
from bot.announcements import TITLE_LIMIT
from bot.announcements import Draft
from bot.announcements import announcement_message
from bot.announcements import compose
from bot.announcements import delivery_report
from bot.announcements import preview
from bot.announcements import publish
from bot.audience import DIMENSION_WORD
from bot.audience import DIMENSIONS
from bot.audience import Audience
from bot.audience import Choices
from bot.audience import describe
from bot.audience import parse_audience
from bot.context import Context
from bot.coordinator import audit
from bot.coordinator import require_coordinator
from bot.errors import InvalidInput
from bot.forms import refilled
from bot.messages import Block
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import ButtonStyle
from bot.messages import Fields
from bot.messages import Form
from bot.messages import Input
from bot.messages import InputKind
from bot.messages import Option
from bot.messages import Reply
from bot.messages import Section
from bot.messages import Text
from bot.model import Conversation
from bot.model import Role
from bot.routing import Router
from bot.timefmt import as_input
from bot.timefmt import parse_local_datetime
from bot.timefmt import show
from bot.workflows._inputs import long_text

FLOW = "announce"
COORDINATOR = (Role.COORDINATOR.value,)
RECENT = 5


def register(router: Router) -> None:
    @router.command(
        "announce", "help.announce", group="coordinator", listed_for=COORDINATOR, aliases=("announcement",)
    )
    def announce(ctx: Context, rest: str) -> Reply:
        require_coordinator(ctx, "announce")
        conv = ctx.start(FLOW, "compose")
        return Reply().say(compose_form(ctx, conv))

    @router.command(
        "announce status",
        "coordinator.help.announce_status",
        usage="[N]",
        group="coordinator",
        listed_for=COORDINATOR,
    )
    def status(ctx: Context, rest: str) -> Reply:
        require_coordinator(ctx, "announce.status")
        number = rest.strip().lstrip("#")
        if not number:
            return recent_announcements(ctx)
        if not number.isdecimal():
            raise InvalidInput("coordinator.announce.number_expected", got=rest.strip()[:20])
        return status_reply(ctx, int(number))

    @router.action("announce.preview")
    def submitted(ctx: Context, values: dict[str, str]) -> Reply:
        require_coordinator(ctx, "announce")
        conv = ctx.expect(FLOW, values, "compose")
        return check_and_preview(ctx, conv, values)

    @router.action("announce.send")
    def send(ctx: Context, values: dict[str, str]) -> Reply:
        require_coordinator(ctx, "announce")
        conv = ctx.expect(FLOW, values, "preview")
        return send_draft(ctx, conv)

    @router.action("announce.edit")
    def edit(ctx: Context, values: dict[str, str]) -> Reply:
        require_coordinator(ctx, "announce")
        conv = ctx.expect(FLOW, values, "preview")
        conv = ctx.advance(conv, "compose")
        reply = Reply(replace=True)
        return reply.say(compose_form(ctx, conv, _form_values(ctx, conv)))

    @router.action("announce.cancel")
    def cancel(ctx: Context, values: dict[str, str]) -> Reply:
        require_coordinator(ctx, "announce")
        ctx.expect(FLOW, values)
        ctx.finish()
        return Reply(replace=True).say(Text(ctx.text("coordinator.announce.cancelled")))


# -- step 1: the form --------------------------------------------------------------------------------


def choices(ctx: Context) -> Choices:
    return Choices.of_programme(ctx.programme.phase_names(), ctx.uow.activity.people())


def compose_form(ctx: Context, conv: Conversation, values: dict[str, str] | None = None) -> Form:
    available = choices(ctx)
    inputs = [
        Input("title", ctx.text("coordinator.announce.field.title"), max_length=TITLE_LIMIT),
        long_text(ctx, "body", ctx.text("coordinator.announce.field.body"), limit=BODY_LIMIT),
    ]
    for dimension in DIMENSIONS:
        options = available.of(dimension)
        if not options:
            continue  # e.g. no cohorts in the roster: nothing to choose from
        inputs.append(
            Input(
                dimension,
                ctx.text(f"coordinator.announce.field.{dimension}"),
                InputKind.MULTI_CHOICE,
                required=False,
                options=tuple(Option(o, o) for o in options),
            )
        )
    inputs.append(
        Input(
            "send_at",
            ctx.text("coordinator.announce.field.send_at"),
            InputKind.DATETIME,
            required=False,
            hint=ctx.text("coordinator.announce.send_at_hint", timezone=ctx.person.timezone),
        )
    )
    form = Form(
        form_id="announce",
        title=ctx.text("coordinator.announce.form_title"),
        inputs=tuple(inputs),
        submit_action="announce.preview",
        submit_label=ctx.text("coordinator.announce.preview_button"),
        hidden={"v": str(conv.version)},
        intro=ctx.text("coordinator.announce.intro"),
    )
    return refilled(form, values) if values else form


def _form_values(ctx: Context, conv: Conversation) -> dict[str, str]:
    """What the coordinator wrote, back into the form (to edit it after the preview)."""
    data = conv.data
    values = {"title": str(data.get("title", "")), "body": str(data.get("body", ""))}
    for dimension, chosen in dict(data.get("audience", {})).items():
        values[dimension] = ", ".join(chosen)
    if data.get("send_at"):
        values["send_at"] = as_input(datetime.fromisoformat(str(data["send_at"])), ctx.person.timezone)
    return values


# -- step 2: check and preview ------------------------------------------------------------------------


def check_and_preview(ctx: Context, conv: Conversation, values: dict[str, str]) -> Reply:
    try:
        draft = read_draft(ctx, values)
        seen = preview(ctx.uow, draft.audience)
    except InvalidInput as err:
        field = _field_of(err)
        message = ctx.text(err.key, **err.values)
        audit(ctx.uow, ctx.person, "announce", "", ctx.now(), outcome="rejected", problem=err.key)
        form = compose_form(ctx, conv)
        return Reply().say(
            Text(ctx.text("coordinator.announce.not_sent", problem=message)),
            refilled(form, values, {field: message}),
        )
    conv = ctx.advance(
        conv,
        "preview",
        title=draft.title,
        body=draft.body,
        audience=draft.audience.to_dict(),
        send_at=draft.send_at.isoformat() if draft.send_at else "",
    )
    return Reply().say(*preview_blocks(ctx, conv, draft, seen.count, seen.sample))


def read_draft(ctx: Context, values: dict[str, str]) -> Draft:
    audience = parse_audience({d: values.get(d) for d in DIMENSIONS}, choices(ctx))
    raw_when = (values.get("send_at") or "").strip()
    send_at = parse_local_datetime(raw_when, ctx.person.timezone).at if raw_when else None
    return compose(values.get("title"), values.get("body"), audience, send_at, ctx.now())


def people_word(ctx: Context, n: int) -> str:
    return ctx.text("coordinator.person_word" if n == 1 else "coordinator.people_word")


def _field_of(err: InvalidInput) -> str:
    """Which input an error belongs under, so the form shows it in the right place."""
    if err.key == "coordinator.audience.unknown_value":
        plural = {DIMENSION_WORD[d]: d for d in DIMENSIONS}
        return plural.get(str(err.values.get("dimension")), "roles")
    if err.key.startswith("coordinator.audience"):
        return "roles"
    if err.key in ("coordinator.announce.in_past", "error.dst_gap") or err.key.startswith("time."):
        return "send_at"
    field = str(err.values.get("field", ""))
    return "title" if field == "title" else "body"


def preview_blocks(
    ctx: Context, conv: Conversation, draft: Draft, count: int, sample: tuple[str, ...]
) -> list[Block]:
    message = announcement_message(ctx.programme, draft.title, draft.body, ctx.person.name)
    more = count - len(sample)
    names = ", ".join(sample)
    who = ctx.text(
        "coordinator.announce.reach",
        count=count,
        people=people_word(ctx, count),
        audience=describe(draft.audience, lambda d: ctx.text(f"coordinator.audience.dimension.{d}")),
        names=names + (ctx.text("coordinator.announce.and_more", n=more) if more > 0 else ""),
    )
    when = (
        ctx.text("coordinator.announce.when_scheduled", when=show(draft.send_at, ctx.person.timezone))
        if draft.send_at
        else ctx.text("coordinator.announce.when_now")
    )
    v = {"v": str(conv.version)}
    send_label = (
        "coordinator.announce.schedule_button" if draft.send_at else "coordinator.announce.send_button"
    )
    return [
        Text(ctx.text("coordinator.announce.preview_heading")),
        *message.blocks,
        Text(who),
        Text(when),
        Buttons(
            (
                Button(ctx.text(send_label), "announce.send", v, ButtonStyle.PRIMARY),
                Button(ctx.text("coordinator.announce.edit_button"), "announce.edit", v),
                Button(
                    ctx.text("coordinator.announce.cancel_button"), "announce.cancel", v, ButtonStyle.DANGER
                ),
            )
        ),
    ]


# -- step 3: send ------------------------------------------------------------------------------------


def send_draft(ctx: Context, conv: Conversation) -> Reply:
    data = conv.data
    send_at = datetime.fromisoformat(str(data["send_at"])) if data.get("send_at") else None
    draft = Draft(
        str(data["title"]), str(data["body"]), Audience.from_dict(data.get("audience", {})), send_at
    )
    try:
        announcement = publish(ctx.uow, ctx.programme, draft, ctx.person, ctx.now())
    except InvalidInput as err:
        # the moment passed, or the audience emptied, while the preview was open: back to the form
        message = ctx.text(err.key, **err.values)
        audit(ctx.uow, ctx.person, "announce", "", ctx.now(), outcome="rejected", problem=err.key)
        conv = ctx.advance(conv, "compose")
        values = _form_values(ctx, conv)
        form = compose_form(ctx, conv, values)
        return Reply(replace=True).say(
            Text(ctx.text("coordinator.announce.not_sent", problem=message)),
            refilled(form, values, {_field_of(err): message}),
        )
    audit(
        ctx.uow,
        ctx.person,
        "announce",
        f"announcement:{announcement.id}",
        ctx.now(),
        recipients=announcement.recipient_count,
        audience=draft.audience.to_dict(),
        scheduled=send_at is not None,
    )
    ctx.finish()
    n = announcement.recipient_count
    people = people_word(ctx, n)
    if send_at is not None:
        text = ctx.text(
            "coordinator.announce.scheduled",
            number=announcement.id,
            count=n,
            people=people,
            when=show(send_at, ctx.person.timezone),
        )
    else:
        text = ctx.text("coordinator.announce.queued", number=announcement.id, count=n, people=people)
    return Reply(replace=True).say(Text(text))


# -- afterwards --------------------------------------------------------------------------------------


def status_reply(ctx: Context, number: int) -> Reply:
    report = delivery_report(ctx.uow, number)
    a = report.announcement
    pairs = [
        (ctx.text("coordinator.announce.status.sent"), str(report.sent)),
        (ctx.text("coordinator.announce.status.pending"), str(report.pending)),
        (ctx.text("coordinator.announce.status.failed"), str(report.failed)),
        (ctx.text("coordinator.announce.status.unreachable"), str(report.unreachable)),
    ]
    if report.skipped:
        pairs.append((ctx.text("coordinator.announce.status.skipped"), str(report.skipped)))
    reply = Reply().say(
        Text(
            ctx.text(
                "coordinator.announce.status.heading",
                number=a.id,
                title=a.title,
                when=show(a.send_at, ctx.person.timezone),
                count=report.total,
            )
        ),
        Fields(tuple(pairs)),
    )
    if report.unreachable_names:
        reply.say(
            Section(
                ctx.text("coordinator.announce.status.who_unreachable"),
                "\n".join(f"• {name}" for name in report.unreachable_names[:50])
                + (
                    "\n" + ctx.text("coordinator.health.more", n=len(report.unreachable_names) - 50)
                    if len(report.unreachable_names) > 50
                    else ""
                ),
            ),
            Text(ctx.text("coordinator.announce.status.unreachable_hint")),
        )
    return reply


def recent_announcements(ctx: Context) -> Reply:
    recent = ctx.uow.announcements.recent(limit=RECENT)
    if not recent:
        return Reply().say(Text(ctx.text("coordinator.announce.none_yet")))
    lines = [
        ctx.text(
            "coordinator.announce.recent_line",
            number=a.id,
            title=a.title,
            count=a.recipient_count,
            when=show(a.send_at, ctx.person.timezone),
        )
        for a in recent
    ]
    return Reply().say(Section(ctx.text("coordinator.announce.recent_heading"), "\n".join(lines)))
