"""Small helpers for forms: show a submitted form again, with what the person typed and what to fix.

Re-showing keeps the form's hidden values (and so its conversation version), so the corrected form is
accepted; nothing was stored from the rejected submission.
"""

from __future__ import annotations

from dataclasses import replace

from bot.messages import Form


def refilled(form: Form, values: dict[str, str], errors: dict[str, str] | None = None) -> Form:
    """``form`` with each input holding the submitted value and, where given, an error under it."""
    errors = errors or {}
    inputs = tuple(
        replace(i, value=values.get(i.name, i.value), error=errors.get(i.name, "")) for i in form.inputs
    )
    return replace(form, inputs=inputs)
