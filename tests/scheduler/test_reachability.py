"""Reachability is a state, not a guess: the console/log channel serves only console people, a person
the bot cannot reach keeps their message waiting (``unreachable``, with the reason), it comes back every
few minutes without blocking anyone else, and goes out at once when they are linked."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from scheduler_world import RecordingSender
from scheduler_world import World
from sqlalchemy import select

from bot.app import MentorBot
from bot.messages import Sender
from bot.messages import text_message
from bot.model import ChatIdentity
from bot.model import Delivery
from bot.model import Person
from bot.model import Platform
from bot.sending import NotReachable
from bot.serialize import message_to_dict
from storage import tables


def queue(w: World, person_id: int, n: int = 1) -> list[str]:
    keys = [f"notice:{person_id}:{uuid.uuid4().hex[:8]}" for _ in range(n)]
    with w.uow_factory() as uow:
        for key in keys:
            uow.deliveries.enqueue(
                Delivery(person_id=person_id, kind="notice", dedupe_key=key, due_at=w.clock.now(),
                         payload={"message": message_to_dict(text_message(key))})
            )  # fmt: skip
        uow.commit()
    return keys


def rows(w: World) -> dict[int, list[tuple[str, str, str]]]:
    """person id -> (status, channel, last_error) of each of their deliveries."""
    d = tables.deliveries
    out: dict[int, list[tuple[str, str, str]]] = {}
    with w.uow_factory() as uow:
        for pid, status, channel, error in uow.session.execute(  # type: ignore[attr-defined]
            select(d.c.person_id, d.c.status, d.c.channel, d.c.last_error).order_by(d.c.id)
        ):
            out.setdefault(int(pid), []).append((str(status), str(channel or ""), str(error or "")))
    return out


def test_nothing_for_a_slack_teams_or_unlinked_person_is_ever_recorded_sent_on_the_console(
    world: World,
) -> None:
    w = world  # no chat platform is configured: only the console/log channel
    on_slack = w.person("s@example.org", "Sam Slack", platform=Platform.SLACK.value)
    on_teams = w.person("t@example.org", "Tia Teams", platform=Platform.TEAMS.value)
    unlinked = w.person("n@example.org", "Nia Never-wrote", platform=None)
    at_console = w.person("c@example.org", "Cy Console")  # used ``mentorbot chat``
    for p in (on_slack, on_teams, unlinked, at_console):
        queue(w, p, 2)

    _, summary = w.tick()

    assert (summary.sent, summary.unreachable) == (2, 6)
    assert {r.person_id for r in w.console.received} == {at_console}
    found = rows(w)
    for p in (on_slack, on_teams, unlinked):
        assert {(status, channel) for status, channel, _ in found[p]} == {("unreachable", "")}
    assert "has no chat account linked yet" in found[unlinked][0][2]
    assert "no chat platform is on" in found[unlinked][0][2]
    console_rows = [p for p, rs in found.items() for _, channel, _ in rs if channel == Platform.CONSOLE]
    assert set(console_rows) == {at_console}


class Directory(RecordingSender):
    """A chat platform that can find people by e-mail (as Slack does): those in ``members``."""

    def __init__(self, w: World) -> None:
        super().__init__(Platform.SLACK.value, w.clock)
        self.bot = MentorBot(w.uow_factory, w.programme, w.clock)
        self.members: dict[str, str] = {}  # e-mail -> user id
        self.asked: list[str] = []

    async def locate(self, person: Person) -> ChatIdentity:
        self.asked.append(person.email)
        user = self.members.get(person.email)
        if user is None:
            raise NotReachable("not found in Slack by e-mail", no_identity=True)
        self.bot.link(Sender(platform="slack", external_id=user, email=person.email, workspace="T1"))
        return ChatIdentity(platform="slack", external_id=user, workspace="T1")


def test_an_unlinked_person_waits_without_blocking_anyone_and_gets_the_message_once_linked(
    world: World,
) -> None:
    w = world
    slack = Directory(w)
    w.senders[Platform.SLACK.value] = slack
    sam = w.person("s@example.org", "Sam Slack", platform=Platform.SLACK.value)
    nia = w.person("n@example.org", "Nia Never-wrote", platform=None)
    ola = w.person("o@example.org", "Ola Onslack", platform=None)
    slack.members["o@example.org"] = "U0OLA"  # in Slack, never wrote: found at send time
    for p in (nia, sam, ola):
        queue(w, p)

    _, summary = w.tick()
    assert (summary.sent, summary.unreachable) == (2, 1)  # Nia does not hold up Sam or Ola
    assert {r.email for r in slack.received} == {"s@example.org", "o@example.org"}
    assert w.console.received == []
    (nia_row,) = rows(w)[nia]
    assert nia_row == ("unreachable", "", "not found in Slack by e-mail")

    w.move_to(w.clock.now() + timedelta(minutes=2))
    w.tick()
    assert slack.asked.count("n@example.org") == 1  # not asked again within minutes: no hot loop
    w.move_to(w.clock.now() + timedelta(minutes=3))
    w.tick()
    assert slack.asked.count("n@example.org") == 2  # looked for again five minutes on
    assert rows(w)[nia] == [("unreachable", "", "not found in Slack by e-mail")]

    # Nia is linked (the background linker found her): her message is due at once, not in five minutes
    MentorBot(w.uow_factory, w.programme, w.clock).link(
        Sender(platform="slack", external_id="U0NIA", email="n@example.org", workspace="T1")
    )
    w.dispatch()
    assert rows(w)[nia] == [("sent", "slack", "")]
    assert [r.email for r in slack.received].count("n@example.org") == 1


def test_someone_who_once_used_the_console_but_is_in_slack_gets_their_messages_on_slack(world: World) -> None:
    w = world  # e.g. a coordinator once walked through the bot as them with ``mentorbot chat --as``
    slack = Directory(w)
    w.senders[Platform.SLACK.value] = slack
    eli = w.person("e@example.org", "Eli Mentee")  # a console identity, no Slack one yet
    cy = w.person("c@example.org", "Cy Console")  # a console identity, not in Slack
    slack.members["e@example.org"] = "U0ELI"
    queue(w, eli)
    queue(w, cy)

    w.tick()

    assert [r.email for r in slack.received] == ["e@example.org"]
    assert [r.email for r in w.console.received] == ["c@example.org"]
    assert rows(w)[eli] == [("sent", "slack", "")]


def test_on_teams_someone_who_never_opened_the_app_is_reported_with_why(world: World) -> None:
    w = world
    w.senders[Platform.TEAMS.value] = RecordingSender(Platform.TEAMS.value, w.clock)  # cannot look people up
    tia = w.person("t@example.org", "Tia Teams", platform=None)
    queue(w, tia)

    _, summary = w.tick()

    assert summary.unreachable == 1
    ((status, channel, why),) = rows(w)[tia]
    assert (status, channel) == ("unreachable", "")
    assert "not opened the bot on teams" in why and "installed" in why
    with w.uow_factory() as uow:  # the coordinators' report shows the same reason
        assert uow.activity.unreachable_reasons() == {tia: why}


def test_the_lag_of_a_fresh_dispatcher_counts_from_its_start_not_from_a_backlog_due_long_before(
    world: World,
) -> None:
    """After a deploy (or a day off), messages due yesterday are sent now: the scheduler-lag gauge must
    say how far behind the running process is, not alarm with the age of the backlog."""
    w = world
    w.start_at(w.at("2026-03-02 10:00"))
    ann = w.person("a@example.org", "Ann Console")
    queue(w, ann)
    w.move_to(w.at("2026-03-03 10:00"))  # a day later the new process starts and sends it
    plain = w.dispatcher()
    assert asyncio.run(plain.drain()).lateness == 24 * 3600  # the message's own age

    queue(w, ann)
    w.move_to(w.at("2026-03-04 10:00"))
    started = w.dispatcher()
    started.lag_since = w.clock.now()  # what serve's scheduler sets when it starts
    summary = asyncio.run(started.drain())
    assert summary.sent == 1 and summary.lateness == 0.0
