"""Daloz's quadrants from the check-in scales, and the separate note on safety."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.checkin import Pulse
from bot.checkin import Quadrant
from bot.checkin import low_safety
from bot.checkin import quadrant
from bot.checkin import read_pulse
from bot.errors import InvalidInput

LABELS = {"support": "support", "challenge": "challenge", "safety": "safety"}
scores = st.integers(min_value=1, max_value=5)


@pytest.mark.parametrize(
    ("support", "challenge", "expected"),
    [
        (1, 1, Quadrant.STASIS),
        (3, 3, Quadrant.STASIS),  # the middle of the scale counts as low
        (2, 5, Quadrant.RETREAT),
        (3, 4, Quadrant.RETREAT),
        (5, 2, Quadrant.CONFIRMATION),
        (4, 3, Quadrant.CONFIRMATION),
        (4, 4, Quadrant.GROWTH),
        (5, 5, Quadrant.GROWTH),
    ],
)
def test_quadrants(support: int, challenge: int, expected: Quadrant) -> None:
    assert quadrant(support, challenge) == expected


@given(scores, scores)
def test_more_support_never_moves_away_from_the_supported_side(support: int, challenge: int) -> None:
    before = quadrant(support, challenge)
    after = quadrant(min(5, support + 1), challenge)
    supported = {Quadrant.CONFIRMATION, Quadrant.GROWTH}
    assert before not in supported or after in supported


def test_low_safety_is_one_or_two() -> None:
    assert [s for s in range(1, 6) if low_safety(s)] == [1, 2]


def test_a_form_is_read_into_a_pulse() -> None:
    pulse = read_pulse({"support": "4", "challenge": " 2 ", "safety": "1"}, LABELS)
    assert pulse == Pulse(4, 2, 1)
    assert pulse.quadrant == Quadrant.CONFIRMATION and pulse.low_safety


@pytest.mark.parametrize("bad", ["0", "6", "", "three", "2.5"])
def test_answers_outside_the_scale_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput) as err:
        read_pulse({"support": bad, "challenge": "3", "safety": "3"}, LABELS)
    assert err.value.values == {"field": "support", "low": 1, "high": 5}
