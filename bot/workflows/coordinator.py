"""Coordinator tools in chat: the health report, the audit trail, and hands-on changes.

``report``                      programme health (activity only, never content)
``audit [N]``                   the newest N entries of the audit trail
``pause relationship N``        pause a relationship (no reminders); ``resume relationship N`` undoes it
``end relationship N``          end a relationship, without fault
``phase N PHASE``               move a relationship to another phase by hand
``rematch N [GUIDE_EMAIL]``     end a relationship and match its learner with another guide
``add person EMAIL NAME ROLE``  add someone to the programme

Each handler starts with :func:`bot.coordinator.require_coordinator`, which refuses anyone else and
records the refused attempt; every change is audited in :mod:`bot.coordinator`.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.context import Context
from bot.coordinator import REASON_LIMIT
from bot.coordinator import GuideOption
from bot.coordinator import add_person
from bot.coordinator import apply_change
from bot.coordinator import audit_rows
from bot.coordinator import find_relationship
from bot.coordinator import relationship_number
from bot.coordinator import rematch_options
from bot.coordinator import require_coordinator
from bot.errors import InvalidInput
from bot.errors import NotFound
from bot.forms import refilled
from bot.messages import Form
from bot.messages import Input
from bot.messages import InputKind
from bot.messages import Option
from bot.messages import Reply
from bot.messages import Section
from bot.messages import Text
from bot.model import Conversation
from bot.model import Relationship
from bot.model import Role
from bot.routing import CommandHandler
from bot.routing import Router
from bot.timefmt import show
from bot.workflows._health_view import coordinator_view
from bot.workflows._inputs import long_text

COORDINATOR = (Role.COORDINATOR.value,)
REMATCH_FLOW = "rematch"
AUDIT_DEFAULT, AUDIT_MAX = 20, 100


def register(router: Router) -> None:
    def command(
        name: str, help_key: str, usage: str = "", aliases: tuple[str, ...] = ()
    ) -> Callable[[CommandHandler], CommandHandler]:
        return router.command(
            name, help_key, usage=usage, aliases=aliases, group="coordinator", listed_for=COORDINATOR
        )

    @command("report", "help.report", aliases=("health",))
    def report(ctx: Context, rest: str) -> Reply:
        require_coordinator(ctx, "report")
        return Reply().say(*coordinator_view(ctx.uow.activity, ctx.programme, ctx.now()))

    @command("audit", "help.audit", usage="[N]")
    def audit_log(ctx: Context, rest: str) -> Reply:
        require_coordinator(ctx, "audit")
        raw = rest.strip()
        limit = AUDIT_DEFAULT
        if raw:
            if not raw.isdecimal() or not 1 <= int(raw) <= AUDIT_MAX:
                raise InvalidInput("validation.number", field="number of entries", low=1, high=AUDIT_MAX)
            limit = int(raw)
        rows = audit_rows(ctx.uow, limit)
        if not rows:
            return Reply().say(Text(ctx.text("coordinator.audit.empty")))
        lines = [
            ctx.text(
                "coordinator.audit.line",
                when=show(r.at, ctx.person.timezone),
                actor=r.actor,
                action=r.action,
                target=r.target or "-",
                outcome=r.outcome,
                detail=f" ({r.detail})" if r.detail else "",
            )
            for r in rows
        ]
        return Reply().say(Section(ctx.text("coordinator.audit.heading", n=len(rows)), "\n".join(lines)))

    def status_change(change: str) -> CommandHandler:
        """``pause relationship N``, ``resume relationship N``, ``end relationship N``."""

        def handler(ctx: Context, rest: str) -> Reply:
            rel = _relationship(ctx, f"relationship.{change}", rest)
            return apply_change(ctx.uow, ctx.programme, rel, change, ctx.person, ctx.now()).reply()

        return handler

    for change in ("pause", "resume", "end"):
        command(f"{change} relationship", f"coordinator.help.{change}", usage="N")(status_change(change))

    @command("phase", "coordinator.help.phase", usage="N PHASE")
    def phase(ctx: Context, rest: str) -> Reply:
        words = rest.split()
        rel = _relationship(ctx, "relationship.phase", words[0] if words else "")
        if len(words) < 2:
            raise InvalidInput(
                "coordinator.phase.missing", number=rel.id, phases=", ".join(ctx.programme.phase_names())
            )
        changed = apply_change(ctx.uow, ctx.programme, rel, "phase", ctx.person, ctx.now(), phase=words[1])
        return changed.reply()

    @command("rematch", "coordinator.help.rematch", usage="N [GUIDE_EMAIL]", aliases=("re-match",))
    def rematch_command(ctx: Context, rest: str) -> Reply:
        words = rest.split()
        rel = _relationship(ctx, "relationship.rematch", words[0] if words else "")
        options = rematch_options(ctx.uow, ctx.programme, rel)
        if not options:
            raise InvalidInput("coordinator.rematch.nobody_free", number=rel.id)
        conv = ctx.start(REMATCH_FLOW, "choose", r=rel.id)
        prefill: dict[str, str] = {}
        if len(words) > 1:
            wanted = ctx.uow.people.by_email(words[1])
            if wanted is None:
                raise NotFound("coordinator.person.unknown", email=words[1][:80])
            prefill["guide"] = str(wanted.id)
        form = rematch_form(ctx, conv, rel, options)
        return Reply().say(refilled(form, prefill) if prefill else form)

    @router.action("rematch.submit")
    def rematch_submit(ctx: Context, values: dict[str, str]) -> Reply:
        require_coordinator(ctx, "relationship.rematch")
        conv = ctx.expect(REMATCH_FLOW, values, "choose")
        rel = find_relationship(ctx.uow, int(conv.data["r"]))
        try:
            guide_id = int(values.get("guide", ""))
        except ValueError:
            guide_id = 0
        guide = ctx.uow.people.get(guide_id)
        try:
            changed = apply_change(
                ctx.uow,
                ctx.programme,
                rel,
                "rematch",
                ctx.person,
                ctx.now(),
                guide=guide,
                assesses=values.get("assesses", "no") == "yes",
                override_reason=values.get("override_reason", ""),
            )
        except InvalidInput as err:
            message = ctx.text(err.key, **err.values)
            field = "override_reason" if err.key == "coordinator.rematch.assessor" else "guide"
            form = rematch_form(ctx, conv, rel, rematch_options(ctx.uow, ctx.programme, rel))
            return Reply().say(Text(message), refilled(form, values, {field: message}))
        ctx.finish()
        return changed.reply(replace=True)

    @command("add person", "coordinator.help.add_person", usage="EMAIL NAME ROLE")
    def add(ctx: Context, rest: str) -> Reply:
        require_coordinator(ctx, "person.add")
        words = rest.split()
        if len(words) < 3:
            raise InvalidInput("coordinator.person.add_usage", roles=", ".join(r.value for r in Role))
        email, name, role = words[0], " ".join(words[1:-1]), words[-1]
        person = add_person(ctx.uow, ctx.programme, email, name, role, ctx.person, ctx.now())
        return Reply().say(Text(ctx.text("coordinator.person.added", name=person.name, role=role.lower())))


def _relationship(ctx: Context, action: str, raw: str) -> Relationship:
    number = raw.strip().lstrip("#")
    require_coordinator(ctx, action, f"relationship:{number}" if number.isdecimal() else "")
    return find_relationship(ctx.uow, relationship_number(raw))


def rematch_form(ctx: Context, conv: Conversation, rel: Relationship, options: list[GuideOption]) -> Form:
    learner = rel.learners()[0] if rel.learners() else None
    return Form(
        form_id="rematch",
        title=ctx.text("coordinator.rematch.form_title", number=rel.id),
        intro=ctx.text(
            "coordinator.rematch.intro",
            number=rel.id,
            learner=learner.name if learner else "-",
            kind=rel.kind,
        ),
        inputs=(
            Input(
                "guide",
                ctx.text("coordinator.rematch.field.guide"),
                InputKind.CHOICE,
                options=tuple(
                    Option(
                        str(o.person.id),
                        ctx.text(
                            "coordinator.rematch.option",
                            name=o.person.name,
                            learners=o.learners,
                            capacity=o.capacity,
                        ),
                    )
                    for o in options
                ),
            ),
            Input(
                "assesses",
                ctx.text("coordinator.rematch.field.assesses"),
                InputKind.CHOICE,
                value="no",
                options=(
                    Option("no", ctx.text("coordinator.rematch.assesses_no")),
                    Option("yes", ctx.text("coordinator.rematch.assesses_yes")),
                ),
            ),
            long_text(
                ctx,
                "override_reason",
                ctx.text("coordinator.rematch.field.override_reason"),
                required=False,
                hint=ctx.text("coordinator.rematch.override_hint"),
                limit=REASON_LIMIT,
            ),
        ),
        submit_action="rematch.submit",
        submit_label=ctx.text("coordinator.rematch.submit"),
        hidden={"v": str(conv.version)},
    )
