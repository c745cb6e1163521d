"""``agenda``: the mentee prepares the next meeting; the guide reads the compiled agenda.

Typed commands (each has a button where one makes sense)::

    agenda [#rel]                    the agenda of the next meeting (guides: the compiled view)
    agenda add [#rel] TEXT           add an item (without TEXT: a form with the preparation prompts)
    agenda edit [#rel] N [TEXT]      change item N (without TEXT: a form)
    agenda up|down [#rel] N          move item N
    agenda order [#rel] 3 1 2        put the items in this order
    agenda remove [#rel] N           take item N off the agenda
    agenda restore [#rel] N          put back an item of yours that someone else took off
    agenda discussed [#rel] N|all    after a meeting: item N was discussed
    agenda carry [#rel] N|all        after a meeting: item N carries over to the next agenda

Every item keeps one number for its life (given when it is stored), so ``agenda remove 3`` means the
same item before and after the agenda is reordered or an item is marked discussed. An item taken off by
someone other than its author is only hidden: the author is told who did it and can restore it until
the meeting it was for has been held (the mentee's agenda is hers; nothing of hers disappears silently).

The rules live in :mod:`bot.agenda`; this module only translates.
"""

from __future__ import annotations

import functools

from bot import agenda as rules
from bot.command_args import split_number
from bot.command_args import split_relationship
from bot.context import Context
from bot.errors import InvalidInput
from bot.errors import NotPermitted
from bot.errors import StaleAction
from bot.meetings import held_starts
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
from bot.model import AgendaItem
from bot.model import AgendaStatus
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.routing import ActionHandler
from bot.routing import CommandHandler
from bot.routing import Router
from bot.timefmt import show_date
from bot.validation import clean_text
from bot.workflows._form_errors import FieldProblem
from bot.workflows._form_errors import field
from bot.workflows._form_errors import form_again
from bot.workflows._inputs import long_text
from bot.workflows._on_relationship import relationship_button
from bot.workflows._on_relationship import relationship_command

MAX_ITEMS = 20
ADD_FLOW = "agenda.add"
EDIT_FLOW = "agenda.edit"
# after a meeting, each item was discussed or carries over: the word people type -> the new status
MARKS = {"discussed": AgendaStatus.DISCUSSED, "carry": AgendaStatus.CARRIED_OVER}


# -- helpers ---------------------------------------------------------------------------------------------


def _relationship(ctx: Context, ref: str | None, *, changing: bool = True) -> Relationship:
    rel = ctx.my_relationship(ref)
    if changing and rel.status == RelationshipStatus.ENDED:
        raise InvalidInput("agenda.error.ended", id=rel.id)
    return rel


def _rid(rel: Relationship) -> int:
    assert rel.id is not None
    return rel.id


def _setter(ctx: Context, rel: Relationship) -> bool:
    agreed = rules.agreed_items(ctx.content().ground_rules(_rid(rel)))
    return rules.may_set_agenda(rel, agreed, ctx.programme, ctx.person_id)


def _require_setter(ctx: Context, rel: Relationship) -> None:
    if not _setter(ctx, rel):
        agreed = rules.agreed_items(ctx.content().ground_rules(_rid(rel)))
        names = ", ".join(p.name for p in rules.agenda_setters(rel, agreed, ctx.programme))
        raise NotPermitted("agenda.error.not_setter", names=names)


def _setter_relationship(ctx: Context, rest: str) -> tuple[Relationship, str]:
    """The relationship a typed agenda change names (or the only one), once the person may set its
    agenda; with the rest of what they typed."""
    ref, rest = split_relationship(rest)
    rel = _relationship(ctx, ref)
    _require_setter(ctx, rel)
    return rel, rest


def _view(ctx: Context, rel: Relationship) -> rules.AgendaView:
    content = ctx.content()
    return rules.agenda_view(content.agenda(_rid(rel)), content.meetings(_rid(rel)))


def _item_text(ctx: Context, raw: str | None) -> str:
    return clean_text(raw, ctx.text("agenda.field.item"), ctx.programme.max_text_length)


def _never_met(ctx: Context, rel: Relationship) -> bool:
    return not held_starts(ctx.content().meetings(_rid(rel)), ctx.now(), ctx.programme.held_grace)


def _prompt_options(ctx: Context, *, first: bool = False) -> tuple[Option, ...]:
    """The topics an item can be filed under; before a first meeting there is no "since we last met"
    and no "from last time"."""
    return (
        *(
            Option(p, ctx.text(f"agenda.prompt_short.{p}"))
            for p in rules.PROMPTS
            if not (first and p in rules.LOOKING_BACK)
        ),
        Option(rules.GOALS_TOPIC, ctx.text("agenda.prompt_short.goals")),
        Option(rules.OWN_TOPIC, ctx.text("agenda.prompt_short.own")),
    )


def _prompts_help(ctx: Context, rel: Relationship) -> Section:
    """The preparation questions; before the pair ever met, the first-meeting ones."""
    reader = ctx.reader(rel)
    body = "\n".join(
        f"• {ctx.text_for(key, reader)}" for key in rules.preparation_prompts(first=_never_met(ctx, rel))
    )
    return Section(ctx.text("agenda.prompts_title"), body)


def _prompts_once(ctx: Context, rel: Relationship, view: rules.AgendaView) -> list[Section]:
    """The preparation questions while the next meeting's agenda is still empty; once the mentee has
    started it they are not repeated under every view (the agenda reminder carries them once per
    meeting)."""
    return [] if view.upcoming else [_prompts_help(ctx, rel)]


# -- showing ---------------------------------------------------------------------------------------------


def show_agenda(ctx: Context, rel: Relationship) -> Reply:
    rid = _rid(rel)
    blocks = rules.compiled_agenda(ctx.content(), rel, None, ctx.programme.text, today=ctx.today())
    reply = Reply()
    if not _setter(ctx, rel):
        agreed = rules.agreed_items(ctx.content().ground_rules(rid))
        names = ", ".join(p.name for p in rules.agenda_setters(rel, agreed, ctx.programme))
        return reply.say(*blocks, Text(ctx.text("agenda.guide_note", names=names)))
    reply.say(*blocks)
    view = _view(ctx, rel)
    if view.to_review:
        reply.say(*_review_blocks(ctx, rel, view))
    taken_off = _restorable(ctx, rel)
    if taken_off:
        reply.say(*_restore_blocks(ctx, rel, taken_off))
    reply.say(
        *_prompts_once(ctx, rel, view),
        Buttons(
            (Button(ctx.text("agenda.button.add"), "agenda.form", {"r": str(rid)}, ButtonStyle.PRIMARY),)
        ),
        Text(ctx.text("agenda.commands_hint")),
    )
    return reply


def _review_blocks(ctx: Context, rel: Relationship, view: rules.AgendaView) -> list[Section | Buttons]:
    meetings = ctx.content().meetings(_rid(rel))
    held = [m for m in (rules.meeting_of(i, meetings) for i in view.to_review) if m is not None]
    when = (
        show_date(min(m.starts_at for m in held if m.starts_at).astimezone(ctx.tz()).date()) if held else ""
    )
    lines = [f"{item.number}. {quote(item.text)}" for item in view.to_review]
    buttons: list[Button] = []
    for item in view.to_review:
        values = {"i": str(item.id)}
        n = item.number
        buttons.append(Button(ctx.text("agenda.button.discussed", n=n), "agenda.discussed", values))
        buttons.append(Button(ctx.text("agenda.button.carry", n=n), "agenda.carry", values))
    return [
        Section(ctx.text("agenda.review_title", date=when), "\n".join(lines)),
        Buttons(tuple(buttons[:24])),
    ]


def _restorable(ctx: Context, rel: Relationship) -> list[AgendaItem]:
    content = ctx.content()
    return rules.restorable(content.agenda(_rid(rel)), content.meetings(_rid(rel)), ctx.person_id)


def _remover(ctx: Context, rel: Relationship, item: AgendaItem) -> str:
    member = rel.member(item.removed_by) if item.removed_by is not None else None
    return quote(member.person.name) if member is not None else ctx.text("agenda.someone")


def _restore_blocks(ctx: Context, rel: Relationship, items: list[AgendaItem]) -> list[Section | Buttons]:
    lines = [
        ctx.text("agenda.removed_line", n=i.number, text=quote(i.text), name=_remover(ctx, rel, i))
        for i in items
    ]
    buttons = tuple(
        Button(ctx.text("agenda.button.restore", n=i.number), "agenda.restore", {"i": str(i.id)})
        for i in items[:MAX_ITEMS]
    )
    return [Section(ctx.text("agenda.removed_title"), "\n".join(lines)), Buttons(buttons)]


def _after_change(ctx: Context, rel: Relationship, key: str, **values: object) -> Reply:
    reply = Reply().say(Text(ctx.text(key, **values)))
    reply.messages.extend(show_agenda(ctx, rel).messages)
    return reply


def _add_form(ctx: Context, rel: Relationship, version: int) -> Form:
    options = _prompt_options(ctx, first=_never_met(ctx, rel))
    return Form(
        form_id="agenda.add",
        title=ctx.text("agenda.form.add_title"),
        intro=ctx.text("agenda.form.add_intro", kind=ctx.text(f"kind.{rel.kind}.label")),
        inputs=(
            Input(
                "prompt",
                ctx.text("agenda.form.prompt"),
                InputKind.CHOICE,
                value=options[0].value,
                options=options,
            ),
            long_text(ctx, "text", ctx.text("agenda.form.text"), hint=ctx.text("agenda.form.text_hint")),
        ),
        submit_action="agenda.add",
        submit_label=ctx.text("agenda.form.add_submit"),
        hidden={"v": str(version), "r": str(rel.id)},
    )


# -- changing ---------------------------------------------------------------------------------------------


def add_item(ctx: Context, rel: Relationship, text: str) -> Reply:
    _require_setter(ctx, rel)
    content = ctx.content()
    rid = _rid(rel)
    existing = content.agenda(rid)
    view = rules.agenda_view(existing, content.meetings(rid))
    if len(view.upcoming) >= MAX_ITEMS:
        raise InvalidInput("agenda.error.full", limit=MAX_ITEMS)
    item = AgendaItem(
        relationship_id=rid,
        author_id=ctx.person_id,
        text=text,
        position=rules.next_position(existing),
        created_at=ctx.now(),
    )
    content.add_agenda_item(item)
    ctx.audit("agenda.add", f"relationship:{rid}", item=item.id)
    return _after_change(ctx, rel, "agenda.added", n=item.number)


def _pick_upcoming(ctx: Context, rel: Relationship, number: str) -> tuple[list[AgendaItem], AgendaItem]:
    items = _view(ctx, rel).upcoming
    if not items:
        raise InvalidInput("agenda.error.empty")
    return items, rules.pick(items, number)


def _reorder(ctx: Context, rest: str, delta: int) -> Reply:
    rel, rest = _setter_relationship(ctx, rest)
    items, item = _pick_upcoming(ctx, rel, split_number(rest)[0])
    index = items.index(item)
    if not rules.move(items, index, delta):
        raise InvalidInput("agenda.error.at_end", n=item.number)
    ctx.audit("agenda.order", f"relationship:{rel.id}")
    return _after_change(ctx, rel, "agenda.moved", n=item.number, to=index + 1 + delta)


def _mark(ctx: Context, item: AgendaItem, status: AgendaStatus) -> None:
    meetings = ctx.content().meetings(item.relationship_id)
    meeting = rules.meeting_of(item, meetings)
    if meeting is None:
        raise StaleAction()
    rules.mark(item, status, meeting)


def _mark_typed(ctx: Context, rest: str, *, status: AgendaStatus, word: str) -> Reply:
    rel, rest = _setter_relationship(ctx, rest)
    review = _view(ctx, rel).to_review
    if not review:
        raise InvalidInput("agenda.error.nothing_to_review")
    wanted = split_number(rest)[0]
    chosen = review if wanted.lower() == "all" else [rules.pick(review, wanted)]
    for item in chosen:
        _mark(ctx, item, status)
    ctx.audit(f"agenda.{word}", f"relationship:{rel.id}", count=len(chosen))
    return _after_change(ctx, rel, f"agenda.marked.{word}", count=len(chosen))


def _mark_button(ctx: Context, values: dict[str, str], *, status: AgendaStatus, word: str) -> Reply:
    item = ctx.content().agenda_item(_int(values.get("i")))
    rel = ctx.content().relationship(item.relationship_id)
    _require_setter(ctx, rel)
    _mark(ctx, item, status)
    ctx.audit(f"agenda.{word}", f"relationship:{rel.id}", count=1)
    reply = _after_change(ctx, rel, f"agenda.marked.{word}", count=1)
    reply.replace = True
    return reply


def _int(raw: str | None) -> int:
    try:
        return int(str(raw))
    except ValueError:
        raise StaleAction() from None


# -- registration ---------------------------------------------------------------------------------------


def register(router: Router) -> None:
    group = "meetings"

    @relationship_command(router, "agenda", "help.agenda", extra_words="agenda.error.subcommand", group=group)
    def agenda_cmd(ctx: Context, ref: str | None) -> Reply:
        if ref is None:
            mine = [r for r in ctx.content().relationships() if r.status != RelationshipStatus.ENDED]
            if len(mine) > 1:
                reply = Reply()
                for rel in mine:
                    reply.messages.extend(show_agenda(ctx, rel).messages)
                return reply
        return show_agenda(ctx, _relationship(ctx, ref, changing=False))

    @router.command("agenda add", "agenda.help.add", usage="[#relationship] TEXT", group=group)
    def agenda_add(ctx: Context, rest: str) -> Reply:
        ref, text = split_relationship(rest)
        rel = _relationship(ctx, ref)
        if not text:
            return open_add_form(ctx, rel)
        return add_item(ctx, rel, _item_text(ctx, text))

    def open_add_form(ctx: Context, rel: Relationship) -> Reply:
        _require_setter(ctx, rel)
        conv = ctx.start(ADD_FLOW, "form", r=rel.id)
        return Reply().say(*_prompts_once(ctx, rel, _view(ctx, rel)), _add_form(ctx, rel, conv.version))

    relationship_button(router, "agenda.form", open_add_form, _relationship)

    @router.action("agenda.add")
    def agenda_add_submit(ctx: Context, values: dict[str, str]) -> Reply:
        conv = ctx.expect(ADD_FLOW, values, "form")
        rel = _relationship(ctx, conv.data.get("r"))
        prompt = values.get("prompt") or rules.OWN_TOPIC
        try:
            with field("prompt"):
                if prompt not in (*rules.PROMPTS, rules.GOALS_TOPIC, rules.OWN_TOPIC):
                    raise InvalidInput("agenda.error.prompt")
            with field("text"):
                text = _item_text(ctx, values.get("text"))
        except FieldProblem as problem:
            return form_again(ctx, _add_form(ctx, rel, conv.version), values, problem)
        label = ctx.text(f"agenda.prompt_short.{prompt}") if prompt != rules.OWN_TOPIC else ""
        reply = add_item(ctx, rel, rules.with_prompt(label, text))
        ctx.finish()
        return reply

    @router.command("agenda edit", "agenda.help.edit", usage="[#relationship] N [TEXT]", group=group)
    def agenda_edit(ctx: Context, rest: str) -> Reply:
        rel, rest = _setter_relationship(ctx, rest)
        number, text = split_number(rest)
        _, item = _pick_upcoming(ctx, rel, number)
        if not text:
            conv = ctx.start(EDIT_FLOW, "form", i=item.id)
            return Reply().say(_edit_form(ctx, item, conv.version))
        item.text = _item_text(ctx, text)
        ctx.audit("agenda.edit", f"relationship:{rel.id}", item=item.id)
        return _after_change(ctx, rel, "agenda.edited", n=item.number)

    def _edit_form(ctx: Context, item: AgendaItem, version: int) -> Form:
        return Form(
            form_id="agenda.edit",
            title=ctx.text("agenda.form.edit_title"),
            inputs=(long_text(ctx, "text", ctx.text("agenda.form.text"), value=item.text),),
            submit_action="agenda.edit",
            submit_label=ctx.text("agenda.form.edit_submit"),
            hidden={"v": str(version), "i": str(item.id)},
        )

    @router.action("agenda.edit")
    def agenda_edit_submit(ctx: Context, values: dict[str, str]) -> Reply:
        conv = ctx.expect(EDIT_FLOW, values, "form")
        item = ctx.content().agenda_item(_int(str(conv.data.get("i"))))
        rel = _relationship(ctx, str(item.relationship_id))
        _require_setter(ctx, rel)
        upcoming = _view(ctx, rel).upcoming
        if item not in upcoming:
            raise StaleAction()
        try:
            with field("text"):
                item.text = _item_text(ctx, values.get("text"))
        except FieldProblem as problem:
            return form_again(ctx, _edit_form(ctx, item, conv.version), values, problem)
        ctx.finish()
        ctx.audit("agenda.edit", f"relationship:{rel.id}", item=item.id)
        return _after_change(ctx, rel, "agenda.edited", n=item.number)

    @router.command("agenda up", "agenda.help.up", usage="[#relationship] N", group=group)
    def agenda_up(ctx: Context, rest: str) -> Reply:
        return _reorder(ctx, rest, -1)

    @router.command("agenda down", "agenda.help.down", usage="[#relationship] N", group=group)
    def agenda_down(ctx: Context, rest: str) -> Reply:
        return _reorder(ctx, rest, +1)

    @router.command("agenda order", "agenda.help.order", usage="[#relationship] 3 1 2", group=group)
    def agenda_order(ctx: Context, rest: str) -> Reply:
        rel, rest = _setter_relationship(ctx, rest)
        items = _view(ctx, rel).upcoming
        if not items:
            raise InvalidInput("agenda.error.empty")
        rules.apply_order(items, rules.parse_order(rest, items))
        ctx.audit("agenda.order", f"relationship:{rel.id}")
        return _after_change(ctx, rel, "agenda.ordered")

    @router.command("agenda remove", "agenda.help.remove", usage="[#relationship] N", group=group)
    def agenda_remove(ctx: Context, rest: str) -> Reply:
        rel, rest = _setter_relationship(ctx, rest)
        _, item = _pick_upcoming(ctx, rel, split_number(rest)[0])
        if not rules.remove(item, ctx.person_id):
            ctx.audit("agenda.remove", f"relationship:{rel.id}", item=item.id)
            return _after_change(ctx, rel, "agenda.removed", n=item.number)
        ctx.audit("agenda.remove_other", f"relationship:{rel.id}", item=item.id)
        author = rel.member(item.author_id)
        author_name = quote(author.person.name) if author is not None else ctx.text("agenda.someone")
        reply = _after_change(ctx, rel, "agenda.removed_other", n=item.number, author=author_name)
        if author is not None and author.person.id is not None:
            reply.notify(
                author.person.id,
                Text(
                    ctx.text(
                        "agenda.removed_notice",
                        name=quote(ctx.person.name),
                        n=item.number,
                        text=quote(item.text),
                        id=rel.id,
                    )
                ),
                Buttons(
                    (
                        Button(
                            ctx.text("agenda.button.restore", n=item.number),
                            "agenda.restore",
                            {"i": str(item.id)},
                            ButtonStyle.PRIMARY,
                        ),
                    )
                ),
                kind="agenda_removed",
                key=f"agenda-removed:{item.id}:{ctx.now().isoformat()}",
            )
        return reply

    def restore(ctx: Context, rel: Relationship, item: AgendaItem) -> Reply:
        if item.author_id != ctx.person_id:
            raise NotPermitted("agenda.error.restore_own")
        rules.restore(item, ctx.content().meetings(_rid(rel)))
        ctx.audit("agenda.restore", f"relationship:{rel.id}", item=item.id)
        return _after_change(ctx, rel, "agenda.restored", n=item.number)

    @router.command("agenda restore", "agenda.help.restore", usage="[#relationship] N", group=group)
    def agenda_restore(ctx: Context, rest: str) -> Reply:
        ref, rest = split_relationship(rest)
        rel = _relationship(ctx, ref)
        items = _restorable(ctx, rel)
        if not items:
            raise InvalidInput("agenda.error.nothing_to_restore")
        return restore(ctx, rel, rules.pick(items, split_number(rest)[0]))

    @router.action("agenda.restore")
    def agenda_restore_button(ctx: Context, values: dict[str, str]) -> Reply:
        item = ctx.content().agenda_item(_int(values.get("i")))
        reply = restore(ctx, _relationship(ctx, str(item.relationship_id)), item)
        reply.replace = True
        return reply

    for word, status in MARKS.items():
        typed: CommandHandler = functools.partial(_mark_typed, status=status, word=word)
        pressed: ActionHandler = functools.partial(_mark_button, status=status, word=word)
        router.command(f"agenda {word}", f"agenda.help.{word}", usage="[#relationship] N|all", group=group)(
            typed
        )
        router.action(f"agenda.{word}")(pressed)
