"""Direct messages with the bot, end to end over HTTP: typed commands, identity, retries, escaping."""

from __future__ import annotations

from slack_harness import Harness, People


async def test_a_typed_command_in_a_dm_gets_its_answer_in_that_dm(slack: Harness, people: People) -> None:
    status, _ = await slack.dm("U0MENTEE", "help")
    assert status == 200
    posts = await slack.fake.wait_for("chat.postMessage")
    assert posts[0].args["channel"] == "DU0MENTEE"
    shown = "\n".join(slack.texts("DU0MENTEE"))
    assert "Hi Eli Mentee!" in shown
    assert slack.fake.violations == []
