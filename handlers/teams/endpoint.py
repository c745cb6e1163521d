"""``POST /api/messages``: the Bot Framework endpoint, and the adapter behind it.

botbuilder 4.17.x ``CloudAdapter.process()`` serializes invoke responses a second time and answers HTTP
500 to every Adaptive Card ``Action.Execute``, task module or other invoke. So this endpoint does what
``process()`` should: it authenticates the request, runs ``process_activity`` itself and returns the
invoke body as it is.

Authentication: with ``MICROSOFT_APP_ID`` set, a request must carry a Bot Framework token (checked by
botbuilder against Microsoft's published keys); one without a valid token is refused with 401. Without
an app id the endpoint runs in local anonymous mode, for the Agents Playground: then it answers only
requests from this machine (loopback), since without tokens anyone who can reach it could write as any
Teams user.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus

import aiohttp
from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from handlers.teams import msrest_fix
from handlers.teams.config import TeamsConfig

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TurnLogic = Callable[[TurnContext], Awaitable[None]]


def build_adapter(config: TeamsConfig) -> CloudAdapter:
    msrest_fix.apply()  # ~15 ms less CPU per turn and per proactive send (see the module)
    auth = ConfigurationBotFrameworkAuthentication(config.botbuilder_configuration())
    return CloudAdapter(auth)


def messages_handler(adapter: CloudAdapter, logic: TurnLogic, *, loopback_only: bool = False) -> Handler:
    async def messages(request: web.Request) -> web.StreamResponse:
        if loopback_only and not _is_loopback(request.remote):
            log.warning(
                "Teams: refused a request from %s: without MICROSOFT_APP_ID only this machine may call %s",
                request.remote,
                MESSAGES_PATH,
            )
            return web.json_response({"error": "unauthorized"}, status=HTTPStatus.UNAUTHORIZED)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "the body is not JSON"}, status=400)
        if not isinstance(body, dict):
            return web.json_response({"error": "expected an activity object"}, status=400)
        activity = Activity().deserialize(body)
        if not activity.type:
            return web.json_response({"error": "the activity has no type"}, status=400)

        auth_header = request.headers.get("Authorization", "")
        try:
            authenticated = await adapter.bot_framework_authentication.authenticate_request(
                activity, auth_header
            )
        except PermissionError:
            log.info("Teams: request refused: no valid token")
            return web.json_response({"error": "unauthorized"}, status=HTTPStatus.UNAUTHORIZED)
        except (aiohttp.ClientError, TimeoutError, ConnectionError) as err:
            # Microsoft's signing keys could not be fetched: nothing the caller did wrong
            log.warning("Teams: could not check a token: %s", type(err).__name__)
            return web.json_response({"error": "authentication unavailable"}, status=503)
        except Exception as err:  # a malformed token the JWT library rejects
            log.info("Teams: request refused: %s", type(err).__name__)
            return web.json_response({"error": "unauthorized"}, status=HTTPStatus.UNAUTHORIZED)

        invoke_response = await adapter.process_activity(authenticated, activity, logic)
        if invoke_response is None:
            return web.Response(status=HTTPStatus.OK)
        if invoke_response.body is None:
            return web.Response(status=invoke_response.status)
        # the body is already plain JSON data: returned as it is (the 4.17.x workaround)
        return web.json_response(invoke_response.body, status=invoke_response.status)

    return messages


def _is_loopback(remote: str | None) -> bool:
    if not remote:
        return False
    try:
        return ipaddress.ip_address(remote.split("%")[0]).is_loopback
    except ValueError:
        return False
