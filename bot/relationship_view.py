"""How a relationship is named in messages: always with its kind (domain.md §1), its number and the
other members, so that nobody confuses a coaching relationship with a mentoring one."""

from __future__ import annotations

from collections.abc import Sequence

from bot.model import Membership
from bot.model import Person
from bot.model import Relationship
from bot.model import Side
from bot.programme import ProgrammeConfig


def kind_label(programme: ProgrammeConfig, kind: str) -> str:
    key = f"kind.{kind}.label"
    return programme.text(key) if programme.catalogue.has(key) else kind.capitalize()


def format_label(programme: ProgrammeConfig, fmt: str) -> str:
    key = f"format.{fmt}.label"
    return programme.text(key) if programme.catalogue.has(key) else fmt


def side_word(programme: ProgrammeConfig, relationship: Relationship, membership: Membership) -> str:
    """What a member is called in this relationship: "mentor", "coach", "mentee", "peer"..."""
    side = membership.side if membership.side in (Side.GUIDE, Side.LEARNER, Side.PEER) else Side.PEER
    key = f"view.side.{side}.{relationship.kind}"
    return (
        programme.text(key) if programme.catalogue.has(key) else programme.text(f"view.side.{side}.default")
    )


def join_names(people: Sequence[Person], programme: ProgrammeConfig) -> str:
    names = [p.name for p in people]
    if not names:
        return programme.text("view.nobody")
    if len(names) == 1:
        return names[0]
    return programme.text("view.and", first=", ".join(names[:-1]), last=names[-1])


def title(programme: ProgrammeConfig, relationship: Relationship, viewer_id: int | None) -> str:
    """``Mentoring with Maria Mentor (#3)``"""
    return programme.text(
        "view.title",
        kind=kind_label(programme, relationship.kind),
        others=join_names(relationship.others(viewer_id), programme),
        id=relationship.id,
    )


def person_in(relationship: Relationship, person_id: int | None) -> Person | None:
    """A member, current or former, by id (so a proposal by someone who left can still be named)."""
    for m in relationship.members:
        if m.person_id == person_id or m.person.id == person_id:
            return m.person
    return None


def name_of(relationship: Relationship, person_id: int | None, programme: ProgrammeConfig) -> str:
    person = person_in(relationship, person_id)
    return person.name if person is not None else programme.text("view.someone")
