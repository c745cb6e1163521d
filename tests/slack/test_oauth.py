"""Installing into several workspaces: /slack/install, /slack/oauth_redirect, tokens kept in the project
database by slack_sdk's SQLAlchemy stores, and each workspace answered with its own token."""

from __future__ import annotations

import json
import re
import time

import pytest
from fake_slack import FakeSlack
from slack_harness import Harness
from slack_harness import People
from slack_harness import StartSlack
from slack_harness import event_envelope
from sqlalchemy import select

from bot.messages import Message
from bot.messages import Text
from bot.model import ChatIdentity
from bot.model import Person
from bot.sending import NotReachable
from storage.tables import slack_bots

OAUTH = {"SLACK_BOT_TOKEN": "", "SLACK_CLIENT_ID": "1234.5678", "SLACK_CLIENT_SECRET": "client-secret"}


async def install(slack: Harness, code: str) -> str:
    async with slack.client.get("/slack/install", allow_redirects=False) as resp:
        assert resp.status == 200
        page = await resp.text()
        cookie = resp.headers["Set-Cookie"].split(";")[0]
    url = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', page)
    assert url is not None, page
    authorize = url.group(1).replace("&amp;", "&")
    assert "client_id=1234.5678" in authorize
    assert (
        "scope=chat:write,commands,files:write,im:history,im:write,users:read,users:read.email" in authorize
    )
    state = re.search(r"state=([^&]+)", authorize)
    assert state is not None
    async with slack.client.get(
        f"/slack/oauth_redirect?code={code}&state={state.group(1)}", headers={"Cookie": cookie}
    ) as resp:
        assert resp.status == 200
        return await resp.text()


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")  # inside slack_sdk
async def test_an_admin_installs_the_app_and_the_workspace_is_answered_with_its_own_token(
    start_slack: StartSlack, fake_slack: FakeSlack, people: People
) -> None:
    slack = await start_slack(**OAUTH)
    await install(slack, "code-one")
    access = fake_slack.called("oauth.v2.access")
    assert access and access[0].args["code"] == "code-one"
    with slack.runtime.engine.connect() as conn:
        bots = conn.execute(select(slack_bots.c.team_id, slack_bots.c.bot_token)).all()
    assert [tuple(b) for b in bots] == [("T0OTHER", "xoxb-installed-code-one")]

    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "DU0MENTEE",
        "user": "U0MENTEE",
        "text": "help",
        "ts": f"{time.time():.6f}",
    }
    envelope = {
        **event_envelope(event, "EvOTHER1"),
        "team_id": "T0OTHER",
        "authorizations": [{"team_id": "T0OTHER", "user_id": "UBOT2", "is_bot": True}],
    }
    status, _ = await slack.post(json.dumps(envelope), "application/json")
    assert status == 200
    posts = await fake_slack.wait_for("chat.postMessage")
    assert posts[0].token == "xoxb-installed-code-one"
    assert fake_slack.violations == []

    sender = slack.runtime.senders["slack"]
    someone = Person(email="mentee@example.org", name="Eli Mentee", id=people.mentee_id)
    await sender.send(someone, ChatIdentity("slack", "U0MENTEE", "T0OTHER"), Message((Text("Hello again"),)))
    assert fake_slack.called("chat.postMessage")[-1].token == "xoxb-installed-code-one"
    with pytest.raises(NotReachable):  # a workspace that never installed the app
        await sender.send(someone, ChatIdentity("slack", "U0MENTEE", "T0NEVER"), Message((Text("Hello"),)))


async def test_an_install_with_a_forged_state_is_refused(
    start_slack: StartSlack, fake_slack: FakeSlack
) -> None:
    slack = await start_slack(**OAUTH)
    async with slack.client.get("/slack/oauth_redirect?code=stolen&state=forged") as resp:
        assert resp.status == 400
    assert fake_slack.called("oauth.v2.access") == []
