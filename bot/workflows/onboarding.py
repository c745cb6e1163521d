"""``welcome`` / ``about #id``: the onboarding message of a relationship, again, whenever wanted.

The welcome is short; ``welcome more`` (or its "More about this" button) shows the rest."""

from __future__ import annotations

from bot import ground_rules
from bot.context import Context
from bot.messages import Reply
from bot.onboarding import MORE_ACTION
from bot.onboarding import onboarding_message
from bot.onboarding import onboarding_more
from bot.routing import Router
from bot.workflows._args import relationship_arg


def register(router: Router) -> None:
    @router.command(
        "welcome",
        "onboarding.help",
        usage="[more] [#relationship]",
        aliases=("about", "onboarding", "intro"),
        group="general",
    )
    def welcome(ctx: Context, rest: str) -> Reply:
        first, _, after = rest.strip().partition(" ")
        if first.lower() == "more":  # the typed twin of the "More about this" button
            return _more(ctx, relationship_arg(after))
        rel = ctx.my_relationship(relationship_arg(rest))
        assert rel.id is not None
        agreed = ground_rules.agreed(ctx.content().ground_rules(rel.id)) is not None
        message = onboarding_message(ctx.programme, rel, ctx.person, rules_agreed=agreed)
        reply = Reply()
        reply.messages.append(message)
        return reply

    @router.action(MORE_ACTION)
    def more(ctx: Context, values: dict[str, str]) -> Reply:
        return _more(ctx, values.get("r"))


def _more(ctx: Context, ref: str | None) -> Reply:
    rel = ctx.my_relationship(ref)
    reply = Reply()
    reply.messages.append(onboarding_more(ctx.programme, rel, ctx.person))
    return reply
