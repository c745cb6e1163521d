"""Sending through real SMTP servers on loopback: STARTTLS with a login, TLS from the start, a server
that refuses an address for good or for now; and the respect rules (quiet hours) as in chat."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path

import pytest
from conftest import SECRET
from conftest import email_env
from conftest import make_runtime
from roster_files import write_roster
from smtp_box import Mailbox
from sqlalchemy import Engine
from sqlalchemy import select

from bot.clock import FixedClock
from bot.health import build_report
from bot.programme import ProgrammeConfig
from bot.roster import import_roster
from mentorbot.email_channel import mount_email
from mentorbot.scheduling import register_channel_senders
from mentorbot.scheduling import run_tick
from mentorbot.wiring import Runtime
from storage import tables
from storage.uow import SqlUnitOfWorkFactory

START = date(2026, 3, 2)
GUIDE = ("guide@partner.example", "Grace Guide", "guide")
MENTEE = ("mentee@hospital.example", "Mo Mentee", "mentee")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, made with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """The server's TLS context; the bot trusts the certificate as it would a real CA's (SSL_CERT_FILE)."""
    key, cert = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture
def secure_box() -> Iterator[list[Mailbox]]:
    boxes: list[Mailbox] = []
    yield boxes
    for box in boxes:
        box.stop()


def runtime_with_email(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    env: dict[str, str],
    tmp_path: Path,
) -> Runtime:
    runtime = make_runtime(engine, uow_factory, ProgrammeConfig.default(), clock, env)
    register_channel_senders(runtime, [mount_email])
    people, matches = write_roster(tmp_path, [GUIDE, MENTEE], [(GUIDE[0], MENTEE[0])], START)
    import_roster(uow_factory, runtime.programme, clock, people, matches)
    return runtime


def outbox(engine: Engine, email: str) -> list[tuple[str, str, str, int]]:
    d, p = tables.deliveries, tables.people
    with engine.connect() as conn:
        rows = conn.execute(
            select(d.c.kind, d.c.status, d.c.last_error, d.c.attempts)
            .join(p, p.c.id == d.c.person_id)
            .where(p.c.email == email)
            .order_by(d.c.id)
        )
        return [(str(k), str(s), str(e or ""), int(a)) for k, s, e, a in rows]


# aiosmtpd warns that AUTH does not require STARTTLS: with smtps the whole session is TLS from the start
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["smtp+starttls", "smtps"])
async def test_the_bot_logs_in_over_tls_with_the_password_from_the_url(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    tmp_path: Path,
    trusted: ssl.SSLContext,
    secure_box: list[Mailbox],
    security: str,
) -> None:
    login = ("mentorbot", "s@cret:pass")
    if security == "smtps":
        box = Mailbox().start(tls=trusted, login=login)
    else:
        box = Mailbox().start(starttls=trusted, login=login)
    secure_box.append(box)
    url = f"{security}://mentorbot:s%40cret%3Apass@localhost:{box.port}"
    runtime = runtime_with_email(engine, uow_factory, clock, email_env(box, MENTORBOT_SMTP_URL=url), tmp_path)
    await run_tick(runtime)
    assert box.logins and set(box.logins) == {login}  # one login per e-mail (a connection each)
    assert [m for m in box.to(GUIDE[0]) if "Welcome" in m.subject]
    assert all(status == "sent" for _, status, _, _ in outbox(engine, GUIDE[0]))


async def test_a_wrong_password_is_retried_then_a_dead_letter_not_a_silent_loss(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    tmp_path: Path,
    trusted: ssl.SSLContext,
    secure_box: list[Mailbox],
) -> None:
    box = Mailbox().start(starttls=trusted, login=("mentorbot", "right"))
    secure_box.append(box)
    env = email_env(box, MENTORBOT_SMTP_URL=f"smtp+starttls://mentorbot:wrong@localhost:{box.port}")
    runtime = runtime_with_email(engine, uow_factory, clock, env, tmp_path)
    await run_tick(runtime)
    rows = outbox(engine, GUIDE[0])
    assert rows and all(status == "failed" and attempts == 1 for _, status, _, attempts in rows)
    assert box.received == []


async def test_an_address_the_server_refuses_is_unreachable_with_the_reason_and_a_busy_one_retried(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock, tmp_path: Path, mailbox: Mailbox
) -> None:
    mailbox.refuse[GUIDE[0]] = 550
    mailbox.refuse[MENTEE[0]] = 451
    runtime = runtime_with_email(engine, uow_factory, clock, email_env(mailbox), tmp_path)
    await run_tick(runtime)
    guide = outbox(engine, GUIDE[0])
    assert guide and all(
        status == "unreachable" and error == "the mail server refused the address (550)"
        for _, status, error, _ in guide
    )
    mentee = outbox(engine, MENTEE[0])
    assert mentee and all(status == "failed" and "451" in error for _, status, error, _ in mentee)
    assert unreachable(runtime)["Grace Guide"] == "the mail server refused the address (550)"

    del mailbox.refuse[MENTEE[0]]  # the mentee's server takes mail again: the retry delivers, once
    clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    await run_tick(runtime)
    assert len([m for m in mailbox.to(MENTEE[0]) if "Welcome" in m.subject]) == 1
    assert mailbox.to(GUIDE[0]) == []
    assert list(unreachable(runtime)) == ["Grace Guide"]  # the mentee is reached: by e-mail


def unreachable(runtime: Runtime) -> dict[str, str]:
    """What the coordinators' report lists as not reached, with the reason."""
    with runtime.uow_factory() as uow:
        report = build_report(uow.activity, runtime.programme, runtime.clock.now())
    return {u.name: u.detail for u in report.unreachable}


async def test_quiet_hours_hold_an_email_until_morning(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock, tmp_path: Path, mailbox: Mailbox
) -> None:
    clock.set(datetime(2026, 3, 2, 21, 30, tzinfo=UTC))  # the start day, in London's quiet hours
    runtime = runtime_with_email(engine, uow_factory, clock, email_env(mailbox), tmp_path)
    await run_tick(runtime)
    assert mailbox.received == []
    clock.set(datetime(2026, 3, 3, 8, 5, tzinfo=UTC))
    await run_tick(runtime)
    assert len([m for m in mailbox.to(MENTEE[0]) if "Welcome" in m.subject]) == 1


def test_e_mail_half_configured_stops_start_up_with_what_to_set(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    env = {"MENTORBOT_SMTP_URL": "smtp://127.0.0.1:2525", "MENTORBOT_LINK_SECRET": SECRET}
    runtime = make_runtime(engine, uow_factory, ProgrammeConfig.default(), clock, env)
    with pytest.raises(SystemExit) as stopped:
        register_channel_senders(runtime, [mount_email])
    assert str(stopped.value) == (
        "MENTORBOT_SMTP_URL is set, so e-mail is on, but MENTORBOT_MAIL_FROM and MENTORBOT_PUBLIC_URL "
        "are not: e-mails need a sender address (MENTORBOT_MAIL_FROM), the address people open links at "
        "(MENTORBOT_PUBLIC_URL) and a key to sign those links (MENTORBOT_LINK_SECRET). Set them, or unset "
        "MENTORBOT_SMTP_URL."
    )
    assert "email" not in runtime.senders


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        (
            "MENTORBOT_SMTP_URL",
            "imap://mail.example",
            "must start with smtp://, smtp[+]starttls:// or smtps://",
        ),
        ("MENTORBOT_SMTP_URL", "smtp://user:pw@mail.example:25", "sends a password without encryption"),
        ("MENTORBOT_MAIL_FROM", "not an address", "must be an e-mail address"),
        ("MENTORBOT_PUBLIC_URL", "mentorbot.example", "must be the address of serve"),
        ("MENTORBOT_LINK_SECRET", "short", "must be at least 32 characters"),
        ("MENTORBOT_LINK_DAYS", "365", "from 1 to 90"),
    ],
)
def test_each_malformed_email_setting_is_named(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    mailbox: Mailbox,
    setting: str,
    value: str,
    says: str,
) -> None:
    env = {**email_env(mailbox), setting: value}
    runtime = make_runtime(engine, uow_factory, ProgrammeConfig.default(), clock, env)
    with pytest.raises(SystemExit, match=says):
        register_channel_senders(runtime, [mount_email])


def test_without_smtp_url_email_is_off(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    runtime = make_runtime(engine, uow_factory, ProgrammeConfig.default(), clock, {})
    register_channel_senders(runtime, [mount_email])
    assert "email" not in runtime.senders


def test_serve_refuses_to_start_half_configured_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "MENTORBOT_"))}
    env |= {
        "MENTORBOT_SMTP_URL": "smtp+starttls://bot:pw@mail.example:587",
        "MENTORBOT_MAIL_FROM": "mentoring@hospital.example",
        "MENTORBOT_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    done = subprocess.run(
        [sys.executable, "-m", "mentorbot", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith(
            "mentorbot serve: MENTORBOT_SMTP_URL is set, so e-mail is on, but MENTORBOT_PUBLIC_URL and "
            "MENTORBOT_LINK_SECRET are not"
        )
    )
