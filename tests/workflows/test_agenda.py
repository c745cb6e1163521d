"""The agenda: the mentee prepares, the guide reads the compiled agenda, undiscussed items carry over."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from bot.agenda import compiled_agenda
from bot.app import MentorBot
from bot.clock import FixedClock
from bot.messages import Section
from bot.messages import Text
from bot.model import ActionItem
from bot.model import AgendaStatus
from bot.model import AgreementStatus
from bot.model import Format
from bot.model import GroundRules
from bot.model import MeetingStatus
from bot.model import Priority
from bot.programme import ProgrammeConfig
from handlers.console.channel import ConsoleSession
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]


def stored_agenda(uow_factory: SqlUnitOfWorkFactory, rel: Rel) -> list[tuple[str, str, int]]:
    """(text, status, position) of every agenda item of ``rel``, as stored."""
    with uow_factory() as uow:
        items = uow.system_content("test").as_member(rel.members[0].id).agenda(rel.id)
        return [(i.text, i.status, i.position) for i in items]


def agree_rules(uow_factory: SqlUnitOfWorkFactory, rel: Rel, clock: FixedClock, **items: str) -> None:
    with uow_factory() as uow:
        rules = GroundRules(
            relationship_id=rel.id,
            version=1,
            items=dict(items),
            proposed_by=rel.members[0].id,
            proposed_at=clock.now(),
            status=AgreementStatus.AGREED,
            agreed_at=clock.now(),
        )
        uow.system_content("test").as_member(rel.members[0].id).add_ground_rules(rules)
        uow.commit()


def test_mentee_builds_the_agenda_and_the_guide_reads_it_compiled(
    pair: Rel, session: Session, add_meeting: Callable[..., int], clock: FixedClock
) -> None:
    add_meeting(pair, clock.now() + timedelta(days=3))
    mentee = session(pair.mentee.email)
    mentee.send("agenda")
    shown = mentee.text()
    # the four preparation prompts help the mentee get ready; they have never met: the first-meeting ones
    assert "What has happened since we last met?" not in shown
    assert "What do you hope to get from this mentoring relationship" in shown
    assert "What would make this first meeting worthwhile for you?" in shown
    assert "not booked yet" not in shown and "Thu 5 Mar 2026, 09:00 GMT" in shown

    mentee.send("agenda add How to prepare for the ward rotation")
    assert "Added as item 1" in mentee.text()
    mentee.press("Add an item")
    form = mentee.last_form()
    assert form is not None and {o.value for o in form.inputs[0].options} >= {"hardest_now", "own"}
    assert "since_last" not in {o.value for o in form.inputs[0].options}  # nothing to look back on yet
    mentee.submit({"prompt": "hardest_now", "text": "Presenting at the case conference"})
    assert "Added as item 2" in mentee.text()
    assert "2. Hardest thing right now: Presenting at the case conference" in mentee.text()

    mentor = session(pair.mentor.email)
    mentor.send("agenda")
    compiled = mentor.text()
    assert "1. How to prepare for the ward rotation" in compiled
    assert "2. Hardest thing right now: Presenting at the case conference" in compiled
    # shown in the guide's own time zone, and without editing controls
    assert "04:00 EST" in compiled
    assert "Eli Mentee sets the agenda" in compiled
    assert mentor.buttons() == []

    mentor.send("agenda add My own topic")
    assert "set by Eli Mentee" in mentor.text()


def test_items_can_be_edited_reordered_and_removed(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    for topic in ("alpha", "beta", "gamma"):
        mentee.send(f"agenda add {topic}")
    # every item keeps the number it was given: the numbers move with the items
    mentee.send("agenda up 3")
    assert "1. alpha\n3. gamma\n2. beta" in mentee.text()
    mentee.send("agenda down 1")
    assert "3. gamma\n1. alpha\n2. beta" in mentee.text()
    mentee.send("agenda order 2 3 1")
    assert "2. beta\n3. gamma\n1. alpha" in mentee.text()
    mentee.send("agenda edit 3 gamma, reworded")
    assert "3. gamma, reworded" in mentee.text()
    mentee.send("agenda edit 2")
    mentee.submit({"text": "beta via the form"})
    assert "2. beta via the form" in mentee.text()
    mentee.send("agenda remove 1")
    assert "alpha" not in mentee.text().split("Open action items")[0]
    texts = [t for t, status, _ in stored_agenda(uow_factory, pair) if status == AgendaStatus.OPEN]
    assert sorted(texts) == ["beta via the form", "gamma, reworded"]


def test_bad_orders_and_numbers_get_a_clear_reply_and_change_nothing(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("agenda add one")
    mentee.send("agenda add two")
    before = stored_agenda(uow_factory, pair)

    mentee.send("agenda order 2 2")
    assert "every item's number once" in mentee.text()
    mentee.send("agenda up 1")
    assert "already at that end" in mentee.text()
    mentee.send("agenda remove 7")
    assert "There is no item “7”" in mentee.text()
    mentee.send("agenda add " + "x" * (programme.max_text_length + 1))
    assert f"under {programme.max_text_length} characters" in mentee.text()
    mentee.send("agenda frobnicate")
    assert "Did you mean" in mentee.text() or "didn't understand" in mentee.text()
    assert stored_agenda(uow_factory, pair) == before


def test_a_form_sent_twice_adds_the_item_once(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("agenda add")
    form = mentee.last_form()
    assert form is not None
    mentee.submit({"prompt": "own", "text": "only once"})
    values = {**form.hidden, "prompt": "own", "text": "only once"}
    mentee.act(form.submit_action, values)
    assert "no longer applies" in mentee.text()
    assert [t for t, _, _ in stored_agenda(uow_factory, pair)] == ["only once"]


def test_a_restart_between_opening_and_sending_the_form_loses_nothing(
    pair: Rel, session: Session, restart: Callable[[], MentorBot], uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("agenda add")
    form = mentee.last_form()
    assert form is not None
    after = session(pair.mentee.email, restart())
    after.last = mentee.last
    after.submit({"prompt": "revisit", "text": "the feedback on my essay"})
    assert "Added as item 1" in after.text()
    assert [t for t, _, _ in stored_agenda(uow_factory, pair)] == ["From last time: the feedback on my essay"]


def test_who_sets_the_agenda_follows_the_agreed_ground_rules(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    agree_rules(uow_factory, pair, clock, who_sets_agenda="the mentor, at first")
    mentor, mentee = session(pair.mentor.email), session(pair.mentee.email)
    mentor.send("agenda add Getting to know each other")
    assert "Added as item 1" in mentor.text()
    mentee.send("agenda add My topic")
    assert "set by Maria Mentor" in mentee.text()


def test_what_s_next_asks_whoever_may_edit_the_agenda_to_prepare_it(
    pair: Rel,
    session: Session,
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    add_meeting: Callable[..., int],
) -> None:
    # one reading of the pair's own words: the guide, who alone may edit the agenda, is the one told to
    # prepare it (the mentee used to be told to, and then refused)
    agree_rules(uow_factory, pair, clock, who_sets_agenda="the mentor, at first")
    add_meeting(pair, clock.now() + timedelta(days=2))
    mentor, mentee = session(pair.mentor.email), session(pair.mentee.email)
    mentor.send("next")
    assert "agenda" in mentor.text().lower()
    mentee.send("next")
    assert "Add your agenda items" not in mentee.text()
    mentee.send("agenda add My topic")
    assert "set by Maria Mentor" in mentee.text()


_GUIDE_LED = dataclasses.replace(
    ProgrammeConfig.default(),
    ground_rule_defaults={**ProgrammeConfig.default().ground_rule_defaults, "who_sets_agenda": "mentor"},
)


@pytest.mark.parametrize("programme", [_GUIDE_LED])
def test_before_any_rules_are_agreed_the_programme_s_default_decides_who_sets_the_agenda(
    pair: Rel,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    programme: ProgrammeConfig,
) -> None:
    # a programme whose guides lead the agenda: the mentor may add and is asked to; the mentee is not
    add_meeting(pair, clock.now() + timedelta(days=2))
    mentor, mentee = session(pair.mentor.email), session(pair.mentee.email)
    mentor.send("agenda add Getting to know each other")
    assert "Added as item 1" in mentor.text()
    mentee.send("agenda add My topic")
    assert "set by Maria Mentor" in mentee.text()
    mentee.send("next")
    assert "Add your agenda items" not in mentee.text()


def test_when_both_set_the_agenda_both_may_add(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    agree_rules(uow_factory, pair, clock, who_sets_agenda="both of us")
    session(pair.mentor.email).send("agenda add From the mentor")
    session(pair.mentee.email).send("agenda add From the mentee")
    assert sorted(t for t, _, _ in stored_agenda(uow_factory, pair)) == ["From the mentee", "From the mentor"]


def test_in_a_peer_relationship_everyone_adds(
    make_person: Callable[..., Member],
    make_relationship: Callable[..., Rel],
    session: Session,
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    a = make_person("peer1@example.org", "Pat Peer")
    b = make_person("peer2@example.org", "Sam Peer")
    rel = make_relationship([a], [b], format=Format.PEER)
    session(a.email).send("agenda add first")
    session(b.email).send("agenda add second")
    view = session(a.email)
    view.send("agenda")
    # two authors: each item says whose it is
    assert "1. first — Pat Peer" in view.text() and "2. second — Sam Peer" in view.text()
    assert len(stored_agenda(uow_factory, rel)) == 2


def test_undiscussed_items_carry_over_to_the_next_meeting(
    pair: Rel,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    set_meeting_status: Callable[[Rel, int, str], None],
) -> None:
    first = add_meeting(pair, clock.now() + timedelta(days=2))
    mentee = session(pair.mentee.email)
    mentee.send("agenda add covered topic")
    mentee.send("agenda add topic we ran out of time for")
    clock.advance(timedelta(days=3))
    set_meeting_status(pair, first, MeetingStatus.HELD)

    mentee.send("agenda")
    assert "After your meeting on Wed 4 Mar 2026: did you get to these?" in mentee.text()
    mentee.press("1: discussed")
    # nothing is renumbered: the item we ran out of time for is still number 2
    assert "2. topic we ran out of time for" in mentee.text()
    carry = mentee.find_button("2: carry over")
    mentee.press("2: carry over")
    assert "Carried over to your next meeting" in mentee.text()
    # the same button again changes nothing and says so
    mentee.act(carry.action, carry.values)
    assert "no longer applies" in mentee.text()

    add_meeting(pair, clock.now() + timedelta(days=10))
    mentee.send("agenda")
    assert "2. topic we ran out of time for (carried over)" in mentee.text()
    assert "covered topic" not in mentee.text()


def test_typed_review_marks_all_and_items_of_a_cancelled_meeting_move_on(
    pair: Rel,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    set_meeting_status: Callable[[Rel, int, str], None],
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    cancelled = add_meeting(pair, clock.now() + timedelta(days=1))
    mentee = session(pair.mentee.email)
    mentee.send("agenda add first topic")
    set_meeting_status(pair, cancelled, MeetingStatus.CANCELLED)
    held = add_meeting(pair, clock.now() + timedelta(days=5))
    mentee.send("agenda")
    assert "1. first topic" in mentee.text() and "Tue 7 Mar" not in mentee.text()
    clock.advance(timedelta(days=6))
    set_meeting_status(pair, held, MeetingStatus.HELD)
    mentee.send("agenda discussed all")
    assert "Noted as discussed (1)" in mentee.text()
    assert stored_agenda(uow_factory, pair)[0][1] == AgendaStatus.DISCUSSED
    mentee.send("agenda carry 1")
    assert "nothing waiting from a past meeting" in mentee.text()


def test_open_action_items_join_the_agenda_by_themselves(
    pair: Rel,
    session: Session,
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    programme: ProgrammeConfig,
) -> None:
    with uow_factory() as uow:
        content = uow.system_content("test").as_member(pair.mentee.id)
        for text, due in (
            ("Read the guideline", date(2026, 2, 20)),
            ("Draft the abstract", date(2026, 3, 20)),
        ):
            content.add_action(
                ActionItem(
                    relationship_id=pair.id,
                    text=text,
                    created_by=pair.mentee.id,
                    created_at=clock.now(),
                    owner_id=pair.mentee.id,
                    due_on=due,
                    priority=Priority.MUST,
                )
            )
        uow.commit()
    mentor = session(pair.mentor.email)
    mentor.send("agenda")
    assert "• 1. Read the guideline — Eli Mentee — due Fri 20 Feb 2026 (overdue)" in mentor.text()
    assert "• 2. Draft the abstract — Eli Mentee — due Fri 20 Mar 2026" in mentor.text()
    assert "Draft the abstract — Eli Mentee — due Fri 20 Mar 2026 (overdue)" not in mentor.text()

    # what the scheduler does: the compiled agenda through content opened for the guide
    with uow_factory() as uow:
        content = uow.system_content("agenda to guide").as_member(pair.mentor.id)
        rel = content.relationship(pair.id)
        blocks = compiled_agenda(content, rel, None, programme.text, today=date(2026, 3, 2))
    assert isinstance(blocks[0], Section) and "not booked yet" in blocks[0].title
    assert any(isinstance(b, Text) and "Read the guideline" in b.text for b in blocks)


def test_a_button_for_someone_elses_item_finds_nothing(
    pair: Rel,
    group: Rel,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    set_meeting_status: Callable[[Rel, int, str], None],
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    meeting = add_meeting(pair, clock.now() + timedelta(hours=2))
    mentee = session(pair.mentee.email)
    mentee.send("agenda add private topic")
    clock.advance(timedelta(days=1))
    set_meeting_status(pair, meeting, MeetingStatus.HELD)
    mentee.send("agenda")
    button = mentee.find_button("1: carry over")
    stranger = session(group.learner.email)
    stranger.act(button.action, button.values)
    assert "couldn't find that" in stranger.text()
    assert "private topic" not in stranger.text()
    assert stored_agenda(uow_factory, pair)[0][1] == AgendaStatus.OPEN


def test_numbers_stay_with_items_after_a_review_and_across_meetings(
    pair: Rel,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    set_meeting_status: Callable[[Rel, int, str], None],
) -> None:
    first = add_meeting(pair, clock.now() + timedelta(days=1))
    mentee = session(pair.mentee.email)
    mentee.send("agenda add old one")
    mentee.send("agenda add old two")
    clock.advance(timedelta(days=2))
    set_meeting_status(pair, first, MeetingStatus.HELD)
    mentee.send("agenda add new three")
    assert "Added as item 3" in mentee.text()
    # item 1 discussed: "agenda carry 2" still means "old two", and the new item is still 3
    mentee.send("agenda discussed 1")
    mentee.send("agenda carry 2")
    assert "Carried over to your next meeting (1)" in mentee.text()
    mentee.send("agenda remove 3")
    shown = mentee.text().split("Open action items")[0]
    assert "2. old two (carried over)" in shown and "new three" not in shown
    mentee.send("agenda remove 1")
    assert "There is no item “1” here. The numbers you can use are: 2." in mentee.text()


def test_a_guide_removing_the_mentees_item_only_hides_it_and_she_can_restore_it(
    pair: Rel,
    session: Session,
    clock: FixedClock,
    uow_factory: SqlUnitOfWorkFactory,
    receive: Callable[[ConsoleSession], str],
) -> None:
    agree_rules(uow_factory, pair, clock, who_sets_agenda="both of us")
    mentee = session(pair.mentee.email)
    mentor = session(pair.mentor.email)
    mentee.send("agenda add My worry about the exam")
    mentor.send("agenda add Your rotation plan")
    mentor.send("agenda remove 1")
    assert "It was Eli Mentee's, so I've told them" in mentor.text()
    assert "My worry about the exam" not in mentor.text()
    stored = {t: s for t, s, _ in stored_agenda(uow_factory, pair)}
    assert stored["My worry about the exam"] == AgendaStatus.REMOVED  # hidden, not deleted

    notice = receive(mentee)
    assert "Maria Mentor took your item 1 off the agenda" in notice and "My worry about the exam" in notice
    # the guide cannot put it back for her; she can
    mentor.send("agenda restore 1")
    assert "Nothing of yours has been taken off" in mentor.text()
    mentee.send("agenda")
    assert "1. My worry about the exam — taken off by Maria Mentor" in mentee.text()
    receive(mentee)
    mentee.press("Put 1 back")
    assert "Item 1 is back on the agenda." in mentee.text()
    assert "1. My worry about the exam — Eli Mentee\n2. Your rotation plan" in mentee.text()
    stored = {t: s for t, s, _ in stored_agenda(uow_factory, pair)}
    assert stored["My worry about the exam"] == AgendaStatus.OPEN

    # her own removal drops her item without any notice to anyone
    mentor.send("agenda remove 1")
    mentee.send("agenda restore 1")
    assert "Item 1 is back on the agenda." in mentee.text()
    mentee.send("agenda remove 1")
    assert "Item 1 is off the agenda." in mentee.text() and "told" not in mentee.text()
    mentee.send("agenda restore 1")
    assert "Nothing of yours has been taken off" in mentee.text()


def test_removed_items_can_be_restored_only_until_their_meeting_is_held(
    pair: Rel,
    session: Session,
    clock: FixedClock,
    uow_factory: SqlUnitOfWorkFactory,
    add_meeting: Callable[..., int],
    set_meeting_status: Callable[[Rel, int, str], None],
) -> None:
    agree_rules(uow_factory, pair, clock, who_sets_agenda="both of us")
    meeting = add_meeting(pair, clock.now() + timedelta(days=1))
    mentee = session(pair.mentee.email)
    mentor = session(pair.mentor.email)
    mentee.send("agenda add Something for tomorrow")
    mentor.send("agenda remove 1")
    clock.advance(timedelta(days=2))
    set_meeting_status(pair, meeting, MeetingStatus.HELD)
    mentee.send("agenda")
    assert "Taken off your agenda" not in mentee.text()
    mentee.send("agenda restore 1")
    assert "Nothing of yours has been taken off" in mentee.text()
