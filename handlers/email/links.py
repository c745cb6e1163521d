"""Signed, expiring links that act for one person: what a button or a form becomes in an e-mail.

A link names one action of the bot's (``agenda.add``, ``meeting.accept``...) with its values, for the
person it was sent to, and carries its own id. It is signed with ``MENTORBOT_LINK_SECRET``
(itsdangerous, HMAC-SHA1 over the compressed JSON): a changed or made-up link is refused, and it
works for ``link_days`` days. The signature cannot tell whether a link was used already; the bot records
each use (``bot.email_links``), in the same transaction as the action, so a link acts once.

Three kinds:

* ``act``: a button. Opening it shows what it will do; only the page's button (a POST) does it, so
  a mail scanner that opens every link changes nothing.
* ``form``: a form (an agenda item, an action plan item). Opening it shows the form; sending it does
  the form's action with what was typed in the fields the form names -- never other fields, and the
  form's own hidden values always win over anything posted.
* ``stop``: the unsubscribe link (``List-Unsubscribe``): pauses reminders, in one click from a mail
  client (RFC 8058) or after asking, from a browser.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from itsdangerous import BadData
from itsdangerous import SignatureExpired
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer

from bot.messages import Form
from bot.messages import Message
from bot.serialize import message_from_dict
from bot.serialize import message_to_dict

ACT, FORM, STOP = "act", "form", "stop"
PATHS = {ACT: "/email/act/", FORM: "/email/form/", STOP: "/email/stop/"}
STOP_ACTION = "command"  # the same as typing ``pause`` in chat
STOP_VALUES = {"text": "pause"}


class LinkRefused(Exception):
    """A link that is not honoured; ``reason`` is ``forged`` or ``expired``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Link:
    kind: str
    person_id: int
    action: str
    values: dict[str, str]
    link_id: str
    form: Form | None = None
    label: str = ""  # what the button said, shown on the page that asks
    context: str = ""  # what the message with the button was about
    inputs: tuple[str, ...] = field(default=())


class LinkSigner:
    def __init__(self, secret: str, public_url: str, days: int, now: Callable[[], datetime]) -> None:
        self.public_url = public_url.rstrip("/")
        self.max_age = days * 24 * 3600
        self.days = days
        self._now = now

        clock = now

        class _ClockSigner(TimestampSigner):
            # the bot's clock, not the machine's: tests move it, and so does ``tick --now``
            def get_timestamp(self) -> int:
                return int(clock().timestamp())

        self._serializer = URLSafeTimedSerializer(secret, salt="mentorbot.email.link", signer=_ClockSigner)

    # -- making ---------------------------------------------------------------------------------------
    def token(
        self,
        kind: str,
        person_id: int,
        action: str,
        values: dict[str, str],
        *,
        form: Form | None = None,
        label: str = "",
        context: str = "",
    ) -> str:
        data: dict[str, Any] = {
            "k": kind,
            "p": person_id,
            "a": action,
            "v": dict(values),
            "n": secrets.token_urlsafe(12),
        }
        if form is not None:
            data["f"] = message_to_dict(Message((form,)))
        if label:
            data["l"] = label[:200]
        if context:
            data["c"] = context[:200]
        return str(self._serializer.dumps(data))

    def url(self, kind: str, person_id: int, action: str, values: dict[str, str], **extra: Any) -> str:
        return f"{self.public_url}{PATHS[kind]}{self.token(kind, person_id, action, values, **extra)}"

    def button_url(
        self, person_id: int, action: str, values: dict[str, str], label: str, context: str = ""
    ) -> str:
        return self.url(ACT, person_id, action, values, label=label, context=context)

    def form_url(self, person_id: int, form: Form) -> str:
        return self.url(FORM, person_id, form.submit_action, dict(form.hidden), form=form)

    def stop_url(self, person_id: int) -> str:
        return self.url(STOP, person_id, STOP_ACTION, STOP_VALUES)

    # -- reading ---------------------------------------------------------------------------------------
    def read(self, kind: str, token: str) -> Link:
        """The link ``token`` stands for; LinkRefused when it is forged, changed, expired or of another
        kind (a button's link does not open as a form)."""
        try:
            data = self._serializer.loads(token, max_age=self.max_age)
        except SignatureExpired:
            raise LinkRefused("expired") from None
        except BadData:
            raise LinkRefused("forged") from None
        try:
            if data["k"] != kind:
                raise LinkRefused("forged")
            form = None
            if "f" in data:
                form = message_from_dict(data["f"]).form
            return Link(
                kind=kind,
                person_id=int(data["p"]),
                action=str(data["a"]),
                values={str(k): str(v) for k, v in dict(data["v"]).items()},
                link_id=str(data["n"]),
                form=form,
                label=str(data.get("l", "")),
                context=str(data.get("c", "")),
                inputs=tuple(i.name for i in form.inputs) if form is not None else (),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            # signed by us but not a link (another use of the same key, an old format): refused as well
            raise LinkRefused("forged") from None
