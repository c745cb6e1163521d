"""Coordinators see development goals as counts only: set and reached, by competence layer and by
programme goal, for groups of at least five relationships (the check-in threshold); the words a learner
wrote reach no coordinator view (chat report, table, CSV, PNG), and the reader never selects them."""

from __future__ import annotations

import io
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import event

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.health import MIN_GROUP
from bot.health import build_report
from bot.model import Goal
from bot.model import GoalStatus
from bot.model import Membership
from bot.model import Person
from bot.model import Relationship
from bot.model import Role
from bot.model import Side
from bot.programme import ProgrammeConfig
from bot.workflows._health_view import report_blocks
from handlers.console.channel import ConsoleSession
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands.report import report
from mentorbot.report_tables import report_tables
from storage.uow import SqlUnitOfWorkFactory

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
PLANTED = "PLANTED-GOAL-narwhal-{n}"
PLANTED_NOTE = "PLANTED-NOTE-quokka-{n}"


def seed(uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, pairs: int) -> None:
    """``pairs`` pairs, each learner with a canonical goal tagged professionalism (the first two
    reached); the first pair also has a personal goal tagged identity formation."""
    with uow_factory() as uow:
        prog = uow.programmes.get_or_create(programme.slug, programme.name)
        uow.people.add(
            Person(
                email="cora@example.org",
                name="Cora Coordinator",
                roles=[Role.COORDINATOR],
                programme_id=prog.id,
            )
        )
        for n in range(pairs):
            guide = Person(
                email=f"g{n}@example.org", name=f"Guide {n}", roles=[Role.GUIDE], programme_id=prog.id
            )
            learner = Person(
                email=f"l{n}@example.org", name=f"Learner {n}", roles=[Role.MENTEE], programme_id=prog.id
            )
            rel = Relationship(
                kind="mentoring", format="one-to-one", phase="cultivation", started_on=date(2026, 1, 5),
                members=[Membership(person=guide, side=Side.GUIDE),
                         Membership(person=learner, side=Side.LEARNER)],
                programme_id=prog.id,
            )  # fmt: skip
            uow.people.add(guide)
            uow.people.add(learner)
            uow.relationships.add(rel)
            uow.session.flush()  # type: ignore[attr-defined]
            assert rel.id is not None and learner.id is not None
            content = uow.system_content("test setup").as_member(learner.id)
            content.add_goal(
                Goal(rel.id, learner.id, 0, PLANTED.format(n=n), NOW, NOW, layer="canonical",
                     programme_goal="professionalism", note=PLANTED_NOTE.format(n=n),
                     status=GoalStatus.REACHED if n < 2 else GoalStatus.OPEN)
            )  # fmt: skip
            if n == 0:
                content.add_goal(
                    Goal(rel.id, learner.id, 0, PLANTED.format(n="p"), NOW, NOW, layer="personal",
                         programme_goal="identity formation")
                )  # fmt: skip
        uow.commit()


def views(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock, tmp_path: Path
) -> dict[str, str]:
    cora = ConsoleSession(MentorBot(uow_factory, programme, clock), "cora@example.org")
    cora.send("report")
    found = {"chat report": cora.text()}
    with uow_factory() as uow:
        health = build_report(uow.activity, programme, clock.now())
    found["health"] = repr(health) + repr(report_tables(health, programme.text))
    found["blocks"] = repr(report_blocks(health, programme.text))
    out = io.StringIO()
    report(CommandScope(uow_factory, programme, clock, out), "table", tmp_path / "unused")
    found["table"] = out.getvalue()
    report(CommandScope(uow_factory, programme, clock, io.StringIO()), "csv", tmp_path / "csv")
    for path in sorted((tmp_path / "csv").glob("*.csv")):
        found[f"csv {path.name}"] = path.read_text(encoding="utf-8")
    report(CommandScope(uow_factory, programme, clock, io.StringIO()), "png", tmp_path / "png")
    for path in sorted((tmp_path / "png").glob("*.png")):
        found[f"png {path.name}"] = path.read_bytes().decode("latin-1")
    return found


def test_goal_counts_by_layer_and_programme_goal_never_their_words(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock, tmp_path: Path
) -> None:
    seed(uow_factory, programme, pairs=6)
    seen = views(uow_factory, programme, clock, tmp_path)
    for where, view in seen.items():
        assert "PLANTED" not in view, f"{where} shows what a learner wrote"

    chat = seen["chat report"]
    assert f"groups under {MIN_GROUP} relationships hidden" in chat
    assert "All goals: 7 set, 2 reached, in 6 relationships" in chat
    assert "Layer canonical: 6 set, 2 reached, in 6 relationships" in chat
    assert "Programme goal professionalism: 6 set, 2 reached, in 6 relationships" in chat
    # one pair's personal goal would point at that learner: hidden
    assert "Layer personal: fewer than 5: hidden" in chat
    assert "Programme goal identity formation: fewer than 5: hidden" in chat
    csv = seen["csv goals.csv"]
    assert "layer,canonical,6,6,2," in csv
    assert "programme_goal,identity formation,1,,," in csv


def test_fewer_than_five_relationships_with_goals_show_no_counts(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock, tmp_path: Path
) -> None:
    seed(uow_factory, programme, pairs=MIN_GROUP - 1)
    cora = ConsoleSession(MentorBot(uow_factory, programme, clock), "cora@example.org")
    cora.send("report")
    assert "All goals: fewer than 5: hidden" in cora.text()
    assert "set," not in cora.text().split("Development goals")[1].split("People the bot")[0]


def test_the_reader_never_selects_a_goal_s_words(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    seed(uow_factory, programme, pairs=MIN_GROUP)
    statements: list[str] = []

    def capture(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(uow_factory.engine, "before_cursor_execute", capture)
    try:
        with uow_factory() as uow:
            facts = uow.activity.goal_facts()
    finally:
        event.remove(uow_factory.engine, "before_cursor_execute", capture)
    assert len(facts) == MIN_GROUP + 1
    sql = "\n".join(statements).lower()
    assert "goals.layer" in sql
    assert not re.search(r"\bgoals\.(text|note)\b", sql)


def _drawn(fig: object) -> list[str]:
    import matplotlib.text

    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]  # type: ignore[attr-defined]


def test_the_goals_chart_draws_the_counts_a_coordinator_may_see(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    pytest.importorskip("matplotlib")
    from mentorbot.charts import goals_figure

    seed(uow_factory, programme, pairs=MIN_GROUP + 1)
    with uow_factory() as uow:
        report = build_report(uow.activity, programme, clock.now())
    fig = goals_figure(report, programme.text)
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "All goals" in labels and "Layer canonical" in labels
    assert "Layer personal" not in labels  # a group too small to show is not drawn either
    assert not any("PLANTED" in t for t in _drawn(fig))


def test_the_goals_chart_says_when_there_is_nothing_to_count(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    pytest.importorskip("matplotlib")
    from mentorbot.charts import goals_figure

    seed(uow_factory, programme, pairs=MIN_GROUP - 1)
    with uow_factory() as uow:
        report = build_report(uow.activity, programme, clock.now())
    assert any("No goals to count yet" in t for t in _drawn(goals_figure(report, programme.text)))
