"""Everything the Slack app uses, in one table: the manifest is derived from it and a test checks the code.

* :data:`WEB_API_METHODS` -- each Web API method the code calls, with the bot scopes it needs. Every
  call goes through :func:`handlers.slack.web.call`, which refuses a method missing here, so the manifest
  can never lag behind the code.
* :data:`BOT_EVENTS` -- each Events API subscription, the event type bolt dispatches on, and its scopes.
* :data:`SLASH_COMMAND` -- the one slash command.
"""

from __future__ import annotations

from dataclasses import dataclass

# Web API method -> bot scopes it needs. Methods bolt and slack_sdk call on our behalf are listed too.
WEB_API_METHODS: dict[str, tuple[str, ...]] = {
    "auth.test": (),  # bolt: who the bot is (single workspace: lazily, once)
    "apps.connections.open": (),  # Socket Mode: uses the app-level token (scope connections:write)
    "oauth.v2.access": (),  # bolt's OAuth flow: exchanges the code for a bot token
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "conversations.open": ("im:write",),
    "conversations.history": ("im:history",),  # read back the message a form was opened from
    "users.info": ("users:read", "users:read.email"),  # email (first contact) and time zone
    "users.lookupByEmail": ("users:read.email",),  # link a few programme people before they write to us
    # link a whole roster in a few calls (Tier 2, 1,000 members a page); e-mails need users:read.email
    "users.list": ("users:read", "users:read.email"),
    "views.open": (),
    "views.update": (),
    "views.publish": (),
    # calendar invites (.ics) shared as files: slack_sdk's files_upload_v2 calls these two
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
}


@dataclass(frozen=True)
class EventSubscription:
    manifest_name: str  # as listed under settings.event_subscriptions.bot_events
    event_type: str  # the event's "type", which bolt listeners match
    scopes: tuple[str, ...]


BOT_EVENTS: tuple[EventSubscription, ...] = (
    EventSubscription("message.im", "message", ("im:history",)),  # direct messages to the bot
    EventSubscription("app_home_opened", "app_home_opened", ()),  # the Home tab dashboard
)


@dataclass(frozen=True)
class SlashCommand:
    command: str
    description_key: str  # catalogue key
    usage_hint: str
    scopes: tuple[str, ...] = ("commands",)


SLASH_COMMAND = SlashCommand("/mentor", "slack.command_description", "[help | agenda add … | …]")


def bot_scopes() -> list[str]:
    """Every bot scope the app needs, sorted: the union over methods, events and the slash command."""
    scopes: set[str] = set()
    for needed in WEB_API_METHODS.values():
        scopes.update(needed)
    for event in BOT_EVENTS:
        scopes.update(event.scopes)
    scopes.update(SLASH_COMMAND.scopes)
    return sorted(scopes)
