"""Draw the e-mail pictures in the README: an e-mail as its recipient's mail client shows it (HTML part),
and the page a link in it opens.

    .venv/bin/python docs/email_screenshots.py [--out docs]

A throw-away SQLite database, a visiting guide on no chat platform and her mentee; the mentee suggests a
time; ``mentorbot``'s own code sends the guide's e-mail through a loopback SMTP server (aiosmtpd, from
the test extra) and serves the link page; headless Chromium (``chromium --headless --screenshot``)
draws both. Needs the ``chromium`` command.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC
from datetime import datetime
from pathlib import Path

from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT / "tests" / "email"))

from smtp_box import Mailbox  # noqa: E402

from bot.app import MentorBot  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.programme import load_programme  # noqa: E402
from bot.roster import import_roster  # noqa: E402
from handlers.console.channel import ConsoleSession  # noqa: E402
from mentorbot.email_channel import mount_email  # noqa: E402
from mentorbot.scheduling import run_tick  # noqa: E402
from mentorbot.server import build_app  # noqa: E402
from mentorbot.settings import Settings  # noqa: E402
from mentorbot.wiring import Runtime  # noqa: E402
from storage.database import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.uow import SqlUnitOfWorkFactory  # noqa: E402

PORT = 3979


def shoot(chromium: str, page: str, out: Path, height: int) -> None:
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--window-size=760,{height}", f"--screenshot={out}", page],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


async def make(folder: Path, out: Path, chromium: str) -> None:
    engine = make_engine(f"sqlite:///{folder / 'demo.sqlite3'}")
    upgrade(engine)
    uow_factory = SqlUnitOfWorkFactory(engine)
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    programme = load_programme(None)
    (folder / "people.csv").write_text(
        "email,name,roles,timezone\n"
        "vera.visitor@partner.example,Vera Visitor,guide,Europe/London\n"
        "tia.mentee@hospital.example,Tia Mentee,mentee,Europe/London\n"
    )
    (folder / "matches.csv").write_text(
        "match_id,kind,format,guides,learners,start\n"
        "m-1,mentoring,one-to-one,vera.visitor@partner.example,tia.mentee@hospital.example,2026-03-02\n"
    )
    import_roster(uow_factory, programme, clock, folder / "people.csv", folder / "matches.csv")
    box = Mailbox().start()
    env = {
        "MENTORBOT_SMTP_URL": box.url,
        "MENTORBOT_MAIL_FROM": "Clinical Mentoring <mentoring@hospital.example>",
        "MENTORBOT_PUBLIC_URL": f"http://127.0.0.1:{PORT}",
        "MENTORBOT_LINK_SECRET": "documentation-only-secret-0123456789abcdef",
    }
    settings = Settings(database_url=str(engine.url), env=env)
    bot = MentorBot(uow_factory, programme, clock)
    runtime = Runtime(settings, engine, uow_factory, programme, clock, bot)
    client = TestClient(TestServer(build_app(runtime, [mount_email]), host="127.0.0.1", port=PORT))
    await client.start_server()
    try:
        await run_tick(runtime)
        mentee = ConsoleSession(runtime.bot, "tia.mentee@hospital.example")
        mentee.send("schedule")
        mentee.submit({"option1": "2026-03-10 14:00", "location": "Education centre, room 4"})
        await run_tick(runtime)
        proposal = box.to("vera.visitor@partner.example")[-1]
        (folder / "email.html").write_text(proposal.html, encoding="utf-8")
        page = (folder / "email.html").as_uri()
        await asyncio.to_thread(shoot, chromium, page, out / "email-message.png", 820)
        accept = proposal.link("Tue 10 Mar 2026, 14:00")
        await asyncio.to_thread(shoot, chromium, accept, out / "email-link-page.png", 520)
    finally:
        await client.close()
        box.stop()
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNG files")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("needs the chromium command (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(make(Path(folder), Path(args.out), chromium))
    print(f"wrote {args.out}/email-message.png and {args.out}/email-link-page.png")


if __name__ == "__main__":
    main()
