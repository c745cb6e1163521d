"""Mount the e-mail channel: its outbox sender and the pages behind its links, when it is configured.

Off without ``MENTORBOT_SMTP_URL`` (one log line says how to turn it on); ``SystemExit`` with what to fix
when it is set but ``MENTORBOT_MAIL_FROM``, ``MENTORBOT_PUBLIC_URL`` or ``MENTORBOT_LINK_SECRET`` is
missing or malformed -- at start-up, never at the first send.
"""

from __future__ import annotations

import logging

from aiohttp import web

from handlers.email.compose import Composer
from handlers.email.config import HOW_TO_TURN_ON
from handlers.email.config import EmailConfig
from handlers.email.config import EmailConfigError
from handlers.email.links import LinkSigner
from handlers.email.pages import LinkPages
from handlers.email.sender import EmailSender
from mentorbot.wiring import Runtime

log = logging.getLogger(__name__)


def email_config(runtime: Runtime) -> EmailConfig | None:
    try:
        return EmailConfig.from_env(runtime.settings.env)
    except EmailConfigError as err:
        raise SystemExit(str(err)) from None


def mount_email(app: web.Application, runtime: Runtime) -> None:
    config = email_config(runtime)
    if config is None:
        log.info(HOW_TO_TURN_ON)
        return
    signer = LinkSigner(config.secret, config.public_url, config.link_days, runtime.clock.now)
    texts = runtime.programme.text
    composer = Composer(signer, texts, runtime.programme.name, config.mail_from)
    runtime.senders["email"] = EmailSender(config, composer, runtime.clock.now)
    app.router.add_routes(LinkPages(runtime.bot, signer, texts, runtime.programme.name).routes())
    log.info(
        "E-mail is on: %s via %s:%s (%s); links at %s/email/",
        config.mail_from.addr_spec,
        config.host,
        config.port,
        config.security,
        config.public_url,
    )
