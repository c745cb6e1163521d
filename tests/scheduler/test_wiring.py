"""How the scheduler is run: ``mentorbot tick`` for one pass at a chosen instant, and ``serve``'s in-process
scheduler (APScheduler only triggers the passes). Also: console people (who used ``mentorbot chat``) get
their messages on the console/log channel, and planning looks only at what is due."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer
from scheduler_world import RecordingSender
from scheduler_world import World
from sqlalchemy import Engine

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.messages import text_message
from bot.model import ChatIdentity
from bot.model import Delivery
from bot.model import Membership
from bot.model import Person
from bot.model import Platform
from bot.model import Relationship
from bot.model import Role
from bot.model import Side
from bot.programme import ProgrammeConfig
from bot.serialize import message_to_dict
from handlers.console.sender import ConsoleLogSender
from mentorbot.cli import main
from mentorbot.scheduling import SCHEDULER
from mentorbot.scheduling import mount_scheduler
from mentorbot.server import build_app
from mentorbot.settings import Settings
from mentorbot.wiring import Runtime
from scheduler.dispatch import Dispatcher
from scheduler.service import SchedulerTuning
from storage.database import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWorkFactory


def _seed(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with SqlUnitOfWorkFactory(engine)() as uow:
        maria = Person(
            email="mentor@example.org", name="Maria Mentor", roles=[Role.GUIDE], timezone="America/New_York"
        )
        eli = Person(
            email="mentee@example.org", name="Eli Mentee", roles=[Role.MENTEE], timezone="Europe/London"
        )
        # Eli has used ``mentorbot chat`` (a console person); Maria never talked to the bot
        eli.identities.append(ChatIdentity(platform="console", external_id="mentee@example.org"))
        uow.relationships.add(
            Relationship(
                kind="mentoring", format="one-to-one", phase="initiation", started_on=date(2026, 3, 2),
                members=[Membership(person=maria, side=Side.GUIDE),
                         Membership(person=eli, side=Side.LEARNER)],
            )
        )  # fmt: skip
        uow.commit()
    engine.dispose()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty SQLite database for the CLI, with the chat channels off (and logging restored after)."""
    url = f"sqlite:///{tmp_path / 'tick.sqlite3'}"
    monkeypatch.setenv("MENTORBOT_DATABASE_URL", url)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("MICROSOFT_APP_ID", raising=False)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield url
    root.handlers[:] = handlers
    root.setLevel(level)


def test_tick_sends_what_is_due_at_the_instant_given_and_nothing_twice(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(database)
    assert main(["tick", "--now", "2026-03-02T09:00:00Z", "--show"]) == 0
    captured = capsys.readouterr()
    assert (
        "mentorbot tick at 2026-03-02T09:00:00+00:00: planned 1, sent 1, failed 0, unreachable 0"
        in captured.out
    )
    # Eli is a console person: the welcome goes to the console/log channel; --show prints it,
    # the log says it was delivered without repeating its text
    assert "to Eli Mentee <mentee@example.org> (console):" in captured.out
    assert "delivered on the console/log channel" in captured.err
    assert "Eli Mentee" not in captured.err
    assert main(["tick", "--now", "2026-03-02T09:00:00Z"]) == 0
    assert "planned 0, sent 0" in capsys.readouterr().out
    assert main(["tick", "--now", "2026-03-02T13:00+00:00"]) == 0  # 08:00 in New York: Maria's digest
    # Maria never talked to the bot and no chat platform is on: unreachable, not printed as sent
    out = capsys.readouterr().out
    assert "planned 1, sent 0, failed 0, unreachable 1" in out
    assert "Maria" not in out


@pytest.mark.parametrize("bad", ["next tuesday", "2026-13-01T09:00", "09:00"])
def test_tick_with_an_unreadable_instant_says_what_is_wrong(
    database: str, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tick", "--now", bad]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        f"mentorbot tick: --now: expected an ISO-8601 date and time like 2026-03-02T09:00:00Z, got {bad!r}"
    )


async def test_serve_runs_the_passes_on_its_scheduler_and_stops_them_cleanly(
    engine: Engine, clock: FixedClock, world: World
) -> None:
    programme = ProgrammeConfig.default()
    factory = SqlUnitOfWorkFactory(engine)
    runtime = Runtime(Settings(), engine, factory, programme, clock, MentorBot(factory, programme, clock))
    console = RecordingSender(Platform.CONSOLE.value, clock)
    runtime.senders[Platform.CONSOLE.value] = console
    eli = world.person("mentee@example.org", "Eli Mentee")
    with factory() as uow:
        uow.deliveries.enqueue(
            Delivery(person_id=eli, kind="notice", dedupe_key="notice:1", due_at=clock.now(),
                     payload={"message": message_to_dict(text_message("Maria confirmed Tuesday"))})
        )  # fmt: skip
        uow.commit()
    app = build_app(runtime, [mount_scheduler])
    service = app[SCHEDULER]
    async with TestClient(TestServer(app)) as client:
        assert service.scheduler is not None and service.scheduler.running
        assert {job.id for job in service.scheduler.get_jobs()} == {"plan", "dispatch"}
        await service.kick_dispatch()
        assert service._dispatch_task is not None
        await service._dispatch_task
        assert [r.message.summary for r in console.received] == ["Maria confirmed Tuesday"]
        assert (await client.get("/healthz")).status == 200
    assert not service.scheduler.running  # stopped with the server


async def test_a_console_person_is_served_by_the_console_log(world: World) -> None:
    w = world
    eli = w.person("mentee@example.org", "Eli Mentee")
    with w.uow_factory() as uow:
        uow.deliveries.enqueue(
            Delivery(person_id=eli, kind="notice", dedupe_key="n:1", due_at=w.clock.now(),
                     payload={"message": message_to_dict(text_message("Your meeting is confirmed"))})
        )  # fmt: skip
        uow.commit()
    shown: list[str] = []
    senders = {Platform.CONSOLE.value: ConsoleLogSender(sink=shown.append)}
    summary = await Dispatcher(w.uow_factory, w.programme, w.clock, senders).drain()
    assert summary.by_platform == {"console": 1}
    assert shown == ["to Eli Mentee <mentee@example.org> (console):\nYour meeting is confirmed\n"]
    (row,) = w.outbox(eli)
    assert (row.status, row.channel) == ("sent", "console")


def test_a_plan_pass_looks_only_at_relationships_whose_time_has_come(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-02 06:00"))
    pairs = []
    for i in range(20):
        guide = w.person(f"g{i}@example.org", f"Guide {i}", "Europe/London", [Role.GUIDE])
        mentee = w.person(f"m{i}@example.org", f"Mentee {i}", "Europe/London")
        pairs.append((mentee, w.relationship([guide], [mentee], started_on=date(2026, 3, 2))))
    assert w.plan().reviewed == 20  # new relationships are looked at at once
    assert w.plan().reviewed == 0  # nothing is due until 09:00
    mentee, rid = pairs[3]
    w.meeting(rid, w.at("2026-03-03 15:00"), by=mentee)  # booking a meeting asks for a fresh look
    assert w.plan().reviewed == 1
    w.move_to(w.at("2026-03-02 09:00"))
    assert w.plan().reviewed == 20  # everyone's welcome is due


def test_serve_scheduler_tuning_comes_from_the_environment_and_a_bad_value_stops_serve(
    engine: Engine, clock: FixedClock
) -> None:
    programme = ProgrammeConfig.default()
    factory = SqlUnitOfWorkFactory(engine)
    env = {
        "MENTORBOT_DISPATCH_INTERVAL": "0.5",
        "MENTORBOT_OUTBOX_LEASE": "8",
        "MENTORBOT_RETRY_BACKOFF": "2",
    }
    runtime = Runtime(
        Settings(env=env), engine, factory, programme, clock, MentorBot(factory, programme, clock)
    )
    service = build_app(runtime, [mount_scheduler])[SCHEDULER]
    assert (service.plan_every, service.dispatch_every) == (60, 0.5)
    dispatcher = service.dispatcher
    assert (dispatcher.lease, dispatcher.backoff) == (timedelta(seconds=8), timedelta(seconds=2))
    assert (dispatcher.lease_margin, dispatcher.send_timeout) == (timedelta(seconds=2), 2)  # a quarter each
    assert SchedulerTuning.from_env({}) == SchedulerTuning(60, 5, 120, 30)
    for bad in ("soon", "0", "-3", "inf"):
        with pytest.raises(SystemExit) as stopped:
            SchedulerTuning.from_env({"MENTORBOT_OUTBOX_LEASE": bad})
        assert (
            str(stopped.value) == f"MENTORBOT_OUTBOX_LEASE must be a positive number of seconds, got {bad!r}"
        )
