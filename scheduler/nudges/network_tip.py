"""``network_tip``: mentees who have not mapped their developmental network get a tip, 4 weeks after the
match (not in peer relationships; not gated by phase)."""

from __future__ import annotations

import functools
from datetime import timedelta

from bot.agenda import is_peer_relationship
from bot.messages import Buttons
from bot.messages import Message
from bot.messages import Section
from bot.programme import ProgrammeConfig
from scheduler.localtime import day_slot
from scheduler.nudges._compose import command_button
from scheduler.nudges._compose import message
from scheduler.nudges._scope import RelationshipScope
from scheduler.nudges._spec import Family
from scheduler.nudges._spec import NudgeSpec

NETWORK_TIP = NudgeSpec("network_tip", None, 80, timedelta(days=14), True)
DAYS = 28


def plan(s: RelationshipScope) -> None:
    if is_peer_relationship(s.rel):
        return
    for person in s.learner_side:
        if person.id in s.planning.snapshot.people_with_network:
            continue
        s.offer(
            NETWORK_TIP,
            person,
            f"network_tip:{s.f.id}:{person.id}",
            day_slot(s.day(DAYS), person, s.programme),
            functools.partial(compose, s.programme),
        )


def compose(programme: ProgrammeConfig) -> Message:
    heading = programme.text("nudge.network.title")
    button = command_button(programme, "nudge.button.network", "network", primary=True)
    return message([Section(heading, programme.text("network.tip")), Buttons((button,))], heading)


FAMILY = Family(specs=(NETWORK_TIP,), plan=plan)
