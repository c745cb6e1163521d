"""A person's mentoring network ("mosaic", domain.md §1) as pure rules.

The network is derived from two sources: the person's relationships in the programme (their guides,
under each relationship's kind, and their peers) and the entries they add themselves for people
outside the programme.  A *gap* is a kind of guidance with nobody in it; the person is encouraged to
make one concrete ask to fill one gap.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from bot.errors import InvalidInput
from bot.model import Format
from bot.model import Kind
from bot.model import NetworkEntry
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.model import Side

PEER = "peer"
NETWORK_KINDS: tuple[str, ...] = (*(k.value for k in Kind), PEER)

_ALIASES = {
    "mentor": Kind.MENTORING.value,
    "mentors": Kind.MENTORING.value,
    "coach": Kind.COACHING.value,
    "coaches": Kind.COACHING.value,
    "advisor": Kind.ADVISING.value,
    "adviser": Kind.ADVISING.value,
    "advisors": Kind.ADVISING.value,
    "advice": Kind.ADVISING.value,
    "sponsor": Kind.SPONSORSHIP.value,
    "sponsors": Kind.SPONSORSHIP.value,
    "peers": PEER,
}

PEER_FORMATS = frozenset({Format.PEER.value, Format.NEAR_PEER.value})


@dataclass(frozen=True)
class Guide:
    """One person in the network. ``entry_id`` is set for entries the person added themselves;
    ``relationship_id`` for people who come from a relationship in the programme."""

    kind: str
    name: str
    entry_id: int | None = None
    relationship_id: int | None = None

    @property
    def in_programme(self) -> bool:
        return self.relationship_id is not None


def parse_kind(raw: str) -> str:
    """A kind of guidance as a person types it (``mentor``, ``coaching``, ``peers``...)."""
    word = raw.strip().lower()
    if word in NETWORK_KINDS:
        return word
    if word in _ALIASES:
        return _ALIASES[word]
    close = difflib.get_close_matches(word, [*NETWORK_KINDS, *_ALIASES], n=1, cutoff=0.6)
    suggestion = _ALIASES.get(close[0], close[0]) if close else ""
    raise InvalidInput(
        "network.error.kind",
        value=word[:40],
        kinds=", ".join(NETWORK_KINDS),
        suggestion=suggestion or NETWORK_KINDS[0],
    )


def from_relationships(person_id: int, relationships: Iterable[Relationship]) -> list[Guide]:
    """Who guides ``person_id`` in the programme: the guides of each relationship where they learn,
    under its kind, and the other members of peer relationships (and fellow learners in a group)."""
    found: list[Guide] = []
    for rel in relationships:
        if rel.status == RelationshipStatus.ENDED:
            continue
        me = rel.member(person_id)
        if me is None or me.side == Side.GUIDE:
            continue
        peer_like = rel.format in PEER_FORMATS or me.side == Side.PEER
        for m in rel.current_members():
            if m.person.id == person_id:
                continue
            if m.side == Side.GUIDE and not peer_like:
                found.append(Guide(rel.kind, m.person.name, relationship_id=rel.id))
            else:
                found.append(Guide(PEER, m.person.name, relationship_id=rel.id))
    return found


def network_map(
    person_id: int, relationships: Iterable[Relationship], entries: Iterable[NetworkEntry]
) -> dict[str, list[Guide]]:
    """Every kind (in :data:`NETWORK_KINDS` order) with the people in it; empty lists are gaps."""
    by_kind: dict[str, list[Guide]] = {kind: [] for kind in NETWORK_KINDS}
    for guide in from_relationships(person_id, relationships):
        by_kind.setdefault(guide.kind, []).append(guide)
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(Guide(entry.kind, entry.guide_name, entry_id=entry.id))
    return by_kind


def gaps(by_kind: dict[str, list[Guide]]) -> list[str]:
    return [kind for kind in NETWORK_KINDS if not by_kind.get(kind)]


def added_entries(entries: Iterable[NetworkEntry]) -> list[NetworkEntry]:
    """The person's own entries in the order ``network`` numbers them (``network remove N``)."""
    return sorted(
        entries, key=lambda e: (NETWORK_KINDS.index(e.kind) if e.kind in NETWORK_KINDS else 99, e.id or 0)
    )
