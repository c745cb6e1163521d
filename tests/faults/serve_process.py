"""Real ``mentorbot serve`` processes for the fault tests: started with ``python -m mentorbot serve`` and
an environment of their own, asked for ``/healthz``, and stopped the hard way (SIGKILL) or the polite
way (SIGTERM). Their output goes to a log file the test shows when something goes wrong."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fake_slack_api import BOT_TOKEN
from fake_slack_api import TEAM
from fake_slack_api import FakeSlackWebApi
from sqlalchemy import Engine

REPO = Path(__file__).resolve().parents[2]
SIGNING_SECRET = "fault-drill-signing-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, every: float = 0.05) -> float:
    """Poll ``predicate`` until it holds; fail after ``timeout`` seconds. Returns the seconds it took."""
    started = time.monotonic()
    deadline = started + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        pause.wait(every)
    return time.monotonic() - started


def mentorbot_env(database_url: str, slack: FakeSlackWebApi | None, **extra: str) -> dict[str, str]:
    """The environment of a ``mentorbot`` process: this test's database, Slack on the fake, Teams off."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_APP_", "MENTORBOT_"))
    }
    env["MENTORBOT_DATABASE_URL"] = database_url
    env["PYTHONUNBUFFERED"] = "1"
    if slack is not None:
        env.update(
            SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack.api_url
        )
    env.update(extra)
    return env


def run_cli(
    args: list[str], env: Mapping[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m mentorbot ARGS`` to completion; fails the test with its output when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "mentorbot", *args],
        env=dict(env),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, (
        f"mentorbot {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done


@dataclass(frozen=True)
class Database:
    """A database that mentorbot processes open by URL, and the test's own engine on it."""

    kind: str  # "sqlite" or "postgresql"
    url: str  # what a mentorbot process is given
    engine: Engine  # the test's own connection, to seed and to watch


class ServeProcess:
    def __init__(self, env: Mapping[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.env = {**env, "MENTORBOT_HOST": "127.0.0.1", "MENTORBOT_PORT": str(self.port)}
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServeProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mentorbot", "serve"],
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        return self

    def wait_ready(self, timeout: float = 60) -> float:
        """Wait until ``/healthz`` answers 200 (failing at once, with the log, if the process died)."""

        def ready() -> bool:
            self.assert_alive()
            return self.healthz()[0] == 200

        return wait_for(ready, timeout, f"serve on port {self.port} to be healthy", every=0.1)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def assert_alive(self) -> None:
        assert self.alive, f"serve exited with {self.process and self.process.returncode}:\n{self.log()}"

    def log(self, tail: int | None = 6000) -> str:
        """What the process wrote (the last ``tail`` characters; everything with None)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text if tail is None else text[-tail:]

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine dies or the OOM killer strikes."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM and wait for the process to exit by itself; returns its exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """Whatever state it is in, make sure it is gone (test clean-up)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    # -- HTTP ----------------------------------------------------------------------------------------
    def healthz(self) -> tuple[int, dict[str, Any]]:
        """``GET /healthz``: (status, body); (0, {}) when nothing answers."""
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, {}

    def slack_dm(self, user_id: str, text: str, event_id: str) -> int:
        """A direct message to the bot, posted to ``/slack/events`` signed exactly as Slack signs it."""
        body = json.dumps(
            {
                "token": "unused",
                "team_id": TEAM,
                "api_app_id": "A0DRILL",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": {
                    "type": "message",
                    "channel_type": "im",
                    "channel": "D" + user_id,
                    "user": user_id,
                    "text": text,
                    "ts": f"{time.time():.6f}",
                },
            }
        )
        ts = str(int(time.time()))
        digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            self.url + "/slack/events",
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": f"v0={digest}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as err:
            return int(err.code)


StartServe = Callable[..., ServeProcess]  # start_serve(database, *, ready=True, **env) (see conftest.py)
