"""Whole workflows done from Slack, between two people: the notices travel through the real outbox
dispatcher and the Slack sender, and the calendar invite arrives as a file."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from slack_harness import Harness
from slack_harness import People

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
    await slack.shown("DU0MENTOR", "help meetings")

    await slack.command("U0MENTEE", "schedule")
    await slack.fake.wait_for("views.open")
    modal = slack.last_modal()
    assert modal["title"]["text"] == "Suggest times to meet"
    # each time is a date picker and a time picker, not typed text
    pickers = {b["block_id"]: b["element"]["type"] for b in modal["blocks"] if b["type"] == "input"}
    assert pickers["input:option1"] == "datepicker" and pickers["input:option1__time"] == "timepicker"
    status, body = await slack.submit(
        "U0MENTEE", {"option1": "2026-03-05", "option1__time": "14:00", "minutes": "45"}
    )
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

    # after the meeting: was it held? (a title that fits the title bar; the meeting is named inside)
    clock.set(datetime(2026, 3, 5, 16, 0, tzinfo=UTC))
    await slack.command("U0MENTEE", "met 1 yes")
    await slack.fake.wait_for("views.open", 2)
    modal = slack.last_modal()
    assert modal["title"]["text"] == "How long did you meet?"
    assert "Meeting 1, Thu 5 Mar 2026" in modal["blocks"][0]["text"]["text"]
    await slack.submit("U0MENTEE", {"minutes": "50"})
    await slack.shown("DU0MENTEE", "Recorded: meeting 1 took place, 50 minutes")
    assert slack.fake.violations == []


async def test_ground_rules_are_proposed_in_a_modal_and_confirmed_with_a_button(
    slack: Harness, people: People, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    await slack.dm("U0MENTOR", "help")
    await slack.shown("DU0MENTOR", "help meetings")

    await slack.command("U0MENTEE", "ground rules propose")
    await slack.fake.wait_for("views.open")
    modal = slack.last_modal()
    assert len([b for b in modal["blocks"] if b["type"] == "input"]) == 14
    await slack.submit("U0MENTEE", {"frequency": "every 2 weeks at first"})
    await slack.shown("DU0MENTEE", "Version 1 is on its way to Maria Mentor")

    await deliver_outbox(slack)
    await slack.shown("DU0MENTOR", "every 2 weeks at first")
    await slack.press_when_shown("U0MENTOR", "Confirm")
    await slack.shown("DU0MENTOR", "Agreed: version 1 is now your ground rules")
    await deliver_outbox(slack)
    await slack.shown("DU0MENTEE", "Your ground rules are agreed")
    assert slack.fake.violations == []


async def test_a_check_in_is_answered_in_a_modal_of_choices_and_shared_with_a_button(
    slack: Harness, people: People
) -> None:
    await slack.dm("U0MENTEE", "checkin")
    await slack.press_when_shown("U0MENTEE", "Open the form")
    await slack.fake.wait_for("views.open")
    choices = [b["element"]["type"] for b in slack.last_modal()["blocks"] if b["type"] == "input"]
    assert choices[:3] == ["static_select"] * 3
    await slack.submit("U0MENTEE", {"support": "2", "challenge": "5", "safety": "4"})
    await slack.shown("DU0MENTEE", "Your check-in: stretched without enough backing")
    await slack.press_when_shown("U0MENTEE", "Share my answers with Maria Mentor")
    await slack.shown("DU0MENTEE", "Shared with Maria Mentor")
    assert slack.fake.violations == []


async def test_a_coordinator_announces_from_slack_and_the_audience_receives_it(
    slack: Harness, people: People, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    await slack.dm("U0MENTEE", "help")  # the mentee is on Slack
    await slack.shown("DU0MENTEE", "help meetings")
    await slack.dm("U0COORD", "announce")
    await slack.press_when_shown("U0COORD", "Open the form")
    await slack.fake.wait_for("views.open")
    roles = next(b for b in slack.last_modal()["blocks"] if b.get("block_id") == "input:roles")
    assert roles["element"]["type"] == "checkboxes"
    status, body = await slack.submit(
        "U0COORD",
        {"title": "Spring social", "body": "Join us in the atrium on Friday at 5.", "roles": "mentee"},
    )
    assert (status, body) == (200, "")
    await slack.shown("DU0COORD", "It will reach *1 person*")
    await slack.press_when_shown("U0COORD", "Send now")
    await slack.shown("DU0COORD", "Announcement #1 is on its way to 1")
    await deliver_outbox(slack)
    await slack.shown("DU0MENTEE", "Join us in the atrium on Friday at 5.")
    assert not any("atrium" in t for t in slack.texts("DU0MENTOR"))
    assert slack.fake.violations == []


async def test_typed_workflows_network_settings_and_the_coordinator_report(
    slack: Harness, people: People
) -> None:
    await slack.dm("U0MENTEE", "network add coach Dr Lee")
    await slack.shown("DU0MENTEE", "Dr Lee")
    await slack.dm("U0MENTEE", "quiet 21:00-07:00")
    await slack.dm("U0MENTEE", "settings")
    await slack.shown("DU0MENTEE", "21:00")
    await slack.dm("U0COORD", "report")
    report = await slack.shown("DU0COORD", "Active relationships")
    assert "never what was said" in report
    assert slack.fake.violations == []
