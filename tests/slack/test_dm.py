"""Direct messages with the bot, end to end over HTTP: typed commands, identity, retries, escaping."""

from __future__ import annotations

import json

from slack_harness import Harness
from slack_harness import People


async def test_a_typed_command_in_a_dm_gets_its_answer_in_that_dm(slack: Harness, people: People) -> None:
    status, _ = await slack.dm("U0MENTEE", "help")
    assert status == 200
    posts = await slack.fake.wait_for("chat.postMessage")
    # posted to the person (Slack puts it in the bot's DM with them), with no conversations.open first
    assert slack.fake.dm_of(posts[0].args["channel"])[0] == "DU0MENTEE"
    assert slack.fake.called("conversations.open") == []
    shown = "\n".join(slack.texts("DU0MENTEE"))
    assert "Hi Eli Mentee!" in shown
    assert slack.fake.violations == []


async def test_first_contact_links_the_slack_user_by_email_and_takes_their_time_zone(
    slack: Harness, people: People
) -> None:
    await slack.dm("U0MENTEE", "help")
    await slack.fake.wait_for("chat.postMessage")
    await slack.dm("U0MENTEE", "my relationships")
    await slack.shown("DU0MENTEE", "Maria Mentor")
    with slack.runtime.uow_factory() as uow:
        person = uow.people.get(people.mentee_id)
        assert person is not None
        identity = person.identity("slack")
        assert identity is not None
        assert (identity.external_id, identity.workspace) == ("U0MENTEE", "T0TEAM")
        assert person.timezone == "Europe/London"  # from users.info
    assert len(slack.fake.called("users.info")) == 1  # the profile is cached, not fetched per message


async def test_someone_outside_the_programme_gets_a_polite_explanation_and_nothing_else(
    slack: Harness, people: People
) -> None:
    await slack.dm("U0STRANGER", "agenda add let me in")
    posts = await slack.fake.wait_for("chat.postMessage")
    assert len(posts) == 1
    assert "not part of a mentoring programme" in slack.texts("DU0STRANGER")[0]
    with slack.runtime.uow_factory() as uow:
        assert uow.people.by_email("stranger@example.org") is None
        assert uow.people.by_identity("slack", "U0STRANGER") is None


async def test_channel_messages_edits_and_bot_messages_are_ignored(slack: Harness, people: People) -> None:
    base = {"type": "message", "user": "U0MENTEE", "text": "help", "ts": "1.0"}
    await slack.event({**base, "channel": "C0GENERAL", "channel_type": "channel"})
    await slack.event({**base, "channel": "DU0MENTEE", "channel_type": "im", "subtype": "message_changed"})
    await slack.event({**base, "channel": "DU0MENTEE", "channel_type": "im", "bot_id": "B0OTHER"})
    await slack.dm("U0MENTOR", "help")  # the sentinel
    await slack.fake.wait_for("chat.postMessage")
    assert [slack.fake.dm_of(p["channel"])[0] for p in slack.fake.posts()] == ["DU0MENTOR"]


async def test_user_text_cannot_notify_a_channel_mention_anyone_or_fake_a_link(
    slack: Harness, people: People
) -> None:
    # what Slack sends when someone types these characters literally
    typed = (
        "agenda add &lt;!channel&gt; see &lt;https://evil.example|the form&gt; &amp; ask &lt;@U0MENTOR&gt;"
    )
    await slack.dm("U0MENTEE", typed)
    await slack.shown("DU0MENTEE", "Added as item 1")
    await slack.dm("U0MENTEE", "agenda")
    await slack.fake.wait_until(lambda: sum("evil.example" in t for t in slack.texts("DU0MENTEE")) >= 2)
    everything = json.dumps([c.args for c in slack.fake.called("chat.postMessage")])
    shown = "\n".join(slack.texts("DU0MENTEE"))
    # as typed, with the address broken so that no client makes a link of it
    assert "&lt;!channel&gt; see &lt;https[:]//evil.example|the form&gt; &amp; ask &lt;@U0MENTOR&gt;" in shown
    assert "<!channel>" not in everything
    assert "<https://evil" not in everything
    assert "<@U0MENTOR>" not in everything
    assert slack.fake.violations == []
