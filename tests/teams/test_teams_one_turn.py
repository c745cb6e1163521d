"""One activity, one turn: a redelivered activity is not answered again, and a linked person's turn
needs no roster lookup and stores their conversation reference with whatever else it writes, even when
what they sent is refused."""

from __future__ import annotations

from conftest import People
from teams_harness import MENTEE
from teams_harness import TENANT
from teams_harness import TeamsHarness

from bot.model import ChatIdentity
from bot.model import Platform
from storage.uow import SqlUnitOfWorkFactory


async def test_an_activity_delivered_twice_is_answered_once(teams: TeamsHarness, people: People) -> None:
    activity = teams.activity(MENTEE, text="help")
    assert (await teams.post(activity))[0] == 200
    answers = len(teams.chat(MENTEE))
    assert answers > 0
    assert (await teams.post(activity))[0] == 200  # the Bot Framework redelivers the same activity

    assert len(teams.chat(MENTEE)) == answers
    await teams.say(MENTEE, "my relationships")
    assert "Maria Mentor" in teams.last(MENTEE)


async def test_a_linked_persons_refused_message_is_answered_once_and_keeps_their_reference(
    teams: TeamsHarness, people: People, uow_factory: SqlUnitOfWorkFactory
) -> None:
    with uow_factory() as uow:  # linked ahead (e.g. by an earlier install), no conversation reference yet
        mentee = uow.people.get(people.mentee_id)
        assert mentee is not None
        mentee.identities.append(
            ChatIdentity(platform=Platform.TEAMS, external_id=MENTEE.aad_object_id, workspace=TENANT)
        )
        uow.commit()

    await teams.say(MENTEE, "agenda add " + "x" * 5000)  # longer than any text the bot accepts

    assert len(teams.chat(MENTEE)) == 1
    assert "too long" in teams.last(MENTEE).lower()
    assert teams.fake.member_lookups == []  # known by their Teams id: the roster is not asked
    with uow_factory() as uow:
        mentee = uow.people.get(people.mentee_id)
        assert mentee is not None
        identity = mentee.identity(Platform.TEAMS)
        assert identity is not None
        reference = identity.address.get("reference")
        assert isinstance(reference, dict)
        assert reference["conversation"]["id"] == MENTEE.personal_chat
