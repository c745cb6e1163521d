"""``mentorbot serve`` writes one access-log line per HTTP request -- method, path, status, time in ms --
and never a body or a query string (an OAuth redirect carries its code there)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status(request: urllib.request.Request | str) -> int:
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def test_every_request_gets_one_access_line_without_query_or_body(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "MENTORBOT_"))}
    env |= {"MENTORBOT_PORT": str(port), "MENTORBOT_LOG_FORMAT": "json", "XDG_DATA_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mentorbot", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:  # a readiness wait on another process, not a timing assertion
            try:
                if _status(f"{base}/healthz") == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        assert _status(f"{base}/no/such/page?token=s3cret-query") == 404
        post = urllib.request.Request(
            f"{base}/api/messages", data=b'{"text": "my private words"}', method="POST"
        )
        post.add_header("Content-Type", "application/json")
        posted = _status(post)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "mentorbot.access"]
    seen = [(a["method"], a["path"], a["status"]) for a in access]
    assert ("GET", "/healthz", 200) in seen
    assert ("GET", "/no/such/page", 404) in seen
    assert ("POST", "/api/messages", posted) in seen
    assert all(isinstance(a["duration_ms"], float) for a in access)
    assert "s3cret-query" not in err and "my private words" not in err
