"""``ground_rules`` and ``ground_rules_review``: both are ``ground_rules_reminder`` messages.

* Before the pair has agreed ground rules: members who have not agreed (or confirmed a pending version)
  are reminded 7 and 21 days after the match (family ``ground_rules``).
* Once agreed: every member is reminded of the agreement, quoting their own items, at the pair's own
  ``review`` interval (calendar months from the day they agreed; else the programme's
  ``ground_rules_reminder``), in every phase of a running relationship but the last (closure: the pair is
  ending, not renewing), or wherever the programme lists ``ground_rules_review``.
"""

from __future__ import annotations

import functools
from datetime import datetime
from datetime import timedelta

from bot.ground_rules import ReviewPeriod
from bot.ground_rules import pending
from bot.ground_rules import review_period
from bot.ground_rules import waiting_for
from bot.messages import Block
from bot.messages import Buttons
from bot.messages import Fields
from bot.messages import Message
from bot.messages import Section
from bot.model import GroundRules
from bot.model import Person
from bot.model import Relationship
from bot.programme import ProgrammeConfig
from bot.relationship_view import title
from bot.timefmt import show_date
from scheduler.localtime import day_slot
from scheduler.localtime import local_date
from scheduler.localtime import zone_of
from scheduler.nudges._compose import command_button
from scheduler.nudges._compose import message
from scheduler.nudges._compose import rule_line
from scheduler.nudges._scope import RelationshipScope
from scheduler.nudges._spec import Family
from scheduler.nudges._spec import NudgeSpec

GROUND_RULES_PROMPT = NudgeSpec("ground_rules_reminder", "ground_rules", 50, timedelta(days=7), True)
GROUND_RULES_REVIEW = NudgeSpec("ground_rules_reminder", "ground_rules_review", 70, timedelta(days=14), True)
DAYS = (7, 21)  # days after the match when the prompts to agree go


def plan(s: RelationshipScope) -> None:
    if s.rules is None:
        _prompt(s)
    elif s.rules.agreed_at is not None and _reviews_agreement(s):
        _review(s, s.rules, s.rules.agreed_at)


def _prompt(s: RelationshipScope) -> None:
    if not s.gated(GROUND_RULES_PROMPT):
        return
    waiting = pending(list(s.f.rules))
    recipients = waiting_for(waiting, s.rel) if waiting is not None else s.members
    for n, days in enumerate(DAYS, start=1):
        for person in recipients:
            build = functools.partial(compose_prompt, s.programme, s.rel, person, waiting)
            s.offer(
                GROUND_RULES_PROMPT,
                person,
                f"ground_rules:{s.f.id}:{n}:{person.id}",
                day_slot(s.day(days), person, s.programme),
                build,
            )


def _reviews_agreement(s: RelationshipScope) -> bool:
    """In every phase but the last, or where the programme lists ``ground_rules_review``.  A person's
    opt-out still counts (the planner's ``offer``)."""
    return s.gated(GROUND_RULES_REVIEW) or s.phase != s.programme.phase_names()[-1]


def _review(s: RelationshipScope, rules: GroundRules, anchor: datetime) -> None:
    period = review_period(rules, s.programme)
    for n in review_occurrences(anchor, period, s.now):
        at = period.after(anchor, n)
        for person in s.members:
            build = functools.partial(compose_review, s.programme, s.rel, person, rules)
            s.offer(
                GROUND_RULES_REVIEW,
                person,
                f"ground_rules_review:{s.f.id}:v{rules.version}:{n}:{person.id}",
                day_slot(local_date(at, person), person, s.programme),
                build,
            )


def review_occurrences(anchor: datetime, period: ReviewPeriod, now: datetime) -> list[int]:
    """The numbers of the latest review at or before ``now`` and of the next one (from 1)."""
    n = 0
    while period.after(anchor, n + 1) <= now:
        n += 1
    return [k for k in (n, n + 1) if k >= 1]


def compose_prompt(
    programme: ProgrammeConfig, rel: Relationship, person: Person, waiting: GroundRules | None
) -> Message:
    heading = programme.text("nudge.ground_rules.title", title=title(programme, rel, person.id))
    body = (
        programme.text("nudge.ground_rules.waiting", version=waiting.version)
        if waiting is not None
        else programme.text("nudge.ground_rules.body")
    )
    button = command_button(programme, "nudge.button.ground_rules", "ground rules", primary=True)
    return message([Section(heading, body), Buttons((button,))], heading)


def compose_review(
    programme: ProgrammeConfig, rel: Relationship, person: Person, rules: GroundRules
) -> Message:
    heading = programme.text("nudge.ground_rules_review.title", title=title(programme, rel, person.id))
    agreed_on = show_date(rules.agreed_at.astimezone(zone_of(person)).date()) if rules.agreed_at else ""
    pairs = tuple(
        (programme.text(f"ground_rules.item.{key}.label"), answer)
        for key, answer in rules.items.items()
        if answer and programme.catalogue.has(f"ground_rules.item.{key}.label")
    )
    blocks: list[Block] = [
        Section(
            heading,
            programme.text("nudge.ground_rules_review.body", date=agreed_on)
            + "\n\n"
            + rule_line(programme, rules, "review"),
        )
    ]
    if pairs:
        blocks.append(Fields(pairs))
    blocks.append(Buttons((command_button(programme, "nudge.button.ground_rules", "ground rules"),)))
    return message(blocks, heading)


FAMILY = Family(
    specs=(GROUND_RULES_PROMPT, GROUND_RULES_REVIEW), names=("ground_rules", "ground_rules_review"), plan=plan
)
