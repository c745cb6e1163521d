"""Who an announcement is for: role × cohort × stage × phase × relationship kind.

Each dimension left empty means "any"; values within one dimension are alternatives (mentee *or* guide);
dimensions combine (mentees *and* in cohort 2026). Phase and kind are properties of a relationship, so
they must hold together on one of the person's relationships that has not ended: "coaching in
initiation" means a coaching relationship that is in initiation, not any coaching plus any initiation.

This module is pure: it is given people and their relationships and says who matches. People may be
domain objects or the roster's facts (``bot.activity.PersonFacts``): a large programme's audience is
chosen from the facts, without loading every person.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from typing import TypeVar

from bot.errors import InvalidInput
from bot.model import Kind
from bot.model import RelationshipStatus
from bot.model import Role

DIMENSIONS: tuple[str, ...] = ("roles", "cohorts", "stages", "phases", "kinds")


class RelationshipShape(Protocol):
    """What audience matching needs to know of a relationship (``Relationship`` and the activity facts
    both have it)."""

    @property
    def kind(self) -> str: ...
    @property
    def phase(self) -> str: ...
    @property
    def status(self) -> str: ...


class PersonShape(Protocol):
    """What audience matching needs to know of a person (``Person`` and ``PersonFacts`` both have it)."""

    @property
    def id(self) -> int | None: ...
    @property
    def roles(self) -> Sequence[str]: ...
    @property
    def cohort(self) -> str: ...
    @property
    def stage(self) -> str: ...
    @property
    def in_programme(self) -> bool: ...


P = TypeVar("P", bound=PersonShape)


@dataclass(frozen=True)
class Audience:
    roles: frozenset[str] = frozenset()
    cohorts: frozenset[str] = frozenset()
    stages: frozenset[str] = frozenset()
    phases: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not any(self.values(d) for d in DIMENSIONS)

    def values(self, dimension: str) -> frozenset[str]:
        value: frozenset[str] = getattr(self, dimension)
        return value

    @property
    def needs_relationship(self) -> bool:
        return bool(self.phases or self.kinds)

    def to_dict(self) -> dict[str, list[str]]:
        """The stored form (``Announcement.audience``): only the dimensions that were chosen."""
        return {d: sorted(self.values(d)) for d in DIMENSIONS if self.values(d)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Iterable[str]]) -> Audience:
        return cls(**{d: frozenset(str(v) for v in data.get(d, ())) for d in DIMENSIONS})

    def matches(self, person: PersonShape, relationships: Iterable[RelationshipShape]) -> bool:
        """Whether ``person`` belongs to this audience, given the relationships they are a member of."""
        if not person.in_programme:
            return False
        if self.roles and not self.roles.intersection(person.roles):
            return False
        if self.cohorts and person.cohort not in self.cohorts:
            return False
        if self.stages and person.stage not in self.stages:
            return False
        if not self.needs_relationship:
            return True
        return any(
            r.status != RelationshipStatus.ENDED
            and (not self.phases or r.phase in self.phases)
            and (not self.kinds or r.kind in self.kinds)
            for r in relationships
        )


@dataclass(frozen=True)
class Choices:
    """The values each dimension may take in this programme (cohorts and stages come from the roster)."""

    roles: tuple[str, ...]
    cohorts: tuple[str, ...]
    stages: tuple[str, ...]
    phases: tuple[str, ...]
    kinds: tuple[str, ...]

    def of(self, dimension: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, dimension)
        return value

    @classmethod
    def of_programme(cls, phases: Sequence[str], people: Iterable[PersonShape]) -> Choices:
        everyone = [p for p in people if p.in_programme]
        return cls(
            roles=tuple(r.value for r in Role),
            cohorts=tuple(sorted({p.cohort for p in everyone if p.cohort})),
            stages=tuple(sorted({p.stage for p in everyone if p.stage})),
            phases=tuple(phases),
            kinds=tuple(k.value for k in Kind),
        )


# the singular a person would use, for messages
DIMENSION_WORD = {"roles": "role", "cohorts": "cohort", "stages": "stage", "phases": "phase", "kinds": "kind"}


def split_values(raw: str | Iterable[str] | None) -> list[str]:
    """``"mentee, guide"`` or ``["mentee", "guide"]`` -> ``["mentee", "guide"]`` (blanks dropped)."""
    if raw is None:
        return []
    parts = raw.split(",") if isinstance(raw, str) else [p for item in raw for p in str(item).split(",")]
    return [p.strip() for p in parts if p.strip()]


def parse_audience(raw: Mapping[str, str | Iterable[str] | None], choices: Choices) -> Audience:
    """An audience from what a coordinator typed or chose, each value checked against ``choices``.

    Roles, phases and kinds are matched case-insensitively ("Mentee" is "mentee"); cohorts and stages
    exactly as the roster spells them, or case-insensitively when that is unambiguous. An unknown
    value is refused with the values that exist; an audience with nothing chosen is refused
    (``coordinator.audience.unspecified``), so nobody sends to the whole programme by accident.
    """
    chosen: dict[str, frozenset[str]] = {}
    for dimension in DIMENSIONS:
        allowed = choices.of(dimension)
        by_lower: dict[str, list[str]] = {}
        for value in allowed:
            by_lower.setdefault(value.lower(), []).append(value)
        picked: set[str] = set()
        for value in split_values(raw.get(dimension)):
            if value in allowed:
                picked.add(value)
                continue
            same = by_lower.get(value.lower(), [])
            if len(same) == 1:
                picked.add(same[0])
                continue
            raise InvalidInput(
                "coordinator.audience.unknown_value",
                value=value[:60],
                dimension=DIMENSION_WORD[dimension],
                choices=", ".join(allowed) if allowed else "(none in the roster yet)",
            )
        chosen[dimension] = frozenset(picked)
    audience = Audience(**chosen)
    if audience.is_empty:
        raise InvalidInput("coordinator.audience.unspecified")
    return audience


def select_recipients(
    audience: Audience,
    people: Iterable[P],
    relationships_of: Mapping[int, Sequence[RelationshipShape]],
) -> list[P]:
    """Everyone in ``audience``, each once, in a stable order (by id)."""
    seen: set[int] = set()
    out: list[P] = []
    for person in sorted(people, key=lambda p: p.id or 0):
        if person.id is None or person.id in seen:
            continue
        if audience.matches(person, relationships_of.get(person.id, ())):
            seen.add(person.id)
            out.append(person)
    return out


def describe(audience: Audience, word: Callable[[str], str] | None = None) -> str:
    """``role: mentee; cohort: 2026`` -- the audience in a line, for previews and the audit log.

    ``word(dimension)`` names a dimension in the reader's words (a catalogue text); plain English
    singulars by default.
    """
    name = word or DIMENSION_WORD.__getitem__
    parts = [f"{name(d)}: {', '.join(sorted(audience.values(d)))}" for d in DIMENSIONS if audience.values(d)]
    return "; ".join(parts)
