"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, parsed as a mail client would.

``refuse`` makes it answer RCPT TO for an address with a code (550: no such mailbox; 451: try later).
"""

from __future__ import annotations

import re
import socket
import ssl
import threading
from dataclasses import dataclass
from dataclasses import field
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from aiosmtpd.smtp import LoginPassword

LINK = re.compile(r"https?://[^\s\"'<>]+/email/(act|form|stop)/[A-Za-z0-9._\-]+")


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage

    @property
    def to(self) -> str:
        return self.recipients[0]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, mime: str) -> EmailMessage:
        for part in self.message.walk():
            if part.get_content_type() == mime and part.get_content_disposition() != "attachment":
                return part  # type: ignore[return-value]
        raise LookupError(f"no {mime} part")

    @property
    def text(self) -> str:
        return str(self.part("text/plain").get_content())

    @property
    def html(self) -> str:
        return str(self.part("text/html").get_content())

    def attachments(self) -> list[EmailMessage]:
        return list(self.message.iter_attachments())  # type: ignore[arg-type]

    def links(self) -> list[str]:
        return [m.group(0) for m in LINK.finditer(self.text)]

    def link(self, label: str) -> str:
        """The link under the text line ``* <label>:`` in the plain part."""
        lines = self.text.splitlines()
        for n, line in enumerate(lines):
            if line.strip().startswith("*") and label.lower() in line.lower() and n + 1 < len(lines):
                found = LINK.search(lines[n + 1])
                if found:
                    return found.group(0)
        raise LookupError(f"no link {label!r} in:\n{self.text}")


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        code = self.box.refuse.get(address.lower())
        if code is not None:
            return f"{code} {'no such mailbox' if code >= 500 else 'try again later'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.original_content, policy=email_policy.default)
        with self.box.lock:
            self.box.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted"


@dataclass
class Mailbox:
    port: int = 0
    received: list[Received] = field(default_factory=list)
    refuse: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Controller | None = None
    logins: list[tuple[str, str]] = field(default_factory=list)

    def start(
        self,
        *,
        starttls: ssl.SSLContext | None = None,
        tls: ssl.SSLContext | None = None,
        login: tuple[str, str] | None = None,
    ) -> Mailbox:
        """Plain SMTP; or STARTTLS required (``starttls``), or TLS from the start (``tls``); with
        ``login``, AUTH required with that user and password."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        options: dict[str, Any] = {}
        if starttls is not None:
            options.update(tls_context=starttls, require_starttls=True)
        if login is not None:
            # aiosmtpd counts only STARTTLS as TLS; with TLS from the start the whole session is encrypted
            options.update(
                auth_required=True, auth_require_tls=tls is None, authenticator=self._authenticator(login)
            )
        self.controller = Controller(
            _Handler(self),
            hostname="127.0.0.1",
            port=self.port,
            ssl_context=tls,
            server_hostname="localhost",
            **options,
        )
        self.controller.start()
        return self

    def _authenticator(self, login: tuple[str, str]) -> Any:
        def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            if isinstance(data, LoginPassword):
                given = (data.login.decode(), data.password.decode())
                self.logins.append(given)
                return AuthResult(success=given == login)
            return AuthResult(success=False, handled=False)

        return check

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if address.lower() in (a.lower() for a in r.recipients)]

    def clear(self) -> None:
        with self.lock:
            self.received.clear()
