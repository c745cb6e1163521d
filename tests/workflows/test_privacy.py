"""Nobody outside a relationship reads or changes what its members wrote, by any command or action.

Three kinds of intruder try: someone in the programme but in no relationship, a member of *another*
relationship, and a coordinator.  They type every command with the target relationship's numbers and
press every button the bot knows with forged ids in its values.  What the members wrote (agenda,
actions with a guide's comment, a note, check-ins, ground rules, meetings) must never appear in
anything the intruder is shown or sent, and must be exactly as it was afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy import select

from bot.clock import FixedClock
from bot.messages import Message
from bot.model import ActionItem
from bot.model import AgendaItem
from bot.model import AgreementStatus
from bot.model import CheckIn
from bot.model import GroundRules
from bot.model import MeetingStatus
from bot.model import Note
from bot.routing import Router
from bot.workflows import build_router
from handlers.console.channel import ConsoleSession
from handlers.console.render import render_message
from storage import tables
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]

SECRETS = (
    "SECRET-AGENDA",
    "SECRET-ACTION",
    "SECRET-COMMENT",
    "SECRET-NOTE",
    "SECRET-RULES",
    "SECRET-PLACE",
    "stretched without enough backing",  # the unshared check-in's quadrant
    "support 1, challenge 5, safety 1",  # the shared check-in, as a guide would see it
)
CONTENT_TABLES = (
    tables.agenda_items,
    tables.action_items,
    tables.notes,
    tables.checkins,
    tables.ground_rules,
    tables.ground_rule_confirmations,
    tables.meetings,
)
# personal settings, programme-wide broadcasting and adding people are about the intruder themselves or
# the whole programme, not about the relationship's content; leaving would end the intruder's session
NOT_ABOUT_CONTENT = {
    "leave",
    "pause",
    "resume",
    "quiet",
    "timezone",
    "optout",
    "optin",
    "settings",
    "announce",
    "announce status",
    "add person",
}


@dataclass(frozen=True)
class Target:
    rel: Rel
    agenda_id: int
    action_id: int
    held_meeting: int
    future_meeting: int
    rules_id: int
    checkin_id: int
    meeting_at: str


@pytest.fixture
def target(
    pair: Rel, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock, add_meeting: Callable[..., int]
) -> Target:
    now = clock.now()
    held = add_meeting(pair, now - timedelta(days=2), status=MeetingStatus.HELD)
    future_at = now + timedelta(days=5)
    future = add_meeting(pair, future_at)
    with uow_factory() as uow:
        content = uow.system_content("test setup").as_member(pair.mentee.id)
        meeting = content.meeting(future)
        meeting.location = "SECRET-PLACE"
        agenda = AgendaItem(pair.id, pair.mentee.id, "SECRET-AGENDA topic", 1, now)
        content.add_agenda_item(agenda)
        action = ActionItem(
            pair.id,
            "SECRET-ACTION step",
            pair.mentee.id,
            now,
            owner_id=pair.mentee.id,
            due_on=date(2026, 3, 20),
            guide_comment="SECRET-COMMENT",
            meeting_id=held,
        )
        content.add_action(action)
        content.add_note(Note(pair.id, pair.mentor.id, "SECRET-NOTE", now))
        rules = GroundRules(
            pair.id,
            1,
            {"boundaries": "SECRET-RULES", "who_sets_agenda": "mentee"},
            pair.mentee.id,
            now,
            status=AgreementStatus.AGREED,
            agreed_at=now,
        )
        content.add_ground_rules(rules)
        private = CheckIn(pair.id, pair.mentee.id, 2, 5, 4, "retreat", now, shared=False)
        content.add_checkin(private)
        content.add_checkin(CheckIn(pair.id, pair.mentee.id, 1, 5, 1, "retreat", now, shared=True))
        uow.commit()
        assert agenda.id and action.id and rules.id and private.id
        return Target(pair, agenda.id, action.id, held, future, rules.id, private.id, future_at.isoformat())


def snapshot(engine: Engine, rel_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every content row of one relationship, exactly as stored."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in CONTENT_TABLES:
            if "relationship_id" in table.c:
                stmt = select(table).where(table.c.relationship_id == rel_id).order_by(table.c.id)
            else:
                rules = select(tables.ground_rules.c.id).where(
                    tables.ground_rules.c.relationship_id == rel_id
                )
                stmt = select(table).where(table.c.agreement_id.in_(rules)).order_by(table.c.id)
            out[table.name] = [tuple(row) for row in conn.execute(stmt)]
    return out


def typed_attempts(router: Router, t: Target) -> list[str]:
    """Every command, with the target's numbers in every position a command takes one."""
    rid, held, future = t.rel.id, t.held_meeting, t.future_meeting
    tails = [
        f"#{rid}",
        str(rid),
        f"#{rid} 1",
        f"#{rid} 1 FORGED text",
        f"#{rid} all",
        f"#{rid} 1 2",
        "1",
        "1 FORGED text",
        f"{future}",
    ]
    lines: list[str] = []
    for cmd in router.commands:
        if cmd.name in NOT_ABOUT_CONTENT:
            continue
        lines.extend(f"{cmd.name} {tail}" for tail in tails)
    lines += [
        f"meetings accept {future} 1",
        f"meetings decline {future}",
        f"meetings counter {future}",
        f"meetings move {future}",
        f"meetings cancel {future} FORGED",
        f"meetings invite {future}",
        f"met {held} yes 60",
        f"met {future} no",
        f"met {future} moved",
        f"ground rules #{rid} propose",
        f"ground rules #{rid} confirm",
        f"ground rules #{rid} withdraw",
        f"ground rules #{rid} history",
        f"rules #{rid}",
    ]
    return lines


def forged_values(t: Target) -> list[dict[str, str]]:
    ids = {
        "r": str(t.rel.id),
        "m": str(t.held_meeting),
        "g": str(t.rules_id),
        "a": str(t.action_id),
        "i": str(t.agenda_id),
        "c": str(t.checkin_id),
        "at": t.meeting_at,
    }
    fields = {
        "text": "FORGED text",
        "what": "FORGED action",
        "comment": "FORGED comment",
        "support": "3",
        "challenge": "3",
        "safety": "3",
        "share": "yes",
        "minutes": "60",
        "reason": "FORGED",
        "prompt": "own",
        "owner": "none",
    }
    without_r = {k: v for k, v in ids.items() if k != "r"}
    future = ids | {"m": str(t.future_meeting)}
    return [ids | fields | {"v": v} for v in ("1", "2", "3")] + [
        without_r | fields | {"v": "1"},
        future | fields | {"v": "1"},
        future | {"text": f"agenda #{t.rel.id}"},
    ]


def shown(s: ConsoleSession) -> str:
    return "\n".join(s.transcript)


def sent_to(notices: Callable[[str], list[Message]], email: str) -> str:
    return "\n".join(render_message(m) for m in notices(email))


def assert_no_secret(text: str, who: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{who} saw {secret!r}"


@pytest.fixture(params=["outsider", "other relationship", "coordinator"])
def intruder(request: pytest.FixtureRequest, outsider: Member, group: Rel, coordinator: Member) -> Member:
    return {"outsider": outsider, "other relationship": group.learner, "coordinator": coordinator}[
        request.param
    ]


def test_every_command_with_the_target_numbers_is_refused(
    target: Target,
    intruder: Member,
    session: Session,
    engine: Engine,
    notices: Callable[[str], list[Message]],
) -> None:
    before = snapshot(engine, target.rel.id)
    s = session(intruder.email)
    for line in typed_attempts(build_router(), target):
        s.send(line)
        assert "Something went wrong on our side" not in s.text(), line
    assert_no_secret(shown(s), intruder.email)
    assert_no_secret(sent_to(notices, intruder.email), intruder.email)
    assert snapshot(engine, target.rel.id) == before


def test_every_button_and_form_with_forged_ids_is_refused(
    target: Target,
    intruder: Member,
    session: Session,
    engine: Engine,
    notices: Callable[[str], list[Message]],
) -> None:
    before = snapshot(engine, target.rel.id)
    s = session(intruder.email)
    for action in sorted(build_router().actions):
        for values in forged_values(target):
            s.act(action, values)
            assert "Something went wrong on our side" not in s.text(), (action, values)
    assert_no_secret(shown(s), intruder.email)
    assert_no_secret(sent_to(notices, intruder.email), intruder.email)
    assert snapshot(engine, target.rel.id) == before


@pytest.mark.parametrize(
    ("line", "refusal"),
    [
        ("agenda #{rid}", "not one of yours"),
        ("agenda add #{rid} FORGED", "not one of yours"),
        ("agenda edit #{rid} 1 FORGED", "not one of yours"),
        ("agenda remove #{rid} 1", "not one of yours"),
        ("agenda order #{rid} 1", "not one of yours"),
        ("agenda carry #{rid} all", "not one of yours"),
        ("actions #{rid}", "not one of yours"),
        ("actions plan #{rid}", "not one of yours"),
        ("checkin #{rid}", "not one of yours"),
        ("checkin share #{rid}", "not one of yours"),
    ],
)
def test_the_growth_commands_say_plainly_that_it_is_not_theirs(
    target: Target, intruder: Member, session: Session, line: str, refusal: str
) -> None:
    s = session(intruder.email)
    s.send(line.format(rid=target.rel.id))
    assert refusal in s.text()


@pytest.mark.parametrize(
    ("action", "key"),
    [
        ("agenda.discussed", "i"),
        ("agenda.carry", "i"),
        ("actions.done", "a"),
        ("actions.drop", "a"),
        ("actions.comment_form", "a"),
        ("actions.plan", "m"),
    ],
)
def test_buttons_for_someone_elses_items_find_nothing(
    target: Target, group: Rel, session: Session, engine: Engine, action: str, key: str
) -> None:
    """A member of another relationship forges an item id while naming their own relationship."""
    ids = {"i": target.agenda_id, "a": target.action_id, "m": target.held_meeting}
    before = snapshot(engine, target.rel.id)
    s = session(group.learner.email)
    s.act(action, {"r": str(group.id), key: str(ids[key])})
    assert "couldn't find that" in s.text()
    assert snapshot(engine, target.rel.id) == before


def test_a_legitimate_form_of_ones_own_cannot_be_pointed_at_another_relationship(
    target: Target,
    group: Rel,
    session: Session,
    engine: Engine,
    clock: FixedClock,
    add_meeting: Callable[..., int],
) -> None:
    """The relationship a form is for is kept in the stored conversation, never read back from the form."""
    own_meeting = add_meeting(group, clock.now() - timedelta(days=1), status=MeetingStatus.HELD)
    forged = {"r": str(target.rel.id), "m": str(target.held_meeting)}
    before = snapshot(engine, target.rel.id)
    own_before = snapshot(engine, group.id)
    s = session(group.learner.email)
    s.send("agenda add")
    s.submit(forged | {"prompt": "own", "text": "my own topic"})
    assert "Added as item 1" in s.text()
    s.act("actions.plan", {"r": str(group.id), "m": str(own_meeting)})
    s.submit(forged | {"what": "my own action"})
    assert "Added: my own action" in s.text()
    s.send("checkin")
    s.submit(forged | {"support": "3", "challenge": "3", "safety": "3"})
    assert "Your check-in" in s.text()
    assert snapshot(engine, target.rel.id) == before
    after = snapshot(engine, group.id)
    for table in ("agenda_items", "action_items", "checkins"):
        assert len(after[table]) == len(own_before[table]) + 1


def test_the_members_themselves_still_see_it(target: Target, session: Session) -> None:
    """The same content is there for its members: the refusals above are about who asks."""
    mentor = session(target.rel.mentor.email)
    mentor.send("agenda")
    assert "SECRET-AGENDA topic" in mentor.text() and "SECRET-ACTION step" in mentor.text()
    mentor.send("checkin")
    assert "support 1, challenge 5, safety 1" in mentor.text()
    assert "support 2, challenge 5" not in mentor.text()  # the mentee's unshared check-in stays theirs
