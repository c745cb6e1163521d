"""Stable references and native controls from Slack (signed requests to the real slack-bolt app, the Web
API faked at HTTP level): a guide's removal of the mentee's agenda item reaches her with a button that
puts it back, action numbers follow the item, and an action plan's date is a date picker."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from slack_harness import Harness
from slack_harness import People

from bot.clock import FixedClock
from bot.model import AgreementStatus
from bot.model import GroundRules
from bot.model import Meeting
from bot.model import MeetingStatus
from scheduler.dispatch import Dispatcher


async def deliver_outbox(slack: Harness) -> None:
    runtime = slack.runtime
    await Dispatcher(runtime.uow_factory, runtime.programme, runtime.clock, runtime.senders).drain()


def both_set_the_agenda(slack: Harness, people: People, clock: FixedClock) -> None:
    with slack.runtime.uow_factory() as uow:
        rules = GroundRules(
            relationship_id=people.relationship_id,
            version=1,
            items={"who_sets_agenda": "both of us"},
            proposed_by=people.mentee_id,
            proposed_at=clock.now(),
            status=AgreementStatus.AGREED,
            agreed_at=clock.now(),
        )
        uow.system_content("test setup").as_member(people.mentee_id).add_ground_rules(rules)
        uow.commit()


async def test_a_guide_removes_the_mentees_item_and_she_puts_it_back_from_slack(
    slack: Harness, people: People, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 3, 15, 0, tzinfo=UTC))
    both_set_the_agenda(slack, people, clock)
    await slack.dm("U0MENTEE", "agenda add How to ask for a study day")
    await slack.shown("DU0MENTEE", "Added as item 1")
    await slack.dm("U0MENTOR", "agenda add Your rotation plan")
    await slack.shown("DU0MENTOR", "Added as item 2")
    await slack.dm("U0MENTOR", "agenda remove 1")
    await slack.shown("DU0MENTOR", "so I've told them; they can put it back")

    await deliver_outbox(slack)
    notice = await slack.shown("DU0MENTEE", "Maria Mentor took your item 1 off the agenda")
    assert "How to ask for a study day" in notice
    await slack.press("U0MENTEE", "Put 1 back")
    await slack.shown("DU0MENTEE", "Item 1 is back on the agenda.")
    both = await slack.shown("DU0MENTEE", "2. Your rotation plan")
    assert "1. How to ask for a study day" in both
    assert slack.fake.violations == []


async def test_action_numbers_follow_the_item_and_the_due_date_is_a_date_picker(
    slack: Harness, people: People, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 3, 15, 0, tzinfo=UTC))
    with slack.runtime.uow_factory() as uow:
        meeting = Meeting(
            relationship_id=people.relationship_id, status=MeetingStatus.HELD, scheduled_by=people.mentee_id,
            created_at=clock.now(), starts_at=clock.now() - timedelta(hours=2), updated_at=clock.now(),
        )  # fmt: skip
        uow.system_content("test setup").as_member(people.mentee_id).add_meeting(meeting)
        uow.commit()
    await slack.command("U0MENTEE", "actions plan")
    await slack.fake.wait_for("views.open")
    modal = slack.last_modal()
    due = next(b for b in modal["blocks"] if b.get("block_id") == "input:due")
    assert due["element"]["type"] == "datepicker" and "hint" not in due
    # the form for the next item comes back in the modal; the plan so far is in the DM
    _, body = await slack.submit("U0MENTEE", {"what": "Write the case report", "due": "2026-04-30"})
    await slack.shown("DU0MENTEE", "1. Write the case report")
    next_view = json.loads(body)["view"]
    await slack.submit("U0MENTEE", {"what": "Ask for the rota", "due": "2026-03-06"}, view=next_view)
    await slack.shown("DU0MENTEE", "2. Ask for the rota")

    # "actions" sorts by due date, and every item keeps its own number
    await slack.dm("U0MENTEE", "actions")
    listing = await slack.shown("DU0MENTEE", "Action plan: Mentoring with Maria Mentor")
    assert listing.index("2. Ask for the rota") < listing.index("1. Write the case report")
    await slack.dm("U0MENTEE", "actions date 1 2026-05-15")
    await slack.shown("DU0MENTEE", "Item 1 has its new date:")
    await slack.press("U0MENTEE", "2: done")
    await slack.shown("DU0MENTEE", "Marked as done: Ask for the rota")
    assert slack.fake.violations == []
