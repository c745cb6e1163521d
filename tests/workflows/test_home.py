"""``home``: the dashboard (the Slack Home tab shows it): relationships, next meeting, agenda, actions;
a guide's load; a coordinator's programme-health counts, never content."""

from __future__ import annotations

from collections.abc import Callable

from conftest import Member
from conftest import Rel

from handlers.console.channel import ConsoleSession


def test_a_mentee_sees_their_relationship_next_meeting_agenda_and_actions(
    pair: Rel, session: Callable[..., ConsoleSession]
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("agenda add How do I choose a specialty?")
    mentee.send("home")
    shown = mentee.text()
    assert "Maria Mentor" in shown
    assert "No meeting booked yet." in shown
    assert "Agenda: 1 open item(s)" in shown
    assert "How do I choose a specialty?" in shown
    assert "Open actions: 0 (0 overdue)" in shown
    assert "[1] What's next" in shown


def test_a_guide_sees_their_load_against_their_capacity(
    pair: Rel, session: Callable[..., ConsoleSession]
) -> None:
    mentor = session(pair.mentor.email)
    mentor.send("home")
    assert "You guide 1 learner(s); your capacity is 3." in mentor.text()


def test_a_coordinator_sees_counts_and_never_what_pairs_wrote(
    pair: Rel, coordinator: Member, session: Callable[..., ConsoleSession]
) -> None:
    session(pair.mentee.email).send("agenda add A private worry about my rotation")
    cora = session(coordinator.email)
    cora.send("home")
    shown = cora.text()
    assert "Programme health" in shown
    assert "1 active pairs" in shown
    assert "private worry" not in shown
    assert "[1] Report" in shown


def test_someone_without_a_relationship_is_told_so(
    outsider: Member, session: Callable[..., ConsoleSession]
) -> None:
    olly = session(outsider.email)
    olly.send("dashboard")
    assert "You have no active relationship yet." in olly.text()
