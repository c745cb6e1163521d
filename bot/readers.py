"""Who reads a message: the reader's side in a relationship, its kind and format (domain.md §1, §3).

The catalogue keeps one text per key and, where a reader needs other words, *reader variants* beside it:
``<key>@<qualifier>``, where the qualifier names a side (``guide``, ``learner``, ``peer``), a kind
(``sponsorship``...), a format (``group``...), ``assessor`` (a match approved although the guide assesses
the learner), or a side and one of the others joined by ``+`` (``guide+sponsorship``).  In YAML::

    non_evaluative: "Your guide is not here to judge you ..."      # learners, and the default
    non_evaluative@guide: "You are here to support, not to assess ..."
    non_evaluative@learner+assessor: "Your guide also assesses you elsewhere ..."

:meth:`Reader.qualifiers` gives the order in which variants are tried, most specific first; the bare
key is the last resort.  Workflows ask for ``ctx.text_for(key, reader)`` and never branch on the reader
themselves, so what each reader is told lives in the catalogue alone.

:data:`AUDIENCE` says which texts are addressed to only one side (a guide's reflection prompt, a
mentee's check-in nudge); every other text may reach anyone, which is what the render-every-message
test checks against :data:`WRONG_READER_PHRASES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from bot.model import Format
from bot.model import Kind
from bot.model import Relationship
from bot.model import Side

ASSESSOR = "assessor"
SIDES: tuple[str, ...] = tuple(s.value for s in Side)
KINDS: tuple[str, ...] = tuple(k.value for k in Kind)
FORMATS: tuple[str, ...] = tuple(f.value for f in Format)
# every word a qualifier may use (sides first: "peer" is both a side and a format)
FACETS: frozenset[str] = frozenset((*SIDES, *KINDS, *FORMATS, ASSESSOR))


@dataclass(frozen=True)
class Reader:
    """The person a text is composed for, as far as the words depend on it."""

    side: str
    kind: str = ""
    format: str = ""
    assessor: bool = False  # an approved assessor-conflict match: the guide does assess this learner

    def qualifiers(self) -> tuple[str, ...]:
        """Variant qualifiers to try, most specific first."""
        out: list[str] = []
        if self.assessor:
            out += [f"{self.side}+{ASSESSOR}", ASSESSOR]
        out += [f"{self.side}+{facet}" for facet in (self.kind, self.format) if facet]
        out.append(self.side)
        out += [facet for facet in (self.kind, self.format) if facet]
        return tuple(dict.fromkeys(out))


def reader_of(relationship: Relationship, person_id: int | None) -> Reader:
    """``person_id`` as a reader of texts about ``relationship``.

    Everyone in a peer or near-peer relationship is read as a peer, whatever side the roster gave them:
    those relationships have no hierarchy (domain.md §3).
    """
    member = relationship.member(person_id)
    side = member.side if member is not None else Side.LEARNER
    if relationship.format in (Format.PEER, Format.NEAR_PEER) or side not in SIDES:
        side = Side.PEER
    return Reader(
        side=str(side),
        kind=relationship.kind,
        format=relationship.format,
        assessor=relationship.assessor_conflict and side != Side.PEER,
    )


def split_variant(key: str) -> tuple[str, str | None]:
    """``"a.b@guide"`` -> ``("a.b", "guide")``; a key without ``@`` has no qualifier."""
    base, sep, qualifier = key.partition("@")
    return (base, qualifier) if sep else (key, None)


def qualifier_problem(qualifier: str) -> str | None:
    """Why ``qualifier`` is not a valid reader qualifier, or None."""
    parts = qualifier.split("+")
    unknown = [p for p in parts if p not in FACETS]
    if unknown:
        return f"unknown reader {unknown[0]!r} after @ (use a side, kind or format, e.g. @guide)"
    if len(parts) > 2 or (len(parts) == 2 and parts[0] not in SIDES):
        return "a reader variant is @side, @kind, @format or @side+other (e.g. @guide+sponsorship)"
    return None


# Texts addressed to one side only (globs over catalogue keys). Everything else may reach any member.
AUDIENCE: dict[str, frozenset[str]] = {
    "mentor_prompt.*": frozenset({"guide"}),
    "nudge.digest.*": frozenset({"guide"}),
    "checkin.quadrant.*.guide_prompt": frozenset({"guide"}),
    "followup.plan.guide": frozenset({"guide"}),
    "home.guide_title": frozenset({"guide"}),
    "help.role.guide": frozenset({"guide"}),
    "help.topic.guide*": frozenset({"guide"}),
    "actions.help.comment": frozenset({"guide"}),
    "actions.plan_by_mentee": frozenset({"guide"}),
    "checkin.quadrant.*.mentee": frozenset({"learner", "peer"}),
    "checkin.low_safety": frozenset({"learner", "peer"}),
    "checkin.help.share": frozenset({"learner", "peer"}),
    "nudge.checkin.*": frozenset({"learner", "peer"}),
    "agenda.prompt.*": frozenset({"learner", "peer"}),
    "agenda.first_prompt.*": frozenset({"learner", "peer"}),
    "help.role.mentee": frozenset({"learner"}),  # shown by programme role
    "network.*": frozenset({"learner", "peer"}),
    "nudge.network.*": frozenset({"learner", "peer"}),
    "settings.kind.network_tip": frozenset({"learner", "peer"}),
    "overview.next.add_agenda": frozenset({"learner", "peer"}),
    "goals.welcome*": frozenset({"learner", "peer"}),
    # not addressed to a member of a relationship at all
    "coordinator.*": frozenset(),
    "roster.*": frozenset(),
    "nudge.stall.*": frozenset(),
    "slack.*": frozenset(),
    "teams.*": frozenset(),
    "help.role.peer": frozenset({"peer"}),
    "help.role.coordinator": frozenset(),
    "help.group.coordinator": frozenset(),
}


# Texts about one kind of relationship, read only by members of that kind ({kind} is the kind).
KIND_SCOPED: tuple[str, ...] = ("mentor_prompt.{kind}.*", "kind.{kind}.what_it_is*")


def audience(key: str) -> frozenset[str]:
    """The sides ``key`` may be sent to (its base key decides)."""
    base, _ = split_variant(key)
    for pattern, sides in AUDIENCE.items():
        if fnmatchcase(base, pattern):
            return sides
    return frozenset(SIDES)


def reaches(key: str, reader: Reader) -> bool:
    """Whether ``key`` may be sent to ``reader`` at all: the right side, and the right kind."""
    if reader.side not in audience(key):
        return False
    base, _ = split_variant(key)
    for pattern in KIND_SCOPED:
        for kind in KINDS:
            if fnmatchcase(base, pattern.format(kind=kind)):
                return kind == reader.kind
    return True


# Phrases that tell a reader they are on the wrong end of a message. Lower case; matched as whole words.
WRONG_READER_PHRASES: dict[str, tuple[str, ...]] = {
    "guide": (
        "your mentor",
        "your guide",
        "your coach",
        "your sponsor",
        "your advisor",
        "judge you",
        "grade you",
        "assess you",
        "as a mentee",
        "how have you grown",
    ),
    "learner": (
        "your mentee",
        "your advisee",
        "your learners",
        "the person you coach",
        "the person you sponsor",
        "grade your mentee",
        "as a guide",
    ),
    "peer": (
        "your mentee",
        "your mentor",
        "your guide",
        "your learners",
        "as a guide",
        "as a mentee",
        "the mentee books",
        "grade your",
    ),
}

# Phrases wrong for a kind of relationship, whoever reads them (domain.md §1).
WRONG_KIND_PHRASES: dict[str, tuple[str, ...]] = {
    "sponsorship": ("write references", "grade your mentee", "your mentee"),
    "advising": ("grade your mentee", "your mentee", "professional identity"),
    "coaching": ("grade your mentee",),
}

# ... and for a learner whose guide does assess them (an approved assessor-conflict match).
ASSESSED_LEARNER_PHRASES: tuple[str, ...] = ("does not grade you", "do not assess or grade you")


def wrong_phrases(text: str, reader: Reader) -> list[str]:
    """The phrases in ``text`` that should not reach ``reader``."""
    lowered = " ".join(text.lower().split())
    phrases = [*WRONG_READER_PHRASES.get(reader.side, ()), *WRONG_KIND_PHRASES.get(reader.kind, ())]
    if reader.assessor and reader.side == Side.LEARNER:
        phrases += ASSESSED_LEARNER_PHRASES
    return [p for p in phrases if re.search(rf"\b{re.escape(p)}\b", lowered)]
