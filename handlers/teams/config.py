"""Teams credentials from the ``MICROSOFT_APP_*`` environment variables.

========================  ==============================================================================
variable                  meaning
========================  ==============================================================================
``MICROSOFT_APP_ID``      the bot's Microsoft app (client) id; unset = local anonymous mode (Playground)
``MICROSOFT_APP_PASSWORD`` the client secret (``MultiTenant`` and ``SingleTenant``)
``MICROSOFT_APP_TENANT_ID`` the tenant the app is registered in (``SingleTenant``, ``UserAssignedMSI``)
``MICROSOFT_APP_TYPE``    ``MultiTenant`` (default), ``SingleTenant`` or ``UserAssignedMSI``
========================  ==============================================================================

A missing or inconsistent setting is a clear start-up error (:class:`TeamsConfigError`), never a 500 on
every request. In anonymous mode the endpoint accepts unauthenticated requests and replies without a
token: that is only safe on loopback, so ``serve`` logs a warning when it listens elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class AppType(StrEnum):
    MULTI_TENANT = "MultiTenant"
    SINGLE_TENANT = "SingleTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


class TeamsConfigError(SystemExit):
    """The Teams settings cannot work; raised at start-up with a message saying what to fix."""


@dataclass(frozen=True)
class TeamsConfig:
    app_id: str = ""
    app_password: str = ""
    tenant_id: str = ""
    app_type: AppType = AppType.MULTI_TENANT

    @property
    def anonymous(self) -> bool:
        """No app id: local anonymous mode, for the Agents Playground. No token is checked or sent."""
        return not self.app_id

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TeamsConfig:
        app_id = (env.get("MICROSOFT_APP_ID") or "").strip()
        password = env.get("MICROSOFT_APP_PASSWORD") or ""
        tenant = (env.get("MICROSOFT_APP_TENANT_ID") or "").strip()
        type_text = (env.get("MICROSOFT_APP_TYPE") or "").strip()
        app_type = _parse_type(type_text) if type_text else AppType.MULTI_TENANT
        config = cls(app_id, password, tenant, app_type)
        config.check()
        return config

    def check(self) -> None:
        if self.anonymous:
            if self.app_password or self.tenant_id:
                raise TeamsConfigError(
                    "MICROSOFT_APP_PASSWORD or MICROSOFT_APP_TENANT_ID is set but MICROSOFT_APP_ID is not. "
                    "Set MICROSOFT_APP_ID too, or unset all MICROSOFT_APP_* for local anonymous mode."
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
