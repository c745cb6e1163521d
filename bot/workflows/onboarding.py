"""``welcome`` / ``about #id``: the onboarding message of a relationship, again, whenever wanted."""

from __future__ import annotations

from bot import ground_rules
from bot.context import Context
from bot.messages import Reply
from bot.onboarding import onboarding_message
from bot.routing import Router
from bot.workflows._args import relationship_arg


def register(router: Router) -> None:
    @router.command(
        "welcome",
        "onboarding.help",
        usage="[#relationship]",
        aliases=("about", "onboarding", "intro"),
        group="general",
    )
    def welcome(ctx: Context, rest: str) -> Reply:
        rel = ctx.my_relationship(relationship_arg(rest))
        assert rel.id is not None
        agreed = ground_rules.agreed(ctx.content().ground_rules(rel.id)) is not None
        message = onboarding_message(ctx.programme, rel, ctx.person, rules_agreed=agreed)
        reply = Reply()
        reply.messages.append(message)
        return reply
