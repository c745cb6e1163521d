"""The health charts of the example programme read correctly on any day: what is empty is said in words,
guide load puts one measure on each axis, and what needs attention is in the picture."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from pathlib import Path

import matplotlib.text
import pytest

from bot.clock import FixedClock
from bot.health import HealthReport
from bot.health import build_report
from bot.programme import ProgrammeConfig
from bot.programme import load_programme
from bot.roster import example_paths
from bot.roster import import_roster
from mentorbot.charts import overview_figure
from mentorbot.charts import write_charts
from storage.uow import SqlUnitOfWorkFactory


def texts(fig: object) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]  # type: ignore[attr-defined]


def example_report(
    uow_factory: SqlUnitOfWorkFactory, today: datetime
) -> tuple[HealthReport, ProgrammeConfig]:
    programme = load_programme()
    people, matches = example_paths()
    import_roster(uow_factory, programme, FixedClock(datetime(2026, 1, 5, 9, tzinfo=UTC)), people, matches)
    with uow_factory() as uow:
        return build_report(uow.activity, programme, today), programme


@pytest.mark.parametrize(
    "today",
    [datetime(2026, 1, 6, 9, tzinfo=UTC), datetime(2026, 11, 20, 9, tzinfo=UTC)],
    ids=["before-the-first-meeting", "ten-months-later"],
)
def test_the_example_programme_charts_read_on_two_days(
    uow_factory: SqlUnitOfWorkFactory, today: datetime, tmp_path: Path
) -> None:
    report, programme = example_report(uow_factory, today)
    fig = overview_figure(report, programme.text)
    shown = texts(fig)

    assert "No meetings yet" in shown  # nobody has met in the example: words, not an empty axis
    # guide load: learners against capacity on one axis, hours against the target on another
    learners = next(ax for ax in fig.axes if ax.get_title() == "Guide load: learners and capacity")
    hours = next(ax for ax in fig.axes if ax.get_title() == "Guide load: meeting hours this month")
    assert learners.get_xlabel().startswith("learners")
    assert hours.get_xlabel() == "hours this month"
    assert any("protected-time target" in t for t in shown)
    assert not any("protected-time" in t.get_text() for t in learners.get_legend().get_texts())
    # what needs attention, counted as the text report counts it
    attention = next(ax for ax in fig.axes if ax.get_title() == "Needs attention")
    stalled, unreachable = len(report.stalled), len(report.unreachable)
    if stalled or unreachable:
        labels = [t.get_text().replace("\n", " ") for t in attention.get_xticklabels()]
        assert labels[:2] == ["stalled pairs", "unreachable people"]
        assert str(stalled) in [t.get_text() for t in attention.texts]
    else:
        assert "Nothing needs attention: no stalled pairs, nobody unreachable" in shown
    assert unreachable == 14  # nobody in the example has written to the bot yet
    assert "unreachable people" in [t.get_text().replace("\n", " ") for t in attention.get_xticklabels()]

    written = {p.name for p in write_charts(report, tmp_path, programme.text)}
    assert {"overview.png", "attention.png", "guide_load.png", "meetings_over_time.png"} <= written


def test_png_without_the_charts_extra_says_what_to_install_in_one_line(
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import sys

    from mentorbot.commands._coordinator import CommandScope
    from mentorbot.commands.report import report

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if the extra were not installed
    assert report(CommandScope(uow_factory, load_programme(), clock), "png", tmp_path / "png") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "install 'mentorbot[charts]'" in err
    assert not (tmp_path / "png").exists()


def test_report_png_prints_no_matplotlib_log_lines(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "MENTORBOT_"))}
    env |= {"XDG_DATA_HOME": str(tmp_path / "data"), "MPLCONFIGDIR": str(tmp_path / "mpl")}
    done = subprocess.run(
        [sys.executable, "-m", "mentorbot", "report", "--format", "png", "--out", str(tmp_path / "out")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert "matplotlib" not in done.stderr, done.stderr
    assert (tmp_path / "out" / "overview.png").is_file()
