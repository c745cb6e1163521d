"""Coordinators see activity, never content: no agenda, action, note, check-in or message text reaches
any coordinator view or export, and the activity reader's SQL never selects a content column."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

from coordinator_seed import SECRETS
from coordinator_seed import Seeded
from sqlalchemy import event

from bot.clock import FixedClock
from bot.health import build_report
from bot.messages import Message
from bot.programme import ProgrammeConfig
from bot.serialize import message_to_dict
from bot.workflows._health_view import report_blocks
from handlers.console.channel import ConsoleSession
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands.audit import show_audit
from mentorbot.commands.report import report
from mentorbot.report_tables import report_tables
from storage.uow import SqlUnitOfWorkFactory

# every column that holds what members wrote or what a message said
CONTENT_COLUMNS = {
    "agenda_items": ("text",),
    "action_items": ("text", "guide_comment", "owner_name"),
    "notes": ("text",),
    "ground_rules": ("items",),
    "checkins": ("support", "challenge", "safety"),
    "network_entries": ("guide_name",),
    "network_asks": ("ask",),
    "meetings": ("location", "cancel_reason", "options", "responses"),
    "deliveries": ("payload",),
    "conversations": ("data",),
    "audit_events": ("detail",),
    "announcements": ("body",),
    "chat_identities": ("address",),
    "phase_changes": ("reason",),
    "relationships": ("override_reason",),
}


def dump(messages: list[Message]) -> str:
    return json.dumps([message_to_dict(m) for m in messages], ensure_ascii=False)


def assert_no_secret(view: str, where: str) -> None:
    leaked = [s for s in SECRETS.values() if s in view]
    assert leaked == [], f"{where} shows content: {leaked}"


def test_no_coordinator_view_or_export_shows_what_members_wrote(
    seeded: Seeded,
    session: Callable[[str], ConsoleSession],
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    cora = session("coordinator@example.org")
    views: dict[str, str] = {}
    for command in ("report", "health", "audit", "audit 100", "announce status"):
        views[f"chat {command}"] = dump(cora.send(command))

    cora.send("announce")
    cora.submit({"title": "Spring social", "body": "Join us on Friday.", "roles": "mentee"})
    views["chat announce preview"] = dump(cora.last)
    cora.press("Send now")
    views["chat announce sent"] = dump(cora.last)
    views["chat announce status 1"] = dump(cora.send("announce status 1"))
    views["chat report after announcing"] = dump(cora.send("report"))

    with uow_factory() as uow:
        health = build_report(uow.activity, programme, clock.now())
    views["health report object"] = repr(health)
    views["health tables"] = repr(report_tables(health, programme.text))
    views["health blocks"] = repr(report_blocks(health, programme.text))

    out = io.StringIO()
    report(CommandScope(uow_factory, programme, clock, out), "table", tmp_path / "unused")
    views["mentorbot report (table)"] = out.getvalue()
    report(CommandScope(uow_factory, programme, clock, io.StringIO()), "csv", tmp_path / "csv")
    for path in sorted((tmp_path / "csv").glob("*.csv")):
        views[f"mentorbot report csv {path.name}"] = path.read_text(encoding="utf-8")
    report(CommandScope(uow_factory, programme, clock, io.StringIO()), "png", tmp_path / "png")
    for path in sorted((tmp_path / "png").glob("*.png")):
        views[f"mentorbot report png {path.name}"] = path.read_bytes().decode("latin-1")
    out = io.StringIO()
    show_audit(CommandScope(uow_factory, programme, clock, out), 500)
    views["mentorbot audit"] = out.getvalue()

    for where, view in views.items():
        assert_no_secret(view, where)

    # and the views are not empty shells: they show the activity a coordinator needs
    chat_report = views["chat report"]
    assert "Bo Learner" in chat_report  # the stalled pair, by name
    assert "no meeting for 91 days" in chat_report
    assert "Open action items" in chat_report and "Overdue action items" in chat_report
    assert "agenda_reminder to Eli Mentee: channel_not_found" in chat_report  # dead letter: kind, who, error
    assert "agenda.add" in views["mentorbot audit"]  # the event is listed, its detail is not
    assert len([n for n in views if n.startswith("mentorbot report csv")]) >= 8
    assert len([n for n in views if n.startswith("mentorbot report png")]) == 7  # with attention and goals


def test_the_activity_reader_never_selects_a_content_column(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    statements: list[str] = []

    def capture(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(uow_factory.engine, "before_cursor_execute", capture)
    try:
        with uow_factory() as uow:
            reader = uow.activity
            results = [
                reader.people(),
                reader.relationships(include_ended=True),
                reader.held_meetings(),
                reader.ground_rules_agreed(),
                reader.action_counts(clock.now().date()),
                reader.latest_checkins(since=clock.now().replace(year=2020)),
                reader.last_delivery_status(),
                reader.dead_letters(),
                reader.deliveries_keyed("agenda_reminder:"),
            ]
            build_report(reader, programme, clock.now())
    finally:
        event.remove(uow_factory.engine, "before_cursor_execute", capture)

    assert all(results), "every reader method found seeded activity"
    assert len(statements) >= 9
    sql = "\n".join(statements).lower()
    touched = [
        f"{table}.{column}"
        for table, columns in CONTENT_COLUMNS.items()
        for column in columns
        if re.search(rf"\b{table}\.{column}\b", sql)
    ]
    assert touched == []
    # the check can see a content column when one is selected
    assert re.search(r"\bagenda_items\.text\b", "select agenda_items.text from agenda_items")


def test_audit_views_show_only_known_plain_details(
    seeded: Seeded, session: Callable[[str], ConsoleSession]
) -> None:
    cora = session("coordinator@example.org")
    cora.send("phase 1 separation")
    cora.send("audit")
    text = cora.text()
    assert "relationship.phase" in text and "from=cultivation" in text and "to=separation" in text
    assert "agenda.add" in text
    assert SECRETS["audit_detail"] not in text
