"""``help``: a short menu fitted to the person's roles, and details per topic."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.model import Format
from bot.model import Role
from handlers.console.channel import ConsoleSession

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]


def test_a_mentees_help_is_a_short_menu_without_coordinator_or_guide_items(
    pair: Rel, session: Session
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("help")
    text = mentee.text()
    assert len(text.splitlines()) <= 12
    assert "As a mentee you lead" in text
    assert "help meetings" in text and "help growth" in text
    for hidden in ("coordinator", "announce", "audit", "As a guide", "actions comment"):
        assert hidden not in text
    mentee.send("help growth")
    detail = mentee.text()
    assert "actions plan" in detail and "checkin" in detail
    assert "actions comment" not in detail and "as a guide" not in detail.lower()


def test_details_per_topic_and_per_command(pair: Rel, session: Session) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("help agenda")
    text = mentee.text()
    assert "agenda add" in text and "agenda order" in text
    assert "actions" not in text and "schedule" not in text
    mentee.send("help cooking")
    assert "I have no help on “cooking”" in mentee.text()


def test_a_guide_sees_guide_items_and_not_the_learners_own_tools(pair: Rel, session: Session) -> None:
    mentor = session(pair.mentor.email)
    mentor.send("help")
    assert "As a guide you support and challenge" in mentor.text()
    assert "As a mentee" not in mentor.text()
    mentor.send("help growth")
    detail = mentor.text()
    assert "actions comment" in detail
    assert "checkin" not in detail and "network" not in detail


def test_a_coordinator_without_relationships_sees_their_own_topics(
    coordinator: Member, session: Session
) -> None:
    cora = session(coordinator.email)
    cora.send("help")
    text = cora.text()
    assert "help coordinator" in text
    assert "help meetings" not in text
    cora.send("help coordinator")
    assert "announce" in cora.text() and "audit" in cora.text()


def test_someone_with_two_roles_reads_both(make_person: Callable[..., Member], session: Session) -> None:
    both = make_person("both@example.org", "Bo Both", "Europe/London", (Role.MENTEE, Role.GUIDE))
    s = session(both.email)
    s.send("help")
    assert "As a mentee you lead" in s.text() and "As a guide you support" in s.text()


def test_a_peer_is_not_told_they_lead_as_a_mentee(
    make_person: Callable[..., Member], make_relationship: Callable[..., Rel], session: Session
) -> None:
    ada = make_person("ada@example.org", "Ada Peer", "Europe/London")
    bea = make_person("bea@example.org", "Bea Peer", "Europe/London")
    make_relationship([], [ada, bea], format=Format.PEER)
    s = session(bea.email)
    s.send("help")
    text = s.text()
    assert "As a peer you learn side by side" in text
    assert "As a mentee" not in text and "As a guide" not in text
