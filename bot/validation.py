"""Checks on what people type, each failing with a specific, friendly message.

Every check raises :class:`bot.errors.InvalidInput` with a catalogue key and the values it needs, so a
workflow can call them before it writes anything and the reply says exactly what to fix.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime

from bot.errors import InvalidInput


def clean_text(value: str | None, field: str, limit: int, *, required: bool = True) -> str:
    """``value`` without surrounding white space; empty (when required) or over ``limit`` is refused.

    ``field`` names the thing in the person's words ("agenda item", "reason").
    """
    text = (value or "").strip()
    if not text and required:
        raise InvalidInput("validation.required", field=field)
    if len(text) > limit:
        raise InvalidInput("error.too_long", field=field, limit=limit)
    return text


def storable_text(text: str) -> str:
    """``text`` as it can be stored and sent: NUL characters removed (PostgreSQL refuses them in text)
    and lone surrogates replaced by U+FFFD. Neither can be typed; both arrive in JSON written to attack
    (``"\\u0000"``, ``"\\ud800"``), and both made storing or sending what a person wrote fail."""
    if text.isascii():
        return text.replace("\x00", "") if "\x00" in text else text
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text if ch != "\x00")


def not_in_past(at: datetime, now: datetime) -> None:
    """A moment that has already passed is refused (``error.date_in_past``)."""
    if at <= now:
        raise InvalidInput("error.date_in_past")


def date_not_in_past(day: date, today: date) -> None:
    """A calendar date before ``today`` (in the person's zone) is refused; today itself is fine."""
    if day < today:
        raise InvalidInput("error.date_in_past")


def whole_number(value: str | None, field: str, low: int, high: int) -> int:
    """A whole number between ``low`` and ``high`` inclusive, typed by a person."""
    raw = (value or "").strip()
    try:
        number = int(raw)
    except ValueError:
        raise InvalidInput("validation.number", field=field, low=low, high=high) from None
    if not low <= number <= high:
        raise InvalidInput("validation.number", field=field, low=low, high=high)
    return number
