"""Pieces every family's composer uses: a command button, a message with its summary, a ground rule
quoted in the pair's own words.  The texts themselves are catalogue keys (``nudges.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.messages import Block, Button, ButtonStyle, Message
from bot.model import GroundRules
from bot.programme import ProgrammeConfig


def command_button(
    programme: ProgrammeConfig, label_key: str, command: str, *, primary: bool = False
) -> Button:
    """A button that runs a typed command (the generic ``command`` action of ``bot.workflows.help``)."""
    style = ButtonStyle.PRIMARY if primary else ButtonStyle.DEFAULT
    return Button(programme.text(label_key), "command", {"text": command}, style)


def message(blocks: Sequence[Block], summary: str) -> Message:
    return Message(tuple(blocks), summary=summary[:150])


def rule_line(programme: ProgrammeConfig, rules: GroundRules | None, key: str) -> str:
    """A ground-rule item quoted in the pair's own words (or the programme's suggestion before they
    agreed any)."""
    label = programme.text(f"ground_rules.item.{key}.label")
    answer = rules.items.get(key, "") if rules is not None else ""
    if answer:
        return programme.text("nudge.rule.agreed", label=label, answer=answer)
    suggested = programme.ground_rule_defaults.get(key, "")
    return programme.text("nudge.rule.suggested", label=label, answer=suggested)


def rules_items(rules: GroundRules | None) -> Mapping[str, str]:
    return rules.items if rules is not None else {}
