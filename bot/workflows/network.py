"""``network``: the people who guide a person, by kind, the gaps, and one concrete ask.

Typed commands::

    network                 who guides you, by kind (people in and outside the programme), and the gaps
    network add KIND NAME   add someone from outside the programme (kinds: mentoring, coaching,
                            advising, sponsorship, peer; "mentor", "coach"... work too)
    network remove N        remove the N-th person you added
    network ask             a form: which gap, whom you will ask, and what you will ask them

A person's network is their own: nobody else reads it (``ContentAccess.network`` is per viewer).
The rules live in :mod:`bot.network`.
"""

from __future__ import annotations

from bot import network as rules
from bot.context import Context
from bot.errors import InvalidInput
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
from bot.model import NetworkAsk
from bot.model import NetworkEntry
from bot.routing import LEARNERS
from bot.routing import Router
from bot.timefmt import show_date
from bot.validation import clean_text
from bot.workflows._form_errors import FieldProblem
from bot.workflows._form_errors import field
from bot.workflows._form_errors import form_again
from bot.workflows._inputs import long_text

ADD_FLOW = "network.add"
ASK_FLOW = "network.ask"
NAME_LIMIT = 200  # the stored column's size
MAX_ENTRIES = 30


def _kind_label(ctx: Context, kind: str) -> str:
    return ctx.text(f"network.kind.{kind}")


def _kind_choice(ctx: Context, name: str, label: str, kinds: list[str] | tuple[str, ...]) -> Input:
    """A choice of one of ``kinds`` of connection, the first of them chosen to begin with."""
    options = tuple(Option(k, _kind_label(ctx, k)) for k in kinds)
    return Input(name, label, InputKind.CHOICE, value=kinds[0], options=options)


def show_network(ctx: Context) -> Reply:
    content = ctx.content()
    entries = rules.added_entries(content.network())
    numbers = {e.id: n for n, e in enumerate(entries, start=1)}
    by_kind = rules.network_map(ctx.person_id, content.relationships(), entries)
    lines = []
    for kind in rules.NETWORK_KINDS:
        people = by_kind.get(kind, [])
        names = []
        for guide in people:
            if guide.in_programme:
                names.append(ctx.text("network.in_programme", name=guide.name, id=guide.relationship_id))
            else:
                names.append(ctx.text("network.added", name=guide.name, n=numbers.get(guide.entry_id, "?")))
        lines.append(f"*{_kind_label(ctx, kind)}*: " + (", ".join(names) or ctx.text("network.nobody")))
    reply = Reply().say(Text(ctx.text("network.tip")), Section(ctx.text("network.title"), "\n".join(lines)))
    gaps = rules.gaps(by_kind)
    if gaps:
        tips = "\n".join(f"• {ctx.text(f'network.gap.{kind}')}" for kind in gaps)
        reply.say(Section(ctx.text("network.gaps_title", count=len(gaps)), tips))
    else:
        reply.say(Text(ctx.text("network.no_gaps")))
    asks = content.network_asks()
    if asks:
        last = asks[-1]
        reply.say(
            Text(
                ctx.text(
                    "network.last_ask",
                    kind=_kind_label(ctx, last.gap_kind),
                    whom=last.asked_of,
                    ask=last.ask,
                    date=show_date(last.created_at.astimezone(ctx.tz()).date()),
                )
            )
        )
    reply.say(
        Buttons(
            (
                Button(ctx.text("network.button.add"), "network.form"),
                Button(ctx.text("network.button.ask"), "network.ask_form", style=ButtonStyle.PRIMARY),
            )
        ),
        Text(ctx.text("network.commands_hint")),
    )
    return reply


def add_entry(ctx: Context, kind_raw: str, name_raw: str | None) -> Reply:
    kind = rules.parse_kind(kind_raw)
    name = " ".join(clean_text(name_raw, ctx.text("network.field.name"), NAME_LIMIT).split())
    content = ctx.content()
    existing = content.network()
    if any(e.kind == kind and e.guide_name.lower() == name.lower() for e in existing):
        raise InvalidInput("network.error.duplicate", name=name, kind=_kind_label(ctx, kind))
    if len(existing) >= MAX_ENTRIES:
        raise InvalidInput("network.error.full", limit=MAX_ENTRIES)
    content.add_network_entry(
        NetworkEntry(person_id=ctx.person_id, kind=kind, guide_name=name, created_at=ctx.now())
    )
    ctx.audit("network.add", f"person:{ctx.person_id}", kind=kind)
    reply = Reply().say(Text(ctx.text("network.added_reply", name=name, kind=_kind_label(ctx, kind))))
    reply.messages.extend(show_network(ctx).messages)
    return reply


def _add_form(ctx: Context, version: int) -> Form:
    return Form(
        form_id="network.add",
        title=ctx.text("network.form.add_title"),
        inputs=(
            _kind_choice(ctx, "kind", ctx.text("network.form.kind"), rules.NETWORK_KINDS),
            Input("name", ctx.text("network.form.name"), InputKind.TEXT, max_length=NAME_LIMIT),
        ),
        submit_action="network.add",
        submit_label=ctx.text("network.form.add_submit"),
        hidden={"v": str(version)},
    )


def open_add_form(ctx: Context) -> Reply:
    conv = ctx.start(ADD_FLOW, "form")
    return Reply().say(_add_form(ctx, conv.version))


def open_ask_form(ctx: Context) -> Reply:
    conv = ctx.start(ASK_FLOW, "form")
    return Reply().say(_ask_form(ctx, conv.version))


def _ask_form(ctx: Context, version: int) -> Form:
    by_kind = rules.network_map(ctx.person_id, ctx.content().relationships(), ctx.content().network())
    gaps = rules.gaps(by_kind) or list(rules.NETWORK_KINDS)
    return Form(
        form_id="network.ask",
        title=ctx.text("network.form.ask_title"),
        intro=ctx.text("network.form.ask_intro"),
        inputs=(
            _kind_choice(ctx, "gap", ctx.text("network.form.gap"), gaps),
            Input("whom", ctx.text("network.form.whom"), InputKind.TEXT, max_length=NAME_LIMIT),
            long_text(ctx, "ask", ctx.text("network.form.ask"), hint=ctx.text("network.form.ask_hint")),
        ),
        submit_action="network.ask",
        submit_label=ctx.text("network.form.ask_submit"),
        hidden={"v": str(version)},
    )


def record_ask(ctx: Context, values: dict[str, str]) -> Reply:
    conv = ctx.expect(ASK_FLOW, values, "form")
    try:
        with field("gap"):
            kind = rules.parse_kind(values.get("gap") or "")
        with field("whom"):
            whom = " ".join(
                clean_text(values.get("whom"), ctx.text("network.field.whom"), NAME_LIMIT).split()
            )
        with field("ask"):
            ask = clean_text(values.get("ask"), ctx.text("network.field.ask"), ctx.programme.max_text_length)
    except FieldProblem as problem:
        return form_again(ctx, _ask_form(ctx, conv.version), values, problem)
    ctx.content().add_network_ask(
        NetworkAsk(person_id=ctx.person_id, gap_kind=kind, ask=ask, asked_of=whom, created_at=ctx.now())
    )
    ctx.finish()
    ctx.audit("network.ask", f"person:{ctx.person_id}", kind=kind)
    return Reply(replace=True).say(Text(ctx.text("network.asked", whom=whom, kind=_kind_label(ctx, kind))))


def register(router: Router) -> None:
    group = "growth"

    @router.command("network", "help.network", group=group, aliases=("my network",), listed_for=LEARNERS)
    def network_cmd(ctx: Context, rest: str) -> Reply:
        if rest.strip():
            raise InvalidInput("network.error.subcommand", text=rest.strip()[:40])
        return show_network(ctx)

    @router.command("network add", "network.help.add", usage="KIND NAME", group=group, listed_for=LEARNERS)
    def network_add(ctx: Context, rest: str) -> Reply:
        kind, _, name = rest.strip().partition(" ")
        if not kind:
            return open_add_form(ctx)
        return add_entry(ctx, kind, name)

    @router.action("network.form")
    def add_form(ctx: Context, values: dict[str, str]) -> Reply:
        return open_add_form(ctx)

    @router.action("network.add")
    def add_submit(ctx: Context, values: dict[str, str]) -> Reply:
        ctx.expect(ADD_FLOW, values, "form")
        reply = add_entry(ctx, values.get("kind") or "", values.get("name"))
        ctx.finish()
        return reply

    @router.command("network remove", "network.help.remove", usage="N", group=group, listed_for=LEARNERS)
    def network_remove(ctx: Context, rest: str) -> Reply:
        entries = rules.added_entries(ctx.content().network())
        raw = rest.strip().lstrip("#")
        if not entries:
            raise InvalidInput("network.error.none_added")
        if not raw.isdecimal() or not 1 <= int(raw) <= len(entries):
            raise InvalidInput("network.error.number", value=rest.strip()[:20] or "?", count=len(entries))
        entry = entries[int(raw) - 1]
        assert entry.id is not None
        ctx.content().remove_network_entry(entry.id)
        ctx.audit("network.remove", f"person:{ctx.person_id}", kind=entry.kind)
        reply = Reply().say(Text(ctx.text("network.removed", name=entry.guide_name)))
        reply.messages.extend(show_network(ctx).messages)
        return reply

    @router.command("network ask", "network.help.ask", group=group, listed_for=LEARNERS)
    def network_ask(ctx: Context, rest: str) -> Reply:
        return open_ask_form(ctx)

    @router.action("network.ask_form")
    def ask_form(ctx: Context, values: dict[str, str]) -> Reply:
        return open_ask_form(ctx)

    router.action("network.ask")(record_ask)
