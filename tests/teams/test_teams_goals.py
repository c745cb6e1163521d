"""Development goals over the Teams endpoint (Bot Framework activities on loopback, the connector faked
at HTTP level): the goal form is an Adaptive Card with the layer and programme-goal choices; the guide
reads the goal in their own chat."""

from __future__ import annotations

from teams_harness import MENTEE
from teams_harness import MENTOR
from teams_harness import TeamsHarness

GOAL = "Present a patient case at the Tuesday ward round"


async def test_a_goal_set_in_a_teams_card_is_listed_with_its_tags_and_read_by_the_guide(
    teams: TeamsHarness,
) -> None:
    await teams.say(MENTEE, "goals add")
    form = teams.fake.posted[-1]
    (card,) = form.cards
    choices = {str(i["id"]): i for i in _inputs(card)}
    assert [c["value"] for c in choices["programme_goal"]["choices"]] == [
        "none", "identity formation", "professionalism", "academic performance",
    ]  # fmt: skip

    await teams.press(MENTEE, "Save the goal", {"text": GOAL, "layer": "personal", "programme_goal": "none"})
    assert "Goal 1 saved" in teams.seen(MENTEE)

    await teams.say(MENTOR, "goals")
    shown = teams.last(MENTOR)
    assert f"1. {GOAL} — personal — open; no actions yet" in shown
    assert "only Eli Mentee can change them" in shown


def _inputs(card: dict[str, object]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card)
    return found
