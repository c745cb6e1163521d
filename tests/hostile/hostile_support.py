"""What the hostile-input tests share besides fixtures: the people, the rows a refusal must leave alone,
and what must never reach a chat (a traceback, an exception's name, the "something went wrong" reply).

(conftest.py puts tests/slack and tests/teams on ``sys.path`` first, for their fakes and harnesses.)
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from teams_harness import TeamsUser

from bot.programme import ProgrammeConfig
from storage import tables

# Teams users beyond the channel tests' mentee (Eli), mentor (Maria) and stranger
COORDINATOR = TeamsUser("29:coord", "aad-coord", "Cora Coordinator", "coordinator@example.org")
BEA = TeamsUser("29:bea", "aad-bea", "Bea Other", "bea@example.org")
OLU = TeamsUser("29:olu", "aad-olu", "Olu Other", "olu@example.org")

# rows a refused request must not touch: everything people wrote or agreed, the relationships themselves,
# the people, announcements and the outbox (no notice may be queued for anyone)
GUARDED_TABLES = (
    tables.people,
    tables.relationships,
    tables.memberships,
    tables.phase_changes,
    tables.ground_rules,
    tables.ground_rule_confirmations,
    tables.meetings,
    tables.agenda_items,
    tables.action_items,
    tables.notes,
    tables.checkins,
    tables.network_entries,
    tables.network_asks,
    tables.announcements,
    tables.deliveries,
)


@dataclass(frozen=True)
class World:
    """Relationship A (Maria guides Eli), relationship B (Olu guides Bea) and B's content, by id."""

    mentee_id: int
    mentor_id: int
    coordinator_id: int
    rel_a: int
    bea_id: int
    olu_id: int
    rel_b: int
    b_agenda: int
    b_action: int
    b_held_meeting: int
    b_proposed_meeting: int
    b_proposed_at: str
    b_rules: int
    b_checkin: int


def guarded_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the guarded tables, exactly as stored."""
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in GUARDED_TABLES
        }


def audit_events(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(tables.audit_events).order_by(tables.audit_events.c.id))
        return [dict(r._mapping) for r in rows]


# -- what must never reach a chat ----------------------------------------------------------------------

_EXCEPTION_NAMES = sorted(
    {
        name
        for name, value in vars(builtins).items()
        if isinstance(value, type)
        and issubclass(value, BaseException)
        and name.endswith(("Error", "Exception"))
    }
    | {
        "IntegrityError",
        "OperationalError",
        "DataError",
        "ProgrammingError",
        "InvalidRequestError",
        "StatementError",
        "SlackApiError",
        "ClientResponseError",
        "HTTPException",
        "UserFacingError",
        "StaleAction",
        "NotPermitted",
    }
)
TRACE_MARKS = ("Traceback", 'File "', "sqlalchemy.", "psycopg", *_EXCEPTION_NAMES)
INTERNAL = ProgrammeConfig.default().text("error.internal")


def leaks(texts: Iterable[str]) -> list[str]:
    """What in ``texts`` looks like a traceback, an exception, or the reply to a bug ("something went
    wrong on our side": a hostile input must get a specific answer, not the one for an unexpected error)."""
    found = []
    for text in texts:
        for mark in (*TRACE_MARKS, INTERNAL):
            if mark in text:
                found.append(f"{mark!r} in {text[:300]!r}")
    return found


def as_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


async def slack_settled(slack: Any) -> None:
    """Wait until the replies that Slack requests started (after their ack) are finished."""
    from handlers.slack.mount import SLACK

    await slack.client.app[SLACK].listeners.drain()
