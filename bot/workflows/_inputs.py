"""Form fields that several workflows ask for the same way."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Input
from bot.messages import InputKind


def long_text(
    ctx: Context, name: str, label: str, *, value: str = "", required: bool = True, hint: str = ""
) -> Input:
    """A text the person writes in their own words (an agenda item, a goal, a comment, a reason): as long
    as the programme allows, the limit that ``clean_text`` holds the submission to."""
    return Input(
        name,
        label,
        InputKind.LONG_TEXT,
        required=required,
        value=value,
        max_length=ctx.programme.max_text_length,
        hint=hint,
    )
