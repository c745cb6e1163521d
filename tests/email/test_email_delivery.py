"""What the bot sends by e-mail, received by a real SMTP server on loopback and read as a mail client
reads it: the headers, the plain and HTML parts, the links, and a meeting's calendar invite."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import StartEmail
from roster_files import write_roster
from smtp_box import Mailbox
from sqlalchemy import Engine
from sqlalchemy import select

from bot.clock import FixedClock
from bot.roster import import_roster
from mentorbot.scheduling import run_tick
from storage import tables

START = date(2026, 3, 2)  # the clock fixture's Monday, 09:00 UTC
GUIDE = ("guide@partner.example", "Grace Guide", "guide")
MENTEE = ("mentee@hospital.example", "Mo Mentee", "mentee")


def outbox_rows(engine: Engine) -> list[tuple[int, str, str, str]]:
    d = tables.deliveries
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(d.c.person_id, d.c.kind, d.c.status, d.c.channel))]  # type: ignore[misc]


async def test_a_person_on_no_chat_platform_gets_the_welcome_by_email_once_with_both_parts_and_links(
    start_email: StartEmail, mailbox: Mailbox, engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    runtime, client = await start_email()
    people, matches = write_roster(tmp_path, [GUIDE, MENTEE], [(GUIDE[0], MENTEE[0])], START)
    import_roster(runtime.uow_factory, runtime.programme, clock, people, matches)

    await run_tick(runtime)
    await run_tick(runtime)  # a second pass sends nothing again

    for address, name in ((GUIDE[0], "Grace"), (MENTEE[0], "Mo")):
        got = [m for m in mailbox.to(address) if "Welcome" in m.subject]
        assert len(got) == 1, [m.subject for m in mailbox.to(address)]
        mail = got[0]
        assert mail.subject.startswith(f"{runtime.programme.name}: Welcome")
        assert mail.message["From"].addresses[0].addr_spec == "mentoring@hospital.example"
        assert mail.message["To"].addresses[0].addr_spec == address
        assert mail.message["Auto-Submitted"] == "auto-generated"
        unsubscribe = str(mail.message["List-Unsubscribe"])
        assert unsubscribe.startswith("<http://127.0.0.1:") and "/email/stop/" in unsubscribe
        assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert mail.message.get_content_type() == "multipart/alternative"
        assert f"Hello {name}" in mail.text and f"Hello {name}" in mail.html
        assert "Welcome" in mail.text and "Welcome" in mail.html
        assert '<html lang="en">' in mail.html and "<h2" in mail.html
        # every link in the text part is in the HTML part too, and points at serve
        assert mail.links() and all(link in mail.html for link in mail.links())
    rows = outbox_rows(engine)
    assert rows and all(status == "sent" and channel == "email" for _, _, status, channel in rows)
    await client.close()
