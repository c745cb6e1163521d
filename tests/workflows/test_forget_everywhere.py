"""``person forget`` leaves none of the person's words anywhere: walked through the real workflows.

The mentee writes a distinct marker into every free-text field a member can fill in (agenda items, the
action plan with an outside owner, ground-rule answers, a meeting's place, a cancellation reason, their
network and an ask), which the bot copies into the mentor's notices (some still pending in the outbox).
After erasure a dump of every column of every table, JSON included, holds none of the markers, whatever
their length, and neither does the mentor's own export. What the mentor wrote stays.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.clock import FixedClock
from bot.data_rights import export_person
from bot.data_rights import forget_person
from bot.messages import InputKind
from bot.model import MeetingStatus
from bot.programme import ProgrammeConfig
from handlers.console.channel import ConsoleSession
from storage import tables
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Rel

Session = Callable[..., ConsoleSession]
Receive = Callable[[ConsoleSession], str]

MENTOR_WORDS = "mentor-own-words-KEEP"


def dump(uow_factory: SqlUnitOfWorkFactory) -> str:
    """Every column of every row of every table, JSON columns as stored."""
    out: list[str] = []
    with uow_factory() as uow:
        session = uow.session  # type: ignore[attr-defined]
        for table in tables.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                out.append(json.dumps(dict(row.items()), default=str, ensure_ascii=False))
    return "\n".join(out)


def test_forget_removes_every_field_the_person_wrote_from_every_table_and_from_others_exports(
    pair: Rel,
    session: Session,
    receive: Receive,
    clock: FixedClock,
    add_meeting: Callable[..., int],
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    markers: dict[str, str] = {}

    def mark(field: str, short: bool = False) -> str:
        # short markers too: erasure must not depend on the length of what was written
        value = f"Q{len(markers)}z" if short else f"zqx{field}{len(markers)}marker"
        markers[field] = value
        return value

    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)

    # agenda
    mentee.send(f"agenda add {mark('agenda')}")
    mentee.send(f"agenda add {mark('agenda_short', short=True)}")
    mentor.send(f"network add peer {MENTOR_WORDS}")

    # ground rules: every free-text answer, proposed and still waiting for the mentor (a pending notice)
    mentee.send("ground rules")
    mentee.press("Propose ground rules")
    form = mentee.last_form()
    assert form is not None
    answers = {
        i.name: mark(f"rule{i.name}", short=n % 2 == 0)
        for n, i in enumerate(form.inputs)
        if i.kind in (InputKind.TEXT, InputKind.LONG_TEXT) and not i.options and not i.value[:1].isdigit()
    }
    assert len(answers) >= 5
    mentee.submit(answers)
    assert "on its way" in mentee.text(), mentee.text()

    # a meeting at a place, accepted, then cancelled with a reason; a second proposal left pending
    mentee.send("schedule")
    mentee.submit({"option1": "2026-03-05 14:30", "option2": "", "option3": "", "location": mark("location")})
    receive(mentor)
    mentor.press("Thu 5 Mar")
    mentee.send("meetings")
    with uow_factory() as uow:
        meeting_id = max(m.id or 0 for m in uow.content(uow.people.get(pair.mentee.id)).meetings(pair.id))  # type: ignore[arg-type]
    mentee.send(f"meetings cancel {meeting_id}")
    mentee.submit({"reason": mark("cancel")})
    assert "cancelled" in mentee.text(), mentee.text()
    mentee.send("schedule")
    mentee.submit(
        {
            "option1": "2026-03-06 14:30",
            "option2": "",
            "option3": "",
            "location": mark("loc_short", short=True),
        }
    )

    # an action plan after a held meeting, one action owned by someone outside the programme
    held = add_meeting(pair, clock.now() - timedelta(days=1), status=MeetingStatus.HELD)
    mentee.act("actions.plan", {"r": str(pair.id), "m": str(held)})
    mentee.submit(
        {"what": mark("action"), "owner": "other", "owner_name": mark("owner_name"), "due": "2026-03-20"}
    )
    mentee.press("Finish and share the plan")
    mentor.send("actions")
    assert markers["action"] in mentor.text()

    # network: someone in it and an ask
    mentee.send(f"network add coach {mark('network')}")
    mentee.send("network")
    mentee.press("Make one ask")
    mentee.submit({"gap": "sponsorship", "whom": mark("whom"), "ask": mark("ask")})

    before = dump(uow_factory)
    assert MENTOR_WORDS in before, mentor.text()
    for field, value in markers.items():
        assert value in before, f"the walk did not store {field}"

    with uow_factory() as uow:
        forget_person(uow, pair.mentee.email, clock.now(), programme=ProgrammeConfig.default())
        uow.commit()

    after = dump(uow_factory)
    left = {f: v for f, v in markers.items() if re.search(re.escape(v), after, re.IGNORECASE)}
    assert not left, f"still stored after forget: {left}"
    assert pair.mentee.email not in after and pair.mentee.name not in after
    assert MENTOR_WORDS in after  # what the mentor wrote is theirs

    with uow_factory() as uow:
        exported = json.dumps(export_person(uow, pair.mentor.email, clock.now()), default=str)
        uow.commit()
    assert not [v for v in markers.values() if v in exported]
    assert MENTOR_WORDS in exported
