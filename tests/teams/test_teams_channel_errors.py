"""Teams counts its failures in ``mentorbot_channel_errors_total{channel="teams",kind}`` as Slack does:
a reply the connector refuses shows on ``/metrics`` (an outbox send it refuses: ``test_teams_proactive``)."""

from __future__ import annotations

from conftest import People
from teams_harness import MENTEE
from teams_harness import TeamsHarness


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
