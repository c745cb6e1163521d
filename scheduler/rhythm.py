"""How often a pair means to meet, read from their own words ("every 4 weeks", "fortnightly").

The ground-rule item ``frequency`` is free text.  When it names a rhythm the scheduler can read, that
rhythm decides when a "time to book your next meeting" nudge is due (and, at twice the rhythm, a stall
alert to the coordinator); otherwise the relationship's ``cadence_days`` (the programme's cadence for its
kind, set at import) does.
"""

from __future__ import annotations

import functools
import re
from datetime import timedelta

from bot.model import GroundRules
from bot.model import Relationship

_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "other": 2,  # every other week
}
_UNIT_DAYS = {"day": 1, "week": 7, "wk": 7, "fortnight": 14, "month": 30, "quarter": 91, "year": 365}
_WORDS = (
    ("twice a week", 3.5),
    ("twice a month", 15),
    ("twice a year", 182),
    ("twice a term", 45),
    ("once a term", 90),
    ("biweekly", 14),
    ("bi-weekly", 14),
    ("fortnightly", 14),
    ("weekly", 7),
    ("monthly", 30),
    ("quarterly", 91),
    ("yearly", 365),
    ("annually", 365),
    ("daily", 1),
)
_EVERY = re.compile(
    r"(?:every|each|once\s+(?:a|an|every|per))\s+(?:(\d+|[a-z]+)\s+)?(day|week|wk|fortnight|month|quarter|year)s?"
)


@functools.lru_cache(maxsize=1024)  # pure, and a plan pass asks it the same few texts for every pair
def parse_frequency(text: str) -> timedelta | None:
    """The first rhythm named in ``text``; None when none can be read."""
    lowered = (text or "").lower()
    match = _EVERY.search(lowered)
    if match is not None:
        count_word, unit = match.group(1), match.group(2)
        if count_word is None:
            count = 1
        elif count_word.isdigit():
            count = int(count_word)
        else:
            count = _NUMBERS.get(count_word, 0)
        if count > 0:
            return timedelta(days=count * _UNIT_DAYS[unit])
    for phrase, days in _WORDS:
        if phrase in lowered:
            return timedelta(days=days)
    return None


def cadence(rules: GroundRules | None, relationship: Relationship) -> timedelta:
    """The rhythm the pair agreed, else the relationship's own cadence (never shorter than a day)."""
    agreed = parse_frequency(rules.items.get("frequency", "")) if rules is not None else None
    found = agreed or timedelta(days=relationship.cadence_days)
    return max(found, timedelta(days=1))
