"""The outbox sends each delivery exactly once: across repeated ticks, a dispatcher that dies between
claim and send, and two dispatchers claiming from one database at the same moment."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from datetime import timedelta

from scheduler_world import RecordingSender
from scheduler_world import World
from sqlalchemy import Engine
from sqlalchemy import text

from bot.messages import text_message
from bot.model import Delivery
from bot.model import Platform
from bot.model import Role
from bot.sending import NotReachable
from bot.sending import PermanentFailure
from bot.sending import RetryLater
from bot.serialize import message_to_dict
from scheduler.dispatch import Dispatcher
from storage import scheduling as store
from storage.database import make_engine
from storage.uow import SqlUnitOfWorkFactory


def queue(w: World, person_id: int, n: int, *, kind: str = "notice", priority: int = 20) -> list[str]:
    """``n`` messages for a person, due now, each saying its own key."""
    keys = [f"{kind}:{person_id}:{uuid.uuid4().hex[:8]}" for _ in range(n)]
    with w.uow_factory() as uow:
        for key in keys:
            uow.deliveries.enqueue(
                Delivery(person_id=person_id, kind=kind, dedupe_key=key, priority=priority,
                         due_at=w.clock.now(), payload={"message": message_to_dict(text_message(key))})
            )  # fmt: skip
        uow.commit()
    return keys


def test_the_same_nudge_is_never_queued_twice(world: World) -> None:
    w = world
    eli = w.person("mentee@example.org", "Eli Mentee")
    (key,) = queue(w, eli, 1)
    with w.uow_factory() as uow:
        again = Delivery(person_id=eli, kind="notice", dedupe_key=key, due_at=w.clock.now(), payload={})
        assert uow.deliveries.enqueue(again) is False
        uow.commit()
    w.tick()
    w.tick()
    assert [r.message.summary for r in w.inbox(eli)] == [key]


def test_a_dispatcher_that_dies_after_claiming_leaves_the_delivery_to_be_sent_once_after_its_lease(
    world: World,
) -> None:
    w = world
    eli = w.person("mentee@example.org", "Eli Mentee")
    (key,) = queue(w, eli, 1)
    with w.uow_factory.session_factory() as session:  # a dispatcher claims ... and crashes before sending
        now = w.clock.now()
        (claimed,) = store.claim_due(session, now, now + timedelta(minutes=2), "crashed", 10)
        session.commit()
    _, summary = w.tick()
    assert summary.sent == 0 and w.inbox(eli) == []  # still leased to the dead dispatcher
    w.move_to(w.clock.now() + timedelta(minutes=2, seconds=1))
    _, summary = w.tick()
    assert summary.sent == 1
    w.move_to(w.clock.now() + timedelta(minutes=5))
    w.tick()
    assert [r.message.summary for r in w.inbox(eli)] == [key]
    (row,) = w.outbox(eli)
    assert (row.status, row.attempts) == ("sent", 2)
    # the dead dispatcher's late report changes nothing
    late = store.Outcome(claimed.id, "crashed", "failed", 1, w.clock.now(), "too late")
    with w.uow_factory.session_factory() as session:
        assert store.finish(session, [late]) == 1
        session.commit()
    assert w.outbox(eli)[0].status == "sent"


def test_a_delivery_with_too_little_lease_left_is_handed_back_not_sent(world: World) -> None:
    w = world
    eli = w.person("mentee@example.org", "Eli Mentee")
    queue(w, eli, 1)
    # a lease shorter than the safety margin: by the time it could send, it may no longer be ours
    summary = w.dispatch(lease=timedelta(seconds=10), lease_margin=timedelta(seconds=15))
    assert (summary.sent, summary.released) == (0, 1)
    assert w.outbox(eli)[0].status == "pending"
    w.move_to(w.clock.now() + timedelta(seconds=1))
    w.tick()
    assert len(w.inbox(eli)) == 1


async def test_stopping_lets_a_send_under_way_finish_and_be_recorded_and_hands_back_the_rest(
    world: World,
) -> None:
    """Shutting down must not cut a send short: the platform may already have the message, and a
    delivery left claimed would be sent again once its lease ran out."""
    w = world
    eli, maria = w.person("mentee@example.org", "Eli Mentee"), w.person("mentor@example.org", "Maria Mentor")
    queue(w, eli, 1)
    queue(w, maria, 1)
    sending, handing_back, release = asyncio.Event(), asyncio.Event(), asyncio.Event()

    class Slow(RecordingSender):
        async def send(self, person, identity, message):  # type: ignore[no-untyped-def]
            sending.set()
            await release.wait()  # the platform is still answering when the stop comes
            await super().send(person, identity, message)

    async def wait_for_turn(_seconds: float) -> None:  # the second delivery waits for its pacing turn
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            handing_back.set()
            raise

    sender = Slow(Platform.CONSOLE.value, w.clock, rate=1.0)
    dispatcher = Dispatcher(
        w.uow_factory, w.programme, w.clock, {Platform.CONSOLE.value: sender}, pacing_sleep=wait_for_turn
    )
    drain = asyncio.create_task(dispatcher.drain())
    await sending.wait()
    dispatcher.stop()
    await handing_back.wait()  # the one not yet sending is given back ...
    release.set()  # ... while the one under way finishes
    summary = await drain
    assert (summary.sent, summary.released) == (1, 1)
    assert len(sender.received) == 1
    rows = {row.person_id: row for row in w.outbox()}
    sent_to = sender.received[0].person_id
    assert rows[sent_to].status == "sent"
    assert (
        rows[eli if sent_to == maria else maria].status,
        rows[eli if sent_to == maria else maria].attempts,
    ) == (
        "pending",
        0,
    )


async def test_a_send_starts_only_when_it_can_finish_within_the_claim(world: World) -> None:
    """A send may take up to the send timeout (30 s). Started with less of the claim left than that plus
    the margin, a slow answer would outlast the claim, and another dispatcher could take the delivery
    over and send it again meanwhile. Here the claim has 20 s left when its turn comes (as after waiting
    100 s of a 2-minute lease for the platform's pace), and the platform takes 25 s to answer."""
    w = world
    eli = w.person("mentee@example.org", "Eli Mentee")
    (key,) = queue(w, eli, 1)
    other = w.dispatcher()  # a second process on the same database

    class Slow(RecordingSender):
        async def send(self, person, identity, message):  # type: ignore[no-untyped-def]
            w.move_to(w.clock.now() + timedelta(seconds=25))
            await other.drain()  # meanwhile the other process looks for work
            await super().send(person, identity, message)

    slow = Slow(Platform.CONSOLE.value, w.clock)
    first = Dispatcher(
        w.uow_factory, w.programme, w.clock, {Platform.CONSOLE.value: slow},
        lease=timedelta(seconds=20), lease_margin=timedelta(seconds=15), send_timeout=30,
    )  # fmt: skip
    summary = await first.drain()
    assert (summary.sent, summary.released) == (0, 1)  # handed back rather than risk it
    w.move_to(w.clock.now() + timedelta(seconds=1))
    await other.drain()
    assert [r.message.summary for r in [*slow.received, *w.console.received]] == [key]  # once


def _second_engine(engine: Engine) -> Engine:
    """Another engine (its own connection pool) on the same database and schema."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            schema = conn.execute(text("SHOW search_path")).scalar()
        return make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    return make_engine(url)


def test_two_dispatchers_on_one_database_send_each_delivery_once(world: World, engine: Engine) -> None:
    w = world
    people = [w.person(f"p{i}@example.org", f"Person {i}") for i in range(40)]
    keys = [k for p in people for k in queue(w, p, 10)]
    received: list[str] = []
    lock = threading.Lock()
    ready = threading.Barrier(2)

    by_dispatcher = [0, 0]

    class Shared(RecordingSender):
        def __init__(self, n: int) -> None:
            super().__init__(Platform.CONSOLE.value, w.clock)
            self.n = n

        async def send(self, person, identity, message):  # type: ignore[no-untyped-def]
            with lock:
                received.append(message.summary)
                by_dispatcher[self.n] += 1
            await asyncio.sleep(0.001)  # a network round trip, so that the two really overlap

    engines = [engine, _second_engine(engine)]

    def run(n: int, e: Engine) -> None:
        senders = {Platform.CONSOLE.value: Shared(n)}
        dispatcher = Dispatcher(SqlUnitOfWorkFactory(e), w.programme, w.clock, senders, batch_size=20)
        ready.wait()
        asyncio.run(dispatcher.drain())

    threads = [threading.Thread(target=run, args=(n, e)) for n, e in enumerate(engines)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    engines[1].dispose()
    assert sorted(received) == sorted(keys)  # every one delivered, none twice
    assert min(by_dispatcher) > 0  # and both dispatchers took part
    assert {s.status for s in w.outbox()} == {"sent"}


def test_people_are_reached_on_their_chat_platform_or_reported_unreachable(world: World) -> None:
    w = world
    on_slack = w.person("s@example.org", "Sam Slack", platform=Platform.SLACK.value)
    on_teams = w.person("t@example.org", "Tia Teams", platform=Platform.TEAMS.value)
    nowhere = w.person("n@example.org", "Nia Nochat", platform=None)
    at_console = w.person("c@example.org", "Cy Console")  # used ``mentorbot chat``
    slack = RecordingSender(Platform.SLACK.value, w.clock)
    w.senders[Platform.SLACK.value] = slack  # Slack is configured, Teams is not
    for p in (on_slack, on_teams, nowhere, at_console):
        queue(w, p, 1)
    _, summary = w.tick()
    assert (summary.sent, summary.unreachable) == (2, 2)
    assert [r.email for r in slack.received] == ["s@example.org"]
    assert [r.email for r in w.console.received] == ["c@example.org"]  # only the console person
    (teams_row,) = w.outbox(on_teams)
    assert teams_row.status == "unreachable"
    assert teams_row.last_error == "Tia Teams is on teams, but no sender is configured for it"
    (nowhere_row,) = w.outbox(nowhere)
    assert (nowhere_row.status, nowhere_row.channel) == ("unreachable", "")  # never "sent" by printing
    assert "has no chat account linked yet" in nowhere_row.last_error
    with w.uow_factory() as uow:  # what the coordinators' report shows
        assert uow.activity.last_delivery_status() == {
            on_slack: "sent",
            on_teams: "unreachable",
            nowhere: "unreachable",
            at_console: "sent",
        }


class Flaky(RecordingSender):
    def __init__(self, platform: str, world: World, error: Exception) -> None:
        super().__init__(platform, world.clock)
        self.error = error
        self.calls = 0

    async def send(self, person, identity, message):  # type: ignore[no-untyped-def]
        self.calls += 1
        raise self.error


def test_temporary_failures_back_off_and_end_as_a_dead_letter_with_the_error_kept(world: World) -> None:
    w = world
    sam = w.person("s@example.org", "Sam Slack", platform=Platform.SLACK.value)
    flaky = Flaky(Platform.SLACK.value, w, RetryLater("HTTP 503 from Slack"))
    w.senders[Platform.SLACK.value] = flaky
    queue(w, sam, 1)
    waits = []
    for _ in range(10):
        w.tick()
        (row,) = w.outbox(sam)
        if row.status == "dead":
            break
        assert row.status == "failed"
        waits.append(row.due_at - w.clock.now())
        w.move_to(row.due_at)
    assert flaky.calls == 6  # the default number of attempts
    assert row.last_error == "gave up after 6 attempts: HTTP 503 from Slack"
    with w.uow_factory() as uow:  # coordinators see the dead letter with its error
        (dead,) = uow.activity.dead_letters()
        assert (dead.person_id, dead.error) == (sam, "gave up after 6 attempts: HTTP 503 from Slack")
    # 30 s, 1 min, 2 min, 4 min, 8 min, each with up to 20% spread
    bases = [30, 60, 120, 240, 480]
    assert len(waits) == len(bases)
    assert all(b <= wt.total_seconds() <= b * 1.2 for b, wt in zip(bases, waits, strict=True))


def test_a_retry_is_never_sooner_than_the_platforms_retry_after(world: World) -> None:
    w = world
    sam = w.person("s@example.org", "Sam Slack", platform=Platform.SLACK.value)
    w.senders[Platform.SLACK.value] = Flaky(
        Platform.SLACK.value, w, RetryLater("rate limited", retry_after=600)
    )
    queue(w, sam, 1)
    w.tick()
    (row,) = w.outbox(sam)
    assert row.status == "failed" and row.due_at - w.clock.now() == timedelta(seconds=600)


def test_a_refusal_is_final_at_once(world: World) -> None:
    w = world
    sam = w.person("s@example.org", "Sam Slack", platform=Platform.SLACK.value)
    flaky = Flaky(Platform.SLACK.value, w, PermanentFailure("invalid_blocks"))
    w.senders[Platform.SLACK.value] = flaky
    queue(w, sam, 1)
    w.tick()
    w.move_to(w.clock.now() + timedelta(hours=2))
    w.tick()
    (row,) = w.outbox(sam)
    assert (row.status, flaky.calls) == ("dead", 1)
    assert "invalid_blocks" in row.last_error


def test_a_person_the_platform_refuses_stays_unreachable_and_is_tried_again_hourly(world: World) -> None:
    w = world
    sam = w.person("s@example.org", "Sam Slack", platform=Platform.SLACK.value)
    flaky = Flaky(Platform.SLACK.value, w, NotReachable("the app was uninstalled"))
    w.senders[Platform.SLACK.value] = flaky
    queue(w, sam, 1)
    w.tick()
    w.move_to(w.clock.now() + timedelta(minutes=30))
    w.tick()
    (row,) = w.outbox(sam)
    assert (row.status, flaky.calls) == ("unreachable", 1)  # not a hot loop
    assert "the app was uninstalled" in row.last_error  # the reason coordinators see
    w.move_to(w.clock.now() + timedelta(minutes=31))
    w.tick()
    (row,) = w.outbox(sam)
    assert (row.status, flaky.calls, row.attempts) == ("unreachable", 2, 0)  # not counted as failures


def test_someone_who_left_the_programme_gets_nothing(world: World) -> None:
    w = world
    eli = w.person("mentee@example.org", "Eli Mentee", roles=[Role.MENTEE])
    queue(w, eli, 1)
    w.update_person(eli, active=False)
    w.tick()
    (row,) = w.outbox(eli)
    assert (row.status, row.last_error) == ("skipped", "the person has left the programme")
    assert w.inbox(eli) == []


async def test_stopping_mid_dispatch_finishes_what_is_being_sent_and_hands_back_the_rest(
    world: World,
) -> None:
    w = world
    sam = w.person("s@example.org", "Sam Slack", platform=Platform.SLACK.value)
    keys = queue(w, sam, 20)
    started, go_on = asyncio.Event(), asyncio.Event()

    class Slow(RecordingSender):
        async def send(self, person, identity, message):  # type: ignore[no-untyped-def]
            started.set()
            await go_on.wait()  # a send under way when the server is asked to stop
            await super().send(person, identity, message)

    slow = Slow(Platform.SLACK.value, w.clock, rate=1.0)  # the rest wait their turn in the pacing queue
    w.senders[Platform.SLACK.value] = slow
    dispatcher = w.dispatcher()
    draining = asyncio.create_task(dispatcher.drain())
    await started.wait()
    dispatcher.stop()
    go_on.set()
    summary = await draining
    assert (summary.sent, summary.released) == (1, 19)
    assert [r.message.summary for r in slow.received] == keys[:1]
    statuses = Counter(s.status for s in w.outbox(sam))
    assert statuses == Counter({"sent": 1, "pending": 19})  # nothing left claimed: another process may go on
    assert all(s.attempts == 0 for s in w.outbox(sam) if s.status == "pending")
