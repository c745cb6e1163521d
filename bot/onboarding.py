"""The onboarding message of a new match (domain.md §1, §2, §9).

Each member learns who the others are; what kind of relationship this is, what that kind is for and
what it is not; the programme's purpose and expectations; that what is said stays between the
members and that nobody here is assessed; and is invited to agree ground rules.  The scheduler sends
it as the welcome nudge; ``welcome`` / ``about #id`` shows it again.

The welcome is short by default: who, what this kind is and is not, and the first step.  The programme's
purpose, the safe-space promise and the current phase are one button away (:func:`onboarding_more`).
"""

from __future__ import annotations

from bot.goals import SUGGESTED_GOALS
from bot.messages import Block
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import ButtonStyle
from bot.messages import Message
from bot.messages import Section
from bot.messages import Text
from bot.model import Person
from bot.model import Relationship
from bot.model import Side
from bot.programme import ProgrammeConfig
from bot.readers import Reader
from bot.readers import reader_of
from bot.relationship_view import format_label
from bot.relationship_view import kind_label
from bot.relationship_view import side_word
from bot.relationship_view import title

MORE_ACTION = "welcome.more"


def onboarding_message(
    programme: ProgrammeConfig, relationship: Relationship, person: Person, *, rules_agreed: bool = False
) -> Message:
    """The welcome for ``person`` in ``relationship``. ``rules_agreed`` swaps the invitation to propose
    ground rules for a button to see them (the caller knows; this function reads no content)."""
    kind = kind_label(programme, relationship.kind)
    reader = reader_of(relationship, person.id)
    me = relationship.member(person.id)
    my_side = side_word(programme, relationship, me) if me is not None else ""
    others = [
        programme.text(
            "onboarding.member",
            name=m.person.name,
            side=side_word(programme, relationship, m),
            email=m.person.email,
        )
        for m in relationship.current_members()
        if m.person.id != person.id
    ]
    blocks: list[Block] = [
        Section(
            programme.text("onboarding.title", title=title(programme, relationship, person.id)),
            programme.text(
                "onboarding.intro",
                name=person.name,
                kind=kind.lower(),
                side=my_side,
                format=format_label(programme, relationship.format).lower(),
            ),
        ),
        Section(programme.text("onboarding.who"), "\n".join(others) or programme.text("view.nobody")),
        Section(
            programme.text("onboarding.kind", kind=kind.lower()),
            "\n\n".join(
                _texts(
                    programme,
                    reader,
                    f"kind.{relationship.kind}.what_it_is",
                    f"kind.{relationship.kind}.what_it_is_not",
                    f"format.{relationship.format}.note",
                )
            ),
        ),
    ]
    values = {"r": str(relationship.id)}
    if me is not None and me.side != Side.GUIDE:  # the learner owns the goals (bot.goals)
        blocks.append(
            Section(
                programme.text("goals.welcome_title"),
                programme.text("goals.welcome", low=SUGGESTED_GOALS[0], high=SUGGESTED_GOALS[1]),
            )
        )
        blocks.append(Buttons((Button(programme.text("goals.button.add"), "goals.open", values),)))
    more = Button(programme.text("onboarding.button.more"), MORE_ACTION, values)
    if rules_agreed:
        blocks.append(Buttons((Button(programme.text("rules.button.show"), "rules.show", values), more)))
    else:
        blocks.append(Text(programme.text("onboarding.rules_invite")))
        blocks.append(
            Buttons(
                (
                    Button(
                        programme.text("rules.button.propose"), "rules.propose", values, ButtonStyle.PRIMARY
                    ),
                    Button(programme.text("meeting.button.schedule"), "meeting.schedule", values),
                    more,
                )
            )
        )
    summary = programme.text("onboarding.summary", kind=kind.lower(), programme=programme.name)
    return Message(tuple(blocks), summary=summary)


def onboarding_more(programme: ProgrammeConfig, relationship: Relationship, person: Person) -> Message:
    """What the short welcome leaves out: the programme's purpose and expectations, the safe-space
    promise (in the reader's words) and what the current phase asks for."""
    reader = reader_of(relationship, person.id)
    blocks: list[Block] = [
        Section(
            programme.text("onboarding.programme"), "\n\n".join([programme.purpose, programme.expectations])
        ),
        Section(
            programme.text("onboarding.safe"),
            "\n\n".join(_texts(programme, reader, "confidentiality", "non_evaluative")),
        ),
    ]
    phase = _texts(programme, reader, f"phase.{relationship.phase}.what_now")
    if phase:
        blocks.append(Section(programme.text("onboarding.phase"), phase[0]))
    return Message(tuple(blocks), summary=programme.text("onboarding.more_summary", programme=programme.name))


def _texts(programme: ProgrammeConfig, reader: Reader, *keys: str) -> list[str]:
    """The catalogue texts that exist among ``keys`` (a programme may define its own phases), each in
    the words written for ``reader``."""
    return [programme.text_for(k, reader) for k in keys if programme.catalogue.has(k)]
