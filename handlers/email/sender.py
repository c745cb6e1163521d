"""The e-mail sender for the outbox dispatcher: one message, one e-mail, through SMTP (aiosmtplib).

The dispatcher paces, retries and records, as for Slack and Teams (``ChannelSender``); this class only
sends and says how it went:

* the server refused the recipient for good (5xx on RCPT) → NotReachable: coordinators see the reason;
* a temporary refusal (4xx), a timeout, a connection or TLS failure → RetryLater (backoff, then the
  dead letters after the last attempt);
* anything else the server refuses (5xx on the message itself) → PermanentFailure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import aiosmtplib

from bot.messages import Message
from bot.model import ChatIdentity
from bot.model import Person
from bot.sending import NotReachable
from bot.sending import PermanentFailure
from bot.sending import RateLimit
from bot.sending import RetryLater
from handlers.email.compose import Composer
from handlers.email.compose import date_header
from handlers.email.config import EmailConfig

log = logging.getLogger(__name__)

# a relay takes a few messages a second; one person rarely gets more than one a minute
RATE_LIMIT = RateLimit(per_second=1.0, global_per_second=5.0)


@dataclass(eq=False, repr=False)  # one sender per channel, compared by identity; no repr of its credentials
class EmailSender:
    """Sends through the SMTP server in ``config``; ``now`` dates each e-mail."""

    platform = "email"
    config: EmailConfig
    composer: Composer
    now: Callable[[], datetime]
    rate_limit: RateLimit = RATE_LIMIT

    def rate_key(self, identity: ChatIdentity) -> str:
        return f"email:{identity.external_id.lower()}"

    async def send(self, person: Person, identity: ChatIdentity, message: Message) -> None:
        mail = self.composer.compose(person, message, date_header(self.now()))
        c = self.config
        try:
            await aiosmtplib.send(
                mail,
                recipients=[identity.external_id],
                hostname=c.host,
                port=c.port,
                username=c.username or None,
                password=c.password or None,
                use_tls=c.security == "tls",
                start_tls=c.security == "starttls",
                timeout=20,
            )
        except aiosmtplib.SMTPRecipientsRefused as err:
            codes = [r.code for r in err.recipients]
            if codes and all(500 <= code < 600 for code in codes):
                raise NotReachable(f"the mail server refused the address ({codes[0]})") from err
            raise RetryLater(f"the mail server deferred the address ({codes[0] if codes else '?'})") from err
        except aiosmtplib.SMTPResponseException as err:
            if 400 <= err.code < 500:
                raise RetryLater(f"the mail server said {err.code}: try later") from err
            raise PermanentFailure(f"the mail server refused the message ({err.code})") from err
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as err:
            raise RetryLater(f"mail server: {type(err).__name__}") from err
