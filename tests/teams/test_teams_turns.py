"""The Teams activity handler on botbuilder's own ``TestAdapter``: one turn at a time, no HTTP.

The person is already linked to Teams (the roster lookup needs a Bot Connector, which the test adapter
does not have; the HTTP tests cover it)."""

from __future__ import annotations

from typing import Any

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity
from botbuilder.schema import ActivityTypes
from botbuilder.schema import ChannelAccount
from botbuilder.schema import ConversationAccount
from conftest import People

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.model import ChatIdentity
from bot.model import Platform
from bot.programme import ProgrammeConfig
from bot.turns import Turns
from handlers.teams.listeners import MentorTeamsBot
from handlers.teams.render import card_text
from storage.uow import SqlUnitOfWorkFactory

BOT = ChannelAccount(id="28:mentorbot", name="mentorbot")
ELI = ChannelAccount(id="29:eli", name="Eli Mentee", aad_object_id="aad-eli")


@pytest.fixture
def linked(uow_factory: SqlUnitOfWorkFactory, people: People) -> People:
    with uow_factory() as uow:
        mentee = uow.people.get(people.mentee_id)
        assert mentee is not None
        mentee.identities.append(
            ChatIdentity(platform=Platform.TEAMS, external_id="aad-eli", workspace="t-1")
        )
        uow.commit()
    return people


@pytest.fixture
def teams_bot(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> MentorTeamsBot:
    return MentorTeamsBot(Turns(MentorBot(uow_factory, programme, clock)), programme.text)


def adapter_for(teams_bot: MentorTeamsBot, conversation_type: str = "personal") -> TestAdapter:
    template = Activity(
        channel_id="msteams",
        service_url="https://connector.invalid/",
        from_property=ELI,
        recipient=BOT,
        conversation=ConversationAccount(
            id=f"conv-{conversation_type}", conversation_type=conversation_type, tenant_id="t-1"
        ),
    )
    return TestAdapter(teams_bot.on_turn, template)


def said(adapter: TestAdapter) -> list[str]:
    """The text of every card the bot sent, in order."""
    return [
        card_text(a.content)
        for activity in adapter.activity_buffer
        if activity.type == ActivityTypes.message
        for a in activity.attachments or []
    ]


def buttons(adapter: TestAdapter) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found[node["title"]] = node["data"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for activity in adapter.activity_buffer:
        walk([a.content for a in activity.attachments or []])
    return found


async def test_a_typed_command_goes_to_the_bot_and_comes_back_as_an_adaptive_card(
    teams_bot: MentorTeamsBot, linked: People
) -> None:
    adapter = adapter_for(teams_bot)

    await adapter.send("my relationships")

    (reply,) = [a for a in adapter.activity_buffer if a.type == ActivityTypes.message]
    (attachment,) = reply.attachments
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    assert attachment.content["version"] == "1.5"
    assert "Maria Mentor" in card_text(attachment.content)
    assert reply.summary  # the notification preview


async def test_a_pressed_button_runs_its_action(teams_bot: MentorTeamsBot, linked: People) -> None:
    adapter = adapter_for(teams_bot)
    await adapter.send("home")
    help_button = buttons(adapter)["Help"]
    assert help_button == {"a": "command", "v": {"text": "help"}}
    adapter.activity_buffer.clear()

    await adapter.receive_activity(Activity(type="message", value=help_button, reply_to_id="card-7"))

    assert "Hi Eli Mentee!" in "\n".join(said(adapter))


async def test_a_button_from_an_older_version_of_the_bot_is_answered_as_stale(
    teams_bot: MentorTeamsBot, linked: People
) -> None:
    adapter = adapter_for(teams_bot)

    await adapter.receive_activity(Activity(type="message", value={"a": "retired.action", "v": {}}))
    await adapter.receive_activity(Activity(type="message", value={"unrelated": "card data"}))

    assert ["no longer applies" in text for text in said(adapter)] == [True, True]


async def test_a_form_answered_twice_is_stale_the_second_time(
    teams_bot: MentorTeamsBot, linked: People
) -> None:
    adapter = adapter_for(teams_bot)
    await adapter.send("leave")
    stay = buttons(adapter)["No, stay"]

    await adapter.receive_activity(Activity(type="message", value=stay, reply_to_id="question"))
    await adapter.receive_activity(Activity(type="message", value=stay, reply_to_id="question"))

    (update,) = adapter.updated_activities  # the first answer replaced the question card in place
    assert update.id == "question"
    assert "Glad you are staying" in card_text(update.attachments[0].content)
    assert "no longer applies" in said(adapter)[-1]


async def test_installing_the_app_welcomes_the_person(teams_bot: MentorTeamsBot, linked: People) -> None:
    adapter = adapter_for(teams_bot)

    await adapter.receive_activity(
        Activity(type=ActivityTypes.conversation_update, members_added=[BOT], from_property=ELI)
    )

    assert "Eli Mentee, here is where things stand" in said(adapter)[0]


async def test_someone_else_joining_gets_no_welcome_from_the_bot(
    teams_bot: MentorTeamsBot, linked: People
) -> None:
    adapter = adapter_for(teams_bot)

    await adapter.receive_activity(
        Activity(type=ActivityTypes.conversation_update, members_added=[ChannelAccount(id="29:new")])
    )

    assert adapter.activity_buffer == []


@pytest.mark.parametrize("conversation_type", ["groupChat", "channel"])
async def test_in_shared_chats_the_bot_only_points_to_the_personal_chat(
    teams_bot: MentorTeamsBot, linked: People, conversation_type: str
) -> None:
    adapter = adapter_for(teams_bot, conversation_type)

    await adapter.send("my relationships")

    (text,) = said(adapter)
    assert "I work in a personal chat" in text
    assert "Maria" not in text
