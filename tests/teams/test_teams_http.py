"""Teams end to end over HTTP: activities POSTed to /api/messages as Teams sends them, answers arriving at
a fake Bot Connector on loopback, and the state the bot keeps (identity, conversation reference)."""

from __future__ import annotations

from conftest import People
from fake_connector import FakeConnector
from teams_harness import MENTEE
from teams_harness import MENTOR
from teams_harness import STRANGER
from teams_harness import TENANT
from teams_harness import TeamsHarness

from bot.model import Platform
from storage.uow import SqlUnitOfWorkFactory


def _reference(uow_factory: SqlUnitOfWorkFactory, person_id: int) -> dict[str, object] | None:
    with uow_factory() as uow:
        person = uow.people.get(person_id)
        assert person is not None
        identity = person.identity(Platform.TEAMS)
        return None if identity is None else dict(identity.address.get("reference") or {})


async def test_first_message_links_the_person_by_their_roster_email_and_answers_in_their_chat(
    teams: TeamsHarness, people: People, uow_factory: SqlUnitOfWorkFactory
) -> None:
    status, _ = await teams.say(MENTEE, "help")

    assert status == 200
    assert "Hi Eli Mentee!" in teams.seen(MENTEE)
    assert teams.fake.member_lookups == [MENTEE.user_id]
    with uow_factory() as uow:
        person = uow.people.get(people.mentee_id)
        assert person is not None
        identity = person.identity(Platform.TEAMS)
        assert identity is not None
        assert (identity.external_id, identity.workspace) == (MENTEE.aad_object_id, TENANT)
    reference = _reference(uow_factory, people.mentee_id)
    assert reference is not None
    assert reference["conversation"]["id"] == MENTEE.personal_chat  # type: ignore[index]
    assert reference["serviceUrl"] == teams.fake.url


async def test_the_roster_is_asked_once_per_person(teams: TeamsHarness) -> None:
    await teams.say(MENTEE, "help")
    await teams.say(MENTEE, "my relationships")

    assert teams.fake.member_lookups == [MENTEE.user_id]
    assert "Maria Mentor" in teams.last(MENTEE)


async def test_the_email_is_matched_whatever_its_case(teams: TeamsHarness, people: People) -> None:
    await teams.say(MENTOR, "help")  # the roster says Mentor@Example.org; the programme mentor@example.org

    assert "Hi Maria Mentor!" in teams.seen(MENTOR)


async def test_someone_outside_the_programme_is_told_so_and_nothing_is_stored(
    teams: TeamsHarness, uow_factory: SqlUnitOfWorkFactory
) -> None:
    await teams.say(STRANGER, "help")

    assert "not part of a mentoring programme" in teams.last(STRANGER)
    with uow_factory() as uow:
        assert uow.people.by_identity(Platform.TEAMS, STRANGER.aad_object_id) is None


async def test_in_local_mode_a_message_naming_another_connector_does_not_move_the_stored_reference(
    teams: TeamsHarness, people: People, uow_factory: SqlUnitOfWorkFactory
) -> None:
    """Without a token nothing proves the other connector is Teams': the answer to that one message goes
    there, but the nudges and shared check-ins that follow still go where the person really is."""
    await teams.say(MENTEE, "help")
    moved = await FakeConnector().start()
    try:
        await teams.post(teams.activity(MENTEE, text="my relationships", serviceUrl=moved.url))

        reference = _reference(uow_factory, people.mentee_id)
        assert reference is not None
        assert reference["serviceUrl"] == teams.fake.url
    finally:
        await moved.stop()


async def test_in_a_group_chat_the_bot_points_to_the_personal_chat_and_keeps_no_reference(
    teams: TeamsHarness, people: People, uow_factory: SqlUnitOfWorkFactory
) -> None:
    activity = teams.activity(
        MENTEE,
        conversation_type="groupChat",
        text="<at>mentorbot</at> my relationships",
        entities=[
            {
                "type": "mention",
                "text": "<at>mentorbot</at>",
                "mentioned": {"id": "28:mentorbot-app", "name": "mentorbot"},
            }
        ],
    )
    status, _ = await teams.post(activity)

    assert status == 200
    group = [p for p in teams.fake.posted if p.conversation_id == "19:group@thread.v2"]
    assert len(group) == 1
    assert "I work in a personal chat" in teams.chat_text(group[0])
    assert "Maria Mentor" not in teams.chat_text(group[0])  # nothing about the relationship in a shared chat
    assert _reference(uow_factory, people.mentee_id) is None


async def test_installing_the_app_in_a_personal_chat_welcomes_the_person_with_their_dashboard(
    teams: TeamsHarness, people: People, uow_factory: SqlUnitOfWorkFactory
) -> None:
    status, _ = await teams.install(MENTEE)

    assert status == 200
    assert "Eli Mentee, here is where things stand" in teams.last(MENTEE)
    assert _reference(uow_factory, people.mentee_id) is not None  # reachable from the moment of install


async def test_installing_the_app_in_a_team_says_hello_to_the_channel(teams: TeamsHarness) -> None:
    await teams.install(MENTEE, conversation_type="channel")

    posted = [p for p in teams.fake.posted if p.conversation_id == "19:group@thread.v2"]
    assert len(posted) == 1
    assert "I work in personal chats" in teams.chat_text(posted[0])


async def test_other_members_joining_a_team_get_no_message(teams: TeamsHarness) -> None:
    activity = teams.activity(
        MENTEE,
        conversation_type="channel",
        type="conversationUpdate",
        membersAdded=[{"id": "29:someone-new"}],
    )
    status, _ = await teams.post(activity)

    assert status == 200
    assert teams.fake.posted == []


async def test_pressing_a_button_updates_its_card_in_place_and_a_second_press_is_stale(
    teams: TeamsHarness, people: People
) -> None:
    await teams.say(MENTEE, "leave")
    question = teams.fake.posted[-1]
    assert "Do you really want to leave" in teams.chat_text(question)

    await teams.press(MENTEE, "No, stay")

    assert [u.activity_id for u in teams.fake.updated] == [question.activity_id]
    assert "Glad you are staying" in teams.chat_text(question)  # the buttons are gone: replaced in place
    # the same button again (e.g. from another device that still shows the old card)
    await teams.submit(MENTEE, {"a": "settings.stay", "v": {"v": "1"}}, question.activity_id)
    assert "no longer applies" in teams.last(MENTEE)


async def test_a_form_is_filled_in_and_submitted_with_its_hidden_values(
    teams: TeamsHarness, people: People, uow_factory: SqlUnitOfWorkFactory
) -> None:
    await teams.say(MENTEE, "ground rules propose")
    form_message = teams.fake.posted[-1]
    card = form_message.cards[0]
    inputs = teams.inputs(card)
    assert {"frequency", "who_schedules", "confidentiality"} <= set(inputs)
    submit = teams.actions(card)[-1]
    assert submit["data"]["a"] == "rules.submit" and "v" in submit["data"]["v"]

    data = {**submit["data"], **inputs, "frequency": "every three weeks"}
    await teams.submit(MENTEE, data, form_message.activity_id)

    assert "on its way to Maria Mentor" in teams.chat_text(form_message)  # the form became the answer
    # the same form sent again (a double click) changes nothing and says why
    await teams.submit(MENTEE, data, form_message.activity_id)
    assert "no longer applies" in teams.last(MENTEE)


async def test_a_rejected_form_comes_back_in_place_with_the_reason_and_what_was_typed(
    teams: TeamsHarness, people: People
) -> None:
    await teams.say(MENTEE, "ground rules propose")
    form_message = teams.fake.posted[-1]
    card = form_message.cards[0]
    submit = teams.actions(card)[-1]
    posted_before = len(teams.fake.posted)

    data = {**submit["data"], **teams.inputs(card), "frequency": "", "duration": "an hour, over coffee"}
    await teams.submit(MENTEE, data, form_message.activity_id)

    assert len(teams.fake.posted) == posted_before  # no second form: the same card shows the reason
    shown = teams.chat_text(form_message)
    assert "How often we meet" in shown and "Please give an answer" in shown
    assert teams.inputs(form_message.cards[0])["duration"] == "an hour, over coffee"  # nothing typed is lost
