"""Development goals from Slack: the form is a modal with the layer and programme-goal selects, the
guide reads the goal in their DM, and the action plan offers the goal to link an action to."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from slack_harness import Harness
from slack_harness import People

from bot.clock import FixedClock
from bot.model import Meeting
from bot.model import MeetingStatus
from scheduler.dispatch import Dispatcher

GOAL = "Present a patient case at the Tuesday ward round"


async def test_a_goal_set_in_a_slack_modal_is_read_by_the_guide_and_served_by_an_action(
    slack: Harness, people: People, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 3, 15, 0, tzinfo=UTC))
    # Maria has never written to the bot: the notice finds her in Slack by e-mail
    await slack.command("U0MENTEE", "goals add")
    await slack.fake.wait_for("views.open")
    modal = slack.last_modal()
    selects = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert selects["input:layer"]["type"] == "static_select"
    assert [o["value"] for o in selects["input:programme_goal"]["options"]] == [
        "none", "identity formation", "professionalism", "academic performance",
    ]  # fmt: skip
    status, body = await slack.submit(
        "U0MENTEE", {"text": GOAL, "layer": "contextual", "programme_goal": "professionalism"}
    )
    assert (status, body) == (200, "")
    await slack.shown("DU0MENTEE", "Goal 1 saved")

    runtime = slack.runtime
    await Dispatcher(runtime.uow_factory, runtime.programme, runtime.clock, runtime.senders).drain()
    await slack.shown("DU0MENTOR", "set a new goal (goal 1)")
    await slack.dm("U0MENTOR", "goals")
    shown = await slack.shown("DU0MENTOR", "only Eli Mentee can change them")
    assert GOAL in shown and "contextual" in shown

    # after a meeting, the action plan offers the goal
    with runtime.uow_factory() as uow:
        meeting = Meeting(
            relationship_id=people.relationship_id, status=MeetingStatus.HELD, scheduled_by=people.mentee_id,
            created_at=clock.now(), starts_at=clock.now() - timedelta(hours=2), updated_at=clock.now(),
        )  # fmt: skip
        uow.system_content("test setup").as_member(people.mentee_id).add_meeting(meeting)
        uow.commit()
    await slack.command("U0MENTEE", "actions plan")
    await slack.fake.wait_for("views.open", 2)
    goal_select = next(b for b in slack.last_modal()["blocks"] if b.get("block_id") == "input:goal")
    assert [o["text"]["text"] for o in goal_select["element"]["options"]][1] == f"1. {GOAL}"
    await slack.submit("U0MENTEE", {"what": "Ask Dr Osei for a slot at the round", "goal": "1"})
    await slack.shown("DU0MENTEE", "goal 1")
    await slack.dm("U0MENTEE", "goals")
    await slack.shown("DU0MENTEE", "actions: 0 done, 1 open")
    assert slack.fake.violations == []
