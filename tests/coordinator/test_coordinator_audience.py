"""Who an announcement is for: role × cohort × stage × phase × relationship kind (pure, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

import pytest

from bot.audience import Audience
from bot.audience import Choices
from bot.audience import describe
from bot.audience import parse_audience
from bot.audience import select_recipients
from bot.errors import InvalidInput
from bot.model import Person


@dataclass(frozen=True)
class Rel:
    kind: str
    phase: str
    status: str = "active"


def person(pid: int, name: str, roles: list[str], cohort: str = "", stage: str = "", **kw: object) -> Person:
    p = Person(email=f"{name.lower()}@example.org", name=name, roles=roles, cohort=cohort, stage=stage, **kw)  # type: ignore[arg-type]
    p.id = pid
    return p


ANA = person(1, "Ana", ["mentee"], "2026", "clinical")
BEN = person(2, "Ben", ["mentee"], "2025", "preclinical")
CAT = person(3, "Cat", ["guide"])
DAN = person(4, "Dan", ["mentee"], "2026", "clinical", active=False)
EVE = person(5, "Eve", ["mentee", "guide"], "2026", "clinical", erased_at=datetime(2026, 1, 1, tzinfo=UTC))
EVERYONE = [ANA, BEN, CAT, DAN, EVE]
RELS = {
    1: [Rel("coaching", "initiation"), Rel("mentoring", "cultivation")],
    2: [Rel("mentoring", "initiation", status="ended")],
    3: [Rel("coaching", "cultivation"), Rel("mentoring", "initiation")],
}
CHOICES = Choices.of_programme(["initiation", "cultivation", "separation", "closure"], EVERYONE)


def names(audience: Audience) -> list[str]:
    return [p.name for p in select_recipients(audience, EVERYONE, RELS)]


def test_choices_come_from_the_programme_and_the_roster_of_active_people() -> None:
    assert CHOICES.roles == ("mentee", "guide", "coordinator")
    assert CHOICES.cohorts == ("2025", "2026")
    assert CHOICES.stages == ("clinical", "preclinical")
    assert CHOICES.kinds == ("mentoring", "coaching", "advising", "sponsorship")


def test_values_in_one_dimension_are_alternatives_and_dimensions_combine() -> None:
    assert names(Audience(roles=frozenset({"mentee", "guide"}))) == ["Ana", "Ben", "Cat"]  # not Dan, not Eve
    assert names(Audience(roles=frozenset({"mentee"}), cohorts=frozenset({"2026"}))) == ["Ana"]
    assert names(Audience(stages=frozenset({"preclinical", "clinical"}))) == ["Ana", "Ben"]


def test_phase_and_kind_hold_together_on_one_relationship_that_has_not_ended() -> None:
    assert names(Audience(kinds=frozenset({"coaching"}), phases=frozenset({"initiation"}))) == ["Ana"]
    assert names(Audience(kinds=frozenset({"mentoring"}), phases=frozenset({"initiation"}))) == ["Cat"]
    assert names(Audience(phases=frozenset({"initiation"}))) == ["Ana", "Cat"]  # Ben's has ended
    assert names(Audience(kinds=frozenset({"advising"}))) == []


def test_parsing_is_forgiving_about_case_and_commas_and_strict_about_unknown_values() -> None:
    audience = parse_audience({"roles": "Mentee, GUIDE", "cohorts": ["2026"], "phases": None}, CHOICES)
    assert audience == Audience(roles=frozenset({"mentee", "guide"}), cohorts=frozenset({"2026"}))
    assert audience.to_dict() == {"roles": ["guide", "mentee"], "cohorts": ["2026"]}
    assert Audience.from_dict(audience.to_dict()) == audience
    assert describe(audience) == "role: guide, mentee; cohort: 2026"

    with pytest.raises(InvalidInput) as unknown:
        parse_audience({"kinds": "tutoring"}, CHOICES)
    assert unknown.value.key == "coordinator.audience.unknown_value"
    assert unknown.value.values["dimension"] == "kind"
    assert unknown.value.values["choices"] == "mentoring, coaching, advising, sponsorship"

    with pytest.raises(InvalidInput) as empty:
        parse_audience({"roles": " , ", "cohorts": ""}, CHOICES)
    assert empty.value.key == "coordinator.audience.unspecified"
