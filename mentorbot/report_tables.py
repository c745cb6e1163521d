"""The health report as tables: the one shape behind the ``mentorbot report`` terminal view, the CSV
files and the charts. The facts come from :func:`bot.health.build_report`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalogue import TextLookup
from bot.health import MIN_GROUP
from bot.health import QUADRANTS
from bot.health import HealthReport


@dataclass(frozen=True)
class Table:
    """A titled table of plain values; ``name`` is its CSV file name (without ``.csv``)."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str | int | float, ...], ...]


def report_tables(report: HealthReport, say: TextLookup) -> list[Table]:
    """Every section of the report as a table. ``say`` is the programme's catalogue ``text``."""
    summary_rows: list[tuple[str | int | float, ...]] = [
        (say("coordinator.health.summary.active"), report.active_pairs),
        (say("coordinator.health.summary.paused"), report.paused_pairs),
        (say("coordinator.health.summary.not_started"), len(report.not_started)),
        (say("coordinator.health.summary.past_end"), len(report.past_end)),
        (say("coordinator.health.summary.stalled"), len(report.stalled)),
        (say("coordinator.health.summary.rules_agreed"), report.ground_rules_agreed),
        (say("coordinator.health.summary.rules_not_agreed"), len(report.pairs) - report.ground_rules_agreed),
        (say("coordinator.health.summary.meetings_month"), report.meetings_by_month[-1]),
        (say("coordinator.health.summary.per_pair"), round(report.meetings_per_pair_this_month, 2)),
        (say("coordinator.health.summary.open_actions"), report.open_actions),
        (say("coordinator.health.summary.overdue_actions"), report.overdue_actions),
        (say("coordinator.health.summary.unreachable"), len(report.unreachable)),
        (say("coordinator.health.summary.dead"), len(report.dead_letters)),
    ]
    quadrant_rows: list[tuple[str | int | float, ...]] = []
    for group in report.quadrants:
        label = say("coordinator.health.quadrants.everyone") if group.label == "all" else group.label
        if group.counts is None:
            quadrant_rows.append(
                (label, group.people, *([""] * len(QUADRANTS)), say("coordinator.health.hidden"))
            )
        else:
            counts = dict(group.counts)
            quadrant_rows.append((label, group.people, *(counts.get(q, 0) for q in QUADRANTS), ""))
    return [
        Table("summary", say("coordinator.health.table.summary"), ("measure", "value"), tuple(summary_rows)),
        Table("phases", say("coordinator.health.table.phases"), ("phase", "pairs"), report.phases),
        Table(
            "meetings_by_month",
            say("coordinator.health.table.meetings"),
            ("month", "meetings_held"),
            tuple(zip(report.months, report.meetings_by_month, strict=True)),
        ),
        Table(
            "pairs",
            say("coordinator.health.table.pairs"),
            (
                "relationship",
                "kind",
                "format",
                "phase",
                "status",
                "guides",
                "learners",
                "started_on",
                "cadence_days",
                "meetings_held",
                *(f"met_{m}" for m in report.months),
                "last_met",
                "days_without_meeting",
                "stalled",
                "ground_rules_agreed",
                "open_actions",
                "overdue_actions",
                "planned_end",
                "dates",
            ),
            tuple(
                (
                    p.id,
                    p.kind,
                    p.format,
                    p.phase,
                    p.status,
                    "; ".join(p.guides),
                    "; ".join(p.learners),
                    p.started_on.isoformat(),
                    p.cadence_days,
                    p.meetings_held,
                    *p.meetings_by_month,
                    p.last_met.isoformat() if p.last_met else "",
                    p.days_without_meeting,
                    "yes" if p.stalled else "no",
                    "yes" if p.ground_rules_agreed else "no",
                    p.open_actions,
                    p.overdue_actions,
                    p.planned_end.isoformat() if p.planned_end else "",
                    p.dates.value,
                )
                for p in report.pairs
            ),
        ),
        Table(
            "guide_load",
            say("coordinator.health.table.guides"),
            ("guide", "learners", "capacity", "hours_this_month", "target_hours"),
            tuple(
                (g.name, g.learners, g.capacity, g.hours_this_month, g.target_hours) for g in report.guides
            ),
        ),
        Table(
            "quadrants",
            say("coordinator.health.table.quadrants", min_group=MIN_GROUP),
            ("group", "people", *QUADRANTS, "note"),
            tuple(quadrant_rows),
        ),
        Table(
            "goals",
            say("coordinator.health.table.goals", min_group=MIN_GROUP),
            ("dimension", "group", "relationships", "goals_set", "reached", "note"),
            tuple(
                (
                    g.dimension,
                    g.label,
                    g.relationships,
                    "" if g.goals is None else g.goals,
                    "" if g.reached is None else g.reached,
                    say("coordinator.health.hidden") if g.goals is None else "",
                )
                for g in report.goals
            ),
        ),
        Table(
            "channels",
            say("coordinator.health.table.channels"),
            ("person", "channel"),
            report.channels,
        ),
        Table(
            "unreachable",
            say("coordinator.health.table.unreachable"),
            ("person", "reason"),
            tuple((u.name, u.says(say)) for u in report.unreachable),
        ),
        Table(
            "dead_letters",
            say("coordinator.health.table.dead"),
            ("delivery", "kind", "recipient", "due_at", "error"),
            tuple(
                (d.delivery_id, d.kind, d.recipient, d.due_at.isoformat(), d.error)
                for d in report.dead_letters
            ),
        ),
    ]


def table_text(table: Table) -> str:
    """A table as aligned plain text for the terminal."""
    cells = [[str(c) for c in table.columns], *[[_cell(v) for v in row] for row in table.rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]
    lines = [table.title, "-" * len(table.title)]
    for n, row in enumerate(cells):
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    if not table.rows:
        lines.append("(none)")
    return "\n".join(lines)


def _cell(value: str | int | float) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
