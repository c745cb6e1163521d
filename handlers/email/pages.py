"""The small pages behind the links in e-mails, served by ``serve`` (aiohttp + Jinja2).

``GET`` only shows: what a button will do (and a button to do it), or a form. ``POST`` acts -- so mail
scanners and link previews, which open links, change nothing. What a link does goes through the same
workflow as the button in chat (``MentorBot.act_by_link``), and the page shows the bot's answer, its
buttons again as links and its forms as HTML forms. A forged, changed, expired or used link gets a page
that says so, and nothing is done.

Every page is ``no-store`` and sends no referrer: the link in its address acts for its person.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.app import Handled
from bot.app import MentorBot
from bot.catalogue import TextLookup
from bot.messages import Attachment
from bot.messages import Form
from bot.messages import Input
from bot.messages import InputKind
from bot.messages import Message
from bot.messages import Text
from handlers.email.compose import BUTTON_STYLE
from handlers.email.links import ACT
from handlers.email.links import FORM
from handlers.email.links import STOP
from handlers.email.links import Link
from handlers.email.links import LinkRefused
from handlers.email.links import LinkSigner
from handlers.email.render import render
from handlers.email.render import rich
from handlers.email.render import view_of

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
}
MAX_FIELD = 20_000  # characters of one posted field; the workflows check their own limits after that
INPUT_TYPES = {
    InputKind.DATE: "date",
    InputKind.TIME: "time",
    InputKind.DATETIME: "datetime-local",
    InputKind.NUMBER: "number",
}


class LinkPages:
    def __init__(self, bot: MentorBot, signer: LinkSigner, texts: TextLookup, programme: str) -> None:
        self.bot = bot
        self.signer = signer
        self.texts = texts
        self.programme = programme

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/email/act/{token}", self.ask),
            web.post("/email/act/{token}", self.act),
            web.get("/email/form/{token}", self.show_form),
            web.post("/email/form/{token}", self.send_form),
            web.get("/email/stop/{token}", self.ask_stop),
            web.post("/email/stop/{token}", self.stop),
        ]

    # -- buttons -----------------------------------------------------------------------------------
    async def ask(self, request: web.Request) -> web.Response:
        link = self._read(ACT, request)
        if isinstance(link, web.Response):
            return link
        return self._page(
            link.context or self.texts("email.page.confirm"),
            notice=self.texts("email.page.chosen", label=link.label) if link.label else "",
            confirm=True,
        )

    async def act(self, request: web.Request) -> web.Response:
        link = self._read(ACT, request)
        if isinstance(link, web.Response):
            return link
        return await self._perform(link, link.values)

    # -- forms -------------------------------------------------------------------------------------
    async def show_form(self, request: web.Request) -> web.Response:
        link = self._read(FORM, request)
        if isinstance(link, web.Response):
            return link
        assert link.form is not None
        return self._page(link.form.title, messages=[Message((link.form,))], person_id=link.person_id)

    async def send_form(self, request: web.Request) -> web.Response:
        link = self._read(FORM, request)
        if isinstance(link, web.Response):
            return link
        assert link.form is not None
        posted = await request.post()
        kinds = {i.name: i.kind for i in link.form.inputs}
        values: dict[str, str] = {}
        for name in link.inputs:  # only the fields the form names; its hidden values win
            given = [str(v)[:MAX_FIELD] for v in posted.getall(name, []) if isinstance(v, str)]
            if kinds.get(name) == InputKind.MULTI_CHOICE:
                values[name] = ",".join(given)
            else:
                value = given[0] if given else ""
                values[name] = value.replace("T", " ", 1) if kinds.get(name) == InputKind.DATETIME else value
        return await self._perform(link, {**values, **link.values})

    # -- unsubscribe -------------------------------------------------------------------------------
    async def ask_stop(self, request: web.Request) -> web.Response:
        link = self._read(STOP, request)
        if isinstance(link, web.Response):
            return link
        return self._page(self.texts("email.page.unsubscribe"), confirm=True)

    async def stop(self, request: web.Request) -> web.Response:
        """Also the one-click unsubscribe of mail clients (RFC 8058: a POST without asking)."""
        link = self._read(STOP, request)
        if isinstance(link, web.Response):
            return link
        return await self._perform(link, link.values)

    # -- the parts -----------------------------------------------------------------------------------
    def _read(self, kind: str, request: web.Request) -> Link | web.Response:
        try:
            return self.signer.read(kind, request.match_info["token"])
        except LinkRefused as refused:
            text = self.texts(f"email.link.{refused.reason}", days=self.signer.days)
            return self._page(
                self.texts("email.page.refused"),
                notice=text,
                refused=True,
                status=410 if refused.reason == "expired" else 400,
            )

    async def _perform(self, link: Link, values: dict[str, str]) -> web.Response:
        handled: Handled = await asyncio.to_thread(
            self.bot.act_by_link, link.person_id, link.link_id, link.action, values
        )
        # no person: the link's person has left the programme since (the bot says so; nothing was done)
        refused = handled.failed or handled.person_id is None
        heading = self.texts("email.page.refused" if refused else "email.page.done")
        messages = handled.messages
        if handled.person_id is None and not handled.failed:
            messages = [Message((Text(self.texts("email.link.gone")),))]
        with_files = [m for m in messages if any(isinstance(b, Attachment) for b in m.blocks)]
        if with_files and not refused:
            # a page cannot hand over a calendar invite the way a mail client takes it: it goes by e-mail
            # (through the outbox, once per link), and the page says so
            await asyncio.to_thread(
                self.bot.defer_replies, link.person_id, with_files, f"link:{link.link_id}", "email"
            )
            messages = [*messages, Message((Text(self.texts("email.page.invite_sent")),))]
        return self._page(
            heading,
            messages=messages,
            person_id=link.person_id,
            refused=refused,
            status=400 if refused else 200,
        )

    def _page(
        self,
        heading: str,
        *,
        messages: list[Message] | None = None,
        person_id: int | None = None,
        notice: str = "",
        refused: bool = False,
        confirm: bool = False,
        status: int = 200,
    ) -> web.Response:
        view = None
        form_action: Callable[[Form], str] = lambda form: ""  # noqa: E731
        if messages is not None and person_id is not None:
            pid = person_id
            view = view_of(
                messages,
                lambda action, values, label, context: self.signer.button_url(
                    pid, action, values, label, context
                ),
                None,
            )
            form_action = lambda form: self.signer.form_url(pid, form)  # noqa: E731
        values: dict[str, Any] = {
            "programme": self.programme,
            "heading": heading,
            "notice": notice,
            "refused": refused,
            "view": view,
            "form_action": form_action,
            "input_type": input_type,
            "input_value": input_value,
            "rich": rich,
            "confirm": self.texts("email.page.continue") if confirm else "",
            "nothing_yet": self.texts("email.page.nothing_yet"),
            "style": {"button": BUTTON_STYLE},
        }
        return web.Response(
            text=render("page.html.j2", **values),
            content_type="text/html",
            charset="utf-8",
            status=status,
            headers=HEADERS,
        )


def input_type(field: Input) -> str:
    return INPUT_TYPES.get(field.kind, "text")


def input_value(field: Input) -> str:
    """The pre-filled value as the browser's input wants it (``datetime-local``: a ``T``)."""
    if field.kind == InputKind.DATETIME:
        return field.value.replace(" ", "T", 1)
    return field.value
