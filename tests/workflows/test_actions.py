"""The action plan after a meeting: drafting with a gentle SMART check, sharing, comments, follow-up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.messages import Message
from bot.model import ActionItem
from bot.model import ActionStatus
from bot.model import MeetingStatus
from bot.model import Priority
from bot.programme import ProgrammeConfig
from handlers.console.channel import ConsoleSession
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]


def stored_actions(uow_factory: SqlUnitOfWorkFactory, rel: Rel) -> list[ActionItem]:
    with uow_factory() as uow:
        items = uow.system_content("test").as_member(rel.members[0].id).actions(rel.id)
        uow.session.expunge_all()
        return items


def held_meeting(rel: Rel, clock: FixedClock, add_meeting: Callable[..., int]) -> int:
    """A meeting yesterday, recorded as held."""
    return add_meeting(rel, clock.now() - timedelta(days=1), status=MeetingStatus.HELD)


def start_plan(s: ConsoleSession, rel: Rel, meeting: int) -> None:
    """Press the button the meetings workflow offers once a meeting is recorded as held."""
    s.act("actions.plan", {"r": str(rel.id), "m": str(meeting)})


def test_mentee_drafts_a_plan_with_gentle_suggestions_and_shares_it(
    pair: Rel,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    uow_factory: SqlUnitOfWorkFactory,
    receive: Callable[[ConsoleSession], str],
) -> None:
    meeting = held_meeting(pair, clock, add_meeting)
    mentee = session(pair.mentee.email)
    start_plan(mentee, pair, meeting)
    assert "after your meeting on Sun 1 Mar 2026" in mentee.text()
    form = mentee.last_form()
    assert form is not None
    assert [o.label for o in form.inputs[1].options][:2] == ["Maria Mentor", "Eli Mentee (you)"]

    # vague, no date, no owner: stored all the same, with suggestions
    mentee.submit({"what": "Think about a research project", "owner": "none", "due": ""})
    shown = mentee.text()
    assert "Added: Think about a research project" in shown
    assert "“think about” is hard to tick off" in shown
    assert "Nobody owns this yet" in shown
    assert "There is no date yet" in shown

    # specific, owned by someone outside the programme, dated, nice-to-have: no suggestions
    mentee.submit(
        {
            "what": "Email Dr Osei about shadowing in the cardiology clinic",
            "owner": "other",
            "owner_name": "Dr Osei's secretary",
            "due": "2026-03-13",
            "priority": "nice",
        }
    )
    assert "Ideas to make it easier" not in mentee.text()
    assert "2. Email Dr Osei about shadowing in the cardiology clinic — Dr Osei's secretary" in mentee.text()
    assert "due Fri 13 Mar 2026 — nice-to-have" in mentee.text()

    mentee.press("Finish and share the plan")
    assert "shared with Maria Mentor" in mentee.text()
    items = stored_actions(uow_factory, pair)
    assert [(i.text, i.owner_id, i.owner_name, i.due_on, i.priority, i.meeting_id) for i in items] == [
        ("Think about a research project", None, "", None, Priority.MUST, meeting),
        (
            "Email Dr Osei about shadowing in the cardiology clinic",
            None,
            "Dr Osei's secretary",
            date(2026, 3, 13),
            Priority.NICE,
            meeting,
        ),
    ]

    # the guide is told, and can comment on an item
    mentor = session(pair.mentor.email)
    notice = receive(mentor)
    assert "Eli Mentee shared the action plan from your Mentoring meeting" in notice
    assert "Think about a research project" in notice
    mentor.press("Comment on 1")
    mentor.submit({"comment": "Happy to share two projects I know of."})
    assert "Your comment is saved" in mentor.text()
    mentee_notice = receive(mentee)
    assert "Maria Mentor commented on your action item" in mentee_notice
    mentee.send("actions")
    assert "Guide's comment: Happy to share two projects I know of." in mentee.text()


def test_a_restart_halfway_through_drafting_loses_nothing(
    pair: Rel,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    restart: Callable[[], MentorBot],
    uow_factory: SqlUnitOfWorkFactory,
    notices: Callable[[str], list[Message]],
) -> None:
    meeting = held_meeting(pair, clock, add_meeting)
    mentee = session(pair.mentee.email)
    start_plan(mentee, pair, meeting)
    mentee.submit({"what": "Book the skills lab for two sessions", "due": "2026-03-20"})

    resumed = session(pair.mentee.email, restart())
    resumed.last = mentee.last
    resumed.submit({"what": "Ask the registrar for feedback on one presentation", "due": "2026-03-27"})
    assert "1. Book the skills lab" in resumed.text() and "2. Ask the registrar" in resumed.text()
    resumed.press("Finish and share the plan")
    assert len(stored_actions(uow_factory, pair)) == 2
    assert len(notices(pair.mentor.email)) == 1


def test_bad_input_gets_a_clear_reply_and_stores_nothing(
    pair: Rel,
    outsider: Member,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
) -> None:
    meeting = held_meeting(pair, clock, add_meeting)
    mentee = session(pair.mentee.email)
    start_plan(mentee, pair, meeting)
    form = mentee.last_form()
    assert form is not None
    good = {i.name: i.value for i in form.inputs} | dict(form.hidden) | {"what": "Write the reflection"}

    def send(**changes: str) -> str:
        mentee.act(form.submit_action, good | changes)
        return mentee.text()

    assert "already passed" in send(due="2026-03-01")
    # the form comes back with what was typed and the message under the field to fix
    again = mentee.last_form()
    assert again is not None and again.hidden == form.hidden
    errors = {i.name: i.error for i in again.inputs if i.error}
    assert list(errors) == ["due"] and "already passed" in errors["due"]
    assert {i.name: i.value for i in again.inputs}["what"] == "Write the reflection"
    assert "couldn't read “next friday” as a date" in send(due="next friday")
    assert f"under {programme.max_text_length} characters" in send(what="x" * (programme.max_text_length + 1))
    assert "Please fill in the action" in send(what="   ")
    # someone who is not in the relationship cannot be made its owner by a forged form
    assert "Please choose who does it" in send(owner=str(outsider.id))
    assert "Please type the name" in send(owner="other", owner_name="")
    assert "not a priority I know" in send(priority="urgent")
    assert stored_actions(uow_factory, pair) == []

    # the same form, corrected, still works once; sent again it is stale
    assert "Added: Write the reflection" in send(due="2026-03-09")
    assert "no longer applies" in send(due="2026-03-09")
    assert len(stored_actions(uow_factory, pair)) == 1


def test_the_guide_is_told_the_mentee_drafts_the_plan(
    pair: Rel, session: Session, clock: FixedClock, add_meeting: Callable[..., int]
) -> None:
    meeting = held_meeting(pair, clock, add_meeting)
    mentor = session(pair.mentor.email)
    start_plan(mentor, pair, meeting)
    assert "drafted by Eli Mentee" in mentor.text()
    assert mentor.last_form() is None


def test_a_plan_needs_a_held_meeting_of_the_same_relationship(
    pair: Rel, group: Rel, session: Session, clock: FixedClock, add_meeting: Callable[..., int]
) -> None:
    upcoming = add_meeting(pair, clock.now() + timedelta(days=2))
    others = held_meeting(group, clock, add_meeting)
    mentee = session(pair.mentee.email)
    start_plan(mentee, pair, upcoming)
    assert "not been recorded as held" in mentee.text()
    start_plan(mentee, pair, others)
    assert "couldn't find that" in mentee.text()
    mentee.act("actions.plan", {"r": str(group.id), "m": str(others)})
    assert "not one of yours" in mentee.text()


def test_open_items_are_listed_overdue_flagged_and_closed(
    pair: Rel, session: Session, clock: FixedClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    with uow_factory() as uow:
        content = uow.system_content("test").as_member(pair.mentee.id)
        for text, due in (
            ("Submit the audit form", date(2026, 2, 27)),
            ("Read two papers", date(2026, 3, 30)),
        ):
            content.add_action(
                ActionItem(
                    relationship_id=pair.id,
                    text=text,
                    created_by=pair.mentee.id,
                    created_at=clock.now(),
                    owner_id=pair.mentee.id,
                    due_on=due,
                )
            )
        uow.commit()
    mentee = session(pair.mentee.email)
    mentee.send("actions")
    listing = mentee.text()
    assert "1. Submit the audit form — Eli Mentee — due Fri 27 Feb 2026 — must-do (overdue)" in listing
    assert "2. Read two papers — Eli Mentee — due Mon 30 Mar 2026 — must-do\n" in listing + "\n"
    assert "1 item(s) are past their date" in listing

    done = mentee.find_button("1: done")
    mentee.press("1: done")
    assert "Marked as done: Submit the audit form" in mentee.text()
    mentee.act(done.action, done.values)
    assert "already done" in mentee.text()
    mentee.send("actions drop 5")
    assert "There is no open item “5”. The numbers you can use are: 2" in mentee.text()
    # item 1 is done; "2" still means "Read two papers" (nothing is renumbered)
    mentee.send("actions drop 1")
    assert "There is no open item “1”" in mentee.text()
    mentee.send("actions drop 2")
    assert "Dropped: Read two papers" in mentee.text()
    assert [i.status for i in stored_actions(uow_factory, pair)] == [ActionStatus.DONE, ActionStatus.DROPPED]
    mentee.send("actions")
    assert "No open action items" in mentee.text()


def test_in_a_group_the_plan_reaches_every_other_member(
    group: Rel,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    notices: Callable[[str], list[Message]],
) -> None:
    meeting = held_meeting(group, clock, add_meeting)
    learner = session(group.learners[0].email)
    start_plan(learner, group, meeting)
    learner.submit({"what": "Prepare a five-minute case summary for the group", "due": "2026-03-16"})
    learner.press("Finish and share the plan")
    for member in (group.guide, *group.learners[1:]):
        assert len(notices(member.email)) == 1
    assert notices(group.learners[0].email) == []


def test_typed_plan_uses_the_last_held_meeting(
    pair: Rel,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    add_meeting(pair, clock.now() - timedelta(days=30), status=MeetingStatus.HELD)
    latest = held_meeting(pair, clock, add_meeting)
    mentee = session(pair.mentee.email)
    mentee.send("actions plan")
    mentee.submit({"what": "Update my portfolio with the new case"})
    assert stored_actions(uow_factory, pair)[0].meeting_id == latest


def test_the_shared_plan_and_the_sorted_list_use_the_same_numbers(
    pair: Rel,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    uow_factory: SqlUnitOfWorkFactory,
    receive: Callable[[ConsoleSession], str],
) -> None:
    meeting = held_meeting(pair, clock, add_meeting)
    mentee = session(pair.mentee.email)
    start_plan(mentee, pair, meeting)
    # written first but due last: the plan shows it as 1, and so does the list sorted by due date
    mentee.submit({"what": "Write the case report", "due": "2026-04-30"})
    mentee.submit({"what": "Ask for the rota", "due": "2026-03-06"})
    mentee.press("Finish and share the plan")
    mentor = session(pair.mentor.email)
    notice = receive(mentor)
    assert "1. Write the case report" in notice and "2. Ask for the rota" in notice

    mentor.send("actions")
    listing = mentor.text()
    assert listing.index("2. Ask for the rota") < listing.index("1. Write the case report")
    mentor.send("actions comment 1 Start with the history section.")
    by_text = {i.text: i.guide_comment for i in stored_actions(uow_factory, pair)}
    assert by_text == {"Write the case report": "Start with the history section.", "Ask for the rota": ""}
    # the compiled agenda shows the same numbers
    mentor.send("agenda")
    assert "• 2. Ask for the rota" in mentor.text() and "• 1. Write the case report" in mentor.text()


def test_the_owner_rewords_and_redates_an_item_others_cannot(
    pair: Rel, session: Session, clock: FixedClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    with uow_factory() as uow:
        content = uow.system_content("test").as_member(pair.mentee.id)
        content.add_action(
            ActionItem(
                relationship_id=pair.id,
                text="Submit the audit form",
                created_by=pair.mentee.id,
                created_at=clock.now(),
                owner_id=pair.mentee.id,
                due_on=date(2026, 2, 27),
            )
        )
        uow.commit()
    mentee = session(pair.mentee.email)
    # whats next suggests a new date, and says how
    mentee.send("whats next")
    assert "give it a new date: *actions date #1 1 YYYY-MM-DD*" in mentee.text().replace("\n", " ")
    mentee.send("actions date 1 2026-03-20")
    assert "Item 1 has its new date:" in mentee.text() and "due Fri 20 Mar 2026" in mentee.text()
    mentee.send("actions edit 1 Submit the audit form to Dr Osei")
    assert "Item 1 now reads:" in mentee.text()
    stored = stored_actions(uow_factory, pair)[0]
    assert (stored.text, stored.due_on) == ("Submit the audit form to Dr Osei", date(2026, 3, 20))

    # bad dates are refused clearly and change nothing
    mentee.send("actions date 1 2026-02-01")
    assert "already passed" in mentee.text()
    mentee.send("actions date 1 someday")
    assert "couldn't read “someday” as a date" in mentee.text()
    mentee.send("actions date 1")
    assert "Please give the new date" in mentee.text()
    mentee.send("actions date 1 none")
    assert stored_actions(uow_factory, pair)[0].due_on is None

    # the guide does not own it
    mentor = session(pair.mentor.email)
    mentor.send("actions edit 1 Something else")
    assert "Only the person the item belongs to (Eli Mentee) can change it" in mentor.text()
    mentor.send("actions date 1 2026-05-01")
    assert "Only the person the item belongs to" in mentor.text()
    stored = stored_actions(uow_factory, pair)[0]
    assert (stored.text, stored.due_on) == ("Submit the audit form to Dr Osei", None)


def test_the_same_number_in_two_relationships_asks_which(
    pair: Rel,
    make_person: Callable[..., Member],
    make_relationship: Callable[..., Rel],
    session: Session,
    clock: FixedClock,
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    sponsor = make_person("sponsor@example.org", "Sam Sponsor", "Europe/London", ("guide",))
    second = make_relationship([sponsor], [pair.mentee], kind="sponsorship")
    with uow_factory() as uow:
        content = uow.system_content("test").as_member(pair.mentee.id)
        for rid, text in ((pair.id, "First pair item"), (second.id, "Sponsor item")):
            content.add_action(
                ActionItem(relationship_id=rid, text=text, created_by=pair.mentee.id, created_at=clock.now())
            )
        uow.commit()
    mentee = session(pair.mentee.email)
    mentee.send("actions done 1")
    assert (
        f"Item 1 is open in more than one of your relationships (#{pair.id}, #{second.id})" in mentee.text()
    )
    mentee.send(f"actions done #{second.id} 1")
    assert "Marked as done: Sponsor item" in mentee.text()
    mentee.send("actions done 1")
    assert "Marked as done: First pair item" in mentee.text()
