"""The kinds of reminder ("nudge") the bot sends, named once for the scheduler and for ``optout``.

A person may opt out of any of these (``optout KIND``), and the scheduler's planner skips a nudge
whose kind is in ``Person.opt_outs``.  Two kinds of message are deliberately *not* listed here and so
cannot be opted out of this way: stall alerts, which go to coordinators about a relationship, and
programme announcements, which the coordinator addresses to a group.
"""

from __future__ import annotations

from bot.catalogue import default_catalogue

_KIND_TEXTS = "settings.kind."


def _kinds_described_in_settings() -> tuple[str, ...]:
    """The kinds ``settings`` describes (``settings.kind.<kind>`` in settings.yaml), in file order.

    The words are the one list: a nudge family added to the scheduler's registry gives its kind a line
    there, and the core, which imports nothing of the scheduler's, learns the name from it
    (tests/scheduler/test_nudge_registry.py checks that the registry and this list agree).
    """
    keys = default_catalogue().as_dict()
    return tuple(k.removeprefix(_KIND_TEXTS) for k in keys if k.startswith(_KIND_TEXTS) and "@" not in k)


NUDGE_KINDS: tuple[str, ...] = _kinds_described_in_settings()


def opted_out(opt_outs: list[str] | tuple[str, ...], kind: str) -> bool:
    """True when a person with these opt-outs does not want nudges of ``kind``."""
    return kind in NUDGE_KINDS and kind in opt_outs
