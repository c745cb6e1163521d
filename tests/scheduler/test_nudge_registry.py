"""The nudge registry (``scheduler.nudges``) is the one list of what the scheduler sends: every kind in it
can be opted out of by the name ``settings`` lists, and every name a programme's phases use is one of its
families -- so a family added as one module is complete, and nothing the bot offers is missing from it."""

from __future__ import annotations

from bot.nudge_kinds import NUDGE_KINDS
from bot.programme import load_programme
from scheduler.nudges import ALL_SPECS
from scheduler.nudges import FAMILIES
from scheduler.nudges import PROGRAMME_NAMES
from scheduler.nudges import SCHEDULER_KINDS
from scheduler.nudges.schedule import STALL


def test_every_kind_a_person_can_opt_out_of_is_a_kind_the_scheduler_sends_and_back() -> None:
    # stall alerts go to coordinators about a relationship: not a person's own reminder to turn off
    assert SCHEDULER_KINDS - {STALL.kind} == set(NUDGE_KINDS)


def test_every_kind_has_its_words_in_settings_and_a_family_module_of_its_own() -> None:
    programme = load_programme()
    for kind in NUDGE_KINDS:
        assert programme.catalogue.has(f"settings.kind.{kind}"), kind
    owners = {spec.kind: [f for f in FAMILIES if spec in f.specs] for spec in ALL_SPECS}
    assert all(len(families) == 1 for families in owners.values()), owners
    assert all(f.plan is not None or f.plan_guide is not None for f in FAMILIES)


def test_the_example_programme_names_only_known_families_and_is_read_with_them() -> None:
    example = load_programme(nudge_families=PROGRAMME_NAMES)
    named = {name for phase in example.phases for name in phase.nudges}
    assert named <= PROGRAMME_NAMES
    assert {"welcome", "schedule", "closing_reflection"} <= named
