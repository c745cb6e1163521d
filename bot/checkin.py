"""The check-in pulse as pure rules: three short scales and Daloz's support/challenge quadrant.

A mentee answers three questions on a scale of 1 (not at all) to 5 (very much): how supported, how
challenged and how safe they feel (domain.md §7).  Support and challenge place them in one of Daloz's
four quadrants.  "High" means 4 or 5: the middle of the scale, 3, counts as low, because a lukewarm
answer is exactly when a gentle suggestion helps most.  Safety is not part of the quadrant; a low
safety answer (1 or 2) gets its own, separate note, since feeling unsafe to speak matters whatever the
balance of support and challenge.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.validation import whole_number

LOWEST = 1
HIGHEST = 5
HIGH_FROM = 4  # a score of 4 or 5 is "high"
LOW_SAFETY_UP_TO = 2  # a safety score of 1 or 2 earns its own note

SCALES: tuple[str, ...] = ("support", "challenge", "safety")


class Quadrant(StrEnum):
    STASIS = "stasis"  # low support, low challenge
    RETREAT = "retreat"  # low support, high challenge
    CONFIRMATION = "confirmation"  # high support, low challenge
    GROWTH = "growth"  # high support, high challenge


def is_high(score: int) -> bool:
    return score >= HIGH_FROM


def quadrant(support: int, challenge: int) -> Quadrant:
    if is_high(support):
        return Quadrant.GROWTH if is_high(challenge) else Quadrant.CONFIRMATION
    return Quadrant.RETREAT if is_high(challenge) else Quadrant.STASIS


def low_safety(safety: int) -> bool:
    return safety <= LOW_SAFETY_UP_TO


@dataclass(frozen=True)
class Pulse:
    support: int
    challenge: int
    safety: int

    @property
    def quadrant(self) -> Quadrant:
        return quadrant(self.support, self.challenge)

    @property
    def low_safety(self) -> bool:
        return low_safety(self.safety)


def read_score(raw: str | None, label: str) -> int:
    """One answer as typed or chosen: a whole number from 1 to 5 (``label`` names it in errors)."""
    return whole_number(raw, label, LOWEST, HIGHEST)


def read_pulse(values: dict[str, str], labels: dict[str, str]) -> Pulse:
    """The three answers of a submitted form, each a whole number from 1 to 5.

    ``labels`` names each scale in the person's words for the error message.
    """
    scores = {scale: read_score(values.get(scale), labels.get(scale, scale)) for scale in SCALES}
    return Pulse(scores["support"], scores["challenge"], scores["safety"])
