"""Commands and buttons that act on one relationship.

A typed command names it with a leading ``#number``, or not at all for the person's only one
(``checkin #3``, ``checkin``); a button carries it in its ``r`` value.  Each workflow still decides which
relationships a person may reach (``pick``): its own rule, applied the same way to both.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable

from bot.command_args import split_relationship
from bot.context import Context
from bot.messages import Reply
from bot.model import Relationship
from bot.routing import Router
from bot.workflows._args import only_relationship

RelationshipHandler = Callable[[Context, str | None], Reply]
"""A command's handler once the relationship is read: the ``#3`` without its ``#``, or None."""


def relationship_command(
    router: Router,
    name: str,
    help_key: str,
    *,
    extra_words: str | None,
    aliases: Iterable[str] = (),
    group: str,
    listed_for: Iterable[str] = (),
) -> Callable[[RelationshipHandler], RelationshipHandler]:
    """Register a typed command that takes a relationship and nothing else; help shows its usage as
    ``[#relationship]``, read here.  ``extra_words`` is the error key that answers any other words
    (``{text}``: those words); None passes over them."""

    def register(handler: RelationshipHandler) -> RelationshipHandler:
        def command(ctx: Context, rest: str) -> Reply:
            if extra_words is None:
                return handler(ctx, split_relationship(rest)[0])
            return handler(ctx, only_relationship(rest, extra_words))

        router.command(
            name, help_key, usage="[#relationship]", aliases=aliases, group=group, listed_for=listed_for
        )(command)
        return handler

    return register


def relationship_button(
    router: Router,
    name: str,
    view: Callable[[Context, Relationship], Reply],
    pick: Callable[[Context, str | None], Relationship] = Context.my_relationship,
) -> None:
    """Register the button ``name``, which answers with ``view`` of the relationship in its ``r`` value;
    ``pick`` finds it (by default, one of the person's own that has not ended)."""

    def action(ctx: Context, values: dict[str, str]) -> Reply:
        return view(ctx, pick(ctx, values.get("r") or None))

    router.action(name)(action)
