"""``serve`` started while its database is down (issue 13, item 8):

* PostgreSQL unreachable at start (a TCP proxy the test has cut): the process starts anyway, ``/healthz``
  answers 503, the log has one warning line per retry and no traceback; a person who writes on Slack is
  told the bot cannot help right now. Once the proxy accepts again, ``/healthz`` turns 200 and a DM is
  answered normally -- by the same process, never restarted.
* A configuration error is not waited for: an SQLite file in a folder that does not exist, a URL that
  is not one, an unknown driver -- one line on stderr and exit 2.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_slack_api import FakeSlackWebApi
from fake_slack_api import slack_user
from population import email
from population import seed_crowd
from serve_process import REPO
from serve_process import Database
from serve_process import StartServe
from serve_process import mentorbot_env
from serve_process import wait_for
from sqlalchemy import text
from sqlalchemy.engine import make_url
from tcp_proxy import TcpProxy

from bot.programme import ProgrammeConfig
from storage.database import make_engine


@pytest.fixture
def cut_proxy(postgres: Database) -> Iterator[TcpProxy]:
    """A proxy to the test's PostgreSQL that refuses every connection until restored."""
    url = make_url(postgres.url)
    running = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    running.cut()
    yield running
    running.close()


def through(proxy: TcpProxy, database: Database) -> Database:
    url = make_url(database.url).set(host="127.0.0.1", port=proxy.port)
    return Database(database.kind, url.render_as_string(hide_password=False), database.engine)


@pytest.mark.postgres
def test_serve_starts_while_postgres_is_down_says_503_without_traceback_and_recovers_by_itself(
    postgres: Database,
    cut_proxy: TcpProxy,
    fake_slack: FakeSlackWebApi,
    programme: tuple[Path, ProgrammeConfig],
    start_serve: StartServe,
) -> None:
    crowd = seed_crowd(postgres.engine, programme[1], 1)
    (mentee,) = crowd.mentees
    user = slack_user(mentee)
    fake_slack.users.emails[user] = email(mentee)
    texts = programme[1].text
    serve = start_serve(through(cut_proxy, postgres), ready=False)

    def down() -> bool:
        serve.assert_alive()  # the database being down does not stop serve
        return serve.healthz()[0] == 503

    wait_for(down, 60, "/healthz to answer 503 while the database is down")
    wait_for(
        lambda: serve.log(tail=None).count("database not ready (attempt") >= 2,
        30,
        "serve to retry the database in the background",
    )
    assert serve.healthz()[0] == 503

    def ask(text: str, event_id: str) -> str:
        before = len(fake_slack.texts_to(user))
        assert serve.slack_dm(user, text, event_id) == 200
        fake_slack.wait_until(lambda: len(fake_slack.texts_to(user)) > before, 30, f"an answer to {text!r}")
        return fake_slack.texts_to(user)[-1]

    assert ask("help", "EvWhileDown") == texts("error.unavailable")
    log_while_down = serve.log(tail=None)
    assert "Traceback" not in log_while_down, log_while_down
    # one line per attempt: every warning fits on its line, none is followed by a stack
    retries = [line for line in log_while_down.splitlines() if "database not ready" in line]
    assert all("Connection refused" in line or "connection" in line.lower() for line in retries)

    # -- the database becomes reachable: healthy without a restart -----------------------------------------
    pid = serve.process.pid if serve.process else None
    warnings = serve.log(tail=None).count("database not ready")
    cut_proxy.restore()
    recovered = serve.wait_ready(timeout=60)
    answer = ask("help", "EvAfterStart")
    assert answer not in (texts("error.unavailable"), texts("error.not_in_programme"))
    serve.assert_alive()
    assert serve.process is not None and serve.process.pid == pid
    assert "Traceback" not in serve.log(tail=None)
    print(
        f"\n[postgresql] started with the database cut: {warnings} retry warnings, /healthz 503; "
        f"healthy {recovered:.2f}s after the database came back, a DM answered normally"
    )


def serve_exit(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mentorbot", "serve"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("sqlite:///{tmp}/no/such/folder/mentorbot.sqlite3", "no/such/folder does not exist"),
        ("not a database url", "is not a database URL"),
        ("nosuchdb://somewhere/db", "unknown or missing database driver"),
    ],
    ids=["missing-sqlite-folder", "not-a-url", "unknown-driver"],
)
def test_a_database_configuration_error_is_one_line_and_exit_2(
    tmp_path: Path, programme: tuple[Path, ProgrammeConfig], url: str, says: str
) -> None:
    env = mentorbot_env(
        url.format(tmp=tmp_path), None, MENTORBOT_PROGRAM=str(programme[0]), MENTORBOT_PORT="0"
    )
    done = serve_exit(env)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("mentorbot serve: ") and says in lines[0]
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "no").exists()


def test_serve_on_an_sqlite_path_it_cannot_open_yet_waits_and_migrates_once_it_can(
    tmp_path: Path, start_serve: StartServe
) -> None:
    """The embedded default: the database file cannot be opened at start (here a folder stands where the
    file should be); serve answers 503 and retries; once the path is usable it runs the migrations
    itself and becomes healthy."""
    blocked = tmp_path / "data" / "mentorbot.sqlite3"
    blocked.mkdir(parents=True)  # a directory, not a file: "unable to open database file"
    url = f"sqlite:///{blocked}"
    database = Database("sqlite", url, make_engine(url))
    serve = start_serve(database, ready=False)

    def down() -> bool:
        serve.assert_alive()
        return serve.healthz()[0] == 503

    wait_for(down, 60, "/healthz to answer 503 while the SQLite file cannot be opened")
    wait_for(
        lambda: "database not ready (attempt 2)" in serve.log(tail=None), 30, "a retry in the background"
    )
    assert "Traceback" not in serve.log(tail=None)
    blocked.rmdir()  # the path becomes usable
    serve.wait_ready(timeout=60)
    assert blocked.is_file()
    with database.engine.connect() as conn:  # migrated by serve itself
        assert conn.execute(text("select count(*) from programmes")).scalar_one() == 1
    database.engine.dispose()
    assert "Traceback" not in serve.log(tail=None)
