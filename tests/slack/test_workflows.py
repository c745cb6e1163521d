"""Whole workflows done from Slack, between two people: the notices travel through the real outbox
dispatcher and the Slack sender, and the calendar invite arrives as a file."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_harness import Harness, People

from bot.clock import FixedClock
from bot.model import MeetingStatus
from scheduler.dispatch import Dispatcher


async def deliver_outbox(slack: Harness) -> None:
    runtime = slack.runtime
    await Dispatcher(runtime.uow_factory, runtime.programme, runtime.clock, runtime.senders).drain()


async def test_scheduling_a_meeting_from_slack_ends_with_calendar_invites_for_both(
    slack: Harness, people: People, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))  # daytime in London and New York
    await slack.dm("U0MENTOR", "help")  # Maria has talked to the bot before
    await slack.shown("DU0MENTOR", "Getting started")

    await slack.command("U0MENTEE", "schedule")
    await slack.fake.wait_for("views.open")
    assert slack.last_modal()["title"]["text"] == "Suggest times to meet"
    status, body = await slack.submit("U0MENTEE", {"option1": "2026-03-05 14:00", "minutes": "45"})
    assert (status, body) == (200, "")
    await slack.shown("DU0MENTEE", "Sent to Maria Mentor")

    await deliver_outbox(slack)
    await slack.shown("DU0MENTOR", "[Thu 5 Mar 2026, 09:00 EST]")  # in Maria's own time zone
    await slack.press("U0MENTOR", "Thu 5 Mar 2026, 09:00 EST")
    await slack.fake.wait_until(lambda: any(f["channel"] == "DU0MENTOR" for f in slack.fake.files))
    invite = next(f for f in slack.fake.files if f["channel"] == "DU0MENTOR")
    assert invite["title"].endswith(".ics")
    assert "BEGIN:VCALENDAR" in invite["content"]
    assert "DTSTART:20260305T140000Z" in invite["content"]

    await deliver_outbox(slack)
    await slack.fake.wait_until(lambda: any(f["channel"] == "DU0MENTEE" for f in slack.fake.files))
    with slack.runtime.uow_factory() as uow:
        mentee = uow.people.get(people.mentee_id)
        assert mentee is not None
        (meeting,) = uow.content(mentee).meetings(people.relationship_id)
        assert meeting.status == MeetingStatus.CONFIRMED
    assert slack.fake.violations == []
