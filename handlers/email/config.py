"""E-mail settings from the environment: off unless ``MENTORBOT_SMTP_URL`` is set.

``MENTORBOT_SMTP_URL``
    ``smtp://host:port`` (a local relay, no encryption), ``smtp+starttls://user:pass@host:587``
    (STARTTLS, the usual submission port) or ``smtps://user:pass@host:465`` (TLS from the start).
    User and password are percent-decoded, so a password may hold ``@`` written as ``%40``.
``MENTORBOT_MAIL_FROM``
    the sender, e.g. ``Mentoring programme <mentoring@hospital.example>``.
``MENTORBOT_PUBLIC_URL``
    where people reach ``serve`` from their browser, e.g. ``https://mentorbot.hospital.example``: the
    links in e-mails point there.
``MENTORBOT_LINK_SECRET``
    the key that signs those links (at least 32 characters; every ``serve`` and ``tick`` of one
    programme shares it). Changing it makes every link sent so far invalid.
``MENTORBOT_LINK_DAYS``
    how long a link works (14 days).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from urllib.parse import unquote
from urllib.parse import urlsplit

from bot.errors import MentorbotError

HOW_TO_TURN_ON = (
    "E-mail is off: set MENTORBOT_SMTP_URL, MENTORBOT_MAIL_FROM, MENTORBOT_PUBLIC_URL and "
    "MENTORBOT_LINK_SECRET to reach people who are on neither Slack nor Teams."
)
SCHEMES = {"smtp": (25, "plain"), "smtp+starttls": (587, "starttls"), "smtps": (465, "tls")}
MIN_SECRET = 32


class EmailConfigError(MentorbotError):
    """E-mail is asked for but its settings are incomplete or malformed; says what to fix."""


@dataclass(frozen=True)
class EmailConfig:
    host: str
    port: int
    security: str  # "plain", "starttls" or "tls"
    username: str
    password: str
    mail_from: Address
    public_url: str  # without a trailing slash
    secret: str
    link_days: int = 14

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> EmailConfig | None:
        url = (env.get("MENTORBOT_SMTP_URL") or "").strip()
        if not url:
            return None
        missing = [
            name
            for name in ("MENTORBOT_MAIL_FROM", "MENTORBOT_PUBLIC_URL", "MENTORBOT_LINK_SECRET")
            if not (env.get(name) or "").strip()
        ]
        if missing:
            raise EmailConfigError(
                f"MENTORBOT_SMTP_URL is set, so e-mail is on, but {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not: e-mails need a sender address "
                "(MENTORBOT_MAIL_FROM), the address people open links at (MENTORBOT_PUBLIC_URL) and a key "
                "to sign those links (MENTORBOT_LINK_SECRET). Set them, or unset MENTORBOT_SMTP_URL."
            )
        host, port, security, user, password = _smtp(url)
        secret = env["MENTORBOT_LINK_SECRET"].strip()
        if len(secret) < MIN_SECRET:
            raise EmailConfigError(
                f"MENTORBOT_LINK_SECRET must be at least {MIN_SECRET} characters (it signs the links in "
                f"e-mails); it has {len(secret)}. For example: python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'"
            )
        days_text = (env.get("MENTORBOT_LINK_DAYS") or "14").strip()
        if not days_text.isdigit() or not 0 < int(days_text) <= 90:
            raise EmailConfigError(
                f"MENTORBOT_LINK_DAYS must be a number of days from 1 to 90, got {days_text!r}"
            )
        return cls(
            host=host,
            port=port,
            security=security,
            username=user,
            password=password,
            mail_from=_mail_from(env["MENTORBOT_MAIL_FROM"]),
            public_url=_public_url(env["MENTORBOT_PUBLIC_URL"]),
            secret=secret,
            link_days=int(days_text),
        )


def _smtp(url: str) -> tuple[str, int, str, str, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise EmailConfigError(
            f"MENTORBOT_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://, got {scheme or url!r}"
        )
    try:
        port = parts.port or SCHEMES[scheme][0]
    except ValueError:
        raise EmailConfigError("MENTORBOT_SMTP_URL has a port that is not a number") from None
    if not parts.hostname:
        raise EmailConfigError("MENTORBOT_SMTP_URL names no host, e.g. smtp+starttls://user:pass@host:587")
    if parts.username and scheme == "smtp" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise EmailConfigError(
            "MENTORBOT_SMTP_URL sends a password without encryption to another host: use smtp+starttls:// "
            "or smtps://"
        )
    return (
        parts.hostname,
        port,
        SCHEMES[scheme][1],
        unquote(parts.username or ""),
        unquote(parts.password or ""),
    )


def _mail_from(value: str) -> Address:
    name, address = parseaddr(value.strip())
    if "@" not in address or any(c.isspace() for c in address):
        raise EmailConfigError(
            "MENTORBOT_MAIL_FROM must be an e-mail address like 'Mentoring <mentoring@example.org>', "
            f"got {value!r}"
        )
    username, domain = address.rsplit("@", 1)
    return Address(display_name=name, username=username, domain=domain)


def _public_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise EmailConfigError(
            "MENTORBOT_PUBLIC_URL must be the address of serve, like https://mentorbot.example.org, "
            f"got {value!r}"
        )
    return value.strip().rstrip("/")
