"""Each chat-path benchmark still runs end to end and fills its table, at a tiny size, on SQLite.

No timing is asserted (benchmarks measure, tests do not): only that every row is there and that what
was measured is what the benchmark says it measures (replies arrived, everyone got the announcement once).
"""

from __future__ import annotations

import re
from dataclasses import replace

from bench import announcement
from bench import memory
from bench import slack_dm
from bench import teams_dm
from bench._dm import Config
from bench._fake_slack import SlackLimits

TINY = Config(requests=3, users=2, background=5, backends=("sqlite",), runs=1)
TWO_IN_FLIGHT = Config(requests=4, users=3, background=5, backends=("sqlite",), inflight=(1, 2), runs=1)
NUMBER = r"[\d,.]+"


def rows(table: str) -> list[list[str]]:
    """The body rows of the markdown table (after its header and separator), as lists of cells."""
    lines = [line for line in table.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def test_slack_dm_compares_mentorbot_with_the_bare_bolt_app_one_and_more_at_a_time() -> None:
    table = slack_dm.report(slack_dm.run(TWO_IN_FLIGHT), TWO_IN_FLIGHT)
    found = rows(table)
    assert [(r[0], r[1], r[2]) for r in found] == [
        ("SQLite", n, command) for n in ("1", "2") for command in ("my relationships", "help")
    ]
    for row in found:
        bare, bot = (int(n) for n in row[3].split(" / "))
        assert bare == bot >= 1  # mentorbot's real answer, and an echo in as many messages
        assert len(row) == 10  # replies, ratio, then both acknowledgements and their ratio
        assert all(re.fullmatch(rf"{NUMBER}x? / {NUMBER}x?", cell) for cell in row[4:])


def test_each_dm_line_is_the_median_of_several_runs_and_shows_every_runs_ratio() -> None:
    three = replace(TINY, runs=3)
    found = rows(slack_dm.report(slack_dm.run(three), three))
    assert len(found) == 2
    for row in found:
        each = [float(ratio.removesuffix("x")) for ratio in row[-1].split()]
        assert len(each) == 3
        assert row[6].split(" / ")[0] == f"{sorted(each)[1]:.2f}x"  # the line is the median run


def test_the_dm_profile_breaks_both_apps_down_into_parts() -> None:
    lines = slack_dm.profile(TINY, dms=6)
    assert "| part | bare bolt ms per DM | share | mentorbot ms per DM | share |" in lines
    found = {r[0]: r for r in rows("\n".join(lines))}
    assert found["database (SQLAlchemy, driver)"][1] == "0.00"  # the bare app has no database
    assert float(found["database (SQLAlchemy, driver)"][3]) > 0  # mentorbot's turns were sampled
    assert found["**all (busy)**"][2] == found["**all (busy)**"][4] == "100%"


def test_teams_dm_compares_mentorbot_with_both_bare_botbuilder_bots() -> None:
    table = teams_dm.report(teams_dm.run(TINY), TINY)
    found = rows(table)
    assert [(r[0], r[2]) for r in found] == [("SQLite", "my relationships"), ("SQLite", "help")]
    for row in found:
        bare, fixed, bot = (int(n) for n in row[3].split(" / "))
        assert bare == fixed == bot >= 1
        assert len(row) == 9
        assert all(re.fullmatch(rf"{NUMBER}x? / {NUMBER}x?", cell) for cell in row[4:])


def test_announcement_reaches_everyone_once_in_each_scenario() -> None:
    scenarios = [
        announcement.Scenario(
            "capacity", "sqlite", 12, SlackLimits(per_channel=1.0, workspace=200.0), 200.0, False
        ),
        announcement.Scenario(
            "as shipped, DM channels known", "sqlite", 4, announcement.SLACK_LIMITS, None, True
        ),
        announcement.Scenario(
            "as shipped, after a restart", "sqlite", 3, announcement.SLACK_LIMITS, None, False
        ),
    ]
    found = rows(announcement.report(announcement.run(scenarios)))
    assert [(r[0], r[2]) for r in found] == [
        ("capacity", "12"),
        ("as shipped, DM channels known", "4"),
        ("as shipped, after a restart", "3"),
    ]
    assert [r[-1] for r in found] == ["1", "1", "1"]  # nobody got the announcement twice
    opened = [int(r[-2]) for r in found]  # conversations.open: DMs are posted to the user id, even
    assert opened == [0, 0, 0]  # after a restart, so no announcement waits on Tier 3


def test_memory_reports_each_stage_of_a_serve_process() -> None:
    found = rows(memory.report(memory.run((5,), ["sqlite"])))
    assert len(found) == 1
    database, people, relationships, *mib, ratio, plan = found[0]
    assert (database, people, relationships) == ("SQLite", "14", "7")
    assert all(float(m) > 20 for m in mib)  # MiB of a Python process with the whole app loaded
    assert ratio == "1.00x"  # the only row is its own anchor (the almost empty programme)
    assert plan.endswith("(7 reviewed)")
