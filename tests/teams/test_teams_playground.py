"""End to end against the Microsoft 365 Agents Playground: real Teams-shaped traffic, no tenant.

The bot is mentorbot's serve app (Teams mounted, local mode: ``MENTORBOT_TEAMS_LOCAL=1``) on a free
loopback port, over an SQLite file loaded with the example programme; the clock stands at Monday 2 March
2026, 09:00 UTC. Each person
has their own Playground process (the Playground has one person at the keyboard), configured so that the
person is someone from the example roster. Proactive messages come from ``mentorbot tick`` run as a
separate process on the same database, as cron would run it.

The Playground is installed by the tests with npm at the pinned version into ``.cache/playground``. Where
npm, node or the registry is unavailable the tests skip, unless ``MENTORBOT_REQUIRE_PLAYGROUND=1`` (CI).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from playground_driver import BotMessage
from playground_driver import PlaygroundChat
from playground_driver import PlaygroundProcess
from playground_driver import free_port
from playground_driver import installed_playground
from playground_driver import start_playground as start_one

from bot.clock import FixedClock
from handlers.teams.playground import PlaygroundUser
from mentorbot.channels import mount_teams
from mentorbot.server import build_app
from mentorbot.settings import Settings
from mentorbot.wiring import Runtime
from mentorbot.wiring import build_runtime
from mentorbot.wiring import seed_example_if_empty

pytestmark = pytest.mark.asyncio(loop_scope="module")

REPO = Path(__file__).resolve().parents[2]
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PRIYA = PlaygroundUser("mentee@example.org", "Priya Shah")  # mentee of Dr Amara Nwosu (m-001)
AMARA = PlaygroundUser("mentor@example.org", "Amara Nwosu")
HELEN = PlaygroundUser("coordinator@example.org", "Helen Okafor")


@dataclass
class World:
    runtime: Runtime
    database_url: str
    mentee: PlaygroundChat
    mentor: PlaygroundChat
    coordinator: PlaygroundChat
    welcomes: dict[str, list[BotMessage]]

    def text(self, key: str, **values: object) -> str:
        return self.runtime.programme.text(key, **values)

    async def tick(self, now: str) -> str:
        """``mentorbot tick --now NOW`` in its own process, on the same database."""
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "MENTORBOT_"))
        }
        env["MENTORBOT_DATABASE_URL"] = self.database_url
        env["MENTORBOT_TEAMS_LOCAL"] = "1"  # the Playground's connector is reachable only in local mode
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "mentorbot",
            "tick",
            "--now",
            now,
            cwd=REPO,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        text = output.decode(errors="replace")
        assert process.returncode == 0, text
        return text


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    command = installed_playground()
    root = tmp_path_factory.mktemp("teams-e2e")
    database_url = f"sqlite:///{root / 'mentorbot.sqlite3'}"
    runtime = build_runtime(
        Settings(database_url=database_url, env={"MENTORBOT_TEAMS_LOCAL": "1"}),
        clock=FixedClock(MONDAY),
        migrate=True,
    )
    seed_example_if_empty(runtime)
    runner = web.AppRunner(build_app(runtime, [mount_teams]), access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    endpoint = f"http://127.0.0.1:{port}/api/messages"

    processes: list[PlaygroundProcess] = []
    chats: list[PlaygroundChat] = []
    session = aiohttp.ClientSession()
    try:
        welcomes: dict[str, list[BotMessage]] = {}
        for user in (PRIYA, AMARA, HELEN):
            process = await start_one(command, user, endpoint, root / user.email.split("@")[0])
            processes.append(process)
            chat = await PlaygroundChat(process, session).connect()
            chats.append(chat)
            # everyone has the app, as a Teams admin's setup policy would do: the bot may write first
            welcomes[user.email] = await chat.install()
        yield World(runtime, database_url, *chats, welcomes)
    finally:
        for chat in chats:
            await chat.close()
        await session.close()
        for process in processes:
            await process.stop()
        await runner.cleanup()
        runtime.engine.dispose()


def _texts(messages: list[BotMessage]) -> str:
    return "\n".join(m.text for m in messages)


async def test_a_pair_agrees_its_ground_rules_in_teams_and_the_scheduler_reaches_them(world: World) -> None:
    mentee, mentor = world.mentee, world.mentor

    assert "Priya Shah, here is where things stand" in _texts(world.welcomes[PRIYA.email])
    assert "Dr Amara Nwosu, here is where things stand" in _texts(world.welcomes[AMARA.email])

    assert "help meetings" in _texts(await mentee.say("help"))
    assert "Dr Amara Nwosu" in _texts(await mentee.say("my relationships"))

    await mentee.say("ground rules #1")
    (form,) = await mentee.press(world.text("rules.button.propose"))
    assert form.inputs()["frequency"]  # pre-filled with the programme's suggestion
    (answer,) = await mentee.press(world.text("rules.form.submit"), {"frequency": "every three weeks"})
    assert answer.message_id == form.message_id  # the form turned into the answer, in place
    assert "on its way to Dr Amara Nwosu" in answer.text

    summary = await world.tick("2026-03-02T10:00:00Z")  # cron, an hour later

    assert "sent" in summary
    notice = await mentor.wait_for(
        lambda m: "Priya Shah proposed version 1" in m.text, "the proposed ground rules from her mentee"
    )
    assert "every three weeks" in notice.text
    digest = await mentor.wait_for(lambda m: world.text("nudge.digest.title") in m.text, "her weekly digest")
    assert digest.message_id != notice.message_id

    (confirmed,) = await mentor.press(world.text("rules.button.confirm"))
    assert confirmed.message_id == notice.message_id
    assert "version 1 is now your ground rules" in confirmed.text

    await world.tick("2026-03-02T10:05:00Z")

    await mentee.wait_for(
        lambda m: "Your ground rules are agreed" in m.text, "the news that the rules are agreed"
    )


async def test_typed_commands_of_every_workflow_answer_in_teams(world: World) -> None:
    mentee = world.mentee
    for command, expected in (
        ("whats next", "Mentoring with Dr Amara Nwosu (#1)"),
        ("welcome #1", "Dr Amara Nwosu, mentor"),
        ("meetings #1", "Mentoring with Dr Amara Nwosu (#1)"),
        ("agenda #1", "Agenda for your next meeting"),
        ("actions #1", "action"),
        ("network", world.text("nudge.network.title")),
        ("settings", "Europe/London"),
        ("no such command", "Type help to see everything I can do"),
    ):
        reply = _texts(await world.mentee.say(command))
        assert expected in reply, f"{command!r} answered:\n{reply}"
        assert "Something went wrong" not in reply
    assert mentee.turns > 0


async def test_a_meeting_is_proposed_accepted_and_both_get_the_calendar_details(world: World) -> None:
    mentee, mentor = world.mentee, world.mentor
    await mentee.say("schedule #1")
    proposed = await mentee.press(
        world.text("meeting.form.submit"),
        {
            "option1__date": "2026-03-04",
            "option1__time": "14:00",
            "minutes": 45,
            "location": "Seminar room 2",
        },
    )
    assert "Something went wrong" not in _texts(proposed)
    assert "Wed 4 Mar" in _texts(proposed) or "4 Mar" in _texts(proposed), _texts(proposed)

    await world.tick("2026-03-02T11:00:00Z")

    await mentor.wait_for(
        lambda m: any(a.get("data", {}).get("a") == "meeting.accept" for a in m.actions()),
        "the proposed time",
    )
    accepted = _texts(await mentor.press_action("meeting.accept"))
    assert ".ics" in accepted  # the calendar file is named; Teams cannot take it as a chat attachment
    assert "Seminar room 2" in accepted or "14:00" in accepted, accepted

    await world.tick("2026-03-02T11:05:00Z")

    await mentee.wait_for(lambda m: ".ics" in m.text, "the confirmed meeting with its calendar details")


async def test_a_mentee_checks_in_and_maps_her_network_with_forms(world: World) -> None:
    mentee = world.mentee
    (form,) = await mentee.say("checkin #1")
    assert set(form.inputs()) >= {"support", "challenge", "safety", "share"}

    result = _texts(
        await mentee.press(
            world.text("checkin.form.submit"), {"support": "4", "challenge": "4", "safety": "5"}
        )
    )
    assert "Your check-in:" in result

    await mentee.say("network add")
    await mentee.press(world.text("network.form.add_submit"), {"kind": "coaching", "name": "Dr Imogen Lee"})
    assert "Coaching: Dr Imogen Lee" in _texts(await mentee.say("network"))


async def test_a_mentee_adds_to_the_agenda_by_typing_and_through_a_form(world: World) -> None:
    mentee = world.mentee
    await mentee.say("agenda add #1 How to prepare for my research interview")
    await mentee.say("agenda #1")
    await mentee.press(world.text("agenda.button.add"))
    await mentee.press(
        world.text("agenda.form.add_submit"), {"text": "Whether to apply for the summer elective"}
    )

    shown = _texts(await mentee.say("agenda #1"))

    assert shown.index("How to prepare for my research interview") < shown.index("summer elective")


async def test_a_coordinator_announces_to_mentees_from_teams_and_tick_delivers_it(world: World) -> None:
    coordinator, mentee = world.coordinator, world.mentee
    (form,) = await coordinator.say("announce")
    assert "roles" in form.inputs()  # the audience is chosen on the card (here: everyone who is a mentee)

    preview = _texts(
        await coordinator.press(
            world.text("coordinator.announce.preview_button"),
            {
                "title": "Journal club",
                "body": "Thursday at 17:00 in the library, all mentees welcome.",
                "roles": "mentee",
            },
        )
    )
    assert "Journal club" in preview and "Priya Shah" in preview
    await coordinator.press(world.text("coordinator.announce.send_button"))

    await world.tick("2026-03-02T12:00:00Z")

    await mentee.wait_for(
        lambda m: "Thursday at 17:00 in the library" in m.text, "the coordinator's announcement"
    )


async def test_a_coordinator_sees_programme_health_in_teams_never_content(world: World) -> None:
    report = _texts(await world.coordinator.say("report"))

    assert "Programme health: Clinical Mentoring Programme" in report
    unreachable = report.split("People the bot cannot reach")[1]
    assert "Kim Nguyen" in unreachable  # never wrote to the bot anywhere
    assert "Priya Shah" not in unreachable and "Amara Nwosu" not in unreachable  # they have the Teams app
    assert "every three weeks" not in report  # what pairs agreed stays between them
    assert "How to prepare for my research interview" not in report
