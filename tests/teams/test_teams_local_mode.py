"""Who the Teams endpoint trusts, through the real HTTP endpoint on loopback (issue 13, item 1).

* Without ``MICROSOFT_APP_ID`` and without ``MENTORBOT_TEAMS_LOCAL=1`` Teams is off: a request from this
  machine without a token is not answered (behind a reverse proxy every request comes from loopback).
* In local mode (the Agents Playground) an activity whose ``serviceUrl`` is not on this machine is
  refused, and no request can re-bind a person's Teams identity or stored conversation to another account.
* Local mode is refused at start-up together with an app id, or with a listen address beyond loopback.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import People
from conftest import StartTeams
from teams_harness import MENTEE
from teams_harness import MENTOR
from teams_harness import TeamsHarness
from teams_harness import TeamsUser

from bot.messages import text_message
from bot.model import ChatIdentity
from bot.model import Person
from bot.model import Platform
from bot.sending import NotReachable
from handlers.teams.config import TeamsConfig
from storage.uow import SqlUnitOfWorkFactory

REPO = Path(__file__).resolve().parents[2]
ATTACKER = TeamsUser("29:attacker", "aad-attacker", "Mallory", "mallory@example.net")


def _identity(uow_factory: SqlUnitOfWorkFactory, person_id: int) -> tuple[str, dict[str, object]] | None:
    with uow_factory() as uow:
        person = uow.people.get(person_id)
        assert person is not None
        identity = person.identity(Platform.TEAMS)
        if identity is None:
            return None
        return identity.external_id, dict(identity.address.get("reference") or {})


async def test_without_an_app_id_teams_is_off_and_a_loopback_request_is_not_answered(
    start_teams: StartTeams,
    people: People,
    uow_factory: SqlUnitOfWorkFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        teams = await start_teams()  # a Slack-only install: no MICROSOFT_APP_ID, no local mode

    status, body = await teams.say(MENTEE, "help")  # from 127.0.0.1, no token

    assert status == 404
    assert "Teams is off" in body and "MENTORBOT_TEAMS_LOCAL=1" in body
    assert teams.fake.posted == [] and teams.fake.member_lookups == []
    assert _identity(uow_factory, people.mentee_id) is None
    off_lines = [r.getMessage() for r in caplog.records if "Teams is off" in r.getMessage()]
    assert len(off_lines) == 1 and "MICROSOFT_APP_ID" in off_lines[0]


async def test_in_local_mode_an_attackers_service_url_is_refused_and_the_stored_reference_kept(
    teams: TeamsHarness, people: People, uow_factory: SqlUnitOfWorkFactory
) -> None:
    await teams.say(MENTEE, "help")  # the mentee's real chat, through the Playground (loopback)
    before = _identity(uow_factory, people.mentee_id)
    assert before is not None

    status, _ = await teams.post(
        teams.activity(MENTEE, text="my relationships", serviceUrl="https://attacker.example.net/")
    )

    assert status == 403
    assert _identity(uow_factory, people.mentee_id) == before
    assert not any("Maria Mentor" in teams.chat_text(p) for p in teams.fake.posted[1:])


async def test_in_local_mode_a_roster_answering_someone_elses_email_does_not_take_over_their_identity(
    teams: TeamsHarness, people: People, uow_factory: SqlUnitOfWorkFactory
) -> None:
    await teams.say(MENTOR, "help")  # the guide is linked to Teams
    before = _identity(uow_factory, people.mentor_id)
    assert before is not None and before[0] == MENTOR.aad_object_id
    # another account whose roster entry claims the guide's e-mail address
    teams.fake.members[ATTACKER.user_id] = {**ATTACKER.member(), "email": MENTOR.email}

    await teams.say(ATTACKER, "agenda")

    assert _identity(uow_factory, people.mentor_id) == before
    assert "not part of a mentoring programme" in teams.last(ATTACKER)
    seen = len(teams.chat(MENTOR))
    await teams.say(MENTOR, "help")  # the guide is still answered as themselves
    assert "Hi Maria Mentor!" in "\n".join(teams.chat(MENTOR)[seen:])


async def test_in_local_mode_a_forged_object_id_does_not_redirect_the_stored_conversation(
    teams: TeamsHarness, people: People, uow_factory: SqlUnitOfWorkFactory
) -> None:
    await teams.say(MENTOR, "help")
    before = _identity(uow_factory, people.mentor_id)
    forged = TeamsUser("29:attacker", MENTOR.aad_object_id, "Mallory", "mallory@example.net")

    await teams.post(teams.activity(forged, text="help", conversation_id="a:attacker-chat"))

    assert _identity(uow_factory, people.mentor_id) == before


def _serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "MENTORBOT_"))}
    base["MENTORBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'mentorbot.sqlite3'}"
    base["MENTORBOT_PORT"] = "0"
    return subprocess.run(
        [sys.executable, "-m", "mentorbot", "serve"],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"MICROSOFT_APP_ID": "6f1e2d3c-4b5a", "MICROSOFT_APP_PASSWORD": "x"}, "MICROSOFT_APP_ID"),
        ({"MENTORBOT_HOST": "0.0.0.0"}, "MENTORBOT_HOST is '0.0.0.0'"),
    ],
    ids=["with-app-id", "beyond-loopback"],
)
def test_serve_refuses_local_mode_with_an_app_id_or_beyond_loopback(
    tmp_path: Path, env: dict[str, str], says: str
) -> None:
    try:
        result = _serve(tmp_path, MENTORBOT_TEAMS_LOCAL="1", **env)
    except subprocess.TimeoutExpired:
        pytest.fail("serve started instead of refusing the settings")

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "MENTORBOT_TEAMS_LOCAL=1" in lines[0] and says in lines[0]
    assert not (tmp_path / "mentorbot.sqlite3").exists()  # refused before anything started


@pytest.mark.parametrize(
    ("url", "local", "authenticated"),
    [
        ("http://localhost:56150/_connector", True, False),
        ("http://127.0.0.1:4000/", True, False),
        ("http://[::1]:4000/", True, False),
        ("https://smba.trafficmanager.net/emea/", False, True),
        ("https://europe.webchat.botframework.com/", False, True),
        ("https://canary.botapi.skype.teams.microsoft.com/", False, True),
        ("http://smba.trafficmanager.net/emea/", False, False),  # not https
        ("https://smba.trafficmanager.net.attacker.example/", False, False),
        ("https://botframework.com.attacker.example/", False, False),
        ("https://attacker.example/?smba.trafficmanager.net", False, False),
        ("http://127.0.0.1@attacker.example/", False, False),
        ("https://user@smba.trafficmanager.net/", False, False),
        ("http://10.0.0.5:4000/", False, False),
    ],
)
def test_service_urls_each_mode_allows(url: str, local: bool, authenticated: bool) -> None:
    local_config = TeamsConfig.from_env({"MENTORBOT_TEAMS_LOCAL": "1"})
    token_config = TeamsConfig.from_env({"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_PASSWORD": "secret"})

    assert local_config.service_url_allowed(url) is local
    assert token_config.service_url_allowed(url) is authenticated
    assert TeamsConfig.from_env({}).service_url_allowed(url) is False


async def test_in_local_mode_nothing_is_sent_to_a_stored_reference_on_another_machine(
    teams: TeamsHarness, people: People, uow_factory: SqlUnitOfWorkFactory
) -> None:
    """A reference stored before the allow-list (the hijack of issue 13) is not used to deliver a nudge."""
    await teams.say(MENTEE, "help")
    with uow_factory() as uow:
        person = uow.people.get(people.mentee_id)
        assert person is not None
        identity = person.identity(Platform.TEAMS)
        assert identity is not None
        reference = dict(identity.address["reference"])
        reference["serviceUrl"] = "https://attacker.example.net/"
        identity.address = {"reference": reference}
        uow.commit()
        hijacked = ChatIdentity(
            identity.platform, identity.external_id, identity.workspace, dict(identity.address)
        )
        detached = Person(email=person.email, name=person.name, id=person.id)
    posted = len(teams.fake.posted)

    with pytest.raises(NotReachable, match="service URL"):
        await teams.runtime.senders["teams"].send(detached, hijacked, text_message("Your agenda for Monday"))
    assert len(teams.fake.posted) == posted
