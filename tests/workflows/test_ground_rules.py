"""Ground rules end to end: propose, confirm, counter, change later, versions kept; bad input; outsiders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from bot import ground_rules
from bot.app import MentorBot
from bot.clock import FixedClock
from bot.model import AgreementStatus
from bot.model import GroundRules
from bot.programme import ProgrammeConfig
from handlers.console.channel import ConsoleSession
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]
Receive = Callable[[ConsoleSession], str]


@pytest.fixture
def versions(uow_factory: SqlUnitOfWorkFactory) -> Callable[[Rel], list[tuple[int, str, dict[str, str]]]]:
    """(version, status, items) of every stored version, oldest first."""

    def read(rel: Rel) -> list[tuple[int, str, dict[str, str]]]:
        with uow_factory() as uow:
            found = uow.system_content("test").as_member(rel.members[0].id).ground_rules(rel.id)
            return [(v.version, str(v.status), dict(v.items)) for v in found]

    return read


Versions = Callable[["Rel"], list[tuple[int, str, dict[str, str]]]]


def test_one_proposes_from_the_programme_defaults_and_the_other_confirms(
    pair: Rel, session: Session, receive: Receive, versions: Versions
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send("ground rules")
    assert "You haven't agreed ground rules yet" in mentee.text()
    mentee.press("Propose ground rules")
    form = mentee.last_form()
    assert form is not None
    prefilled = {i.name: i.value for i in form.inputs}
    assert prefilled["cancellation_notice"] == "24h"
    assert prefilled["who_schedules"] == "mentee"
    assert len(form.inputs) == 14

    mentee.submit({"frequency": "every 2 weeks at first"})
    assert "Version 1 is on its way to Maria Mentor" in mentee.text()
    assert versions(pair)[0][1] == AgreementStatus.PROPOSED

    offer = receive(mentor)
    assert "Eli Mentee proposed version 1" in offer
    assert "every 2 weeks at first" in offer
    mentor.press("Confirm")
    assert "Agreed: version 1 is now your ground rules" in mentor.text()
    assert "Your ground rules are agreed" in receive(mentee)

    for s in (mentee, mentor):
        s.send("ground rules")
        assert "version 1" in s.text()
        assert "Agreed by all of you on Mon 2 Mar 2026" in s.text()
        assert "How often we meet" in s.text()
    assert versions(pair)[0][1] == AgreementStatus.AGREED


def test_a_counter_proposal_supersedes_and_the_old_confirm_button_is_stale(
    pair: Rel, session: Session, receive: Receive, versions: Versions
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send("ground rules propose")
    mentee.submit({"cancellation_notice": "12h"})
    receive(mentor)
    first_offer = list(mentor.last)
    mentor.press("Suggest changes")
    form = mentor.last_form()
    assert form is not None
    assert {i.name: i.value for i in form.inputs}["cancellation_notice"] == "12h"  # starts from the proposal
    mentor.submit({"cancellation_notice": "48h"})
    assert "Version 2" in mentor.text()

    offer = receive(mentee)
    assert "Maria Mentor proposed version 2" in offer
    mentor.last = first_offer
    mentor.press("Confirm")
    assert "no longer waiting for confirmation" in mentor.text()

    mentee.press("Confirm")
    assert "Agreed: version 2" in mentee.text()
    assert [(v, s) for v, s, _ in versions(pair)] == [(1, "superseded"), (2, "agreed")]
    mentee.send("ground rules history")
    assert "Version 2: in force, proposed by Maria Mentor" in mentee.text()
    assert "Version 1: replaced by a later version, proposed by Eli Mentee" in mentee.text()


def test_a_later_change_takes_the_same_path_and_the_agreed_version_holds_until_confirmed(
    pair: Rel, session: Session, receive: Receive, versions: Versions
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send("ground rules propose")
    mentee.submit()
    receive(mentor)
    mentor.press("Confirm")

    mentor.send("ground rules")
    mentor.press("Propose a change")
    mentor.submit({"mode": "video call only"})
    change = receive(mentee)
    assert "Where and how we meet : video call only (was: video call or in person)" in change
    assert "How often we meet" not in change  # only what changes is shown

    mentee.send("ground rules")
    assert "Ground rules: Mentoring with Maria Mentor (#" in mentee.text()
    assert "version 1" in mentee.text()  # still in force
    assert "Waiting for: Eli Mentee" in mentee.text()
    mentee.send("ground rules confirm")
    assert "Agreed: version 2" in mentee.text()
    assert [s for _, s, _ in versions(pair)] == ["superseded", "agreed"]

    mentee.send("ground rules propose")
    mentee.submit()
    assert "exactly version 2, which you already agreed" in mentee.text()
    assert len(versions(pair)) == 2


def test_a_group_agrees_only_when_every_member_has_confirmed(
    group: Rel, session: Session, receive: Receive, versions: Versions
) -> None:
    lead = session(group.guide.email)
    lead.send("ground rules propose")
    lead.submit()
    learners = [session(m.email) for m in group.learners]
    for s in learners[:2]:
        receive(s)
        s.press("Confirm")
        assert "Still waiting for" in s.text()
    assert "Lou Three" in learners[1].text()
    assert versions(group)[0][1] == "proposed"
    receive(learners[2])
    learners[2].press("Confirm")
    assert "Agreed: version 1" in learners[2].text()
    assert versions(group)[0][1] == "agreed"


def test_the_proposer_can_withdraw_and_a_later_confirm_is_stale(
    pair: Rel, session: Session, receive: Receive, versions: Versions
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send("ground rules propose")
    mentee.submit()
    receive(mentor)
    mentee.send("ground rules")
    mentee.press("Withdraw my proposal")
    assert "You withdrew version 1" in mentee.text()
    assert "withdrew the proposed ground rules (version 1); nothing changes" in receive(mentor)
    mentor.send("ground rules confirm")
    assert "no proposal waiting" in mentor.text()
    assert versions(pair)[0][1] == "withdrawn"


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        ("frequency", "   ", "Please give an answer for “How often we meet”"),
        (
            "cancellation_notice",
            "a day or so",
            "For “Notice needed to cancel”, please give a length of time like 24h",
        ),
        ("agenda_lead_time", "soon", "For “When the agenda is shared”"),
        ("who_schedules", "whoever", "please choose the mentee, the guide or either"),
        ("boundaries", "x" * 1001, "That Our boundaries is too long. Please keep it under 1000 characters."),
    ],
)
def test_bad_answers_are_explained_next_to_the_item_and_nothing_is_stored(
    pair: Rel, session: Session, versions: Versions, field: str, typed: str, expected: str
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("ground rules propose")
    mentee.submit({field: typed})
    assert expected in mentee.text()
    form = mentee.last_form()
    assert form is not None
    assert next(i for i in form.inputs if i.name == field).error
    assert versions(pair) == []
    mentee.submit({field: "24h" if field != "who_schedules" else "either"})
    assert "Version 1 is on its way" in mentee.text()


def test_stale_forms_change_nothing(
    pair: Rel, session: Session, receive: Receive, versions: Versions
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send("ground rules propose")
    form = mentee.last_form()
    assert form is not None
    values = {**form.hidden, **{i.name: i.value for i in form.inputs}}
    mentee.act(form.submit_action, values)
    mentee.act(form.submit_action, values)
    assert "no longer applies" in mentee.text()
    assert len(versions(pair)) == 1

    # the mentor opens the form, then the mentee proposes again before the mentor sends theirs
    mentor.send("ground rules propose")
    mentor_form = mentor.last_form()
    mentee.send("ground rules propose")
    mentee.submit({"frequency": "weekly"})
    assert mentor_form is not None
    mentor.act(
        mentor_form.submit_action, {**mentor_form.hidden, **{i.name: i.value for i in mentor_form.inputs}}
    )
    assert "Someone proposed other ground rules while you were editing" in mentor.text()
    assert [s for _, s, _ in versions(pair)] == ["superseded", "proposed"]

    receive(mentor)
    mentor.press("Confirm")
    mentor.act("rules.confirm", {"r": str(pair.id), "g": "999"})
    assert "no longer waiting for confirmation" in mentor.text()


def test_outsiders_and_coordinators_cannot_see_or_confirm(
    pair: Rel, outsider: Member, coordinator: Member, session: Session, versions: Versions
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("ground rules propose")
    mentee.submit({"boundaries": "nothing about my thesis committee"})
    for email in (outsider.email, coordinator.email):
        s = session(email)
        s.send(f"ground rules #{pair.id}")
        assert "not one of yours" in s.text()
        assert "thesis" not in s.text()
        s.act("rules.confirm", {"r": str(pair.id), "g": "1"})
        assert "not one of yours" in s.text()
        s.act("rules.propose", {"r": str(pair.id)})
        assert "not one of yours" in s.text()
    assert [s for _, s, _ in versions(pair)] == ["proposed"]


def test_a_restart_between_opening_and_sending_the_form_resumes(
    pair: Rel, session: Session, restart: Callable[[], MentorBot], versions: Versions
) -> None:
    before = session(pair.mentee.email)
    before.send("ground rules propose")
    after = session(pair.mentee.email, restart())
    after.last = before.last
    after.submit({"review": "every 6 months"})
    assert "Version 1 is on its way" in after.text()
    assert versions(pair)[0][2]["review"] == "every 6 months"


def test_the_agreed_notice_period_is_the_one_meetings_warn_about(
    pair: Rel, session: Session, receive: Receive, clock: FixedClock
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send("ground rules propose")
    mentee.submit({"cancellation_notice": "2d"})
    receive(mentor)
    mentor.press("Confirm")
    mentee.send("schedule")
    mentee.submit({"option1": "2026-03-05 14:30"})
    receive(mentor)
    mentor.press("Thu 5 Mar")
    clock.set(datetime(2026, 3, 4, 14, 30, tzinfo=UTC))
    mentor.press("Cancel")
    assert "your agreed notice for cancelling is 2 days, and this is 24 hours before" in mentor.text()


def test_the_accessors_the_scheduler_uses_fall_back_to_the_programme() -> None:
    programme = ProgrammeConfig.default()
    assert ground_rules.who_schedules(None, programme) == "mentee"
    assert ground_rules.agenda_lead(None, programme) == timedelta(hours=48)
    assert ground_rules.cancellation_notice(None, programme) == timedelta(hours=24)
    agreed = GroundRules(
        relationship_id=1,
        version=1,
        items={"who_schedules": "either", "agenda_lead_time": "24h", "cancellation_notice": "3d"},
        proposed_by=1,
        proposed_at=datetime(2026, 3, 2, tzinfo=UTC),
        status=AgreementStatus.AGREED,
    )
    assert ground_rules.who_schedules(agreed, programme) == "either"
    assert ground_rules.agenda_lead(agreed, programme) == timedelta(hours=24)
    assert ground_rules.cancellation_notice(agreed, programme) == timedelta(days=3)
