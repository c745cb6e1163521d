"""Small helpers for forms: show a submitted form again, with what the person typed and what to fix.

Re-showing keeps the form's hidden values (and so its conversation version), so the corrected form is
accepted; nothing was stored from the rejected submission.
"""

from __future__ import annotations

from dataclasses import replace

from bot.errors import UserFacingError
from bot.messages import Form
from bot.programme import ProgrammeConfig


def refilled(form: Form, values: dict[str, str], errors: dict[str, str] | None = None) -> Form:
    """``form`` with each input holding the submitted value and, where given, an error under it."""
    errors = errors or {}
    inputs = tuple(
        replace(i, value=values.get(i.name, i.value), error=errors.get(i.name, "")) for i in form.inputs
    )
    return replace(form, inputs=inputs)


def error_text(programme: ProgrammeConfig, err: UserFacingError) -> str:
    """What a rejected value's error says, to show next to the field (falls back like the bot does)."""
    key = err.key if programme.catalogue.has(err.key) else type(err).key
    return programme.text(key, **err.values)
