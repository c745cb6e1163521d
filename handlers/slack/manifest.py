"""The Slack app manifest, derived from :mod:`handlers.slack.capabilities` (never written by hand)."""

from __future__ import annotations

from typing import Any

from handlers.slack.capabilities import BOT_EVENTS
from handlers.slack.capabilities import SLASH_COMMAND
from handlers.slack.capabilities import bot_scopes

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def build_manifest(
    *,
    name: str,
    description: str,
    command_description: str,
    base_url: str | None,
    socket_mode: bool,
    oauth: bool = False,
) -> dict[str, Any]:
    """The manifest for an app that runs over Socket Mode (``socket_mode``) or at ``base_url`` (HTTP).

    With ``oauth`` the app can be installed into several workspaces; Slack then redirects to
    ``base_url`` + /slack/oauth_redirect after an install, so ``base_url`` is required.
    """
    if not socket_mode and not base_url:
        raise ValueError("an app over HTTP needs the public base URL where mentorbot serves /slack/events")
    if oauth and not base_url:
        raise ValueError(
            "a multi-workspace (OAuth) install needs the public base URL for /slack/oauth_redirect"
        )
    base = (base_url or "").rstrip("/")
    request_url = None if socket_mode else base + EVENTS_PATH

    command: dict[str, Any] = {
        "command": SLASH_COMMAND.command,
        "description": command_description,
        "usage_hint": SLASH_COMMAND.usage_hint,
        "should_escape": False,
    }
    events: dict[str, Any] = {"bot_events": sorted(e.manifest_name for e in BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if request_url is not None:
        command["url"] = request_url
        events["request_url"] = request_url
        interactivity["request_url"] = request_url
    oauth_config: dict[str, Any] = {"scopes": {"bot": bot_scopes()}}
    if oauth:
        oauth_config["redirect_urls"] = [base + REDIRECT_PATH]
    return {
        "display_information": {"name": name, "description": description[:140]},
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": oauth_config,
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
