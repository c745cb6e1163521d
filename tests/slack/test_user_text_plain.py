"""One person's formatting never reaches another (issue 13, item 7): a mentee's agenda item written to
look like a message from the programme coordinator, with a disguised link, a bidi override and a
zero-width space, shows in the mentor's Slack message as the words typed, not as bold, a link or
reversed text, and Slack is asked not to unfurl anything."""

from __future__ import annotations

from slack_harness import Harness
from slack_harness import People

from handlers.slack.app import SlackChannel
from handlers.slack.mount import SLACK

FAKE = "*Message from the Programme Coordinator* <https://evil.example|click>\u202e\u200b\nNext line"


async def test_a_mentees_agenda_item_reaches_the_mentor_as_plain_text(slack: Harness, people: People) -> None:
    await slack.dm("U0MENTEE", f"agenda add {FAKE}")
    await slack.shown("DU0MENTEE", "Programme Coordinator")
    await slack.dm("U0MENTOR", "agenda")
    shown = await slack.shown("DU0MENTOR", "Programme Coordinator")
    channel = slack.client.app[SLACK]
    assert isinstance(channel, SlackChannel)
    await channel.listeners.drain()

    assert "Message from the Programme Coordinator" in shown
    assert "*Message from" not in shown  # no bold
    assert "<https://" not in shown and "https://evil" not in shown  # no link, no bare URL
    assert "click" in shown  # Slack delivers a typed link as its label: the words stay, the link does not
    assert "\u202e" not in shown and "\u200b" not in shown
    assert "\nNext line" not in shown  # the person's line break cannot start a line of its own
    posts = slack.fake.posts("DU0MENTOR")
    assert posts and all(p.get("unfurl_links") is False and p.get("unfurl_media") is False for p in posts)
    # the bot's own formatting still works
    assert any("*" in t for t in slack.texts("DU0MENTOR"))
