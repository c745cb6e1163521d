"""PNG charts of the programme health report (matplotlib, Agg backend: no display needed).

Charts are drawn from a :class:`bot.health.HealthReport`, which holds counts and dates only. The
check-in quadrant chart is drawn only when at least five people's check-ins are in it; otherwise it is
left out, like the table row it comes from.

Read at a glance: a chart with nothing to show says so in words ("No meetings yet") instead of an empty
axis running from -0.04 to 0.04; each axis carries one measure with its unit (guide load is two panels:
learners against capacity, and meeting hours against the protected-time target); and what needs a
coordinator's attention -- stalled pairs, unreachable people, undeliverable messages -- is in the
picture, not only in the text report.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.catalogue import TextLookup
from bot.health import MIN_GROUP
from bot.health import QUADRANTS
from bot.health import GuideLoad
from bot.health import HealthReport
from bot.health import QuadrantGroup
from bot.health import goal_label

COLOURS = {
    "bar": "#3b6ea5",
    "accent": "#e07a3f",
    "growth": "#3a9d5d",
    "confirmation": "#7fb3d5",
    "retreat": "#e07a3f",
    "stasis": "#9e9e9e",
}


def _pyplot() -> Any:
    import logging

    # matplotlib logs its font cache at INFO; a coordinator asked for charts, not for that
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
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


def _empty(ax: Any, title: str, words: str) -> None:
    """A chart with nothing to show: its title and, in words, why there is nothing."""
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    ax.text(0.5, 0.5, words, ha="center", va="center", wrap=True, fontsize=12, color="#555555")


def _meetings(ax: Any, report: HealthReport, say: TextLookup) -> None:
    title = say("coordinator.health.table.meetings")
    if not any(report.meetings_by_month):
        _empty(ax, title, say("coordinator.chart.no_meetings"))
        return
    ax.bar(report.months, report.meetings_by_month, color=COLOURS["bar"])
    ax.set_title(title)
    ax.set_ylabel(say("coordinator.chart.meetings_axis"))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="x", labelrotation=30)


def _phases(ax: Any, report: HealthReport, say: TextLookup) -> None:
    title = say("coordinator.health.table.phases")
    names = [name for name, _ in report.phases]
    counts = [n for _, n in report.phases]
    if not any(counts):
        _empty(ax, title, say("coordinator.chart.no_relationships"))
        return
    ax.bar(names, counts, color=COLOURS["bar"])
    ax.set_title(title)
    ax.set_ylabel(say("coordinator.chart.relationships_axis"))
    ax.yaxis.get_major_locator().set_params(integer=True)


def _quadrants(ax: Any, group: QuadrantGroup, say: TextLookup) -> None:
    counts = dict(group.counts or ())
    labels = [say(f"coordinator.health.quadrant.{q}") for q in QUADRANTS]
    ax.bar(labels, [counts.get(q, 0) for q in QUADRANTS], color=[COLOURS[q] for q in QUADRANTS])
    ax.set_title(
        f"{say('coordinator.health.quadrants.everyone')}: check-in quadrants ({group.people} people)"
    )
    ax.set_ylabel("people")
    ax.yaxis.get_major_locator().set_params(integer=True)


def _per_guide(
    ax: Any,
    report: HealthReport,
    say: TextLookup,
    title_key: str,
    bars: Callable[[list[GuideLoad], list[int]], None],
) -> None:
    """A per-guide chart: one row per guide (at most 25, the first on top) whose bars ``bars(guides,
    rows)`` draws, named, titled and with its legend; with no guides the axes say so."""
    title = say(title_key)
    guides = list(report.guides)[:25]
    if not guides:
        _empty(ax, title, say("coordinator.chart.no_guides"))
        return
    ys = list(range(len(guides)))
    bars(guides, ys)
    ax.set_yticks(ys, [g.name for g in guides])
    ax.invert_yaxis()
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")


def _guide_learners(ax: Any, report: HealthReport, say: TextLookup) -> None:
    """Learners per guide (bars) against each guide's capacity (an outlined bar): one measure."""

    def bars(guides: list[GuideLoad], ys: list[int]) -> None:
        ax.barh(
            ys,
            [g.capacity for g in guides],
            height=0.7,
            fill=False,
            edgecolor="#555555",
            linestyle="--",
            label=say("coordinator.chart.capacity_label"),
        )
        over = [g.learners > g.capacity for g in guides]
        ax.barh(
            ys,
            [g.learners for g in guides],
            height=0.5,
            color=[COLOURS["accent"] if o else COLOURS["bar"] for o in over],
            label=say("coordinator.chart.learners_label"),
        )
        ax.set_xlabel(say("coordinator.chart.learners_axis"))
        ax.xaxis.get_major_locator().set_params(integer=True)

    _per_guide(ax, report, say, "coordinator.chart.guide_learners_title", bars)


def _guide_hours(ax: Any, report: HealthReport, say: TextLookup) -> None:
    """Meeting hours this month per guide against the protected-time target (a line): one measure."""
    target = report.protected_hours_per_month

    def bars(guides: list[GuideLoad], ys: list[int]) -> None:
        ax.barh(
            ys,
            [g.hours_this_month for g in guides],
            height=0.5,
            color=COLOURS["growth"],
            label=say("coordinator.chart.hours_label"),
        )
        ax.axvline(
            target,
            color="#555555",
            linestyle="--",
            label=say("coordinator.chart.target_label", hours=f"{target:g}"),
        )
        most = max([target, *(g.hours_this_month for g in guides)])
        ax.set_xlim(0, most * 1.15 or 1)  # the target line never sits on the frame
        ax.set_xlabel(say("coordinator.chart.hours_axis"))

    _per_guide(ax, report, say, "coordinator.chart.guide_hours_title", bars)


def attention_counts(report: HealthReport) -> tuple[int, int, int]:
    """``(stalled pairs, unreachable people, undeliverable messages)`` as the text report counts them."""
    return len(report.stalled), len(report.unreachable), len(report.dead_letters)


def _attention(ax: Any, report: HealthReport, say: TextLookup) -> None:
    """What needs a coordinator: stalled pairs, unreachable people, undeliverable messages."""
    title = say("coordinator.chart.attention_title")
    counts = attention_counts(report)
    if not any(counts):
        _empty(ax, title, say("coordinator.chart.nothing_needs_attention"))
        return
    labels = [
        say("coordinator.chart.stalled_label"),
        say("coordinator.chart.unreachable_label"),
        say("coordinator.chart.undeliverable_label"),
    ]
    labels = [textwrap.fill(label, 14) for label in labels]  # three labels side by side must not touch
    bars = ax.bar(labels, counts, color=[COLOURS["accent"], COLOURS["retreat"], COLOURS["stasis"]])
    ax.bar_label(bars, labels=[str(n) for n in counts])
    ax.set_title(title)
    ax.set_ylabel(say("coordinator.chart.attention_axis"))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.margins(y=0.15)


def goals_figure(report: HealthReport, say: TextLookup) -> Any:
    """Development goals set and reached per group (all, each layer, each programme goal): counts only,
    and only the groups with enough relationships to show (the text report's threshold)."""
    plt = _pyplot()
    shown = [g for g in report.goals if g.goals]
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.5 * len(shown) + 1.5)))
    title = say("coordinator.chart.goals_title")
    if not shown:
        _empty(ax, title, say("coordinator.chart.no_goals", min_group=MIN_GROUP))
        return fig
    labels = [goal_label(g, say) for g in shown][::-1]
    set_counts = [g.goals or 0 for g in shown][::-1]
    reached = [g.reached or 0 for g in shown][::-1]
    ax.barh(labels, set_counts, color=COLOURS["accent"], label=say("coordinator.chart.goals_set_label"))
    ax.barh(labels, reached, color=COLOURS["growth"], label=say("coordinator.chart.goals_reached_label"))
    ax.set_title(title)
    ax.set_xlabel(say("coordinator.chart.goals_axis"))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower right", fontsize="small")
    return fig


def write_charts(report: HealthReport, out_dir: Path, say: TextLookup) -> list[Path]:
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

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, max(3.0, 0.45 * len(report.guides) + 1.5)))
    _guide_learners(left, report, say)
    _guide_hours(right, report, say)
    save(fig, "guide_load.png")

    fig, ax = plt.subplots(figsize=(7, 4))
    _attention(ax, report, say)
    save(fig, "attention.png")

    save(goals_figure(report, say), "goals.png")

    save(overview_figure(report, say), "overview.png")
    return written


def overview_figure(report: HealthReport, say: TextLookup) -> Any:
    """All charts in one figure (2 × 3): meetings, phases, what needs attention; quadrants (or a note why
    not), guide learners against capacity, guide hours against the protected-time target."""
    plt = _pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(18, 9))
    fig.suptitle(f"{report.programme}: programme health on {report.today.isoformat()} (activity only)")
    _meetings(axes[0][0], report, say)
    _phases(axes[0][1], report, say)
    _attention(axes[0][2], report, say)
    group = everyone(report)
    if group is not None:
        _quadrants(axes[1][0], group, say)
    else:
        _empty(axes[1][0], say("coordinator.chart.quadrants_title"), say("coordinator.cli.no_png_quadrants"))
    _guide_learners(axes[1][1], report, say)
    _guide_hours(axes[1][2], report, say)
    return fig
