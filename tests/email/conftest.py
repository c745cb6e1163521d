"""Fixtures for the e-mail tests: a real SMTP server on loopback (``mailbox``), the environment that
turns e-mail on (``email_env``), and mentorbot's serve app with e-mail mounted (``start_email``).

The Slack and Teams fakes (tests/slack, tests/teams) are reused from their folders for the tests that
move a person between channels and the start-day drill across all three.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer
from sqlalchemy import Engine

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent / "slack", HERE.parent / "teams", HERE.parent):
    if str(folder) not in sys.path:
        sys.path.append(str(folder))

from slack_harness import make_runtime  # noqa: E402  (one runtime builder for the channel tests)
from smtp_box import Mailbox  # noqa: E402

from bot.clock import FixedClock  # noqa: E402
from bot.programme import ProgrammeConfig  # noqa: E402
from mentorbot.server import Mounter  # noqa: E402
from mentorbot.server import build_app  # noqa: E402
from mentorbot.wiring import Runtime  # noqa: E402
from storage.uow import SqlUnitOfWorkFactory  # noqa: E402

SECRET = "test-link-secret-that-is-long-enough-0123456789"
MAIL_FROM = "Mentoring at St Example <mentoring@hospital.example>"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def programme() -> ProgrammeConfig:
    return ProgrammeConfig.default()


def email_env(mailbox: Mailbox, public_url: str = "http://127.0.0.1:9", **extra: str) -> dict[str, str]:
    env = {
        "MENTORBOT_SMTP_URL": mailbox.url,
        "MENTORBOT_MAIL_FROM": MAIL_FROM,
        "MENTORBOT_PUBLIC_URL": public_url,
        "MENTORBOT_LINK_SECRET": SECRET,
    }
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


Served = tuple[Runtime, TestClient]  # type: ignore[type-arg]
StartEmail = Callable[..., Awaitable[Served]]


@pytest.fixture
async def start_email(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    mailbox: Mailbox,
) -> AsyncIterator[StartEmail]:
    """``await start_email(mounters=[...], **env)``: the serve app with e-mail on (and whatever else is
    mounted), its links pointing at the test server itself."""
    clients: list[TestClient] = []  # type: ignore[type-arg]

    async def start(mounters: list[Mounter] | None = None, **env: Any) -> Served:
        from mentorbot.email_channel import mount_email

        port = free_port()  # the links must point at the server: its address is known first
        public = f"http://127.0.0.1:{port}"
        runtime = make_runtime(engine, uow_factory, programme, clock, {**email_env(mailbox, public), **env})
        app = build_app(runtime, [*(mounters or []), mount_email])
        client = TestClient(TestServer(app, host="127.0.0.1", port=port))
        await client.start_server()
        clients.append(client)
        return runtime, client

    yield start
    for client in clients:
        await client.close()
