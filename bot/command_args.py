"""Small parsers for the arguments of typed commands, shared by the workflows."""

from __future__ import annotations

import re

_REF = re.compile(r"#?(\d+)")


def split_relationship(rest: str) -> tuple[str | None, str]:
    """``"#3 talk about rotations"`` -> ``("3", "talk about rotations")``.

    A relationship is named by a leading ``#number``; without one the rest is returned untouched and
    the workflow uses the person's only relationship (or asks which one).
    """
    text = rest.strip()
    head, _, tail = text.partition(" ")
    if head.startswith("#") and _REF.fullmatch(head):
        return head.lstrip("#"), tail.strip()
    return None, text


def split_number(rest: str) -> tuple[str, str]:
    """``"2 new wording"`` -> ``("2", "new wording")``: the item number and what follows it."""
    head, _, tail = rest.strip().partition(" ")
    return head, tail.strip()
