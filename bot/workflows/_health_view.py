"""The health report for chat: neutral blocks that the Slack App Home and the Teams card render the same.
The facts come from :func:`bot.health.build_report`; ``mentorbot report`` shows them as tables instead."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.catalogue import TextLookup
from bot.health import MIN_GROUP
from bot.health import STALL_FACTOR
from bot.health import DeadLetter
from bot.health import GoalGroup
from bot.health import GuideLoad
from bot.health import HealthReport
from bot.health import PairHealth
from bot.health import QuadrantGroup
from bot.health import build_report
from bot.health import goal_label
from bot.messages import Block
from bot.messages import Fields
from bot.messages import Section
from bot.messages import Text
from bot.ports import ActivityReader
from bot.programme import ProgrammeConfig
from bot.timefmt import show_date

CHAT_LIST_LIMIT = 15  # longer lists are cut short in chat; ``mentorbot report`` has them all
CHAT_TEXT_LIMIT = 2800  # one section's text, inside Slack's 3000 characters with room for the "more" line


def coordinator_view(reader: ActivityReader, programme: ProgrammeConfig, now: datetime) -> tuple[Block, ...]:
    """The health report as neutral blocks, ready for the Slack App Home or a Teams card:
    ``coordinator_view(uow.activity, programme, clock.now())``."""
    return report_blocks(build_report(reader, programme, now), programme.text)


def report_blocks(report: HealthReport, say: TextLookup) -> tuple[Block, ...]:
    """The report for chat, within platform limits (a handful of blocks, each text well under 3000)."""
    blocks: list[Block] = [
        Text(say("coordinator.health.heading", programme=report.programme, date=report.today.isoformat())),
        Fields(
            (
                (say("coordinator.health.summary.active"), str(report.active_pairs)),
                (say("coordinator.health.summary.paused"), str(report.paused_pairs)),
                (say("coordinator.health.summary.not_started"), str(len(report.not_started))),
                (say("coordinator.health.summary.past_end"), str(len(report.past_end))),
                (say("coordinator.health.summary.stalled"), str(len(report.stalled))),
                (
                    say("coordinator.health.summary.rules"),
                    say("coordinator.health.of", n=report.ground_rules_agreed, total=len(report.pairs)),
                ),
                (say("coordinator.health.summary.meetings_month"), str(report.meetings_by_month[-1])),
                (say("coordinator.health.summary.per_pair"), f"{report.meetings_per_pair_this_month:.1f}"),
                (say("coordinator.health.summary.open_actions"), str(report.open_actions)),
                (say("coordinator.health.summary.overdue_actions"), str(report.overdue_actions)),
            )
        ),
        Section(
            say("coordinator.health.table.phases"),
            " · ".join(f"{name}: {n}" for name, n in report.phases) or say("coordinator.health.none"),
        ),
        Section(
            say("coordinator.health.table.meetings"),
            " · ".join(f"{m}: {n}" for m, n in zip(report.months, report.meetings_by_month, strict=True)),
        ),
        _listed(
            say("coordinator.health.dates_title"),
            [
                _pair_line(say, "coordinator.health.starts_line", p, date=show_date(p.started_on))
                for p in report.not_started
            ]
            + [
                _pair_line(
                    say,
                    "coordinator.health.past_end_line",
                    p,
                    date=show_date(p.planned_end) if p.planned_end else "",
                )
                for p in report.past_end
            ],
            say,
        ),
        _listed(
            say("coordinator.health.stalled_title", factor=STALL_FACTOR),
            [
                _pair_line(
                    say,
                    "coordinator.health.stalled_line",
                    p,
                    days=p.days_without_meeting,
                    cadence=p.cadence_days,
                )
                for p in report.stalled
            ],
            say,
        ),
        _listed(say("coordinator.health.table.guides"), [_guide_line(g, say) for g in report.guides], say),
        _listed(
            say("coordinator.health.table.quadrants", min_group=MIN_GROUP),
            [_quadrant_line(g, say) for g in report.quadrants],
            say,
        ),
        _listed(
            say("coordinator.health.table.goals", min_group=MIN_GROUP),
            [_goal_line(g, say) for g in report.goals if g.relationships or g.dimension == "all"],
            say,
        ),
        Section(say("coordinator.health.table.channels"), _channel_lines(report.channels, say)),
        _listed(
            say("coordinator.health.table.unreachable"),
            [f"{u.name}: {u.says(say)}" for u in report.unreachable],
            say,
        ),
        _listed(say("coordinator.health.table.dead"), [_dead_line(d, say) for d in report.dead_letters], say),
        Text(say("coordinator.health.footer")),
    ]
    return tuple(blocks)


def _channel_lines(channels: tuple[tuple[str, str], ...], say: TextLookup) -> str:
    """How many people each channel reaches; by name, those on e-mail (a chat platform is the usual)."""
    counts = Counter(channel for _, channel in channels)
    lines = [say("coordinator.health.channel_count", channel=c, people=n) for c, n in sorted(counts.items())]
    lines += [
        say("coordinator.health.channel_line", name=name, channel=c) for name, c in channels if c == "email"
    ]
    return _lines(lines, say)


def _listed(title: str, lines: list[str], say: TextLookup) -> Section:
    """A titled list, cut short for chat (:func:`_lines`)."""
    return Section(title, _lines(lines, say))


def _lines(lines: list[str], say: TextLookup) -> str:
    if not lines:
        return say("coordinator.health.none")
    shown: list[str] = []
    used = 0
    for line in lines[:CHAT_LIST_LIMIT]:
        bullet = f"• {line}"
        if used + len(bullet) + 1 > CHAT_TEXT_LIMIT:
            break
        shown.append(bullet)
        used += len(bullet) + 1
    if len(shown) < len(lines):
        shown.append(say("coordinator.health.more", n=len(lines) - len(shown)))
    return "\n".join(shown)


def _pair_line(say: TextLookup, key: str, pair: PairHealth, **facts: object) -> str:
    """A pair as every list of pairs names it (number, members, kind), then that list's own facts."""
    return say(key, id=pair.id, names=pair.names, kind=pair.kind, **facts)


def _guide_line(guide: GuideLoad, say: TextLookup) -> str:
    line = say(
        "coordinator.health.guide_line",
        name=guide.name,
        learners=guide.learners,
        capacity=guide.capacity,
        hours=f"{guide.hours_this_month:g}",
        target=f"{guide.target_hours:g}",
    )
    return line + (" " + say("coordinator.health.over_capacity") if guide.over_capacity else "")


def _dead_line(dead: DeadLetter, say: TextLookup) -> str:
    return say(
        "coordinator.health.dead_line",
        id=dead.delivery_id,
        kind=dead.kind,
        name=dead.recipient,
        error=dead.error,
    )


def _quadrant_line(group: QuadrantGroup, say: TextLookup) -> str:
    label = say("coordinator.health.quadrants.everyone") if group.label == "all" else group.label
    if group.counts is None:
        return f"{label}: {say('coordinator.health.hidden')}"
    counts = ", ".join(f"{say(f'coordinator.health.quadrant.{q}')} {n}" for q, n in group.counts)
    return f"{label} ({group.people}): {counts}"


def _goal_line(group: GoalGroup, say: TextLookup) -> str:
    label = goal_label(group, say)
    if group.goals is None:
        return f"{label}: {say('coordinator.health.hidden')}"
    return say(
        "coordinator.health.goals.line",
        label=label,
        goals=group.goals,
        reached=group.reached,
        relationships=group.relationships,
    )
