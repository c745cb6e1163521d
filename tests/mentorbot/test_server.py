"""``mentorbot serve``: /healthz tells the truth about the database; SIGTERM stops the process cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer
from sqlalchemy import Engine

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.programme import ProgrammeConfig
from mentorbot.server import build_app
from mentorbot.settings import Settings
from mentorbot.wiring import Runtime
from storage.database import make_engine
from storage.uow import SqlUnitOfWorkFactory


def _runtime(engine: Engine, clock: FixedClock) -> Runtime:
    programme = ProgrammeConfig.default()
    factory = SqlUnitOfWorkFactory(engine)
    return Runtime(Settings(), engine, factory, programme, clock, MentorBot(factory, programme, clock))


async def test_healthz_reports_ok_with_a_reachable_database(engine: Engine, clock: FixedClock) -> None:
    async with TestClient(TestServer(build_app(_runtime(engine, clock)))) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        assert (await response.json())["database"] == "ok"


async def test_healthz_says_unavailable_when_the_database_is_unreachable(clock: FixedClock) -> None:
    unreachable = make_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    async with TestClient(TestServer(build_app(_runtime(unreachable, clock)))) as client:
        response = await client.get("/healthz")
        assert response.status == 503
        assert (await response.json())["database"] == "unreachable"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_health(port: int, proc: subprocess.Popen[bytes], deadline_s: float = 60) -> dict[str, str]:
    """Poll until the real process answers (a readiness wait on another process, not a timing assertion)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(
                f"serve exited early with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}"
            )
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                return dict(json.loads(resp.read()))
        except OSError:
            time.sleep(0.2)
    raise AssertionError("serve did not answer /healthz")


def test_serve_on_the_embedded_default_migrates_loads_the_example_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "MENTORBOT_"))}
    env |= {"MENTORBOT_PORT": str(port)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mentorbot", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        health = _wait_for_health(port, proc)
        assert health["status"] == "ok"
        # the embedded default, in the per-user data folder (not the working directory)
        assert (tmp_path / "mentorbot.sqlite3").exists()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    # the example programme was loaded, so a person from it can chat at once
    chat = subprocess.run(
        [sys.executable, "-m", "mentorbot", "chat", "--as", "mentee@example.org"],
        cwd=tmp_path,
        env=env,
        input=b"help\nquit\n",
        capture_output=True,
        timeout=60,
    )
    assert chat.returncode == 0, chat.stderr.decode()
    out = chat.stdout.decode()
    assert "mentee@example.org" in out
    assert "help" in out.lower()
    assert "not part of" not in out.lower()
