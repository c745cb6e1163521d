"""HTTP transport: aiohttp requests to bolt requests and bolt responses back (the two translations),
and the thin handlers for ``/slack/events`` and the OAuth pages."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from handlers.slack.shape import slack_shaped

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# the largest body /slack/events reads: Slack's events, slash commands and interactivity payloads (a
# modal's whole state included) are a few kilobytes; the rest of the server allows more
MAX_EVENT_BODY = 256 * 1024
SIGNATURE_MAX_AGE = 5 * 60  # seconds, as Slack asks


def bolt_headers(request: web.Request) -> dict[str, str | Sequence[str]]:
    headers: dict[str, str | Sequence[str]] = {}
    for name, value in request.headers.items():
        previous = headers.get(name.lower())
        headers[name.lower()] = [*previous, value] if isinstance(previous, list) else [value]
    return headers


async def bolt_request(request: web.Request) -> AsyncBoltRequest:
    return AsyncBoltRequest(
        body=await request.text(), query=request.query_string, headers=bolt_headers(request)
    )


def aiohttp_response(response: BoltResponse) -> web.Response:
    headers = {
        name: values[0]
        for name, values in response.headers.items()
        if name.lower() != "set-cookie" and values
    }
    result = web.Response(status=response.status, body=(response.body or "").encode(), headers=headers)
    for cookie in response.cookies():
        for name, morsel in cookie.items():
            result.set_cookie(
                name,
                morsel.value,
                max_age=morsel.get("max-age") or None,
                path=morsel.get("path") or "/",
                secure=True,
                httponly=True,
            )
    return result


def events_handler(app: AsyncApp, signing_secret: str) -> Handler:
    """``POST /slack/events``: events, interactivity and slash commands.

    The signature is checked here on the raw bytes, before anything is decoded or parsed: a body Slack
    did not sign is refused with 401 whatever it holds, so only Slack's own bodies reach a parser. A
    signed body that cannot be read (not UTF-8, not the JSON or form it claims to be, nested deeper than a
    parser goes, not shaped like Slack's payloads: :mod:`handlers.slack.shape`) is a 400; one over
    :data:`MAX_EVENT_BODY` a 413. Bolt then checks the signature again, as it always does.
    """
    secret = signing_secret.encode()

    async def handle(request: web.Request) -> web.StreamResponse:
        if (request.content_length or 0) > MAX_EVENT_BODY:
            raise web.HTTPRequestEntityTooLarge(MAX_EVENT_BODY, request.content_length or 0)
        raw = await request.read()
        if len(raw) > MAX_EVENT_BODY:
            raise web.HTTPRequestEntityTooLarge(MAX_EVENT_BODY, len(raw))
        if not signed_by_slack(secret, raw, request.headers, time.time()) and not is_ssl_check(raw):
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            bolt = AsyncBoltRequest(
                body=raw.decode(), query=request.query_string, headers=bolt_headers(request)
            )
        except Exception as err:  # bolt reads the body as it builds the request
            log.info("Slack: a signed request could not be read: %s", type(err).__name__)
            return web.json_response({"error": "unreadable body"}, status=400)
        if not slack_shaped(bolt.body):
            log.info("Slack: a signed request does not have the shape of a Slack payload")
            return web.json_response({"error": "not a Slack payload"}, status=400)
        return aiohttp_response(await app.async_dispatch(bolt))

    return handle


def signed_by_slack(secret: bytes, raw: bytes, headers: Mapping[str, str], now: float) -> bool:
    """Slack's v0 signature of these exact bytes, made less than five minutes ago (or ahead)."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not (timestamp.isascii() and timestamp.isdecimal()) or abs(now - int(timestamp)) > SIGNATURE_MAX_AGE:
        return False
    expected = hmac.new(secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v0={expected}".encode(), signature.encode(errors="replace"))


def is_ssl_check(raw: bytes) -> bool:
    """Slack's check of a slash command URL's certificate, which bolt answers without a signature."""
    return parse_qs(raw.decode(errors="replace")).get("ssl_check") == ["1"]


def install_handler(app: AsyncApp) -> Handler:
    """``GET /slack/install``: the "Add to Slack" page."""

    async def handle(request: web.Request) -> web.StreamResponse:
        assert app.oauth_flow is not None
        return aiohttp_response(await app.oauth_flow.handle_installation(await bolt_request(request)))

    return handle


def redirect_handler(app: AsyncApp) -> Handler:
    """``GET /slack/oauth_redirect``: Slack sends the admin back here with a code to exchange."""

    async def handle(request: web.Request) -> web.StreamResponse:
        assert app.oauth_flow is not None
        return aiohttp_response(await app.oauth_flow.handle_callback(await bolt_request(request)))

    return handle
