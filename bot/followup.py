""" "Did you meet?": the question asked after a confirmed meeting's time has passed.

The scheduler sends :func:`did_you_meet_message` to each member once a confirmed meeting has ended;
the answer buttons are handled by ``bot.workflows.followup`` (typed: ``met ID yes [minutes]``,
``met ID no``, ``met ID moved``).  The first answer counts; later presses are stale.
"""

from __future__ import annotations

from bot.messages import Button
from bot.messages import Buttons
from bot.messages import ButtonStyle
from bot.messages import Message
from bot.messages import Section
from bot.messages import Text
from bot.model import Meeting
from bot.model import Person
from bot.model import Relationship
from bot.programme import ProgrammeConfig
from bot.relationship_view import title
from bot.timefmt import show


def did_you_meet_message(
    programme: ProgrammeConfig, relationship: Relationship, meeting: Meeting, person: Person
) -> Message:
    assert meeting.starts_at is not None
    values = {"m": str(meeting.id)}
    question = programme.text(
        "followup.question", when=show(meeting.starts_at, person.timezone), id=meeting.id
    )
    return Message(
        (
            Section(
                programme.text("followup.title", title=title(programme, relationship, person.id)), question
            ),
            Buttons(
                (
                    Button(
                        programme.text("followup.button.held"), "followup.held", values, ButtonStyle.PRIMARY
                    ),
                    Button(programme.text("followup.button.missed"), "followup.missed", values),
                    Button(programme.text("followup.button.moved"), "followup.moved", values),
                )
            ),
            Text(programme.text("followup.typed", id=meeting.id)),
        ),
        summary=question,
    )


def action_plan_button(programme: ProgrammeConfig, relationship_id: int, meeting_id: int) -> Button:
    """The hand-over to the action plan (registered by the action-plan workflow as ``actions.plan``)."""
    return Button(
        programme.text("followup.button.plan"),
        "actions.plan",
        {"r": str(relationship_id), "m": str(meeting_id)},
        ButtonStyle.PRIMARY,
    )
