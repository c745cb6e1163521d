"""Programme people are found in Slack by e-mail before they ever write, so the bot can reach them."""

from __future__ import annotations

from slack_harness import Harness
from slack_harness import People

from bot.model import Person
from handlers.slack.app import SlackChannel
from handlers.slack.mount import SLACK


def channel_of(slack: Harness) -> SlackChannel:
    channel = slack.client.app[SLACK]
    assert isinstance(channel, SlackChannel)
    channel.linker.pace = 0  # the test does not need to stay under Slack's Tier 3 limit
    return channel


async def test_people_are_linked_by_email_with_their_slack_time_zone(slack: Harness, people: People) -> None:
    with slack.runtime.uow_factory() as uow:
        prog_id = uow.people.get(people.mentee_id).programme_id  # type: ignore[union-attr]
        uow.people.add(Person(email="offslack@example.org", name="Ola Offline", programme_id=prog_id))
        uow.commit()
    channel = channel_of(slack)

    assert await channel.linker.run_once() == 3
    with slack.runtime.uow_factory() as uow:
        mentor = uow.people.get(people.mentor_id)
        assert mentor is not None
        identity = mentor.identity("slack")
        assert identity is not None
        assert (identity.external_id, identity.workspace) == ("U0MENTOR", "T0TEAM")
        assert uow.people.by_email("offslack@example.org").identity("slack") is None  # type: ignore[union-attr]
    looked_up = len(slack.fake.called("users.lookupByEmail"))
    assert looked_up == 4

    # the next round asks about nobody: the three are linked, and Slack did not know the fourth
    assert await channel.linker.run_once() == 0
    assert len(slack.fake.called("users.lookupByEmail")) == looked_up
    assert "stranger@example.org" not in [c.args["email"] for c in slack.fake.called("users.lookupByEmail")]


async def test_a_linked_person_is_answered_without_a_profile_lookup(slack: Harness, people: People) -> None:
    await channel_of(slack).linker.run_once()
    await slack.dm("U0MENTOR", "my relationships")
    await slack.shown("DU0MENTOR", "Eli Mentee")
    # found by their Slack id: no users.info, and the answer went to their user id (no conversations.open)
    assert slack.fake.called("users.info") == []
    assert slack.fake.called("conversations.open") == []


async def test_a_first_contact_is_looked_up_once_and_linked(slack: Harness, people: People) -> None:
    await slack.dm("U0MENTOR", "my relationships")
    await slack.shown("DU0MENTOR", "Eli Mentee")
    await slack.dm("U0MENTOR", "help")
    await slack.shown("DU0MENTOR", "help meetings")
    assert [c.args["user"] for c in slack.fake.called("users.info")] == ["U0MENTOR"]
