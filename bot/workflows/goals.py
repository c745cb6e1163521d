"""``goals``: a learner's development goals, per relationship (domain.md §8-9).

The learner writes a few goals in their own words, each optionally tagged with a competence layer
(canonical, contextual, personal) and one of the programme's goals, with a target date. Every member
of the relationship reads them; only the learner who owns a goal changes it (guides read, and are told
so). Numbers are stable: goal 2 stays goal 2 whatever happens to goal 1. Typed commands::

    goals [#rel]                     the goals, with progress from the actions that serve them
    goals add [#rel] [TEXT]          a form: text, layer, programme goal, target date
    goals done N / goals progress N / goals set aside N / goals reopen N
    goals note N TEXT                the learner's own note on goal N

The rules live in :mod:`bot.goals`; the post-meeting action plan links actions to goals
(:mod:`bot.workflows.actions`).
"""

from __future__ import annotations

from bot import closure
from bot import goals as rules
from bot.command_args import split_number
from bot.command_args import split_relationship
from bot.context import Context
from bot.errors import InvalidInput
from bot.errors import NotPermitted
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
from bot.model import Goal
from bot.model import GoalStatus
from bot.model import Relationship
from bot.programme import programme_goal
from bot.relationship_view import title
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
from bot.workflows._on_relationship import relationship_button
from bot.workflows._on_relationship import relationship_command

FLOW = "goals.add"


def _rid(rel: Relationship) -> int:
    assert rel.id is not None
    return rel.id


def progress_text(ctx: Context, goal: Goal, actions: list[ActionItem]) -> str:
    p = rules.progress(goal, actions, ctx.today())
    if not (p.done or p.open):
        return ctx.text("goals.progress.no_actions")
    text = ctx.text("goals.progress.actions", done=p.done, open=p.open)
    if p.overdue:
        text += ctx.text("goals.progress.overdue", count=p.overdue)
    return text


def goal_line(ctx: Context, goal: Goal, actions: list[ActionItem]) -> str:
    """``2. “Present a case” — contextual · professionalism · by Fri 3 Apr — progressing; 1 done, 1 open``."""
    tags = [ctx.text(f"goals.layer.{goal.layer}")] if goal.layer else []
    if goal.programme_goal:
        tags.append(quote(goal.programme_goal))
    if goal.target_on is not None:
        tags.append(ctx.text("goals.target_tag", date=show_date(goal.target_on)))
    line = f"{goal.number}. {quote(goal.text)}"
    if tags:
        line += " — " + " · ".join(tags)
    line += " — " + ctx.text(f"goals.status.{goal.status}")
    if rules.is_active(goal) or goal.status == GoalStatus.REACHED:
        line += "; " + progress_text(ctx, goal, actions)
    if goal.note:
        line += "\n    " + ctx.text("goals.note_tag", note=quote(goal.note))
    return line


def _section(ctx: Context, rel: Relationship) -> Section:
    content = ctx.content()
    found = content.goals(_rid(rel))
    heading = ctx.text("goals.list_title", title=title(ctx.programme, rel, ctx.person_id))
    if not found:
        return Section(heading, ctx.text("goals.none_yet"))
    actions = content.actions(_rid(rel))
    shown = sorted(found, key=lambda g: (g.status == GoalStatus.SET_ASIDE, g.number))
    return Section(heading, "\n".join(goal_line(ctx, g, actions) for g in shown))


def list_goals(ctx: Context, ref: str | None) -> Reply:
    rels = ctx.live_relationships() if ref is None else [ctx.my_relationship(ref)]
    if not rels:
        raise NotPermitted("error.no_relationship")
    reply = Reply()
    blocks: list[Block] = [_section(ctx, rel) for rel in rels]
    owned = [rel for rel in rels if rules.may_own(rel, ctx.person)]
    if owned:
        blocks.append(
            Buttons(
                tuple(
                    Button(
                        ctx.text("goals.button.add") + (f" (#{rel.id})" if len(owned) > 1 else ""),
                        "goals.open",
                        {"r": str(rel.id)},
                        ButtonStyle.PRIMARY,
                    )
                    for rel in owned
                )
            )
        )
        blocks.append(Text(ctx.text("goals.commands_hint")))
    else:
        names = ", ".join(p.name for rel in rels for p in rel.learners()) or "—"
        blocks.append(Text(ctx.text("goals.guide_reads", names=names)))
    return reply.say(*blocks)


# -- adding ----------------------------------------------------------------------------------------------


def _form(ctx: Context, rel: Relationship, version: int, text: str = "") -> Form:
    layers = (
        Option(rules.NO_TAG, ctx.text("goals.form.no_tag")),
        *(Option(layer, ctx.text(f"goals.layer_choice.{layer}")) for layer in rules.LAYERS),
    )
    inputs = [
        long_text(
            ctx, "text", ctx.text("goals.form.text"), value=text, hint=ctx.text("goals.form.text_hint")
        ),
        Input("layer", ctx.text("goals.form.layer"), InputKind.CHOICE, required=False, options=layers),
    ]
    if ctx.programme.programme_goals:
        inputs.append(
            Input(
                "programme_goal",
                ctx.text("goals.form.programme_goal"),
                InputKind.CHOICE,
                required=False,
                options=(
                    Option(rules.NO_TAG, ctx.text("goals.form.no_tag")),
                    *(Option(g, g) for g in ctx.programme.programme_goals),
                ),
            )
        )
    inputs.append(Input("target", ctx.text("goals.form.target"), InputKind.DATE, required=False))
    return Form(
        form_id="goals.add",
        title=ctx.text("goals.form.title"),
        intro=ctx.text("form.about", title=title(ctx.programme, rel, ctx.person_id))
        + "\n"
        + ctx.text("goals.form.intro"),
        inputs=tuple(inputs),
        submit_action="goals.add",
        submit_label=ctx.text("goals.form.submit"),
        hidden={"v": str(version)},
    )


def _owner_rel(ctx: Context, ref: str | None) -> Relationship:
    rel = ctx.my_relationship(ref)
    if not rules.may_own(rel, ctx.person):
        names = ", ".join(p.name for p in rel.learners()) or "—"
        raise NotPermitted("goals.error.learner_only", names=names)
    return rel


def open_form(ctx: Context, rel: Relationship, text: str = "") -> Reply:
    active = [g for g in ctx.content().goals(_rid(rel)) if g.owner_id == ctx.person_id and rules.is_active(g)]
    if len(active) >= rules.MAX_ACTIVE_GOALS:
        raise InvalidInput("goals.error.too_many", count=rules.MAX_ACTIVE_GOALS)
    conv = ctx.start(FLOW, "form", r=rel.id)
    return Reply().say(_form(ctx, rel, conv.version, text[: ctx.programme.max_text_length]))


def _read_goal(ctx: Context, rel: Relationship, values: dict[str, str]) -> Goal:
    """The submitted goal, checked field by field, each value set on the new goal as it passes."""
    now = ctx.now()
    # number 0: storage gives it, one past the highest
    goal = Goal(
        relationship_id=_rid(rel), owner_id=ctx.person_id, number=0, text="", created_at=now, updated_at=now
    )
    with field("text"):
        goal.text = clean_text(
            values.get("text"), ctx.text("goals.field.text"), ctx.programme.max_text_length
        )
    with field("layer"):
        goal.layer = rules.parse_layer(values.get("layer"))
    with field("programme_goal"):
        goal.programme_goal = _programme_goal(ctx, values.get("programme_goal"))
    with field("target"):
        goal.target_on = day_from_today(ctx, values.get("target"))
    return goal


def _programme_goal(ctx: Context, raw: str | None) -> str:
    """The programme goal chosen in the form, as the programme spells it; "" for none."""
    name = (raw or "").strip()
    if not name or name == rules.NO_TAG:
        return ""
    try:
        return programme_goal(name, ctx.programme.programme_goals)
    except ValueError as exc:
        raise InvalidInput("goals.error.programme_goal", reason=str(exc)) from None


def submit(ctx: Context, values: dict[str, str]) -> Reply:
    conv = ctx.expect(FLOW, values, "form")
    rel = _owner_rel(ctx, conv.data.get("r"))
    try:
        goal = _read_goal(ctx, rel, values)
    except FieldProblem as problem:
        return form_again(ctx, _form(ctx, rel, conv.version), values, problem)
    ctx.content().add_goal(goal)
    ctx.finish()
    ctx.audit("goals.add", f"relationship:{rel.id}", goal=goal.id, layer=goal.layer or "-")  # no words
    reply = Reply(replace=True).say(
        Text(ctx.text("goals.added", number=goal.number, text=quote(goal.text))),
        Buttons(
            (
                Button(ctx.text("goals.button.add_another"), "goals.open", {"r": str(rel.id)}),
                Button(ctx.text("goals.button.list"), "goals.list", {"r": str(rel.id)}),
            )
        ),
    )
    notice = Text(ctx.text("goals.notice", name=ctx.person.name, number=goal.number, text=quote(goal.text)))
    return notify_others(
        reply, rel, ctx.person_id, same_for_all(notice), kind="goal_added", key=f"goal:{goal.id}"
    )


# -- changing ------------------------------------------------------------------------------------------


def _rel_for_change(ctx: Context, ref: str | None) -> Relationship:
    """The relationship meant; an ended one too while its closing reflection is open, because the
    reflection asks what was reached and the learner may mark it."""
    try:
        return ctx.my_relationship(ref)
    except NotPermitted:
        today = ctx.today()
        closing = [
            r
            for r in ctx.content().relationships()
            if closure.is_ended(r) and closure.may_reflect(r, ctx.programme, today)
        ]
        if ref is not None:
            closing = [r for r in closing if str(r.id) == ref.lstrip("#")]
        if len(closing) == 1:
            return closing[0]
        raise


def _pick(ctx: Context, ref: str | None, raw: str) -> Goal:
    rel = _rel_for_change(ctx, ref)
    found = ctx.content().goals(_rid(rel))
    if not raw.isdecimal():
        raise InvalidInput("goals.error.number", value=raw[:20] or "?")
    for goal in found:
        if goal.number == int(raw):
            if goal.owner_id != ctx.person_id:
                if rules.may_own(rel, ctx.person):
                    raise NotPermitted("goals.error.not_yours", number=goal.number)
                names = ", ".join(p.name for p in rel.learners()) or "—"
                raise NotPermitted("goals.error.learner_only", names=names)
            return goal
    numbers = ", ".join(str(g.number) for g in found) or "—"
    raise InvalidInput("goals.error.no_such", value=raw[:20], numbers=numbers)


def set_status(ctx: Context, goal: Goal, status: GoalStatus) -> Reply:
    if goal.status == status:
        return Reply().say(
            Text(ctx.text("goals.already", number=goal.number, status=ctx.text(f"goals.status.{status}")))
        )
    now = ctx.now()
    goal.status = status
    goal.updated_at = now
    goal.reached_at = now if status == GoalStatus.REACHED else None
    ctx.audit(f"goals.{status}", f"relationship:{goal.relationship_id}", goal=goal.id)
    return Reply().say(Text(ctx.text(f"goals.changed.{status}", number=goal.number, text=quote(goal.text))))


def set_note(ctx: Context, goal: Goal, raw: str) -> Reply:
    goal.note = clean_text(raw, ctx.text("goals.field.note"), ctx.programme.max_text_length)
    goal.updated_at = ctx.now()
    ctx.audit("goals.note", f"relationship:{goal.relationship_id}", goal=goal.id)
    return Reply().say(Text(ctx.text("goals.noted", number=goal.number)))


def register(router: Router) -> None:
    group = "growth"

    relationship_command(
        router,
        "goals",
        "goals.help.list",
        extra_words="goals.error.subcommand",
        aliases=("my goals",),
        group=group,
    )(list_goals)

    @router.command(
        "goals add", "goals.help.add", usage="[#relationship] [TEXT]", aliases=("goal add",), group=group
    )
    def add_cmd(ctx: Context, rest: str) -> Reply:
        ref, text = split_relationship(rest)
        return open_form(ctx, _owner_rel(ctx, ref), text)

    def status_cmd(status: GoalStatus) -> None:
        word = {GoalStatus.REACHED: "done", GoalStatus.PROGRESSING: "progress",
                GoalStatus.SET_ASIDE: "set aside", GoalStatus.OPEN: "reopen"}[status]  # fmt: skip

        @router.command(f"goals {word}", f"goals.help.{status}", usage="[#relationship] N", group=group)
        def handler(ctx: Context, rest: str) -> Reply:
            ref, rest = split_relationship(rest)
            number, _ = split_number(rest)
            return set_status(ctx, _pick(ctx, ref, number), status)

    for status in (GoalStatus.PROGRESSING, GoalStatus.REACHED, GoalStatus.SET_ASIDE, GoalStatus.OPEN):
        status_cmd(status)

    @router.command("goals note", "goals.help.note", usage="[#relationship] N TEXT", group=group)
    def note_cmd(ctx: Context, rest: str) -> Reply:
        ref, rest = split_relationship(rest)
        number, text = split_number(rest)
        return set_note(ctx, _pick(ctx, ref, number), text)

    router.action("goals.add")(submit)

    relationship_button(router, "goals.open", open_form, _owner_rel)

    @router.action("goals.list")
    def list_action(ctx: Context, values: dict[str, str]) -> Reply:
        return list_goals(ctx, values.get("r") or None)
