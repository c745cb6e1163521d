"""One e-mail from one neutral message: headers, the text and HTML parts, the files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from email.utils import make_msgid

from bot.catalogue import TextLookup
from bot.messages import Message
from bot.model import Person
from handlers.email.links import LinkSigner
from handlers.email.render import render
from handlers.email.render import subject_of
from handlers.email.render import view_of

CALENDAR = "text/calendar"
BUTTON_STYLE = (
    "display:inline-block;padding:.55em 1em;background:#1a4b8c;color:#ffffff;"
    "text-decoration:none;border-radius:4px;font-weight:bold"
)


@dataclass(frozen=True)
class Composer:
    signer: LinkSigner
    texts: TextLookup
    programme: str
    mail_from: Address

    def compose(self, person: Person, message: Message, now_text: str) -> EmailMessage:
        assert person.id is not None
        pid = person.id
        view = view_of(
            [message],
            lambda action, values, label, context: self.signer.button_url(
                pid, action, values, label, context
            ),
            lambda form: self.signer.form_url(pid, form),
        )
        subject = subject_of(message, self.programme)
        stop_url = self.signer.stop_url(pid)
        values = {
            "view": view,
            "subject": subject,
            "programme": self.programme,
            "has_links": any(b["kind"] in ("buttons", "form_link") for b in view.blocks),
            "has_calendar": any(a.mime_type.startswith(CALENDAR) for a in view.attachments),
            "actions_hint": self.texts("email.mail.actions"),
            "calendar_hint": self.texts("email.mail.calendar"),
            "footer": self.texts("email.mail.footer"),
            "stop_label": self.texts("email.mail.unsubscribe"),
            "stop_url": stop_url,
            "style": {"button": BUTTON_STYLE},
        }
        mail = EmailMessage()
        mail["Subject"] = subject
        mail["From"] = self.mail_from
        mail["To"] = Address(display_name=person.name, addr_spec=person.email)
        mail["Date"] = now_text
        mail["Message-ID"] = make_msgid(domain=self.mail_from.domain)
        mail["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to the bot
        # one click from the mail client pauses reminders (RFC 2369, RFC 8058)
        mail["List-Unsubscribe"] = f"<{stop_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        mail.set_content(render("email.txt.j2", **values))
        mail.add_alternative(render("email.html.j2", **values), subtype="html")
        for attachment in view.attachments:
            maintype, _, subtype = attachment.mime_type.partition("/")
            params: dict[str, str] = {}
            if attachment.mime_type == CALENDAR:
                # the METHOD inside the invite (REQUEST or CANCEL), also on the part: what clients read
                for line in attachment.content.splitlines():
                    if line.upper().startswith("METHOD:"):
                        params["method"] = line.split(":", 1)[1].strip()
            mail.add_attachment(
                attachment.content,
                subtype=subtype or "plain",
                filename=attachment.filename,
                params=params,
            )
            if maintype != "text":  # every file the bot makes is text (bot.messages.Attachment)
                raise ValueError(f"cannot attach {attachment.mime_type}")
        return mail


def date_header(now: datetime) -> str:
    return format_datetime(now)
