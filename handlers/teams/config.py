"""Teams credentials from the ``MICROSOFT_APP_*`` environment variables.

========================  ==============================================================================
variable                  meaning
========================  ==============================================================================
``MICROSOFT_APP_ID``      the bot's Microsoft app (client) id; every request must carry a valid token
``MICROSOFT_APP_PASSWORD`` the client secret (``MultiTenant`` and ``SingleTenant``)
``MICROSOFT_APP_TENANT_ID`` the tenant the app is registered in (``SingleTenant``, ``UserAssignedMSI``)
``MICROSOFT_APP_TYPE``    ``MultiTenant`` (default), ``SingleTenant`` or ``UserAssignedMSI``
``MENTORBOT_TEAMS_LOCAL``  ``1``: local mode, for the Agents Playground (no credentials, no tokens)
========================  ==============================================================================

Three modes:

* **authenticated** (``MICROSOFT_APP_ID`` set): every request carries a Bot Framework token, and the
  ``serviceUrl`` it names must be one of Microsoft's Bot Connector hosts (:func:`service_url_allowed`).
* **local** (``MENTORBOT_TEAMS_LOCAL=1``): no token is checked or sent, so anyone who can reach the
  endpoint could write as any Teams user. It is therefore only ever on when asked for, and refused at
  start-up together with an app id or a listen address beyond loopback. Even then only requests from this
  machine whose ``serviceUrl`` is a loopback URL (the Playground) are answered, and such a request never
  re-binds a person's stored Teams identity or conversation to another account or connector.
* **off** (neither): ``/api/messages`` answers 404 and ``serve`` logs how to turn Teams on. A Slack-only
  install exposes no unauthenticated Teams endpoint (behind a reverse proxy every request is loopback).

A missing or inconsistent setting is a clear start-up error (:class:`TeamsConfigError`), never a 500 on
every request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

LOCAL_VARIABLE = "MENTORBOT_TEAMS_LOCAL"
# the hosts of Microsoft's Bot Connector service (public cloud, Teams, US government clouds): a serviceUrl
# elsewhere is refused even with a valid token, so replies and stored references can only go there
MICROSOFT_SERVICE_HOSTS = ("smba.trafficmanager.net", "smba.infra.gov.teams.microsoft.us")
MICROSOFT_SERVICE_DOMAINS = (
    ".botframework.com",
    ".teams.microsoft.com",
    ".botframework.us",
    ".botframework.azure.us",
    ".teams.microsoft.us",
)


class AppType(StrEnum):
    MULTI_TENANT = "MultiTenant"
    SINGLE_TENANT = "SingleTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


class TeamsConfigError(SystemExit):
    """The Teams settings cannot work; raised at start-up with a message saying what to fix.

    ``serve`` prints it as one line and exits with 2 (a configuration error)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Mode(StrEnum):
    OFF = "off"
    LOCAL = "local"
    AUTHENTICATED = "authenticated"


@dataclass(frozen=True)
class TeamsConfig:
    app_id: str = ""
    app_password: str = ""
    tenant_id: str = ""
    app_type: AppType = AppType.MULTI_TENANT
    local: bool = False

    @property
    def anonymous(self) -> bool:
        """No app id: no token is checked or sent (Teams is either off or in local mode)."""
        return not self.app_id

    @property
    def mode(self) -> Mode:
        if self.app_id:
            return Mode.AUTHENTICATED
        return Mode.LOCAL if self.local else Mode.OFF

    def service_url_allowed(self, url: str) -> bool:
        """Whether replies may go to ``url``: the Playground (loopback) in local mode, Microsoft's Bot
        Connector over https with a token, nowhere when Teams is off."""
        if self.mode is Mode.LOCAL:
            return is_loopback_url(url)
        if self.mode is Mode.AUTHENTICATED:
            return is_microsoft_service_url(url)
        return False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TeamsConfig:
        app_id = (env.get("MICROSOFT_APP_ID") or "").strip()
        password = env.get("MICROSOFT_APP_PASSWORD") or ""
        tenant = (env.get("MICROSOFT_APP_TENANT_ID") or "").strip()
        type_text = (env.get("MICROSOFT_APP_TYPE") or "").strip()
        app_type = _parse_type(type_text) if type_text else AppType.MULTI_TENANT
        local = _flag(env, LOCAL_VARIABLE)
        config = cls(app_id, password, tenant, app_type, local)
        config.check()
        if local:
            host = (env.get("MENTORBOT_HOST") or "127.0.0.1").strip()
            if not is_loopback_host(host):
                raise TeamsConfigError(
                    f"{LOCAL_VARIABLE}=1 needs a loopback listen address, but MENTORBOT_HOST is {host!r}: "
                    "local mode checks no tokens, so it must not be reachable from other machines."
                )
        return config

    def check(self) -> None:
        if self.local and self.app_id:
            raise TeamsConfigError(
                f"{LOCAL_VARIABLE}=1 cannot be combined with MICROSOFT_APP_ID: local mode (the Agents "
                "Playground, no tokens) is for development only; unset one of them."
            )
        if self.anonymous:
            if self.app_password or self.tenant_id:
                raise TeamsConfigError(
                    "MICROSOFT_APP_PASSWORD or MICROSOFT_APP_TENANT_ID is set but MICROSOFT_APP_ID is not. "
                    "Set MICROSOFT_APP_ID too, or unset all MICROSOFT_APP_*."
                )
            return
        if self.app_type is AppType.USER_ASSIGNED_MSI:
            if not self.tenant_id:
                raise TeamsConfigError("MICROSOFT_APP_TYPE=UserAssignedMSI needs MICROSOFT_APP_TENANT_ID.")
            return
        if not self.app_password:
            raise TeamsConfigError(
                f"MICROSOFT_APP_TYPE={self.app_type} needs MICROSOFT_APP_PASSWORD (the client secret)."
            )
        if self.app_type is AppType.SINGLE_TENANT and not self.tenant_id:
            raise TeamsConfigError("MICROSOFT_APP_TYPE=SingleTenant needs MICROSOFT_APP_TENANT_ID.")

    def botbuilder_configuration(self) -> object:
        """The attribute bag botbuilder's ``ConfigurationBotFrameworkAuthentication`` reads."""

        class _Configuration:
            APP_ID = self.app_id or None
            APP_PASSWORD = self.app_password or None
            APP_TENANTID = self.tenant_id or None
            APP_TYPE = str(self.app_type)

        return _Configuration()


def _parse_type(text: str) -> AppType:
    for app_type in AppType:
        if app_type.value.lower() == text.lower():
            return app_type
    choices = ", ".join(t.value for t in AppType)
    raise TeamsConfigError(f"MICROSOFT_APP_TYPE must be one of {choices}; got {text!r}.")


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = (env.get(name) or "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise TeamsConfigError(f"{name} must be 1 or 0; got {value!r}.")


def is_loopback_host(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _parts(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.username is not None or parts.password is not None or not host:
        return None
    return parts.scheme.lower(), host


def is_loopback_url(url: str) -> bool:
    """An http(s) URL on this machine (the Agents Playground's connector)."""
    parts = _parts(url)
    return parts is not None and parts[0] in ("http", "https") and is_loopback_host(parts[1])


def is_microsoft_service_url(url: str) -> bool:
    """An https URL on one of Microsoft's Bot Connector hosts."""
    parts = _parts(url)
    if parts is None or parts[0] != "https":
        return False
    host = parts[1]
    return host in MICROSOFT_SERVICE_HOSTS or host.endswith(MICROSOFT_SERVICE_DOMAINS)
