"""PNG charts of the programme health report (matplotlib, Agg backend: no display needed).

Charts are drawn from a :class:`bot.health.HealthReport`, which holds counts and dates only. The
check-in quadrant chart is drawn only when at least five people's check-ins are in it; otherwise it is
left out, like the table row it comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.health import QUADRANTS, HealthReport, QuadrantGroup

Say = Callable[..., str]

COLOURS = {
    "bar": "#3b6ea5",
    "accent": "#e07a3f",
    "growth": "#3a9d5d",
    "confirmation": "#7fb3d5",
    "retreat": "#e07a3f",
    "stasis": "#9e9e9e",
}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def everyone(report: HealthReport) -> QuadrantGroup | None:
    """The programme-wide quadrant group, if it may be shown (enough people)."""
    for group in report.quadrants:
        if group.label == "all" and group.counts is not None:
            return group
    return None


def _meetings(ax: Any, report: HealthReport, say: Say) -> None:
    ax.bar(report.months, report.meetings_by_month, color=COLOURS["bar"])
    ax.set_title(say("coordinator.health.table.meetings"))
    ax.set_ylabel("meetings held")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="x", labelrotation=30)


def _phases(ax: Any, report: HealthReport, say: Say) -> None:
    names = [name for name, _ in report.phases]
    counts = [n for _, n in report.phases]
    ax.bar(names, counts, color=COLOURS["bar"])
    ax.set_title(say("coordinator.health.table.phases"))
    ax.set_ylabel("relationships")
    ax.yaxis.get_major_locator().set_params(integer=True)


def _quadrants(ax: Any, group: QuadrantGroup, say: Say) -> None:
    counts = dict(group.counts or ())
    labels = [say(f"coordinator.health.quadrant.{q}") for q in QUADRANTS]
    ax.bar(labels, [counts.get(q, 0) for q in QUADRANTS], color=[COLOURS[q] for q in QUADRANTS])
    ax.set_title(
        f"{say('coordinator.health.quadrants.everyone')}: check-in quadrants ({group.people} people)"
    )
    ax.set_ylabel("people")
    ax.yaxis.get_major_locator().set_params(integer=True)


def _guides(ax: Any, report: HealthReport, say: Say) -> None:
    guides = list(report.guides)[:25]
    names = [g.name for g in guides]
    ys = list(range(len(guides)))
    ax.barh(
        [y - 0.2 for y in ys],
        [g.learners for g in guides],
        height=0.4,
        color=COLOURS["bar"],
        label="learners",
    )
    ax.barh(
        [y + 0.2 for y in ys],
        [g.hours_this_month for g in guides],
        height=0.4,
        color=COLOURS["accent"],
        label="meeting hours this month",
    )
    if guides:
        ax.axvline(
            report.protected_hours_per_month,
            color="#555555",
            linestyle="--",
            label="protected-time target (h)",
        )
    ax.set_yticks(ys, names)
    ax.invert_yaxis()
    ax.set_title("Guide load")
    ax.legend(loc="lower right", fontsize="small")


def write_charts(report: HealthReport, out_dir: Path, say: Say) -> list[Path]:
    """Write the charts as PNG files into ``out_dir``; returns the files written.

    ``overview.png`` holds all of them in one picture (the README shows it).
    """
    plt = _pyplot()
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    group = everyone(report)

    def save(fig: Any, name: str) -> None:
        path = out_dir / name
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)

    fig, ax = plt.subplots(figsize=(7, 4))
    _meetings(ax, report, say)
    save(fig, "meetings_over_time.png")

    fig, ax = plt.subplots(figsize=(7, 4))
    _phases(ax, report, say)
    save(fig, "phase_distribution.png")

    if group is not None:
        fig, ax = plt.subplots(figsize=(7, 4))
        _quadrants(ax, group, say)
        save(fig, "quadrant_distribution.png")

    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.45 * len(report.guides) + 1.5)))
    _guides(ax, report, say)
    save(fig, "guide_load.png")

    save(overview_figure(report, say), "overview.png")
    return written


def overview_figure(report: HealthReport, say: Say) -> Any:
    """All charts in one figure (2 × 2): meetings, phases, quadrants (or a note why not), guide load."""
    plt = _pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(13, 8.5))
    fig.suptitle(f"{report.programme}: programme health on {report.today.isoformat()} (activity only)")
    _meetings(axes[0][0], report, say)
    _phases(axes[0][1], report, say)
    group = everyone(report)
    if group is not None:
        _quadrants(axes[1][0], group, say)
    else:
        axes[1][0].axis("off")
        axes[1][0].text(
            0.5,
            0.5,
            say("coordinator.cli.no_png_quadrants"),
            ha="center",
            va="center",
            wrap=True,
            fontsize=10,
        )
    _guides(axes[1][1], report, say)
    return fig
