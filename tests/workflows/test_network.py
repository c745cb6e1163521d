"""The mentoring network: guides by kind (inside and outside the programme), gaps, one concrete ask."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.app import MentorBot
from bot.model import Kind
from handlers.console.channel import ConsoleSession
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]


def stored_network(
    uow_factory: SqlUnitOfWorkFactory, person: Member
) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    with uow_factory() as uow:
        person_obj = uow.people.get(person.id)
        assert person_obj is not None
        content = uow.content(person_obj)
        entries = [(e.kind, e.guide_name) for e in content.network()]
        asks = [(a.gap_kind, a.asked_of, a.ask) for a in content.network_asks()]
        return entries, asks


def test_the_network_comes_from_relationships_and_shows_the_gaps(
    pair: Rel, make_person: Callable[..., Member], make_relationship: Callable[..., Rel], session: Session
) -> None:
    coach = make_person("coach@example.org", "Cal Coach", "Europe/London", ("guide",))
    mentee_member = pair.mentee
    make_relationship([coach], [mentee_member], kind=Kind.COACHING)
    mentee = session(pair.mentee.email)
    mentee.send("network")
    shown = mentee.text()
    assert f"*Mentoring*: Maria Mentor (in the programme, #{pair.id})" in shown
    assert "*Coaching*: Cal Coach (in the programme" in shown
    assert "*Advising*: nobody yet" in shown
    assert "Gaps (3)" in shown
    assert "No sponsor yet?" in shown and "No peers yet?" in shown and "Nobody to advise you?" in shown
    assert "No mentor yet?" not in shown

    # the mentor's own network does not list their mentee as a guide
    mentor = session(pair.mentor.email)
    mentor.send("network")
    assert "Eli Mentee" not in mentor.text()
    assert "Gaps (5)" in mentor.text()


def test_adding_and_removing_people_outside_the_programme(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("network add sponsor Prof. Adaeze Obi")
    assert "Added Prof. Adaeze Obi under Sponsorship" in mentee.text()
    assert "*Sponsorship*: Prof. Adaeze Obi [1]" in mentee.text()
    mentee.press("Add someone")
    mentee.submit({"kind": "peer", "name": "Jo from my year"})
    assert "*Peers*: Jo from my year [2]" in mentee.text()
    assert "Gaps (2)" in mentee.text()

    mentee.send("network remove 1")
    assert "Removed Prof. Adaeze Obi" in mentee.text()
    assert stored_network(uow_factory, pair.mentee)[0] == [("peer", "Jo from my year")]


def test_bad_input_is_explained_and_nothing_is_stored(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("network add sponser Dr Who")
    assert "“sponser” is not a kind of guidance I know. Did you mean *sponsorship*?" in mentee.text()
    mentee.send("network add coach")
    assert "Please fill in the name" in mentee.text()
    mentee.send("network add coach " + "N" * 201)
    assert "under 200 characters" in mentee.text()
    mentee.send("network remove 1")
    assert "haven't added anyone yet" in mentee.text()
    mentee.send("network add coach Dr Lee")
    mentee.send("network add coach dr lee")
    assert "already in your network" in mentee.text()
    mentee.send("network remove 3")
    assert "no “3” among the people you added (1)" in mentee.text()
    assert stored_network(uow_factory, pair.mentee)[0] == [("coaching", "Dr Lee")]


def test_one_concrete_ask_for_one_gap(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory, restart: Callable[[], MentorBot]
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("network")
    mentee.press("Make one ask")
    form = mentee.last_form()
    assert form is not None
    # only the gaps are offered
    assert [o.value for o in form.inputs[0].options] == ["coaching", "advising", "sponsorship", "peer"]
    resumed = session(pair.mentee.email, restart())
    resumed.last = mentee.last
    resumed.submit(
        {
            "gap": "sponsorship",
            "whom": "Prof. Obi",
            "ask": "Would you put my name forward for the audit committee?",
        }
    )
    assert "you will ask Prof. Obi about Sponsorship" in resumed.text()
    # the form sent again is stale and records nothing more
    resumed.act(form.submit_action, {**form.hidden, "gap": "peer", "whom": "Jo", "ask": "Study group?"})
    assert "no longer applies" in resumed.text()
    assert stored_network(uow_factory, pair.mentee)[1] == [
        ("sponsorship", "Prof. Obi", "Would you put my name forward for the audit committee?")
    ]
    resumed.send("network")
    assert "Your latest ask (Mon 2 Mar 2026): Prof. Obi, for Sponsorship" in resumed.text()


def test_an_ask_with_an_unknown_gap_or_missing_parts_is_refused(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("network ask")
    form = mentee.last_form()
    assert form is not None
    base = {**form.hidden, "gap": "coaching", "whom": "Dr Lee", "ask": "Coach me on presenting?"}
    mentee.act(form.submit_action, base | {"gap": "astrology"})
    assert "not a kind of guidance I know" in mentee.text()
    mentee.act(form.submit_action, base | {"whom": ""})
    assert "Please fill in the person you will ask" in mentee.text()
    assert stored_network(uow_factory, pair.mentee)[1] == []


def test_a_network_is_private_to_its_owner(pair: Rel, outsider: Member, session: Session) -> None:
    session(pair.mentee.email).send("network add coach Dr Secret")
    for email in (pair.mentor.email, outsider.email):
        other = session(email)
        other.send("network")
        assert "Dr Secret" not in other.text()
        other.send("network remove 1")
        assert "haven't added anyone yet" in other.text()
