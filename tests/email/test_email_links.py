"""Acting from an e-mail without a chat client: each button is a signed, expiring, single-use link to a
page of ``serve``. Opening it only asks (mail scanners open links); the page's button acts, through the
same workflow as the chat button. A forged, changed, expired or used link gets a page that says so,
and nothing changes."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from conftest import StartEmail
from pages import form_action
from pages import open_link
from pages import post_link
from pages import visible_text
from roster_files import write_roster
from smtp_box import Mailbox
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import select

from bot.clock import FixedClock
from bot.roster import import_roster
from handlers.console.channel import ConsoleSession
from mentorbot.scheduling import run_tick
from mentorbot.wiring import Runtime
from storage import tables

START = date(2026, 3, 2)
GUIDE = ("guide@partner.example", "Grace Guide", "guide")
MENTEE = ("mentee@hospital.example", "Mo Mentee", "mentee")
Client = TestClient[web.Request, web.Application]


def meetings(engine: Engine) -> list[tuple[str, object]]:
    m = tables.meetings
    with engine.connect() as conn:
        return [(str(s), at) for s, at in conn.execute(select(m.c.status, m.c.starts_at).order_by(m.c.id))]


def deliveries(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(tables.deliveries)) or 0)


async def pair_on_email(runtime: Runtime, mailbox: Mailbox, clock: FixedClock, tmp_path: Path) -> None:
    people, matches = write_roster(tmp_path, [GUIDE, MENTEE], [(GUIDE[0], MENTEE[0])], START)
    import_roster(runtime.uow_factory, runtime.programme, clock, people, matches)
    await run_tick(runtime)


async def proposal_to_guide(
    runtime: Runtime, client: Client, mailbox: Mailbox, clock: FixedClock, tmp_path: Path
) -> str:
    """The mentee, on e-mail too, suggests a time from the welcome's link; the guide's e-mail offers it.
    Returns the guide's "accept this time" link."""
    await pair_on_email(runtime, mailbox, clock, tmp_path)
    welcome = next(m for m in mailbox.to(MENTEE[0]) if "Welcome" in m.subject)
    status, page = await post_link(client, welcome.link("Suggest times to meet"))
    assert status == 200 and "Suggest times to meet" in visible_text(page)
    status, page = await post_link(
        client, form_action(page), {"option1": "2026-03-10T14:00", "minutes": "60", "location": "Room 4"}
    )
    assert status == 200, visible_text(page)
    await run_tick(runtime)
    proposal = mailbox.to(GUIDE[0])[-1]
    assert "Meeting 1 to arrange" in proposal.text
    return proposal.link("Tue 10 Mar 2026, 14:00 GMT")


async def test_opening_a_link_only_asks_and_the_pages_button_accepts_the_meeting_once(
    start_email: StartEmail, mailbox: Mailbox, engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    runtime, client = await start_email()
    accept = await proposal_to_guide(runtime, client, mailbox, clock, tmp_path)

    for _ in range(2):  # a mail scanner, then the guide, open the link: nothing is done
        status, page = await open_link(client, accept)
        assert status == 200
        assert "Tue 10 Mar 2026, 14:00 GMT" in visible_text(page)
        assert "Nothing has been done yet" in visible_text(page)
    assert [s for s, _ in meetings(engine)] == ["proposed"]

    status, page = await post_link(client, accept)
    assert status == 200, visible_text(page)
    assert "Done." in visible_text(page)
    assert "calendar invitation is on its way" in visible_text(page)
    assert [s for s, _ in meetings(engine)] == ["confirmed"]

    await run_tick(runtime)  # the invite goes out by e-mail, to both
    for address in (GUIDE[0], MENTEE[0]):
        invites = [
            a for m in mailbox.to(address) for a in m.attachments() if a.get_content_type() == "text/calendar"
        ]
        assert len(invites) == 1, address
        assert invites[0].get_param("method") == "REQUEST"
        assert str(invites[0].get_filename()).endswith(".ics")
        from icalendar import Calendar

        event = Calendar.from_ical(invites[0].get_content()).walk("VEVENT")[0]
        assert event.decoded("dtstart").isoformat() == "2026-03-10T14:00:00+00:00"

    # the same link again: refused, with a page that says why, and nothing changes
    before = deliveries(engine)
    status, page = await post_link(client, accept)
    assert status == 400
    assert "has done its job already" in visible_text(page)
    assert [s for s, _ in meetings(engine)] == ["confirmed"]
    assert deliveries(engine) == before


@pytest.mark.parametrize("tamper", ["signature", "payload"])
async def test_a_forged_or_changed_link_is_refused_and_nothing_changes(
    start_email: StartEmail,
    mailbox: Mailbox,
    engine: Engine,
    clock: FixedClock,
    tmp_path: Path,
    tamper: str,
) -> None:
    runtime, client = await start_email()
    accept = await proposal_to_guide(runtime, client, mailbox, clock, tmp_path)
    head, token = accept.rsplit("/", 1)
    payload, stamp, signature = token.rsplit(".", 2)
    if tamper == "signature":
        forged = f"{payload}.{stamp}.{signature[:-4]}AAAA"
    else:  # another person's id, say, with the signature kept
        forged = f"{payload[:-6]}AAAAAA.{stamp}.{signature}"
    before = deliveries(engine)
    for follow in (open_link, post_link):
        status, page = await follow(client, f"{head}/{forged}")
        assert status == 400
        assert "not one the bot made" in visible_text(page)
    assert [s for s, _ in meetings(engine)] == ["proposed"]
    assert deliveries(engine) == before


async def test_an_expired_link_is_refused_and_nothing_changes(
    start_email: StartEmail, mailbox: Mailbox, engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    runtime, client = await start_email()
    accept = await proposal_to_guide(runtime, client, mailbox, clock, tmp_path)
    clock.advance(timedelta(days=15))  # links work for 14 days
    status, page = await post_link(client, accept)
    assert status == 410
    assert "has expired" in visible_text(page) and "14 days" in visible_text(page)
    assert [s for s, _ in meetings(engine)] == ["proposed"]


async def test_a_form_link_takes_only_its_own_fields_and_its_hidden_values_win(
    start_email: StartEmail, mailbox: Mailbox, engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    runtime, client = await start_email()
    await pair_on_email(runtime, mailbox, clock, tmp_path)
    welcome = next(m for m in mailbox.to(MENTEE[0]) if "Welcome" in m.subject)
    status, page = await post_link(client, welcome.link("Suggest times to meet"))
    assert status == 200
    assert 'type="datetime-local"' in page and 'name="option1"' in page
    # a hand-made post: the form's version (hidden "v") and a field the form does not have
    status, page = await post_link(
        client,
        form_action(page),
        {"option1": "2026-03-11T09:30", "minutes": "45", "v": "999", "relationship": "77", "text": "leave"},
    )
    assert status == 200, visible_text(page)
    m = tables.meetings
    with engine.connect() as conn:
        proposed = conn.execute(select(m.c.status, m.c.options, m.c.duration_minutes)).all()
    assert [(s, d) for s, _, d in proposed] == [("proposed", 45)]
    assert [o[:16] for o in proposed[0][1]] == ["2026-03-11T09:30"]
    with engine.connect() as conn:
        people = conn.execute(select(tables.people.c.email, tables.people.c.active)).all()
    assert all(active for _, active in people)  # "text": "leave" did nothing


async def test_one_click_unsubscribe_pauses_reminders_and_opening_the_link_does_not(
    start_email: StartEmail, mailbox: Mailbox, engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    runtime, client = await start_email()
    await pair_on_email(runtime, mailbox, clock, tmp_path)
    mail = next(m for m in mailbox.to(MENTEE[0]) if "Welcome" in m.subject)
    stop = str(mail.message["List-Unsubscribe"]).strip("<>")

    def paused() -> bool:
        with engine.connect() as conn:
            row = conn.execute(select(tables.people.c.paused).where(tables.people.c.email == MENTEE[0]))
            return bool(row.scalar_one())

    status, page = await open_link(client, stop)
    assert status == 200 and "Stop e-mail reminders" in visible_text(page)
    assert not paused()
    status, page = await post_link(client, stop, {"List-Unsubscribe": "One-Click"})  # RFC 8058
    assert status == 200
    assert paused()
    assert "paused" in visible_text(page)


async def test_a_link_of_someone_who_has_left_does_nothing(
    start_email: StartEmail, mailbox: Mailbox, engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    runtime, client = await start_email()
    accept = await proposal_to_guide(runtime, client, mailbox, clock, tmp_path)
    guide = ConsoleSession(runtime.bot, GUIDE[0])
    guide.send("leave")
    guide.press("1")  # yes, leave
    status, page = await post_link(client, accept)
    assert status == 400
    shown = visible_text(page)
    assert "Nothing was done." in shown and "no longer in Mentoring Programme" in shown
    assert [s for s, _ in meetings(engine)] == ["proposed"]
