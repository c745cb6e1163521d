"""Several Slack workspaces under one OAuth install (issue 13, item 9): a person's Slack identity belongs
to the workspace it was linked in.

* An account in another workspace with the same e-mail (anyone can create a workspace and give an
  account any address) does not take over a linked person's identity: it is answered as a stranger.
* A DM whose ``team_id`` is not the linked identity's workspace is a different account, even with the
  same user id: answered as a stranger, not as the person.
* Someone with no Slack identity yet is still linked from whichever workspace they write first.

Everything goes through the signed ``/slack/events`` endpoint, with the fake Slack Web API on loopback.
"""

from __future__ import annotations

import json
import time

import pytest
from fake_slack import TEAM
from fake_slack import FakeSlack
from slack_harness import Harness
from slack_harness import People
from slack_harness import StartSlack
from slack_harness import event_envelope
from test_oauth import OAUTH
from test_oauth import install

from bot.messages import Sender

OTHER = "T0OTHER"  # the workspace the fake's OAuth flow installs into
STRANGER = "not part of a mentoring programme"

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


async def dm_from(slack: Harness, team: str, user: str, text: str, event_id: str) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": f"D{user}",
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
    }
    envelope = {
        **event_envelope(event, event_id),
        "team_id": team,
        "authorizations": [{"team_id": team, "user_id": "UBOT2", "is_bot": True}],
    }
    status, _ = await slack.post(json.dumps(envelope), "application/json")
    assert status == 200


async def oauth_with_mentee_linked(start_slack: StartSlack, people: People) -> Harness:
    """Two workspaces: the mentee was linked in TEAM (as the e-mail linker does), the app is installed
    in OTHER."""
    slack = await start_slack(**OAUTH)
    assert slack.runtime.bot.link(Sender("slack", "U0MENTEE", "mentee@example.org", workspace=TEAM))
    await install(slack, "code-other")
    return slack


def slack_identity(slack: Harness, person_id: int) -> tuple[str, str] | None:
    with slack.runtime.uow_factory() as uow:
        person = uow.people.get(person_id)
        assert person is not None
        found = person.identity("slack")
        return None if found is None else (found.external_id, found.workspace)


async def test_an_account_in_another_workspace_with_a_linked_persons_email_does_not_take_them_over(
    start_slack: StartSlack, fake_slack: FakeSlack, people: People
) -> None:
    slack = await oauth_with_mentee_linked(start_slack, people)
    fake_slack.add_user("U0IMPOSTOR", "Mentee@Example.org", name="Not Eli")

    await dm_from(slack, OTHER, "U0IMPOSTOR", "agenda", "EvImpostor1")
    reply = await slack.shown("DU0IMPOSTOR", STRANGER)  # a stranger: nothing of Eli's is shown
    assert "Eli" not in reply
    assert slack_identity(slack, people.mentee_id) == ("U0MENTEE", TEAM)  # still Eli's own account
    with slack.runtime.uow_factory() as uow:
        assert uow.people.by_identity("slack", "U0IMPOSTOR") is None
    assert [fake_slack.dm_of(p["channel"])[0] for p in fake_slack.posts()] == ["DU0IMPOSTOR"]


async def test_a_dm_from_another_workspace_is_not_answered_as_the_person_with_that_user_id(
    start_slack: StartSlack, fake_slack: FakeSlack, people: People
) -> None:
    slack = await oauth_with_mentee_linked(start_slack, people)

    await dm_from(slack, OTHER, "U0MENTEE", "agenda", "EvOtherTeam1")
    await slack.shown("DU0MENTEE", STRANGER)
    assert slack_identity(slack, people.mentee_id) == ("U0MENTEE", TEAM)


async def test_someone_without_a_slack_identity_is_still_linked_from_the_workspace_they_write_from(
    start_slack: StartSlack, fake_slack: FakeSlack, people: People
) -> None:
    slack = await oauth_with_mentee_linked(start_slack, people)

    await dm_from(slack, OTHER, "U0MENTOR", "help", "EvMentor1")
    await fake_slack.wait_for("chat.postMessage")
    assert not any(STRANGER in t for t in slack.texts("DU0MENTOR"))
    assert slack_identity(slack, people.mentor_id) == ("U0MENTOR", OTHER)
