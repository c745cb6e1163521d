"""Form fields that several workflows ask for, and read back, the same way."""

from __future__ import annotations

from datetime import date

from bot.context import Context
from bot.messages import Input
from bot.messages import InputKind
from bot.timefmt import parse_date
from bot.validation import date_not_in_past


def long_text(
    ctx: Context,
    name: str,
    label: str,
    *,
    value: str = "",
    required: bool = True,
    hint: str = "",
    limit: int | None = None,
) -> Input:
    """A text the person writes in their own words (an agenda item, a goal, a comment, a reason): as long
    as the programme allows (``max_text_length``, the limit ``clean_text`` then holds the submission
    to), or ``limit`` for a field that has its own."""
    return Input(
        name,
        label,
        InputKind.LONG_TEXT,
        required=required,
        value=value,
        max_length=ctx.programme.max_text_length if limit is None else limit,
        hint=hint,
    )


def day_from_today(ctx: Context, raw: str | None) -> date | None:
    """A date the person typed for something still to come (a due date, a target): today or later in
    their own zone, or None when they left it blank."""
    if not (raw or "").strip():
        return None
    day = parse_date(raw or "")
    date_not_in_past(day, ctx.today())
    return day
