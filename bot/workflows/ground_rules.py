"""Ground rules: see the agreed version and any proposal, propose, confirm, counter, withdraw.

The rules of agreement live in ``bot.ground_rules``; this module turns commands, buttons and the
proposal form into calls of them.  Typed equivalents: ``ground rules [#rel]``, ``ground rules propose``,
``ground rules confirm``, ``ground rules withdraw``, ``ground rules history``.
"""

from __future__ import annotations

from bot import ground_rules as rules_
from bot.context import Context
from bot.errors import InvalidInput
from bot.errors import StaleAction
from bot.forms import error_text
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
from bot.messages import quote
from bot.model import AgreementStatus
from bot.model import GroundRules
from bot.model import Person
from bot.model import Relationship
from bot.model import Side
from bot.relationship_view import join_names
from bot.relationship_view import name_of
from bot.relationship_view import title
from bot.routing import Router
from bot.timefmt import local_date
from bot.timefmt import show_date
from bot.workflows._args import relationship_arg
from bot.workflows._args import words
from bot.workflows._notify import notify_others
from bot.workflows._notify import same_for_all
from bot.workflows._on_relationship import relationship_button

FLOW = "rules"
LONG_ITEMS = frozenset({"confidentiality", "boundaries", "feedback", "conflicts", "ending"})


def register(router: Router) -> None:
    @router.command(
        "ground rules",
        "help.ground_rules",
        usage="[#rel] | propose | confirm | withdraw | history",
        aliases=("rules", "agreement"),
        group="relationships",
    )
    def ground_rules_command(ctx: Context, rest: str) -> Reply:
        verbs = [w.lower() for w in words(rest) if not (w.startswith("#") or w.isdigit())]
        rel = ctx.my_relationship(relationship_arg(rest))
        verb = verbs[0] if verbs else "show"
        if verb not in TYPED:
            raise InvalidInput("rules.error.unknown_verb", verb=verb[:20])
        return TYPED[verb](ctx, rel)

    relationship_button(router, "rules.show", show)
    relationship_button(router, "rules.propose", proposal_form)

    @router.action("rules.counter")
    def counter_button(ctx: Context, values: dict[str, str]) -> Reply:
        rel = ctx.my_relationship(values.get("r"))
        _pending_named(ctx, rel, values.get("g"))
        return proposal_form(ctx, rel)

    @router.action("rules.submit")
    def submit(ctx: Context, values: dict[str, str]) -> Reply:
        return submitted(ctx, values)

    @router.action("rules.confirm")
    def confirm_button(ctx: Context, values: dict[str, str]) -> Reply:
        rel = ctx.my_relationship(values.get("r"))
        return confirm(ctx, rel, _pending_named(ctx, rel, values.get("g")))

    @router.action("rules.withdraw")
    def withdraw_button(ctx: Context, values: dict[str, str]) -> Reply:
        rel = ctx.my_relationship(values.get("r"))
        return withdraw(ctx, rel, _pending_named(ctx, rel, values.get("g")))


def _typed_confirm(ctx: Context, rel: Relationship) -> Reply:
    pending = rules_.pending(ctx.content().ground_rules(_id(rel)))
    if pending is None:
        raise InvalidInput("rules.error.nothing_pending")
    return confirm(ctx, rel, pending)


def _typed_withdraw(ctx: Context, rel: Relationship) -> Reply:
    pending = rules_.pending(ctx.content().ground_rules(_id(rel)))
    if pending is None:
        raise InvalidInput("rules.error.nothing_pending")
    return withdraw(ctx, rel, pending)


def _typed_show(ctx: Context, rel: Relationship) -> Reply:
    return show(ctx, rel)


def _typed_propose(ctx: Context, rel: Relationship) -> Reply:
    return proposal_form(ctx, rel)


def history_typed(ctx: Context, rel: Relationship) -> Reply:
    return history(ctx, rel)


TYPED = {
    "show": _typed_show,
    "propose": _typed_propose,
    "change": _typed_propose,
    "counter": _typed_propose,
    "confirm": _typed_confirm,
    "withdraw": _typed_withdraw,
    "history": history_typed,
}


# -- showing ----------------------------------------------------------------------------------------


def show(ctx: Context, rel: Relationship) -> Reply:
    versions = ctx.content().ground_rules(_id(rel))
    agreed, pending = rules_.agreed(versions), rules_.pending(versions)
    heading = title(ctx.programme, rel, ctx.person_id)
    reply = Reply()
    if agreed is None:
        reply.say(
            Section(ctx.text("rules.none_agreed.title", title=heading), ctx.text("rules.none_agreed.body"))
        )
    else:
        reply.say(
            Section(
                ctx.text("rules.agreed.title", title=heading, version=agreed.version),
                ctx.text("rules.agreed.body", date=_date(ctx, agreed)),
            ),
            _fields(ctx, agreed.items),
        )
    if pending is not None:
        reply.say(*pending_blocks(ctx, rel, pending, agreed, ctx.person))
    else:
        label = "rules.button.propose" if agreed is None else "rules.button.change"
        reply.say(
            Buttons((Button(ctx.text(label), "rules.propose", {"r": str(rel.id)}, ButtonStyle.PRIMARY),))
        )
    return reply


def pending_blocks(
    ctx: Context, rel: Relationship, pending: GroundRules, agreed: GroundRules | None, viewer: Person
) -> list[Block]:
    """A proposal as ``viewer`` sees it: what changes, who confirmed, and what they can do."""
    changes = rules_.diff(agreed.items if agreed else None, pending.items)
    waiting = rules_.waiting_for(pending, rel)
    proposer = name_of(rel, pending.proposed_by, ctx.programme)
    body = [
        ctx.text("rules.pending.body", proposer=proposer, version=pending.version),
        ctx.text("rules.pending.waiting", names=join_names(waiting, ctx.programme)),
    ]
    blocks: list[Block] = [
        Section(ctx.text("rules.pending.title", title=title(ctx.programme, rel, viewer.id)), "\n".join(body))
    ]
    if agreed is None:
        blocks.append(_fields(ctx, pending.items))
    else:
        pairs = tuple(
            (_label(ctx, c.key), ctx.text("rules.change", before=c.before or "—", after=c.after))
            for c in changes
        )
        blocks.append(Fields(pairs))
    values = {"r": str(rel.id), "g": str(pending.id)}
    buttons: list[Button] = []
    if not pending.confirmed_by(_id(viewer)):
        buttons.append(Button(ctx.text("rules.button.confirm"), "rules.confirm", values, ButtonStyle.PRIMARY))
        buttons.append(Button(ctx.text("rules.button.counter"), "rules.counter", values))
    elif pending.proposed_by == viewer.id:
        buttons.append(Button(ctx.text("rules.button.withdraw"), "rules.withdraw", values))
    if buttons:
        blocks.append(Buttons(tuple(buttons)))
    return blocks


def history(ctx: Context, rel: Relationship) -> Reply:
    versions = ctx.content().ground_rules(_id(rel))
    if not versions:
        raise InvalidInput("rules.error.no_history")
    lines = [
        ctx.text(
            "rules.history.line",
            version=v.version,
            status=ctx.text(f"rules.status.{v.status}"),
            proposer=name_of(rel, v.proposed_by, ctx.programme),
            date=show_date(local_date(v.proposed_at, ctx.tz())),
        )
        for v in reversed(versions)
    ]
    return Reply().say(
        Section(
            ctx.text("rules.history.title", title=title(ctx.programme, rel, ctx.person_id)), "\n".join(lines)
        )
    )


# -- proposing --------------------------------------------------------------------------------------


def proposal_form(ctx: Context, rel: Relationship) -> Reply:
    """The items pre-filled with the pending proposal, else the agreed version, else the defaults."""
    versions = ctx.content().ground_rules(_id(rel))
    pending = rules_.pending(versions)
    conv = ctx.start(FLOW, "edit", r=rel.id, pending=pending.id if pending else None)
    start = rules_.starting_point(versions, ctx.programme)
    if not versions and ctx.reader(rel).side == Side.PEER:
        start = {**start, "who_schedules": "either"}  # peers have no mentee to book for them
    form = refilled(_form(ctx, rel, conv.version), start)
    return Reply().say(form, summary=form.title)


def _form(ctx: Context, rel: Relationship, version: int) -> Form:
    inputs = []
    reader = ctx.reader(rel)
    for key in rules_.ITEM_KEYS:
        label, hint = _label(ctx, key), ctx.text_for(f"ground_rules.item.{key}.hint", reader)
        if key == "who_schedules":
            options = tuple(Option(v, ctx.text(f"rules.who.{v}")) for v in rules_.WHO_SCHEDULES_CHOICES)
            inputs.append(Input(key, label, InputKind.CHOICE, options=options, hint=hint))
        else:
            kind = InputKind.LONG_TEXT if key in LONG_ITEMS else InputKind.TEXT
            inputs.append(Input(key, label, kind, hint=hint, max_length=ctx.programme.max_text_length))
    return Form(
        form_id="rules.edit",
        title=ctx.text("rules.form.title"),
        inputs=tuple(inputs),
        submit_action="rules.submit",
        submit_label=ctx.text("rules.form.submit"),
        hidden={"v": str(version)},
        intro=ctx.text("form.about", title=title(ctx.programme, rel, ctx.person_id))
        + "\n"
        + ctx.text("rules.form.intro"),
    )


def submitted(ctx: Context, values: dict[str, str]) -> Reply:
    conv = ctx.expect(FLOW, values, "edit")
    rel = ctx.my_relationship(conv.data.get("r"))
    content = ctx.content()
    versions = content.ground_rules(_id(rel))
    pending = rules_.pending(versions)
    if (pending.id if pending else None) != conv.data.get("pending"):
        raise StaleAction("rules.error.changed_meanwhile")
    errors: dict[str, str] = {}
    items: dict[str, str] = {}
    for key in rules_.ITEM_KEYS:
        try:
            items[key] = rules_.check_item(key, values.get(key), ctx.programme)
        except InvalidInput as err:
            errors[key] = error_text(ctx.programme, err)
    if errors:
        form = refilled(_form(ctx, rel, conv.version), values, errors)
        return Reply().say(Text(next(iter(errors.values()))), form)
    agreed_before = rules_.agreed(versions)
    try:
        proposal = rules_.propose(versions, rel, items, ctx.person_id, ctx.now())
    except InvalidInput as err:
        form = refilled(_form(ctx, rel, conv.version), values)
        return Reply().say(Text(error_text(ctx.programme, err)), form)
    content.add_ground_rules(proposal)
    ctx.finish()
    ctx.audit("rules.proposed", f"relationship:{rel.id}", version=proposal.version)
    reply = Reply(replace=True)
    if proposal.status == AgreementStatus.AGREED:
        return reply.say(Text(ctx.text("rules.agreed.now", version=proposal.version)))
    reply.say(
        Text(
            ctx.text(
                "rules.sent",
                others=join_names(rel.others(ctx.person_id), ctx.programme),
                version=proposal.version,
            )
        )
    )
    return notify_others(
        reply,
        rel,
        ctx.person_id,
        lambda person: pending_blocks(ctx, rel, proposal, agreed_before, person),
        kind="ground_rules",
        key=f"rules:{proposal.id}:proposed",
    )


# -- confirming and withdrawing ---------------------------------------------------------------------


def confirm(ctx: Context, rel: Relationship, pending: GroundRules) -> Reply:
    versions = ctx.content().ground_rules(_id(rel))
    agreed_now = rules_.confirm(versions, pending, rel, ctx.person_id, ctx.now())
    ctx.audit("rules.confirmed", f"relationship:{rel.id}", version=pending.version)
    reply = Reply(replace=True)
    if not agreed_now:
        waiting = join_names(rules_.waiting_for(pending, rel), ctx.programme)
        return reply.say(Text(ctx.text("rules.confirmed.waiting", version=pending.version, names=waiting)))
    reply.say(Text(ctx.text("rules.agreed.now", version=pending.version)), _fields(ctx, pending.items))
    show = Buttons((Button(ctx.text("rules.button.show"), "rules.show", {"r": str(rel.id)}),))

    def notice(person: Person) -> tuple[Block, ...]:
        named = title(ctx.programme, rel, person.id)
        return Text(ctx.text("rules.agreed.notice", title=named, version=pending.version)), show

    return notify_others(
        reply, rel, ctx.person_id, notice, kind="ground_rules", key=f"rules:{pending.id}:agreed"
    )


def withdraw(ctx: Context, rel: Relationship, pending: GroundRules) -> Reply:
    rules_.withdraw(pending, ctx.person_id)
    ctx.audit("rules.withdrawn", f"relationship:{rel.id}", version=pending.version)
    reply = Reply(replace=True).say(Text(ctx.text("rules.withdrawn.reply", version=pending.version)))
    notice = Text(ctx.text("rules.withdrawn.notice", name=ctx.person.name, version=pending.version))
    return notify_others(
        reply,
        rel,
        ctx.person_id,
        same_for_all(notice),
        kind="ground_rules",
        key=f"rules:{pending.id}:withdrawn",
    )


# -- helpers ----------------------------------------------------------------------------------------


def _pending_named(ctx: Context, rel: Relationship, version_id: str | None) -> GroundRules:
    """The proposal a button refers to, which must still be the pending one."""
    pending = rules_.pending(ctx.content().ground_rules(_id(rel)))
    if pending is None or str(pending.id) != str(version_id):
        raise StaleAction("rules.error.no_longer_pending")
    return pending


def _fields(ctx: Context, items: dict[str, str]) -> Fields:
    return Fields(
        tuple((_label(ctx, k), _answer(ctx, k, items.get(k, ""))) for k in rules_.ITEM_KEYS if k in items)
    )


def _answer(ctx: Context, key: str, value: str) -> str:
    if key == "who_schedules" and value in rules_.WHO_SCHEDULES_CHOICES:
        return ctx.text(f"rules.who.{value}")
    return quote(value)


def _label(ctx: Context, key: str) -> str:
    return ctx.text(f"ground_rules.item.{key}.label")


def _date(ctx: Context, rules: GroundRules) -> str:
    return show_date(local_date(rules.agreed_at or rules.proposed_at, ctx.tz()))


def _id(obj: Person | Relationship) -> int:
    assert obj.id is not None
    return obj.id
