"""Checking a submitted form field by field, so a rejected form comes back with the error under the field.

Usage: read each value inside ``with field("due"):``; an :class:`InvalidInput` raised there becomes a
:class:`FieldProblem` naming the field, and :func:`form_again` turns that into a reply that shows the
message and the same form (same hidden values, so the same conversation version) holding what the
person typed.  Nothing is stored from the rejected submission.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bot.context import Context
from bot.errors import InvalidInput
from bot.forms import error_text
from bot.forms import refilled
from bot.messages import Form
from bot.messages import Reply
from bot.messages import Text


class FieldProblem(Exception):
    def __init__(self, name: str, error: InvalidInput) -> None:
        self.name = name
        self.error = error
        super().__init__(name)


@contextmanager
def field(name: str) -> Iterator[None]:
    try:
        yield
    except InvalidInput as err:
        raise FieldProblem(name, err) from None


def form_again(ctx: Context, form: Form, values: dict[str, str], problem: FieldProblem) -> Reply:
    message = error_text(ctx.programme, problem.error)
    return Reply().say(Text(message), refilled(form, values, {problem.name: message}))
