"""Over the Slack endpoint: the guide, who has never written to the bot, receives the compiled agenda of
the pair's first meeting (with the mentee's item) in their DM, at the agreed lead time, in initiation."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from slack_harness import Harness
from slack_harness import People

from bot.clock import FixedClock
from bot.model import AgreementStatus
from bot.model import GroundRuleConfirmation
from bot.model import GroundRules
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.programme import ProgrammeConfig
from handlers.slack.app import SlackChannel
from handlers.slack.mount import SLACK
from scheduler.dispatch import Dispatcher
from scheduler.planpass import PlanPass
from storage.uow import SqlUnitOfWorkFactory

MEETING = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # Friday; the pair agreed a 72h lead time


def _agree_and_book(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, people: People, now: datetime
) -> None:
    both = (people.mentee_id, people.mentor_id)
    with uow_factory() as uow:
        content = uow.system_content("test setup").as_member(people.mentee_id)
        content.add_ground_rules(
            GroundRules(
                relationship_id=people.relationship_id, version=1,
                items=dict(programme.ground_rule_defaults) | {"agenda_lead_time": "72h"},
                proposed_by=people.mentee_id, proposed_at=now, status=AgreementStatus.AGREED, agreed_at=now,
                confirmations=[GroundRuleConfirmation(person_id=p, at=now) for p in both],
            )
        )  # fmt: skip
        content.add_meeting(
            Meeting(
                relationship_id=people.relationship_id, status=MeetingStatus.CONFIRMED,
                scheduled_by=people.mentee_id, created_at=now, options=[MEETING.isoformat()],
                starts_at=MEETING, duration_minutes=60, updated_at=now,
            )
        )  # fmt: skip
        uow.commit()


async def test_the_guide_who_never_wrote_receives_the_first_meetings_compiled_agenda(
    slack: Harness,
    people: People,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
) -> None:
    _agree_and_book(uow_factory, programme, people, clock.now())
    await slack.dm("U0MENTEE", "agenda add My promotion case and how to present it")
    await slack.shown("DU0MENTEE", "Added as item 1")
    channel = slack.client.app[SLACK]
    assert isinstance(channel, SlackChannel)
    channel.linker.pace = 0
    await channel.linker.run_once()  # what serve does after it starts: Maria is found by her e-mail

    async def tick(at: datetime) -> None:
        clock.set(at)
        PlanPass(uow_factory, programme).run(clock.now())
        await Dispatcher(uow_factory, programme, clock, slack.runtime.senders).drain()

    await tick(MEETING - timedelta(hours=72) - timedelta(minutes=5))
    assert not [t for t in slack.texts("DU0MENTOR") if "promotion case" in t]  # not before the lead time
    await tick(MEETING - timedelta(hours=72) + timedelta(minutes=1))
    shown = await slack.shown("DU0MENTOR", "My promotion case and how to present it")
    assert "agenda" in shown.lower()
    with uow_factory() as uow:
        rel = uow.relationships.get(people.relationship_id)
        assert rel is not None and rel.phase == "initiation"
