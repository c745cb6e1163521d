"""``reflection``: each member's closing reflection on a relationship that is coming to a close
(domain.md §4: look back, look forward, close whether or not it went well).

A short form -- what I gained, what comes next for me, whom I thank -- that each member fills in once
and may edit while it is open: in the programme's last phase (closure) and for 30 days after the
relationship ended (``bot.closure``).  Reflections belong to the relationship: every member reads all of
them (``reflection show``), through the membership-checked content access; coordinators can only count
them.  The other members hear that a reflection was written, not what it says.
"""

from __future__ import annotations

from bot import closure
from bot.context import Context
from bot.errors import InvalidInput
from bot.errors import NotPermitted
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import ButtonStyle
from bot.messages import Fields
from bot.messages import Form
from bot.messages import Input
from bot.messages import Reply
from bot.messages import Section
from bot.messages import Text
from bot.model import ClosingReflection
from bot.model import Relationship
from bot.relationship_view import title
from bot.routing import Router
from bot.timefmt import local_date
from bot.timefmt import show_date
from bot.validation import clean_text
from bot.workflows._form_errors import FieldProblem
from bot.workflows._form_errors import field
from bot.workflows._form_errors import form_again
from bot.workflows._inputs import long_text
from bot.workflows._notify import notify_others
from bot.workflows._notify import same_for_all
from bot.workflows._on_relationship import relationship_button
from bot.workflows._on_relationship import relationship_command
from bot.workflows.goals import goal_line

FLOW = "closure"


def _rid(rel: Relationship) -> int:
    assert rel.id is not None
    return rel.id


def _relationship(ctx: Context, ref: str | None) -> Relationship:
    """The relationship meant: named, else the only one whose reflection is open (ended ones included)."""
    if ref is not None:
        try:
            rid = int(ref.lstrip("#"))
        except ValueError:
            reason = f"“{ref[:20]}” is not a relationship number"
            raise InvalidInput("error.invalid_input", reason=reason) from None
        return ctx.content().relationship(rid)
    mine = ctx.content().relationships()
    if not mine:
        raise NotPermitted("error.no_relationship")
    today = ctx.today()
    open_now = [r for r in mine if closure.may_reflect(r, ctx.programme, today)]
    if len(open_now) == 1:
        return open_now[0]
    if len(open_now) > 1:
        raise InvalidInput("error.which_relationship", choices=", ".join(f"#{r.id}" for r in open_now))
    live = [r for r in mine if not closure.is_ended(r)]
    return (live or mine)[-1]


def _writable(ctx: Context, rel: Relationship) -> None:
    if closure.may_reflect(rel, ctx.programme, ctx.today()):
        return
    until = closure.reflection_until(rel, ctx.programme.zone)
    if until is not None:
        raise NotPermitted("closure.reflection.closed", number=rel.id, until=show_date(until))
    end = rel.planned_end
    planned = show_date(end) if end is not None else ctx.text("closure.reflection.no_end")
    raise NotPermitted("closure.reflection.not_yet", number=rel.id, planned_end=planned)


def _own(ctx: Context, rel: Relationship) -> ClosingReflection | None:
    for r in ctx.content().closing_reflections(_rid(rel)):
        if r.person_id == ctx.person_id:
            return r
    return None


def _goals_look_back(ctx: Context, rel: Relationship) -> str:
    """Each development goal of the relationship with its progress, and the question what was reached
    (domain.md §4: look back at what the relationship was for). Empty when nobody set a goal."""
    goals = ctx.content().goals(_rid(rel))
    if not goals:
        return ""
    actions = ctx.content().actions(_rid(rel))
    lines = "\n".join(goal_line(ctx, g, actions) for g in goals)
    return "\n\n" + "\n".join((ctx.text("goals.closing_title") + ":", lines, ctx.text("goals.closing_ask")))


def _form(ctx: Context, rel: Relationship, version: int, mine: ClosingReflection | None) -> Form:
    def ask(name: str) -> Input:
        label = ctx.text(f"closure.reflection.question.{name}")
        return long_text(
            ctx, name, label, required=False, value=getattr(mine, name) if mine is not None else ""
        )

    return Form(
        form_id="closing_reflection",
        title=ctx.text("closure.reflection.form_title"),
        intro=ctx.text("form.about", title=title(ctx.programme, rel, ctx.person_id))
        + "\n"
        + ctx.text("closure.reflection.intro")
        + _goals_look_back(ctx, rel),
        inputs=tuple(ask(name) for name in closure.FIELDS),
        submit_action="closure.submit",
        submit_label=ctx.text("closure.reflection.submit"),
        hidden={"v": str(version)},
    )


def open_form(ctx: Context, rel: Relationship) -> Reply:
    _writable(ctx, rel)
    conv = ctx.start(FLOW, "form", r=rel.id)
    return Reply().say(_form(ctx, rel, conv.version, _own(ctx, rel)))


def submit(ctx: Context, values: dict[str, str]) -> Reply:
    conv = ctx.expect(FLOW, values, "form")
    rel = ctx.content().relationship(int(conv.data.get("r") or 0))
    _writable(ctx, rel)
    mine = _own(ctx, rel)
    limit = ctx.programme.max_text_length
    answers: dict[str, str] = {}
    try:
        for name in closure.FIELDS:
            with field(name):
                answers[name] = clean_text(
                    values.get(name), ctx.text(f"closure.reflection.field.{name}"), limit, required=False
                )
        with field(closure.FIELDS[0]):
            if not any(answers.values()):
                raise InvalidInput("closure.reflection.empty")
    except FieldProblem as problem:
        return form_again(ctx, _form(ctx, rel, conv.version, mine), values, problem)
    now = ctx.now()
    first = mine is None
    if mine is None:
        mine = ClosingReflection(
            relationship_id=_rid(rel),
            person_id=ctx.person_id,
            gained=answers["gained"],
            next_steps=answers["next_steps"],
            thanks=answers["thanks"],
            written_at=now,
            updated_at=now,
        )
        ctx.content().add_closing_reflection(mine)
    else:
        for name, value in answers.items():
            setattr(mine, name, value)
        mine.updated_at = now
    ctx.finish()
    ctx.audit("closure.reflection", f"relationship:{rel.id}", first=first)  # no content in the audit
    read = Button(ctx.text("closure.reflection.button.show"), "closure.show", {"r": str(rel.id)})
    saved = Text(ctx.text("closure.reflection.saved", number=rel.id))
    reply = Reply(replace=True).say(saved, Buttons((read,)))
    if first:
        write = Button(
            ctx.text("closure.reflection.button.write"),
            "closure.open",
            {"r": str(rel.id)},
            ButtonStyle.PRIMARY,
        )
        notice = Text(ctx.text("closure.reflection.notice", name=ctx.person.name, number=rel.id))
        key = f"closing_reflection:{rel.id}:{ctx.person_id}"
        notify_others(reply, rel, ctx.person_id, same_for_all(notice, Buttons((read, write))), key=key)
    return reply


def show(ctx: Context, rel: Relationship) -> Reply:
    found = ctx.content().closing_reflections(_rid(rel))
    heading = ctx.text("closure.reflection.show_title", title=title(ctx.programme, rel, ctx.person_id))
    if not found:
        return Reply().say(Section(heading, ctx.text("closure.reflection.none_yet")))
    reply = Reply().say(Text(heading))
    for r in found:
        member = rel.member(r.person_id)
        name = member.person.name if member is not None else "—"
        rows = tuple(
            (ctx.text(f"closure.reflection.field.{n}").capitalize(), getattr(r, n))
            for n in closure.FIELDS
            if getattr(r, n)
        )
        day = show_date(local_date(r.updated_at, ctx.tz()))
        reply.say(Section(ctx.text("closure.reflection.by", name=name, date=day), ""), Fields(rows))
    return reply


def register(router: Router) -> None:
    group = "growth"

    @relationship_command(
        router,
        "reflection",
        "closure.help.reflection",
        extra_words="closure.reflection.subcommand",
        aliases=("closing reflection", "reflect"),
        group=group,
    )
    def reflection_cmd(ctx: Context, ref: str | None) -> Reply:
        return open_form(ctx, _relationship(ctx, ref))

    @relationship_command(
        router,
        "reflection show",
        "closure.help.show",
        extra_words=None,
        aliases=("reflections", "closing reflections"),
        group=group,
    )
    def show_cmd(ctx: Context, ref: str | None) -> Reply:
        return show(ctx, _relationship(ctx, ref))

    router.action("closure.submit")(submit)
    relationship_button(router, "closure.open", open_form, _relationship)
    relationship_button(router, "closure.show", show, _relationship)
