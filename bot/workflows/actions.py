"""``actions``: the action plan after a meeting, and following it up.

Drafting (the ``actions.plan`` button the meetings workflow offers once a meeting is recorded as held,
or ``actions plan`` typed) is a stored conversation: each item is added through a form, checked
gently against SMART (suggestions only) and stored at once, so a restart or another flow in between
loses nothing; *Finish* tells the other members.  Each item may serve one of the relationship's open
development goals (an optional choice in the form, shown only when there are open goals); a goal's
progress is read from the items that serve it (:mod:`bot.goals`).  Typed commands::

    actions [#rel]                  open action items, overdue ones flagged
    actions plan [#rel]             draft the plan for the last meeting held
    actions done N / actions drop N close item N
    actions edit N TEXT             its owner rewords item N
    actions date N DATE|none        its owner gives item N a new date (or none)
    actions comment N TEXT          a guide's comment on item N

Each item keeps the number it was given when it was written, everywhere it is shown (the list sorted by
due date, the shared plan, the agenda), so ``actions done 3`` always means the same item. With several
relationships the same number can exist in each: ``actions done #12 3`` says which.

The rules live in :mod:`bot.action_plan`.
"""

from __future__ import annotations

from bot import action_plan as plan
from bot import goals as goal_rules
from bot.command_args import split_number
from bot.command_args import split_relationship
from bot.context import Context
from bot.errors import InvalidInput
from bot.errors import NotFound
from bot.errors import NotPermitted
from bot.errors import StaleAction
from bot.messages import Block
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import ButtonStyle
from bot.messages import Form
from bot.messages import Input
from bot.messages import InputKind
from bot.messages import Option
from bot.messages import Reply
from bot.messages import Section
from bot.messages import Text
from bot.messages import quote
from bot.model import ActionItem
from bot.model import ActionStatus
from bot.model import Goal
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Priority
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.model import Role
from bot.model import Side
from bot.relationship_view import join_names
from bot.routing import Router
from bot.timefmt import show_date
from bot.validation import clean_text
from bot.workflows._form_errors import FieldProblem
from bot.workflows._form_errors import field
from bot.workflows._form_errors import form_again
from bot.workflows._inputs import day_from_today
from bot.workflows._inputs import long_text
from bot.workflows._notify import notify_others
from bot.workflows._notify import same_for_all
from bot.workflows._on_relationship import relationship_command

PLAN_FLOW = "actions.plan"
COMMENT_FLOW = "actions.comment"
MAX_BUTTON_ITEMS = 10  # items that get done/drop buttons in one list; the rest are typed
NO_DATE_WORDS = ("none", "no date", "-")  # ``actions date N none`` takes the date away
OWNER_NAME_LIMIT = 200  # the name of an owner outside the programme: the form's limit and the check's


# -- reading ---------------------------------------------------------------------------------------------


def _rid(rel: Relationship) -> int:
    assert rel.id is not None
    return rel.id


def _int(raw: object) -> int:
    try:
        return int(str(raw))
    except ValueError:
        raise StaleAction() from None


def _numbered(ctx: Context, ref: str | None) -> list[tuple[Relationship, ActionItem]]:
    """Open items as ``actions`` lists them: relationship by relationship, soonest due first."""
    rels = ctx.live_relationships() if ref is None else [ctx.my_relationship(ref)]
    return [(rel, item) for rel in rels for item in plan.open_items(ctx.content().actions(_rid(rel)))]


def _line(ctx: Context, rel: Relationship, item: ActionItem, *, numbered: bool = True) -> str:
    parts = [quote(item.text)]
    owner = plan.owner_label(item, rel)
    if owner:
        parts.append(quote(owner))
    if item.due_on is not None:
        parts.append(ctx.text("actions.due_tag", date=show_date(item.due_on)))
    parts.append(ctx.text(f"actions.priority.{item.priority}"))
    if item.goal_id is not None:
        served = next((g for g in ctx.content().goals(_rid(rel)) if g.id == item.goal_id), None)
        if served is not None:
            parts.append(ctx.text("goals.action_tag", number=served.number))
    line = (f"{item.number}. " if numbered else "") + " — ".join(parts)
    if plan.is_overdue(item, ctx.today()):
        line += " " + ctx.text("actions.overdue_tag")
    if item.guide_comment:
        line += "\n    " + ctx.text("actions.comment_tag", comment=item.guide_comment)
    return line


def _title(ctx: Context, rel: Relationship) -> str:
    others = ", ".join(p.name for p in rel.others(ctx.person_id)) or "—"
    return ctx.text("actions.list_title", kind=ctx.text(f"kind.{rel.kind}.label"), others=others, id=rel.id)


def list_open(ctx: Context, ref: str | None) -> Reply:
    numbered = _numbered(ctx, ref)
    if not numbered:
        return Reply().say(Text(ctx.text("actions.none_open")))
    reply = Reply()
    blocks: list[Block] = []
    buttons: list[Button] = []
    current: Relationship | None = None
    lines: list[str] = []
    for shown, (rel, item) in enumerate(numbered, start=1):
        if rel is not current:
            if current is not None:
                blocks.append(Section(_title(ctx, current), "\n".join(lines)))
            current, lines = rel, []
        lines.append(_line(ctx, rel, item))
        if shown <= MAX_BUTTON_ITEMS:
            n = item.number
            buttons.append(Button(ctx.text("actions.button.done", n=n), "actions.done", {"a": str(item.id)}))
            buttons.append(Button(ctx.text("actions.button.drop", n=n), "actions.drop", {"a": str(item.id)}))
    if current is not None:
        blocks.append(Section(_title(ctx, current), "\n".join(lines)))
    overdue = sum(1 for _, item in numbered if plan.is_overdue(item, ctx.today()))
    if overdue:
        blocks.append(Text(ctx.text("actions.overdue_note", count=overdue)))
    blocks.append(Buttons(tuple(buttons)))
    # a guide in any of the listed relationships may comment; everyone else gets the plain hint
    readers = [ctx.reader(rel) for rel in dict.fromkeys(rel for rel, _ in numbered)]
    reader = next((r for r in readers if r.side == Side.GUIDE), readers[0])
    blocks.append(Text(ctx.text_for("actions.commands_hint", reader)))
    return reply.say(*blocks)


# -- drafting the plan -----------------------------------------------------------------------------------


def _plan_meeting(ctx: Context, rel: Relationship, raw: str | None) -> Meeting | None:
    """The held meeting the plan follows: the one named by the button, else the latest held one."""
    content = ctx.content()
    if raw not in (None, ""):
        meeting = content.meeting(_int(raw))
        if meeting.relationship_id != rel.id:
            raise NotFound("error.not_found")
        if meeting.status != MeetingStatus.HELD:
            raise InvalidInput("actions.error.meeting_not_held")
        return meeting
    held = [m for m in content.meetings(_rid(rel)) if m.status == MeetingStatus.HELD and m.starts_at]
    return max(held, key=lambda m: (m.starts_at, m.id or 0)) if held else None


def _plan_items(
    ctx: Context, rel: Relationship, meeting_id: int | None, added: list[int]
) -> list[ActionItem]:
    items = ctx.content().actions(_rid(rel))
    if meeting_id is not None:
        return [i for i in items if i.meeting_id == meeting_id and i.status != ActionStatus.DROPPED]
    return [i for i in items if i.id in added]


def _owner_options(ctx: Context, rel: Relationship) -> tuple[Option, ...]:
    members = [
        Option(
            str(m.person.id),
            m.person.name + (ctx.text("actions.form.you") if m.person.id == ctx.person_id else ""),
        )
        for m in rel.current_members()
    ]
    return (
        *members,
        Option(plan.OTHER_OWNER, ctx.text("actions.form.owner_other")),
        Option(plan.NO_OWNER, ctx.text("actions.form.owner_none")),
    )


def _open_goals(ctx: Context, rel: Relationship) -> list[Goal]:
    """The goals an action may serve: the relationship's open and progressing ones."""
    return [g for g in ctx.content().goals(_rid(rel)) if goal_rules.is_active(g)]


def _goal_input(ctx: Context, rel: Relationship) -> tuple[Input, ...]:
    """The optional choice of the goal an action serves; absent when there are no open goals."""
    goals = _open_goals(ctx, rel)
    if not goals:
        return ()
    options = (
        Option(goal_rules.NO_TAG, ctx.text("goals.action_link_none")),
        *(Option(str(g.number), f"{g.number}. {g.text}"[:75]) for g in goals),
    )
    return (Input("goal", ctx.text("goals.action_link"), InputKind.CHOICE, required=False, options=options),)


def _item_form(ctx: Context, rel: Relationship, version: int) -> Form:
    limit = ctx.programme.max_text_length
    return Form(
        form_id="actions.add",
        title=ctx.text("actions.form.title"),
        intro=ctx.text("actions.form.intro") + " " + _shared_with(ctx, rel),
        inputs=(
            Input("what", ctx.text("actions.form.what"), InputKind.TEXT, max_length=limit),
            Input(
                "owner",
                ctx.text("actions.form.owner"),
                InputKind.CHOICE,
                value=str(ctx.person_id),
                options=_owner_options(ctx, rel),
            ),
            Input(
                "owner_name",
                ctx.text("actions.form.owner_name"),
                InputKind.TEXT,
                required=False,
                max_length=OWNER_NAME_LIMIT,
                hint=ctx.text("actions.form.owner_name_hint"),
            ),
            Input("due", ctx.text("actions.form.due"), InputKind.DATE, required=False),
            Input(
                "priority",
                ctx.text("actions.form.priority"),
                InputKind.CHOICE,
                value=Priority.MUST,
                options=(
                    Option(Priority.MUST, ctx.text("actions.priority.must")),
                    Option(Priority.NICE, ctx.text("actions.priority.nice")),
                ),
            ),
            *_goal_input(ctx, rel),
        ),
        submit_action="actions.add",
        submit_label=ctx.text("actions.form.submit"),
        hidden={"v": str(version)},
    )


def _drafting(
    ctx: Context, rel: Relationship, meeting_id: int | None, added: list[int], version: int
) -> list[Block]:
    items = _plan_items(ctx, rel, meeting_id, added)
    body = "\n".join(_line(ctx, rel, item) for item in items)
    return [
        Section(ctx.text("actions.so_far"), body or ctx.text("actions.so_far_empty")),
        _item_form(ctx, rel, version),
        Buttons(
            (
                Button(
                    ctx.text("actions.button.finish"),
                    "actions.finish",
                    {"v": str(version)},
                    ButtonStyle.PRIMARY,
                ),
            )
        ),
    ]


def start_plan(ctx: Context, rel: Relationship, meeting_raw: str | None) -> Reply:
    if rel.status == RelationshipStatus.ENDED:
        raise InvalidInput("actions.error.ended", id=rel.id)
    meeting = _plan_meeting(ctx, rel, meeting_raw)
    if not plan.may_draft(rel, ctx.person):
        names = ", ".join(p.name for p in rel.learners())
        return Reply().say(Text(ctx.text("actions.plan_by_mentee", names=names)))
    meeting_id = meeting.id if meeting is not None else None
    conv = ctx.start(PLAN_FLOW, "drafting", r=rel.id, m=meeting_id, added=[])
    if meeting is not None and meeting.starts_at is not None:
        intro = ctx.text("actions.plan_intro", date=show_date(meeting.starts_at.astimezone(ctx.tz()).date()))
    else:
        intro = ctx.text("actions.plan_intro_no_meeting")
    return Reply().say(
        Text(intro + "\n\n" + _shared_with(ctx, rel)), *_drafting(ctx, rel, meeting_id, [], conv.version)
    )


def _shared_with(ctx: Context, rel: Relationship) -> str:
    """Who will read the plan once it is shared, said before it is (in a group: every co-member)."""
    names = join_names(rel.others(ctx.person_id), ctx.programme)
    return ctx.text_for("actions.shared_with", ctx.reader(rel), names=names)


def _read_item(ctx: Context, rel: Relationship, values: dict[str, str], meeting_id: int | None) -> ActionItem:
    """The submitted item, checked field by field, each value set on the new item as it passes; SMART
    shortcomings are not errors."""
    item = ActionItem(
        relationship_id=_rid(rel),
        text="",
        created_by=ctx.person_id,
        created_at=ctx.now(),
        meeting_id=meeting_id,
    )
    with field("what"):
        item.text = clean_text(
            values.get("what"), ctx.text("actions.field.what"), ctx.programme.max_text_length
        )
    with field("owner"):
        item.owner_id, item.owner_name = plan.resolve_owner(
            values.get("owner"), values.get("owner_name") or "", rel, name_limit=OWNER_NAME_LIMIT
        )
    with field("due"):
        item.due_on = day_from_today(ctx, values.get("due"))
    with field("priority"):
        item.priority = plan.parse_priority(values.get("priority"))
    with field("goal"):
        item.goal_id = _served_goal(ctx, rel, values.get("goal"))
    return item


def _served_goal(ctx: Context, rel: Relationship, raw: str | None) -> int | None:
    """The goal an action serves, by the number chosen in the form; None for no goal."""
    number = (raw or "").strip()
    if not number or number == goal_rules.NO_TAG:
        return None
    goals = _open_goals(ctx, rel)
    match = next((g for g in goals if str(g.number) == number), None)
    if match is None:
        numbers = ", ".join(str(g.number) for g in goals) or "—"
        raise InvalidInput("goals.error.no_such", value=number[:20], numbers=numbers)
    return match.id


def add_to_plan(ctx: Context, values: dict[str, str]) -> Reply:
    conv = ctx.expect(PLAN_FLOW, values, "drafting")
    rel = ctx.my_relationship(conv.data.get("r"))
    if not plan.may_draft(rel, ctx.person):
        raise NotPermitted("error.not_permitted")
    try:
        item = _read_item(ctx, rel, values, conv.data.get("m"))
    except FieldProblem as problem:
        return form_again(ctx, _item_form(ctx, rel, conv.version), values, problem)
    text, meeting_id = item.text, item.meeting_id
    ctx.content().add_action(item)
    assert item.id is not None
    added = [*conv.data.get("added", []), item.id]
    conv = ctx.advance(conv, "drafting", added=added)
    ctx.audit("actions.add", f"relationship:{rel.id}", item=item.id)
    reply = Reply().say(Text(ctx.text("actions.added", what=text)))
    suggestions = plan.smart_suggestions(item)
    if suggestions:
        tips = "\n".join("• " + ctx.text(s.key, **s.values) for s in suggestions)
        reply.say(Section(ctx.text("actions.smart.title"), tips))
    return reply.say(*_drafting(ctx, rel, meeting_id, added, conv.version))


def finish_plan(ctx: Context, values: dict[str, str]) -> Reply:
    conv = ctx.expect(PLAN_FLOW, values, "drafting")
    rel = ctx.my_relationship(conv.data.get("r"))
    meeting_id = conv.data.get("m")
    items = _plan_items(ctx, rel, meeting_id, list(conv.data.get("added", [])))
    ctx.finish()
    if not items:
        return Reply(replace=True).say(Text(ctx.text("actions.finished_empty")))
    others = rel.others(ctx.person_id)
    lines = "\n".join(_line(ctx, rel, item) for item in items)
    reply = Reply(replace=True).say(
        Text(ctx.text("actions.finished", names=", ".join(p.name for p in others) or "—")),
        Section(ctx.text("actions.so_far"), lines),
    )
    last = max(i.id or 0 for i in items)
    for person in others:
        assert person.id is not None
        blocks: list[Block] = [
            Section(
                ctx.text(
                    "actions.notice_title", name=ctx.person.name, kind=ctx.text(f"kind.{rel.kind}.label")
                ),
                lines,
            )
        ]
        if plan.may_comment(rel, person):
            buttons = [
                Button(
                    ctx.text("actions.button.comment", n=item.number),
                    "actions.comment_form",
                    {"a": str(item.id)},
                )
                for item in items[:MAX_BUTTON_ITEMS]
            ]
            blocks += [Text(ctx.text("actions.notice_comment_hint")), Buttons(tuple(buttons))]
        reply.notify(person.id, *blocks, kind="action_plan", key=f"plan:{rel.id}:{meeting_id}:{last}")
    ctx.audit("actions.plan_shared", f"relationship:{rel.id}", items=len(items))
    return reply


# -- following up ----------------------------------------------------------------------------------------


def close_item(ctx: Context, item: ActionItem, status: ActionStatus) -> Reply:
    plan.close(item, status, ctx.now())
    ctx.audit(f"actions.{status}", f"relationship:{item.relationship_id}", item=item.id)
    return Reply().say(Text(ctx.text(f"actions.closed.{status}", what=item.text)))


def _typed_close(ctx: Context, rest: str, status: ActionStatus) -> Reply:
    _, item, _ = _typed_item(ctx, rest)
    return close_item(ctx, item, status)


def _typed_item(ctx: Context, rest: str) -> tuple[Relationship, ActionItem, str]:
    """``[#rel] N [more]``: the open item numbered N, and what follows the number."""
    ref, rest = split_relationship(rest)
    number, more = split_number(rest)
    rel, item = plan.pick_numbered(_numbered(ctx, ref), number)
    return rel, item, more


def _changeable(ctx: Context, rel: Relationship, item: ActionItem) -> None:
    if not plan.may_change(item, rel, ctx.person_id):
        raise NotPermitted("actions.error.not_owner", name=plan.owner_label(item, rel) or "—")


def edit(ctx: Context, rel: Relationship, item: ActionItem, raw: str) -> Reply:
    """Its owner rewords an open item (the number and everything else stay)."""
    _changeable(ctx, rel, item)
    item.text = clean_text(raw, ctx.text("actions.field.what"), ctx.programme.max_text_length)
    ctx.audit("actions.edit", f"relationship:{rel.id}", item=item.id)
    return Reply().say(Text(ctx.text("actions.edited", n=item.number)), Text(_line(ctx, rel, item)))


def redate(ctx: Context, rel: Relationship, item: ActionItem, raw: str) -> Reply:
    """Its owner gives an open item a new date, or takes the date away (``none``)."""
    _changeable(ctx, rel, item)
    word = raw.strip().lower()
    if not word:
        raise InvalidInput("actions.error.date_missing", n=item.number)
    if word in NO_DATE_WORDS:
        item.due_on = None
    else:
        item.due_on = day_from_today(ctx, raw)
    ctx.audit("actions.date", f"relationship:{rel.id}", item=item.id)
    return Reply().say(Text(ctx.text("actions.redated", n=item.number)), Text(_line(ctx, rel, item)))


def comment(ctx: Context, item: ActionItem, raw: str | None) -> Reply:
    rel = ctx.content().relationship(item.relationship_id)
    if not plan.may_comment(rel, ctx.person):
        raise NotPermitted("actions.error.comment_guides_only")
    if item.status != ActionStatus.OPEN:
        raise StaleAction("actions.error.already_closed", status=item.status)
    item.guide_comment = clean_text(raw, ctx.text("actions.field.comment"), ctx.programme.max_text_length)
    ctx.audit("actions.comment", f"relationship:{rel.id}", item=item.id)
    reply = Reply().say(Text(ctx.text("actions.commented", what=item.text)))
    stamp = ctx.now().isoformat()
    notice = Text(
        ctx.text("actions.comment_notice", name=ctx.person.name, what=item.text, comment=item.guide_comment)
    )
    return notify_others(
        reply,
        rel,
        ctx.person_id,
        same_for_all(notice),
        kind="action_comment",
        key=f"comment:{item.id}:{stamp}",
    )


# -- registration ---------------------------------------------------------------------------------------


def register(router: Router) -> None:
    group = "growth"

    relationship_command(
        router, "actions", "help.actions", extra_words="actions.error.subcommand", group=group
    )(list_open)

    @relationship_command(router, "actions plan", "actions.help.plan", extra_words=None, group=group)
    def plan_cmd(ctx: Context, ref: str | None) -> Reply:
        return start_plan(ctx, ctx.my_relationship(ref), None)

    @router.action("actions.plan")
    def plan_action(ctx: Context, values: dict[str, str]) -> Reply:
        return start_plan(ctx, ctx.my_relationship(values.get("r") or None), values.get("m"))

    router.action("actions.add")(add_to_plan)
    router.action("actions.finish")(finish_plan)

    @router.command("actions done", "actions.help.done", usage="[#relationship] N", group=group)
    def done_cmd(ctx: Context, rest: str) -> Reply:
        return _typed_close(ctx, rest, ActionStatus.DONE)

    @router.command("actions drop", "actions.help.drop", usage="[#relationship] N", group=group)
    def drop_cmd(ctx: Context, rest: str) -> Reply:
        return _typed_close(ctx, rest, ActionStatus.DROPPED)

    @router.action("actions.done")
    def done_action(ctx: Context, values: dict[str, str]) -> Reply:
        return close_item(ctx, ctx.content().action(_int(values.get("a"))), ActionStatus.DONE)

    @router.action("actions.drop")
    def drop_action(ctx: Context, values: dict[str, str]) -> Reply:
        return close_item(ctx, ctx.content().action(_int(values.get("a"))), ActionStatus.DROPPED)

    @router.command("actions edit", "actions.help.edit", usage="[#relationship] N TEXT", group=group)
    def edit_cmd(ctx: Context, rest: str) -> Reply:
        rel, item, text = _typed_item(ctx, rest)
        return edit(ctx, rel, item, text)

    @router.command(
        "actions date", "actions.help.date", usage="[#relationship] N YYYY-MM-DD|none", group=group
    )
    def date_cmd(ctx: Context, rest: str) -> Reply:
        rel, item, when = _typed_item(ctx, rest)
        return redate(ctx, rel, item, when)

    @router.command(
        "actions comment",
        "actions.help.comment",
        usage="[#relationship] N TEXT",
        group=group,
        listed_for=(Role.GUIDE,),
    )
    def comment_cmd(ctx: Context, rest: str) -> Reply:
        _, item, text = _typed_item(ctx, rest)
        return comment(ctx, item, text)

    @router.action("actions.comment_form")
    def comment_form(ctx: Context, values: dict[str, str]) -> Reply:
        item = ctx.content().action(_int(values.get("a")))
        rel = ctx.content().relationship(item.relationship_id)
        if not plan.may_comment(rel, ctx.person):
            raise NotPermitted("actions.error.comment_guides_only")
        conv = ctx.start(COMMENT_FLOW, "form", a=item.id)
        form = Form(
            form_id="actions.comment",
            title=ctx.text("actions.form.comment_title"),
            intro=_line(ctx, rel, item),
            inputs=(long_text(ctx, "comment", ctx.text("actions.form.comment"), value=item.guide_comment),),
            submit_action="actions.comment",
            submit_label=ctx.text("actions.form.comment_submit"),
            hidden={"v": str(conv.version)},
        )
        return Reply().say(form)

    @router.action("actions.comment")
    def comment_submit(ctx: Context, values: dict[str, str]) -> Reply:
        conv = ctx.expect(COMMENT_FLOW, values, "form")
        item = ctx.content().action(_int(conv.data.get("a")))
        reply = comment(ctx, item, values.get("comment"))
        ctx.finish()
        return reply
