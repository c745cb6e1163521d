"""Slack settings from the environment, checked before ``serve`` starts.

Slack is on when any ``SLACK_*`` credential is set and off when none is. A partial or malformed set
stops ``serve`` with a message that says exactly what to fix, rather than failing on every request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from handlers.slack.capabilities import bot_scopes

DEFAULT_API_URL = "https://slack.com/api/"
# chat.postMessage across one workspace: Slack allows about one message per second per channel and
# several hundred a minute per workspace: the default is 300 a minute, the bottom of that range, paced
# without bursts (and shared by every serve process on the database); SLACK_SEND_RATE raises or lowers it
DEFAULT_SEND_RATE = 5.0
CREDENTIAL_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
)
HOW_TO_TURN_ON = (
    "Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP) or SLACK_BOT_TOKEN and "
    "SLACK_APP_TOKEN (Socket Mode) to turn it on; `mentorbot slack manifest` prints the app manifest"
)


class SlackConfigError(ValueError):
    """The Slack variables are set but cannot work together; the message says what to change."""


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str | None  # single workspace
    signing_secret: str | None  # HTTP mode (required there)
    app_token: str | None  # Socket Mode when set
    client_id: str | None  # multi-workspace OAuth when set
    client_secret: str | None
    scopes: tuple[str, ...]
    api_url: str
    send_rate: float = DEFAULT_SEND_RATE  # outbox messages per second per workspace (SLACK_SEND_RATE)

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @property
    def oauth(self) -> bool:
        return self.client_id is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackConfig | None:
        """The configuration, None when Slack is not configured at all; raises SlackConfigError."""

        def get(name: str) -> str | None:
            value = (env.get(name) or "").strip()
            return value or None

        if not any(get(name) for name in CREDENTIAL_VARIABLES):
            return None
        bot_token, signing_secret, app_token = (
            get("SLACK_BOT_TOKEN"),
            get("SLACK_SIGNING_SECRET"),
            get("SLACK_APP_TOKEN"),
        )
        client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
        problems: list[str] = []
        if bot_token is not None and not bot_token.startswith("xoxb-"):
            problems.append(
                "SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-' (OAuth & Permissions page)"
            )
        if app_token is not None and not app_token.startswith("xapp-"):
            problems.append(
                "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' "
                "(Basic Information > App-Level Tokens, scope connections:write)"
            )
        if (client_id is None) != (client_secret is None):
            missing = "SLACK_CLIENT_SECRET" if client_secret is None else "SLACK_CLIENT_ID"
            problems.append(
                f"multi-workspace install needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET; {missing} is not set"
            )
        if bot_token is not None and client_id is not None:
            problems.append(
                "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET "
                "(install into several workspaces), not both"
            )
        if bot_token is None and client_id is None and not problems:
            problems.append(
                "no way to act in Slack: set SLACK_BOT_TOKEN (one workspace) or "
                "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (install into several workspaces)"
            )
        if signing_secret is None and app_token is None:
            problems.append(
                "SLACK_SIGNING_SECRET is required over HTTP: Slack signs every request and mentorbot refuses "
                "unsigned ones (Basic Information > App Credentials > Signing Secret); or set "
                "SLACK_APP_TOKEN to use Socket Mode instead"
            )
        scopes = tuple(s for s in (get("SLACK_SCOPES") or "").replace(" ", ",").split(",") if s) or tuple(
            bot_scopes()
        )
        missing_scopes = sorted(set(bot_scopes()) - set(scopes))
        if missing_scopes:
            problems.append(f"SLACK_SCOPES lacks scopes the app uses: {', '.join(missing_scopes)}")
        api_url = get("SLACK_API_URL") or DEFAULT_API_URL
        if not api_url.startswith(("http://", "https://")):
            problems.append(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
        send_rate_text = get("SLACK_SEND_RATE")
        send_rate = DEFAULT_SEND_RATE
        if send_rate_text is not None:
            try:
                send_rate = float(send_rate_text)
            except ValueError:
                send_rate = -1.0
            if not 0 < send_rate < float("inf"):
                problems.append(
                    "SLACK_SEND_RATE must be a positive number of messages per second, "
                    f"got {send_rate_text!r}"
                )
        if problems:
            raise SlackConfigError("Slack is configured incompletely:\n  - " + "\n  - ".join(problems))
        return cls(
            bot_token=bot_token,
            signing_secret=signing_secret,
            app_token=app_token,
            client_id=client_id,
            client_secret=client_secret,
            scopes=scopes,
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            send_rate=send_rate,
        )
