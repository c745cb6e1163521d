"""HTTP transport: aiohttp requests to bolt requests and bolt responses back (the two translations),
and the thin handlers for ``/slack/events`` and the OAuth pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def bolt_request(request: web.Request) -> AsyncBoltRequest:
    headers: dict[str, str | Sequence[str]] = {}
    for name, value in request.headers.items():
        previous = headers.get(name.lower())
        headers[name.lower()] = [*previous, value] if isinstance(previous, list) else [value]
    return AsyncBoltRequest(body=await request.text(), query=request.query_string, headers=headers)


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


def events_handler(app: AsyncApp) -> Handler:
    """``POST /slack/events``: events, interactivity and slash commands (bolt verifies the signature)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        return aiohttp_response(await app.async_dispatch(await bolt_request(request)))

    return handle


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
