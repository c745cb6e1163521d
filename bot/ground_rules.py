"""Ground rules (the mentoring agreement, domain.md §5) as pure rules over stored versions.

Every change is a new *version*: one member proposes it, each of the other current members confirms it
(or counters with a proposal of their own, which supersedes it), and it is *agreed* once every current
member has confirmed.  The previously agreed version then becomes *superseded*; nothing is deleted, so
the history of what a pair agreed stays readable by its members.

The accessors at the bottom (:func:`who_schedules`, :func:`agenda_lead`, :func:`cancellation_notice`)
answer the questions the scheduler and the meetings workflow ask, from the pair's agreed version when
there is one and from the programme's defaults otherwise.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from bot.durations import parse_duration
from bot.errors import InvalidInput
from bot.errors import StaleAction
from bot.model import AgreementStatus
from bot.model import GroundRuleConfirmation
from bot.model import GroundRules
from bot.model import Person
from bot.model import Relationship
from bot.programme import DEFAULT_GROUND_RULES
from bot.programme import GROUND_RULE_KEYS
from bot.programme import ProgrammeConfig

ITEM_KEYS: tuple[str, ...] = GROUND_RULE_KEYS
DURATION_ITEMS: tuple[str, ...] = ("agenda_lead_time", "cancellation_notice")
WHO_SCHEDULES_CHOICES: tuple[str, ...] = ("mentee", "guide", "either")

_WHO_ALIASES = {
    "mentee": "mentee",
    "learner": "mentee",
    "guide": "guide",
    "mentor": "guide",
    "coach": "guide",
    "advisor": "guide",
    "sponsor": "guide",
    "either": "either",
    "both": "either",
    "any": "either",
    "anyone": "either",
}


@dataclass(frozen=True)
class Change:
    """One item that differs between two versions. ``before`` is "" for an item that was not set."""

    key: str
    before: str
    after: str


# -- reading versions -----------------------------------------------------------------------------


def default_items(programme: ProgrammeConfig) -> dict[str, str]:
    """The programme's suggested answers, one per item, in the order of domain.md §5."""
    return {
        key: programme.ground_rule_defaults.get(key, DEFAULT_GROUND_RULES.get(key, "")) for key in ITEM_KEYS
    }


def agreed(versions: Sequence[GroundRules]) -> GroundRules | None:
    """The version in force: the latest agreed one (None before the pair has agreed any)."""
    found = [v for v in versions if v.status == AgreementStatus.AGREED]
    return max(found, key=lambda v: v.version) if found else None


def pending(versions: Sequence[GroundRules]) -> GroundRules | None:
    """The proposal waiting for confirmations, if any (there is at most one)."""
    found = [v for v in versions if v.status == AgreementStatus.PROPOSED]
    return max(found, key=lambda v: v.version) if found else None


def starting_point(versions: Sequence[GroundRules], programme: ProgrammeConfig) -> dict[str, str]:
    """What a new proposal form is pre-filled with: the pending proposal, else the agreed version,
    else the programme's defaults (items missing from an older version take the default)."""
    base = pending(versions) or agreed(versions)
    items = default_items(programme)
    if base is not None:
        items.update({k: v for k, v in base.items.items() if k in items})
    return items


def waiting_for(rules: GroundRules, relationship: Relationship) -> list[Person]:
    """Current members who have not confirmed ``rules`` yet."""
    return [m.person for m in relationship.current_members() if not rules.confirmed_by(_id(m.person))]


def diff(before: Mapping[str, str] | None, after: Mapping[str, str]) -> list[Change]:
    """Items whose answer differs, in item order."""
    old = dict(before or {})
    keys = [k for k in ITEM_KEYS if k in old or k in after]
    keys += sorted(k for k in {*old, *after} if k not in ITEM_KEYS)
    return [Change(k, old.get(k, ""), after.get(k, "")) for k in keys if old.get(k, "") != after.get(k, "")]


# -- checking answers -----------------------------------------------------------------------------


def check_item(key: str, raw: str | None, programme: ProgrammeConfig) -> str:
    """One answer as it will be stored, or ``InvalidInput`` saying what is wrong with it.

    Every item needs an answer within the programme's text limit; the two durations must read as
    durations ("24h", "2d"); who schedules must be the mentee, the guide or either.
    """
    label = programme.text(f"ground_rules.item.{key}.label")
    value = (raw or "").strip()
    if not value:
        raise InvalidInput("rules.error.empty", item=label)
    if len(value) > programme.max_text_length:
        raise InvalidInput("error.too_long", field=label, limit=programme.max_text_length)
    if key in DURATION_ITEMS:
        try:
            parse_duration(value)
        except ValueError:
            raise InvalidInput("rules.error.duration", item=label, value=value[:40]) from None
    if key == "who_schedules":
        normalised = _WHO_ALIASES.get(value.lower())
        if normalised is None:
            raise InvalidInput("rules.error.who_schedules", item=label, value=value[:40])
        value = normalised
    return value


# -- changing versions ----------------------------------------------------------------------------


def propose(
    versions: Sequence[GroundRules],
    relationship: Relationship,
    items: Mapping[str, str],
    proposer_id: int,
    now: datetime,
) -> GroundRules:
    """A new version proposed by ``proposer_id``, who thereby confirms it.

    An earlier pending proposal is superseded (a counter-proposal is just a proposal made while another
    is pending).  A proposal identical to the agreed version changes nothing and is refused.
    """
    current = agreed(versions)
    if current is not None and not diff(current.items, items):
        raise InvalidInput("rules.error.no_change", version=current.version)
    waiting = pending(versions)
    if waiting is not None and waiting.proposed_by != proposer_id and not diff(waiting.items, items):
        raise InvalidInput("rules.error.same_as_pending", version=waiting.version)
    if waiting is not None:
        waiting.status = AgreementStatus.SUPERSEDED
    rules = GroundRules(
        relationship_id=_id(relationship),
        version=max((v.version for v in versions), default=0) + 1,
        items=dict(items),
        proposed_by=proposer_id,
        proposed_at=now,
    )
    _confirm(rules, proposer_id, now)
    _settle(rules, versions, relationship, now)
    return rules


def confirm(
    versions: Sequence[GroundRules],
    rules: GroundRules,
    relationship: Relationship,
    person_id: int,
    now: datetime,
) -> bool:
    """``person_id`` confirms ``rules``; True when that made them agreed.

    Confirming a version that is no longer pending, or confirming twice, is a stale action.
    """
    if rules.status != AgreementStatus.PROPOSED or rules.confirmed_by(person_id):
        raise StaleAction()
    _confirm(rules, person_id, now)
    return _settle(rules, versions, relationship, now)


def withdraw(rules: GroundRules, person_id: int) -> None:
    """The proposer takes back a pending proposal; the agreed version stays in force."""
    if rules.status != AgreementStatus.PROPOSED:
        raise StaleAction()
    if rules.proposed_by != person_id:
        raise InvalidInput("rules.error.not_yours")
    rules.status = AgreementStatus.WITHDRAWN


def _confirm(rules: GroundRules, person_id: int, now: datetime) -> None:
    rules.confirmations.append(GroundRuleConfirmation(person_id=person_id, at=now))


def _settle(
    rules: GroundRules, versions: Iterable[GroundRules], relationship: Relationship, now: datetime
) -> bool:
    """Mark ``rules`` agreed once every current member has confirmed it."""
    if waiting_for(rules, relationship):
        return False
    for v in versions:
        if v is not rules and v.status == AgreementStatus.AGREED:
            v.status = AgreementStatus.SUPERSEDED
    rules.status = AgreementStatus.AGREED
    rules.agreed_at = now
    return True


# -- what the rest of the bot asks ----------------------------------------------------------------


def who_schedules(rules: GroundRules | None, programme: ProgrammeConfig) -> str:
    """``mentee``, ``guide`` or ``either``: who is responsible for booking meetings."""
    return _who(rules, programme, "who_schedules")


def who_sets_agenda(rules: GroundRules | None, programme: ProgrammeConfig) -> str:
    """``mentee``, ``guide`` or ``either``: who prepares the agenda (free text falls back to the mentee)."""
    return _who(rules, programme, "who_sets_agenda")


def _who(rules: GroundRules | None, programme: ProgrammeConfig, item: str) -> str:
    return side_answered(rules.items if rules else {}, programme, item)


def side_answered(items: Mapping[str, str], programme: ProgrammeConfig, item: str) -> str:
    """The side named by the ``item`` answer: the pair's own (``items``), else the programme's default,
    when either names a side (:func:`side_named`); the mentee otherwise."""
    for source in (items, programme.ground_rule_defaults):
        found = side_named(str(source.get(item, "")))
        if found:
            return found
    return "mentee"


_BOTH_WORDS = frozenset({"both", "either", "all", "everyone", "together", "shared", "any", "anyone", "each"})
_GUIDE_WORDS = frozenset({"guide", "mentor", "coach", "advisor", "adviser", "sponsor"})
_LEARNER_WORDS = frozenset({"mentee", "learner", "advisee", "coachee", "student", "me"})


def side_named(answer: str) -> str | None:
    """``mentee``, ``guide`` or ``either``, read from a ground-rule answer the pair may have written in
    their own words ("the mentor, at first", "both of us"); None when it names no side.

    The one reading of such an answer: who may edit the agenda (:func:`bot.agenda.agenda_setters`) and
    whom "what's next" tells to prepare it must never disagree.
    """
    words = set("".join(c if c.isalpha() else " " for c in answer.lower()).split())
    guide = bool(words & _GUIDE_WORDS)
    learner = bool(words & _LEARNER_WORDS)
    if words & _BOTH_WORDS or (guide and learner):
        return "either"
    if guide:
        return "guide"
    if learner:
        return "mentee"
    return None


def agenda_lead(rules: GroundRules | None, programme: ProgrammeConfig) -> timedelta:
    """How long before a meeting the agenda should reach the guide."""
    return _duration_item(rules, "agenda_lead_time") or programme.agenda_lead


def cancellation_notice(rules: GroundRules | None, programme: ProgrammeConfig) -> timedelta:
    """How much notice cancelling or moving a meeting needs."""
    return (
        _duration_item(rules, "cancellation_notice")
        or _duration_text(programme.ground_rule_defaults.get("cancellation_notice", ""))
        or timedelta(hours=24)
    )


def responsible_for_scheduling(
    rules: GroundRules | None, programme: ProgrammeConfig, relationship: Relationship
) -> list[Person]:
    """The members the scheduling reminder goes to (all of them for ``either`` or a peer relationship)."""
    who = who_schedules(rules, programme)
    guides, learners = relationship.guides(), relationship.learners()
    if who == "guide" and guides:
        return guides
    if who == "mentee" and learners:
        return learners
    return [m.person for m in relationship.current_members()]


# -- the review the pair agreed ("every 2 months") ------------------------------------------------


@dataclass(frozen=True)
class ReviewPeriod:
    """How often a pair reviews its agreement: calendar months plus days ("every 2 months" is
    ``months=2``, so a pair that agreed on 15 January is reminded on 15 March, 15 May...)."""

    months: int = 0
    days: int = 0

    def after(self, anchor: datetime, n: int) -> datetime:
        """The ``n``-th review after ``anchor`` (a month-end day is clamped: 31 Jan + 1 month = 28 Feb)."""
        month0 = anchor.month - 1 + n * self.months
        year, month = anchor.year + month0 // 12, month0 % 12 + 1
        day = min(anchor.day, calendar.monthrange(year, month)[1])
        return anchor.replace(year=year, month=month, day=day) + timedelta(days=n * self.days)


_REVIEW_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "other": 2, "few": 3, "couple": 2,
}  # fmt: skip
_REVIEW_UNITS = {  # unit -> (months, days)
    "day": (0, 1), "week": (0, 7), "wk": (0, 7), "fortnight": (0, 14), "month": (1, 0), "mo": (1, 0),
    "quarter": (3, 0), "term": (4, 0), "semester": (6, 0), "year": (12, 0), "yr": (12, 0),
}  # fmt: skip
_REVIEW_FIRST = (  # checked before "N units", which would misread them
    ("half-yearly", (6, 0)), ("half yearly", (6, 0)), ("half a year", (6, 0)), ("half year", (6, 0)),
    ("twice a year", (6, 0)), ("twice per year", (6, 0)), ("twice a month", (0, 15)),
    ("twice a term", (2, 0)), ("couple of months", (2, 0)), ("couple of weeks", (0, 14)),
    ("bi-monthly", (2, 0)), ("bimonthly", (2, 0)), ("bi-weekly", (0, 14)), ("biweekly", (0, 14)),
    ("bi-annually", (6, 0)), ("biannually", (6, 0)), ("semi-annually", (6, 0)),
)  # fmt: skip
_REVIEW_WORDS = (  # checked after "N units": the first that appears wins
    ("fortnightly", (0, 14)), ("weekly", (0, 7)), ("monthly", (1, 0)), ("quarterly", (3, 0)),
    ("termly", (4, 0)), ("yearly", (12, 0)), ("annually", (12, 0)), ("annual", (12, 0)),
)  # fmt: skip
_COUNT = r"(?:\d+|[a-z]+)"
_REVIEW_COUNT = re.compile(
    rf"(?<![a-z0-9])(?:({_COUNT})(?:\s*(?:-|to|or)\s*{_COUNT})?[\s-]*)?"
    r"(day|week|wk|fortnight|month|mo|quarter|term|semester|year|yr)s?(?![a-z])"
)
_ONE = frozenset({"every", "each", "per", "once", "a", "an", "after", "in", "the", "by", "at"})
MIN_REVIEW_DAYS = 7  # a review more often than weekly is not a review of the agreement


@functools.lru_cache(maxsize=1024)  # pure, and a plan pass asks it the same few texts for every pair
def parse_review(text: str) -> ReviewPeriod | None:
    """The review interval named in the pair's own words, or None when it names none.

    Reads "every 2 months", "every six weeks", "each quarter", "after 3 months", "every 3 to 6 months"
    (the first, earlier figure), "monthly", "twice a year"...; an interval shorter than a week, or
    words that name no interval ("at the end", "when needed"), read as none.
    """
    lowered = " ".join((text or "").lower().replace("\u2013", "-").split())
    for phrase, (months, days) in _REVIEW_FIRST:
        if phrase in lowered:
            return ReviewPeriod(months, days)
    for match in _REVIEW_COUNT.finditer(lowered):
        word, unit = match.group(1), match.group(2)
        glued = word is not None and match.group(0).startswith(word + unit)  # letters glued to a unit
        if glued and word is not None and not word.isdigit() and word not in _ONE | _REVIEW_NUMBERS.keys():
            continue
        if word is None or word in _ONE:
            count = 1
        elif word.isdigit():
            count = int(word)
        else:
            count = _REVIEW_NUMBERS.get(word, 0)
        if count <= 0:
            continue
        months, days = _REVIEW_UNITS[unit]
        period = ReviewPeriod(months * count, days * count)
        return period if period.months or period.days >= MIN_REVIEW_DAYS else None
    for phrase, (months, days) in _REVIEW_WORDS:
        if phrase in lowered:
            return ReviewPeriod(months, days)
    return None


def review_period(rules: GroundRules | None, programme: ProgrammeConfig) -> ReviewPeriod:
    """How often the pair reviews its agreement: their own ``review`` answer when it names an interval,
    else the programme's ``ground_rules_reminder``."""
    found = parse_review(rules.items.get("review", "")) if rules is not None else None
    return found or ReviewPeriod(days=max(programme.ground_rules_reminder.days, 1))


def _duration_item(rules: GroundRules | None, key: str) -> timedelta | None:
    return _duration_text(rules.items.get(key, "")) if rules is not None else None


def _duration_text(text: str) -> timedelta | None:
    try:
        return parse_duration(text) if text else None
    except ValueError:
        return None


def _id(obj: Person | Relationship) -> int:
    assert obj.id is not None
    return obj.id
