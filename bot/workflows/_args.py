"""Reading the words after a typed command ("meetings accept 12 2", "ground rules #3")."""

from __future__ import annotations

from bot.command_args import split_relationship
from bot.errors import InvalidInput


def words(rest: str) -> list[str]:
    return rest.strip().split()


def relationship_arg(rest: str) -> str | None:
    """The ``#3`` (or bare ``3``) in a command's arguments, or None for "the only one I have"."""
    for word in words(rest):
        if word.startswith("#") or word.isdecimal():
            return word
    return None


def number(word: str | None, what: str) -> int:
    """A number the person typed (``12`` or ``#12``), or a reply saying what was expected."""
    raw = (word or "").lstrip("#")
    if not raw.isdecimal():
        raise InvalidInput("args.number_expected", what=what, got=(word or "")[:20])
    return int(raw)


def only_relationship(rest: str, error_key: str) -> str | None:
    """The ``#3`` of a command that takes nothing else ("actions #3", or None for "the only one I have");
    any other words get the workflow's ``error_key`` reply (``{text}``: those words, cut short) rather than
    being dropped unseen."""
    ref, extra = split_relationship(rest)
    if extra:
        raise InvalidInput(error_key, text=extra[:40])
    return ref
