"""``welcome``: the onboarding message to every member, at 09:00 on the match's first day (or the later
day they joined).  Its text is :func:`bot.onboarding.onboarding_message` (the same one ``start`` shows)."""

from __future__ import annotations

import functools
from datetime import timedelta

from bot.onboarding import onboarding_message
from scheduler.localtime import day_slot
from scheduler.nudges._scope import RelationshipScope
from scheduler.nudges._spec import Family
from scheduler.nudges._spec import NudgeSpec

ONBOARDING = NudgeSpec("onboarding", "welcome", 20, timedelta(days=28), True)


def plan(s: RelationshipScope) -> None:
    if not s.gated(ONBOARDING):
        return
    for person in s.members:
        build = functools.partial(
            onboarding_message, s.programme, s.rel, person, rules_agreed=s.rules is not None
        )
        key = f"onboarding:{s.f.id}:{person.id}"
        s.offer(ONBOARDING, person, key, day_slot(s.joined_on(person), person, s.programme), build)


FAMILY = Family(specs=(ONBOARDING,), names=("welcome",), plan=plan)
