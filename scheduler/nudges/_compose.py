"""Pieces every family's composer uses: a command button, a message with its summary, a ground rule
quoted in the pair's own words.  The texts themselves are catalogue keys (``nudges.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence

from bot.messages import Block
from bot.messages import Button
from bot.messages import ButtonStyle
from bot.messages import Message
from bot.model import GroundRules
from bot.model import Side
from bot.programme import ProgrammeConfig
from bot.readers import Reader

# ground-rule items answered with a side, and the words that name one
SIDE_ANSWERS = frozenset({"who_schedules", "who_sets_agenda"})
SIDE_WORDS = ("mentee", "learner", "guide", "mentor", "coach", "advisor", "sponsor")


def command_button(
    programme: ProgrammeConfig, label_key: str, command: str, *, primary: bool = False
) -> Button:
    """A button that runs a typed command (the generic ``command`` action of ``bot.workflows.help``)."""
    style = ButtonStyle.PRIMARY if primary else ButtonStyle.DEFAULT
    return Button(programme.text(label_key), "command", {"text": command}, style)


def message(blocks: Sequence[Block], summary: str) -> Message:
    return Message(tuple(blocks), summary=summary[:150])


def rule_line(
    programme: ProgrammeConfig, rules: GroundRules | None, key: str, reader: Reader | None = None
) -> str:
    """A ground-rule item quoted in the pair's own words (or the programme's suggestion before they
    agreed any). Peers have no mentee and no guide, so a "who" answer naming a side reads as "any of
    you" to them."""
    label = programme.text(f"ground_rules.item.{key}.label")
    answer = rules.items.get(key, "") if rules is not None else ""
    peer = reader is not None and reader.side == Side.PEER
    if peer and key in SIDE_ANSWERS and answer.strip().lower() in ("", *SIDE_WORDS):
        return programme.text("nudge.rule.any_of_you", label=label)
    if answer:
        return programme.text("nudge.rule.agreed", label=label, answer=answer)
    suggested = programme.ground_rule_defaults.get(key, "")
    return programme.text("nudge.rule.suggested", label=label, answer=suggested)


def rules_items(rules: GroundRules | None) -> Mapping[str, str]:
    return rules.items if rules is not None else {}
