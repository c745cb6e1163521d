"""``checkin``: a short, private pulse on support, challenge and safety (domain.md §7).

The mentee answers three 1-5 scales and sees their Daloz quadrant with a suggestion.  The answers are
theirs: the guide is told only that a check-in happened, with a general prompt on balancing support
and challenge.  If the mentee chooses to share (in the form, with the button afterwards, or by typing
``checkin share``), the guide gets the answers and a prompt fitted to the quadrant.

A guide who types ``checkin`` sees the check-ins their mentees chose to share.
"""

from __future__ import annotations

from bot import checkin as pulse_rules
from bot.context import Context
from bot.errors import InvalidInput
from bot.errors import NotFound
from bot.errors import StaleAction
from bot.messages import Block
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import Fields
from bot.messages import Form
from bot.messages import Input
from bot.messages import InputKind
from bot.messages import Option
from bot.messages import Reply
from bot.messages import Section
from bot.messages import Text
from bot.model import CheckIn
from bot.model import Person
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.model import Side
from bot.routing import LEARNERS
from bot.routing import Router
from bot.timefmt import show_date
from bot.workflows._form_errors import FieldProblem
from bot.workflows._form_errors import field
from bot.workflows._form_errors import form_again
from bot.workflows._on_relationship import relationship_command

FLOW = "checkin"
YES, NO = "yes", "no"


def _rid(rel: Relationship) -> int:
    assert rel.id is not None
    return rel.id


def _learning_in(ctx: Context) -> list[Relationship]:
    """Active relationships where the person is on the learner (or peer) side."""
    found = []
    for rel in ctx.content().relationships():
        me = rel.member(ctx.person_id)
        if rel.status != RelationshipStatus.ENDED and me is not None and me.side != Side.GUIDE:
            found.append(rel)
    return found


def _audience(rel: Relationship, person_id: int) -> list[Person]:
    """Who hears about a check-in: the guides; in a relationship without guides, the other members."""
    return rel.guides() or rel.others(person_id)


def _labels(ctx: Context) -> dict[str, str]:
    return {scale: ctx.text(f"checkin.scale.{scale}.field") for scale in pulse_rules.SCALES}


def _scale_input(ctx: Context, scale: str) -> Input:
    options = tuple(
        Option(str(n), ctx.text(f"checkin.scale.point.{n}"))
        for n in range(pulse_rules.LOWEST, pulse_rules.HIGHEST + 1)
    )
    return Input(scale, ctx.text(f"checkin.scale.{scale}.question"), InputKind.CHOICE, options=options)


def _read(ctx: Context, values: dict[str, str]) -> tuple[pulse_rules.Pulse, str]:
    labels = _labels(ctx)
    scores: dict[str, int] = {}
    for scale in pulse_rules.SCALES:
        with field(scale):
            scores[scale] = pulse_rules.read_score(values.get(scale), labels[scale])
    share = (values.get("share") or NO).strip().lower()
    with field("share"):
        if share not in (YES, NO):
            raise InvalidInput("checkin.error.share")
    return pulse_rules.Pulse(scores["support"], scores["challenge"], scores["safety"]), share


def open_form(ctx: Context, rel: Relationship) -> Reply:
    conv = ctx.start(FLOW, "form", r=rel.id)
    return Reply().say(_form(ctx, rel, conv.version))


def _form(ctx: Context, rel: Relationship, version: int) -> Form:
    names = ", ".join(p.name for p in _audience(rel, ctx.person_id)) or "—"
    return Form(
        form_id="checkin",
        title=ctx.text("checkin.form.title", kind=ctx.text(f"kind.{rel.kind}.label")),
        intro=ctx.text("checkin.form.intro", names=names),
        inputs=(
            *(_scale_input(ctx, scale) for scale in pulse_rules.SCALES),
            Input(
                "share",
                ctx.text("checkin.form.share", names=names),
                InputKind.CHOICE,
                value=NO,
                options=(
                    Option(NO, ctx.text("checkin.form.share_no")),
                    Option(YES, ctx.text("checkin.form.share_yes")),
                ),
            ),
        ),
        submit_action="checkin.submit",
        submit_label=ctx.text("checkin.form.submit"),
        hidden={"v": str(version)},
    )


def _answers(ctx: Context, checkin: CheckIn) -> Fields:
    return Fields(
        tuple(
            (
                ctx.text(f"checkin.scale.{scale}.field").capitalize(),
                f"{getattr(checkin, scale)} / {pulse_rules.HIGHEST}",
            )
            for scale in pulse_rules.SCALES
        )
    )


def _notify_guides(ctx: Context, reply: Reply, rel: Relationship, checkin: CheckIn) -> None:
    for person in _audience(rel, ctx.person_id):
        assert person.id is not None
        if checkin.shared:
            blocks: list[Block] = [
                Section(
                    ctx.text(
                        "checkin.guide.shared_title",
                        name=ctx.person.name,
                        quadrant=ctx.text(f"checkin.label.{checkin.quadrant}"),
                    ),
                    ctx.text(f"checkin.quadrant.{checkin.quadrant}.guide_prompt"),
                ),
                _answers(ctx, checkin),
            ]
            if pulse_rules.low_safety(checkin.safety):
                blocks.append(Text(ctx.text("checkin.guide.low_safety")))
            key = f"checkin:{checkin.id}:shared"
        else:
            blocks = [Text(ctx.text("checkin.guide.private", name=ctx.person.name))]
            key = f"checkin:{checkin.id}"
        reply.notify(person.id, *blocks, kind="checkin_guide", key=key)


def submit(ctx: Context, values: dict[str, str]) -> Reply:
    conv = ctx.expect(FLOW, values, "form")
    rel = ctx.my_relationship(conv.data.get("r"))
    try:
        pulse, share = _read(ctx, values)
    except FieldProblem as problem:
        return form_again(ctx, _form(ctx, rel, conv.version), values, problem)
    checkin = CheckIn(
        relationship_id=_rid(rel),
        person_id=ctx.person_id,
        support=pulse.support,
        challenge=pulse.challenge,
        safety=pulse.safety,
        quadrant=pulse.quadrant,
        at=ctx.now(),
        shared=share == YES,
    )
    ctx.content().add_checkin(checkin)
    ctx.finish()
    ctx.audit("checkin.submit", f"relationship:{rel.id}", shared=checkin.shared)
    reply = Reply(replace=True).say(
        Section(
            ctx.text("checkin.result_title", quadrant=ctx.text(f"checkin.label.{pulse.quadrant}")),
            ctx.text_for(f"checkin.quadrant.{pulse.quadrant}.mentee", ctx.reader(rel)),
        ),
        _answers(ctx, checkin),
    )
    if pulse.low_safety:
        reply.say(Text(ctx.text_for("checkin.low_safety", ctx.reader(rel))))
    names = ", ".join(p.name for p in _audience(rel, ctx.person_id)) or "—"
    if checkin.shared:
        reply.say(Text(ctx.text("checkin.shared", names=names)))
    else:
        reply.say(
            Text(ctx.text("checkin.private", names=names)),
            Buttons(
                (
                    Button(
                        ctx.text("checkin.button.share", names=names),
                        "checkin.share",
                        {"r": str(rel.id), "c": str(checkin.id)},
                    ),
                )
            ),
        )
    _notify_guides(ctx, reply, rel, checkin)
    return reply


def share(ctx: Context, rel: Relationship, checkin: CheckIn) -> Reply:
    if checkin.shared:
        raise StaleAction("checkin.error.already_shared")
    checkin.shared = True
    ctx.audit("checkin.share", f"relationship:{rel.id}")
    names = ", ".join(p.name for p in _audience(rel, ctx.person_id)) or "—"
    reply = Reply(replace=True).say(Text(ctx.text("checkin.shared", names=names)))
    _notify_guides(ctx, reply, rel, checkin)
    return reply


def _own(ctx: Context, rel: Relationship) -> list[CheckIn]:
    return [c for c in ctx.content().checkins(_rid(rel)) if c.person_id == ctx.person_id]


def shared_with_me(ctx: Context) -> Reply:
    """What a guide may see: the check-ins their mentees chose to share, latest per person."""
    lines: list[str] = []
    for rel in ctx.content().relationships():
        latest: dict[int, CheckIn] = {}
        for c in ctx.content().checkins(_rid(rel)):
            if c.person_id != ctx.person_id and c.shared:
                latest[c.person_id] = c
        for person_id, c in latest.items():
            member = rel.member(person_id)
            name = member.person.name if member else "?"
            lines.append(
                ctx.text(
                    "checkin.guide.line",
                    name=name,
                    date=show_date(c.at.astimezone(ctx.tz()).date()),
                    quadrant=ctx.text(f"checkin.label.{c.quadrant}"),
                    support=c.support,
                    challenge=c.challenge,
                    safety=c.safety,
                )
            )
    if not lines:
        return Reply().say(Text(ctx.text("checkin.guide.none_shared")))
    return Reply().say(Section(ctx.text("checkin.guide.list_title"), "\n".join(lines)))


def register(router: Router) -> None:
    group = "growth"

    @relationship_command(
        router,
        "checkin",
        "help.checkin",
        extra_words="checkin.error.subcommand",
        aliases=("check-in", "check in"),
        group=group,
        listed_for=LEARNERS,
    )
    def checkin_cmd(ctx: Context, ref: str | None) -> Reply:
        if ref is not None:
            rel = ctx.my_relationship(ref)
            me = rel.member(ctx.person_id)
            if me is None or me.side == Side.GUIDE:
                return shared_with_me(ctx)
            return open_form(ctx, rel)
        learning = _learning_in(ctx)
        if not learning:
            ctx.live_relationships()  # every relationship of theirs has ended: the friendly refusal
            return shared_with_me(ctx)
        if len(learning) > 1:
            raise InvalidInput("error.which_relationship", choices=", ".join(f"#{r.id}" for r in learning))
        return open_form(ctx, learning[0])

    router.action("checkin.submit")(submit)

    @router.action("checkin.share")
    def share_action(ctx: Context, values: dict[str, str]) -> Reply:
        rel = ctx.my_relationship(values.get("r") or None)
        wanted = values.get("c", "")
        found = [c for c in _own(ctx, rel) if str(c.id) == wanted]
        if not found:
            raise NotFound("error.not_found")
        return share(ctx, rel, found[0])

    @relationship_command(
        router, "checkin share", "checkin.help.share", extra_words=None, group=group, listed_for=LEARNERS
    )
    def share_cmd(ctx: Context, ref: str | None) -> Reply:
        rels = [ctx.my_relationship(ref)] if ref is not None else _learning_in(ctx)
        own = sorted((c for rel in rels for c in _own(ctx, rel)), key=lambda c: (c.at, c.id or 0))
        if not own:
            raise InvalidInput("checkin.error.nothing_to_share")
        latest = own[-1]
        return share(ctx, ctx.my_relationship(latest.relationship_id), latest)
