"""Teams counts its failures in ``mentorbot_channel_errors_total{channel="teams",kind}`` as Slack does:
a reply the connector refuses and an outbox send it refuses each show on ``/metrics``."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import People
from teams_harness import MENTEE, MENTOR, TeamsHarness

from bot.clock import FixedClock
from mentorbot.scheduling import build_scheduler

AFTERNOON = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def teams_errors(teams: TeamsHarness, kind: str) -> float | None:
    return teams.runtime.metrics.value("mentorbot_channel_errors_total", channel="teams", kind=kind)


async def test_a_reply_teams_refuses_is_counted_for_the_teams_channel(
    teams: TeamsHarness, people: People
) -> None:
    teams.fake.fail_next(400)

    await teams.say(MENTEE, "help")

    assert teams_errors(teams, "http_400") == 1
    assert 'mentorbot_channel_errors_total{channel="teams",kind="http_400"} 1' in (
        teams.runtime.metrics.render()
    )


async def test_an_outbox_send_teams_refuses_is_counted_for_the_teams_channel(
    teams: TeamsHarness, people: People, clock: FixedClock
) -> None:
    clock.set(AFTERNOON)
    await teams.say(MENTOR, "help")
    await teams.say(MENTEE, "ground rules propose")
    form = teams.fake.posted[-1]
    submit = teams.actions(form.cards[0])[-1]
    await teams.submit(MENTEE, {**submit["data"], **teams.inputs(form.cards[0])}, form.activity_id)
    teams.fake.fail_next(404, {})

    summary = await build_scheduler(teams.runtime).dispatcher.drain()

    assert summary.unreachable == 1
    assert teams_errors(teams, "http_404") == 1
