"""What the hostile-input tests share besides fixtures: the people, the rows a refusal must leave alone,
and what must never reach a chat (a traceback, an exception's name, the "something went wrong" reply).

(conftest.py puts tests/slack and tests/teams on ``sys.path`` first, for their fakes and harnesses.)
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError
from botbuilder.schema import ErrorResponseException
from slack_harness import SIGNING_SECRET
from slack_harness import Harness
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlalchemy import select
from teams_harness import TeamsUser

from bot.programme import ProgrammeConfig
from handlers.slack.mount import SLACK
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


# -- what must never reach a chat ---------------------------------------------------------------------------

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
# a platform refusing a call (a user id Slack does not know, a conversation the connector does not have)
PLATFORM_ERRORS = (SlackApiError, ErrorResponseException, ClientError)


def leaks(texts: Iterable[str]) -> list[str]:
    """What in ``texts`` looks like a traceback, an exception, or the reply to a bug ("something went
    wrong on our side": a hostile input must get a specific answer, not the one for an unexpected error)."""
    found = []
    for text in texts:
        for mark in (*TRACE_MARKS, INTERNAL):
            if mark in text:
                found.append(f"{mark!r} in {text[:300]!r}")
    return found


def failures(records: Iterable[logging.LogRecord]) -> list[str]:
    """Errors logged with an exception that is not a chat platform refusing a call: bugs met while
    handling a request, even when the person never sees them (a Slack listener after its ack, a Teams
    turn that failed)."""
    found = []
    for record in records:
        error = record.exc_info[1] if record.exc_info else None
        if record.levelno >= logging.ERROR and error is not None and not isinstance(error, PLATFORM_ERRORS):
            found.append(f"{record.name}: {record.getMessage()} ({type(error).__name__}: {error})"[:500])
    return found


def as_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


# -- Slack --------------------------------------------------------------------------------------------------


def slack_signed(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature over the raw bytes of a body (slack_harness.sign takes text)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


async def slack_settled(slack: Harness) -> None:
    """Wait until the replies that Slack requests started (after their ack) are finished."""
    await slack.client.app[SLACK].listeners.drain()  # type: ignore[attr-defined]


def slack_outgoing(slack: Harness) -> list[str]:
    """Everything mentorbot sent to Slack: Web API calls and response_url posts."""
    return [as_text(c.args) for c in slack.fake.calls] + [as_text(r) for r in slack.fake.responses]


async def slack_still_serving(slack: Harness) -> None:
    """A person's ordinary message is still answered, and nothing sent so far leaks anything."""
    before = len(slack.fake.posts("DU0MENTEE"))
    status, _ = await slack.dm("U0MENTEE", "help")
    assert status == 200
    await slack.fake.wait_until(lambda: len(slack.fake.posts("DU0MENTEE")) > before)
    await slack_settled(slack)
    assert leaks(slack_outgoing(slack)) == []
