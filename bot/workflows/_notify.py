"""Telling the other members of a relationship: the one loop behind every "X did Y" notice."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable

from bot.messages import Block
from bot.messages import Reply
from bot.model import Person
from bot.model import Relationship


def notify_others(
    reply: Reply,
    rel: Relationship,
    actor_id: int,
    blocks_for: Callable[[Person], Iterable[Block]],
    *,
    kind: str = "notice",
    key: str = "",
) -> Reply:
    """Add to ``reply`` a notice for every current member of ``rel`` but ``actor_id``; ``blocks_for``
    builds each one's message (it gets the reader, for their time zone or their name for the pair)."""
    for person in rel.others(actor_id):
        assert person.id is not None  # members are loaded people
        reply.notify(person.id, *blocks_for(person), kind=kind, key=key)
    return reply


def same_for_all(*blocks: Block) -> Callable[[Person], tuple[Block, ...]]:
    """``blocks_for`` when every reader gets the same message."""
    return lambda _person: blocks
