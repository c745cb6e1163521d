"""Nudges in the words of their reader (issue 12): the guide's phase prompt, the digest's reminder per
kind, and peers who have no mentee to book for them."""

from __future__ import annotations

from datetime import date

from bot.model import Format
from bot.model import Kind
from bot.model import Membership
from bot.model import Person
from bot.model import Relationship
from bot.model import Side
from bot.programme import ProgrammeConfig
from handlers.console.render import render_message
from scheduler.nudges import first_meeting
from scheduler.nudges import phase_prompt
from scheduler.nudges import weekly_digest


def people() -> tuple[Person, Person]:
    guide = Person(email="g@example.org", name="Gia Guide", roles=["guide"], timezone="UTC", id=1)
    learner = Person(email="l@example.org", name="Leo Learner", roles=["mentee"], timezone="UTC", id=2)
    return guide, learner


def relationship(
    kind: str = Kind.MENTORING, fmt: str = Format.ONE_TO_ONE, *, peers: bool = False
) -> Relationship:
    guide, learner = people()
    first = Side.PEER if peers else Side.GUIDE
    second = Side.PEER if peers else Side.LEARNER
    return Relationship(
        kind=kind, format=fmt, phase="separation", started_on=date(2026, 1, 5), id=7,
        members=[Membership(person=guide, side=first), Membership(person=learner, side=second)],
    )  # fmt: skip


def test_the_separation_prompt_asks_the_guide_about_the_mentee_not_about_themselves(
    programme: ProgrammeConfig,
) -> None:
    rel = relationship()
    guide, learner = people()
    to_guide = render_message(phase_prompt.compose(programme, rel, guide, "separation", ["reflect_growth"]))
    to_learner = render_message(
        phase_prompt.compose(programme, rel, learner, "separation", ["reflect_growth"])
    )
    assert "how have you grown" in to_learner
    assert "how have you grown" not in to_guide
    assert "ask them how they have grown" in to_guide


def test_advisor_and_sponsor_digests_are_not_told_to_grade_no_mentee(programme: ProgrammeConfig) -> None:
    guide, _ = people()
    for kind in (Kind.ADVISING, Kind.SPONSORSHIP):
        digest = weekly_digest.compose(programme, guide, [], [], [], None, date(2026, 3, 2), kinds=[kind])
        text = render_message(digest)
        assert "Don't grade your mentee" not in text
    sponsor = weekly_digest.compose(
        programme, guide, [], [], [], None, date(2026, 3, 2), kinds=[Kind.SPONSORSHIP]
    )
    assert "write a reference" in render_message(sponsor)
    mentor = weekly_digest.compose(
        programme, guide, [], [], [], None, date(2026, 3, 2), kinds=[Kind.MENTORING]
    )
    assert "Don't grade your mentee" in render_message(mentor)


def test_peers_are_not_told_who_books_is_the_mentee(programme: ProgrammeConfig) -> None:
    rel = relationship(fmt=Format.PEER, peers=True)
    _, peer = people()
    text = render_message(first_meeting.compose(programme, rel, peer, None, goals=False))
    assert "“mentee”" not in text
    assert "any of you" in text
    # a mentee in a one-to-one still reads the programme's suggestion
    _, learner = people()
    one_to_one = render_message(first_meeting.compose(programme, relationship(), learner, None, goals=False))
    assert "“mentee”" in one_to_one
