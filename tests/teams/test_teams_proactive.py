"""Proactive delivery on Teams: the outbox dispatcher sends through ``continue_conversation`` into the
personal chat whose reference was stored when the person last wrote there."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
from conftest import People
from teams_harness import MENTEE
from teams_harness import MENTOR
from teams_harness import TeamsHarness

from bot.clock import FixedClock
from bot.messages import text_message
from bot.model import ChatIdentity
from bot.model import DeliveryStatus
from bot.model import Person
from bot.model import Platform
from bot.sending import NotReachable
from bot.sending import PermanentFailure
from bot.sending import RetryLater
from scheduler.dispatch import Dispatcher
from storage.uow import SqlUnitOfWorkFactory

AFTERNOON = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # daytime for London and New York


def _person(uow_factory: SqlUnitOfWorkFactory, person_id: int) -> tuple[Person, ChatIdentity]:
    with uow_factory() as uow:
        person = uow.people.get(person_id)
        assert person is not None
        identity = person.identity(Platform.TEAMS)
        assert identity is not None
        # detached copies, as the dispatcher hands them to a sender
        copy = ChatIdentity(
            identity.platform, identity.external_id, identity.workspace, dict(identity.address)
        )
        return Person(email=person.email, name=person.name, id=person.id), copy


def _dispatcher(teams: TeamsHarness) -> Dispatcher:
    rt = teams.runtime
    return Dispatcher(rt.uow_factory, rt.programme, rt.clock, rt.senders)


async def test_the_sender_posts_into_the_personal_chat_the_person_last_wrote_from(
    teams: TeamsHarness, people: People, uow_factory: SqlUnitOfWorkFactory
) -> None:
    await teams.say(MENTEE, "help")
    person, identity = _person(uow_factory, people.mentee_id)
    sender = teams.runtime.senders["teams"]

    await sender.send(person, identity, text_message("Your mentor has confirmed the ground rules."))

    assert teams.last(MENTEE) == "Your mentor has confirmed the ground rules."
    assert teams.fake.posted[-1].activity["summary"] == "Your mentor has confirmed the ground rules."
    assert sender.rate_key(identity) == f"teams:{MENTEE.personal_chat}"


async def test_a_person_who_never_opened_a_chat_with_the_bot_is_not_reachable(
    teams: TeamsHarness, people: People, uow_factory: SqlUnitOfWorkFactory
) -> None:
    person = Person(email="new@example.org", name="New Person")
    identity = ChatIdentity(platform="teams", external_id="aad-new", workspace="tenant-0001")

    with pytest.raises(NotReachable, match="has not opened a personal chat"):
        await teams.runtime.senders["teams"].send(person, identity, text_message("hello"))
    assert teams.fake.posted == []


@pytest.mark.parametrize(
    ("status", "headers", "expected", "retry_after"),
    [
        (429, {"Retry-After": "7"}, RetryLater, 7.0),
        (503, {}, RetryLater, None),
        (403, {}, NotReachable, None),
        (404, {}, NotReachable, None),
        (400, {}, PermanentFailure, None),
    ],
)
async def test_connector_refusals_become_the_dispatchers_outcomes(
    teams: TeamsHarness,
    people: People,
    uow_factory: SqlUnitOfWorkFactory,
    status: int,
    headers: dict[str, str],
    expected: type[Exception],
    retry_after: float | None,
) -> None:
    await teams.say(MENTEE, "help")
    person, identity = _person(uow_factory, people.mentee_id)
    teams.fake.fail_next(status, headers)

    with pytest.raises(expected) as caught:
        await teams.runtime.senders["teams"].send(person, identity, text_message("hello"))
    assert getattr(caught.value, "retry_after", None) == retry_after


async def test_a_notice_reaches_the_other_member_through_the_outbox_and_they_answer_it_in_place(
    teams: TeamsHarness, people: People, clock: FixedClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    clock.set(AFTERNOON)
    await teams.say(MENTOR, "help")  # the mentor has a personal chat with the bot
    await teams.say(MENTEE, "ground rules propose")
    form = teams.fake.posted[-1]
    submit = teams.actions(form.cards[0])[-1]
    await teams.submit(MENTEE, {**submit["data"], **teams.inputs(form.cards[0])}, form.activity_id)

    summary = await _dispatcher(teams).drain()

    assert summary.sent == 1
    notice = teams.fake.posted[-1]
    assert notice.conversation_id == MENTOR.personal_chat
    assert "Eli Mentee" in teams.chat_text(notice)
    await teams.press(MENTOR, "Confirm")
    assert "agreed" in teams.chat_text(notice).lower()  # the notice's buttons were replaced by the outcome

    summary = await _dispatcher(teams).drain()

    assert summary.sent == 1
    assert teams.fake.posted[-1].conversation_id == MENTEE.personal_chat
    assert "agreed" in teams.last(MENTEE).lower()


async def test_the_dispatcher_reports_a_teams_person_without_a_conversation_as_unreachable(
    teams: TeamsHarness, people: People, clock: FixedClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    clock.set(AFTERNOON)
    with uow_factory() as uow:  # linked to Teams (e.g. by an admin tool) but never wrote to the bot
        mentor = uow.people.get(people.mentor_id)
        assert mentor is not None
        mentor.identities.append(
            ChatIdentity(platform="teams", external_id=MENTOR.aad_object_id, workspace="t")
        )
        uow.commit()
    await teams.say(MENTEE, "ground rules propose")
    form = teams.fake.posted[-1]
    submit = teams.actions(form.cards[0])[-1]
    await teams.submit(MENTEE, {**submit["data"], **teams.inputs(form.cards[0])}, form.activity_id)

    summary = await _dispatcher(teams).drain()

    assert summary.unreachable == 1
    assert all(p.conversation_id != MENTOR.personal_chat for p in teams.fake.posted)
    with uow_factory() as uow:
        (delivery,) = uow.deliveries.for_person(people.mentor_id)
        assert delivery.status == DeliveryStatus.UNREACHABLE  # coordinators see it; never silently dropped
        assert "personal chat" in delivery.last_error


async def test_a_send_teams_refuses_is_logged_in_one_line_and_counted_for_the_channel(
    teams: TeamsHarness,
    people: People,
    clock: FixedClock,
    uow_factory: SqlUnitOfWorkFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """404 from the connector (the app was removed): once silent, now a log line without the message
    and ``mentorbot_send_failures_total{channel="teams",kind="unreachable"}``."""
    from mentorbot.scheduling import build_scheduler

    clock.set(AFTERNOON)
    await teams.say(MENTOR, "help")
    await teams.say(MENTEE, "ground rules propose")
    form = teams.fake.posted[-1]
    submit = teams.actions(form.cards[0])[-1]
    await teams.submit(MENTEE, {**submit["data"], **teams.inputs(form.cards[0])}, form.activity_id)
    teams.fake.fail_next(404, {})
    service = build_scheduler(teams.runtime)
    caplog.set_level("WARNING", logger="scheduler.dispatch")

    summary = await service.dispatcher.drain()

    assert summary.sent == 0
    lines = [r for r in caplog.records if r.name == "scheduler.dispatch"]
    assert len(lines) == 1
    assert lines[0].getMessage().startswith("outbox: teams send failed (unreachable): delivery ")
    assert "Eli Mentee" not in lines[0].getMessage()  # the notice's words are not in the log
    metrics = teams.runtime.metrics
    assert metrics.value("mentorbot_send_failures_total", channel="teams", kind="unreachable") == 1
    assert 'mentorbot_send_failures_total{channel="teams",kind="unreachable"} 1' in metrics.render()
    # and the channel's own error counter, as for Slack
    assert metrics.value("mentorbot_channel_errors_total", channel="teams", kind="http_404") == 1
