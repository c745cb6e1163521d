"""``phase_prompt``: every member hears on the day the phase changes what the new phase is for (not for
the first phase, which onboarding covers, unless a coordinator set it by hand).  The options
``reflect_growth`` and ``closing_reflection``, where the phase lists them, add the growth reflection and
the closing reflection (with its button)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import timedelta

from bot.messages import Buttons
from bot.messages import Message
from bot.messages import Section
from bot.model import Person
from bot.model import Relationship
from bot.programme import ProgrammeConfig
from bot.readers import reader_of
from bot.relationship_view import title
from scheduler.localtime import day_slot
from scheduler.localtime import local_date
from scheduler.nudges._compose import command_button
from scheduler.nudges._compose import message
from scheduler.nudges._scope import RelationshipScope
from scheduler.nudges._spec import Family
from scheduler.nudges._spec import NudgeSpec

PHASE_PROMPT = NudgeSpec("phase_prompt", None, 45, timedelta(days=7), True)
REFLECTIONS: tuple[str, ...] = ("reflect_growth", "closing_reflection")


def plan(s: RelationshipScope) -> None:
    changed_at = s.phase_changed_at
    if changed_at is None or (s.phase == s.programme.phase_names()[0] and not s.phase_set_by_hand):
        return
    # a phase the match was already in when the roster was imported (phases count from the match's
    # own start) is announced on the day the bot learned of the match, not lost to the misfire policy
    created = s.rel.created_at
    told_from = max(changed_at, created) if created is not None else changed_at
    reflections = [r for r in REFLECTIONS if s.wants(r)]
    for person in s.members:
        build = functools.partial(compose, s.programme, s.rel, person, s.phase, reflections)
        s.offer(
            PHASE_PROMPT,
            person,
            f"phase_prompt:{s.f.id}:{s.phase}:{changed_at:%Y%m%dT%H%M}:{person.id}",
            day_slot(local_date(told_from, person), person, s.programme),
            build,
        )


def compose(
    programme: ProgrammeConfig, rel: Relationship, person: Person, phase: str, reflections: Sequence[str]
) -> Message:
    heading = programme.text("nudge.phase.title", title=title(programme, rel, person.id), phase=phase)
    reader = reader_of(rel, person.id)
    parts = []
    if programme.catalogue.has(f"phase.{phase}.what_now"):
        parts.append(programme.text_for(f"phase.{phase}.what_now", reader))
    parts += [programme.text_for(f"nudge.phase.{r}", reader) for r in reflections]
    buttons = [command_button(programme, "nudge.button.whats_next", "whats next")]
    if "closing_reflection" in reflections:  # the closing reflection is written, not only talked about
        label, command = "closure.reflection.button_label", f"reflection #{rel.id}"
        buttons.insert(0, command_button(programme, label, command, primary=True))
    return message([Section(heading, "\n\n".join(parts)), Buttons(tuple(buttons))], heading)


FAMILY = Family(specs=(PHASE_PROMPT,), names=REFLECTIONS, plan=plan)
