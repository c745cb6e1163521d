"""The neutral core, directly: whatever a person types or whatever a forged button or form carries,
``MentorBot.handle`` answers with a specific message -- it never raises, never shows a traceback, and
never falls back to the reply meant for a bug ("something went wrong on our side").

Runs on SQLite and PostgreSQL (the ``engine`` fixture); the database keeps what earlier examples did, so
later examples meet conversations left half-way, ended relationships and the like.
"""

from __future__ import annotations

from hostile_strategies import action_name
from hostile_strategies import form_values
from hostile_strategies import typed_text
from hostile_support import World
from hostile_support import as_text
from hostile_support import leaks
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.messages import Inbound
from bot.messages import Sender
from bot.model import Platform
from bot.programme import ProgrammeConfig
from bot.serialize import message_to_dict
from storage.uow import SqlUnitOfWorkFactory

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PEOPLE = ("mentee@example.org", "mentor@example.org", "coordinator@example.org", "bea@example.org")


def _answer(bot: MentorBot, inbound: Inbound) -> str:
    handled = bot.handle(inbound)
    assert handled.messages, "every message gets an answer"
    return as_text([message_to_dict(m) for m in handled.messages])


def _sender(email: str) -> Sender:
    return Sender(platform=Platform.CONSOLE, external_id=email, email=email)


@FUZZ
@given(who=st.sampled_from(PEOPLE), text=typed_text)
# what earlier runs found: ids no database integer holds, digits int() cannot read, text that cannot be
# stored (a lone surrogate, NUL)
@example(who="mentee@example.org", text="about 2147483648")
@example(who="mentee@example.org", text="meetings accept 99999999999999999999999 1")
@example(who="mentee@example.org", text="meetings accept \u00b2")
@example(who="coordinator@example.org", text="pause relationship \u00b2")
@example(who="coordinator@example.org", text="announce status \u00b2")
@example(who="mentee@example.org", text="agenda add a lone \ud800 surrogate")
@example(who="mentee@example.org", text="agenda add a NUL\x00 inside")
@example(who="mentee@example.org", text="pause relationship " + "9" * 400)
@example(who="coordinator@example.org", text="pause relationship " + "9" * 400)
@example(who="coordinator@example.org", text="announce status " + "9" * 400)
@example(who="mentee@example.org", text="meetings accept " + "9" * 400)
def test_typed_text_gets_a_specific_answer(
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    world: World,
    who: str,
    text: str,
) -> None:
    bot = MentorBot(uow_factory, programme, clock)
    answer = _answer(bot, Inbound(_sender(who), text=text))
    assert leaks([answer]) == []


@FUZZ
@given(who=st.sampled_from(PEOPLE), action=action_name, values=form_values)
@example(who="mentee@example.org", action="actions.done", values={"a": "9223372036854775808"})
@example(who="mentee@example.org", action="meeting.schedule", values={"r": "2147483648"})
@example(who="mentor@example.org", action="command", values={"text": "agenda add \udfff\x00"})
def test_forged_buttons_and_forms_get_a_specific_answer(
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    world: World,
    who: str,
    action: str,
    values: dict[str, str],
) -> None:
    bot = MentorBot(uow_factory, programme, clock)
    answer = _answer(bot, Inbound(_sender(who), action=action, values=values))
    assert leaks([answer]) == []


# commands that open a form, with who may open it
FORM_OPENERS = (
    ("mentee@example.org", "agenda add"),
    ("mentee@example.org", "schedule"),
    ("mentee@example.org", "actions plan"),
    ("mentee@example.org", "checkin"),
    ("mentee@example.org", "ground rules propose"),
    ("mentee@example.org", "network ask"),
    ("mentor@example.org", "schedule"),
    ("coordinator@example.org", "announce"),
    ("coordinator@example.org", "rematch 1"),
)


@FUZZ
@given(opener=st.sampled_from(FORM_OPENERS), values=form_values, keep_version=st.booleans())
def test_a_form_sent_back_with_garbage_gets_a_specific_answer(
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    world: World,
    opener: tuple[str, str],
    values: dict[str, str],
    keep_version: bool,
) -> None:
    """A real form is opened (its stored conversation exists), then sent back with garbage in its fields
    and, mostly, its own hidden values: the garbage reaches the workflow's own checks, past the stale
    check."""
    who, command = opener
    bot = MentorBot(uow_factory, programme, clock)
    sender = _sender(who)
    opened = bot.handle(Inbound(sender, text=command))
    form = next((m.form for m in opened.messages if m.form is not None), None)
    assert form is not None, as_text([message_to_dict(m) for m in opened.messages])
    sent = {**values, **form.hidden} if keep_version else {**form.hidden, **values}
    answer = _answer(bot, Inbound(sender, action=form.submit_action, values=sent))
    assert leaks([answer]) == []
