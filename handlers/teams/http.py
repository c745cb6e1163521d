"""``POST /api/messages``: the Bot Framework endpoint, and the adapter behind it.

botbuilder 4.17.x ``CloudAdapter.process()`` serializes invoke responses a second time and answers HTTP
500 to every Adaptive Card ``Action.Execute``, task module or other invoke. So this endpoint does what
``process()`` should: it authenticates the request, runs ``process_activity`` itself and returns the
invoke body as it is.

Authentication: with ``MICROSOFT_APP_ID`` set, a request must carry a Bot Framework token (checked by
botbuilder against Microsoft's published keys); one without a valid token is refused with 401 whatever
its body (without an ``Authorization: Bearer`` header the body is not read at all). In local mode
(``MENTORBOT_TEAMS_LOCAL=1``, for the Agents Playground; see :mod:`handlers.teams.config`) it answers only
requests from this machine (loopback), since without tokens anyone who can reach it could write as any
Teams user. In both modes the activity's ``serviceUrl`` (where the answer goes, and what is stored to
message the person later) must be allowed: loopback in local mode, Microsoft's hosts with a token;
otherwise 403 and nothing is done.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from collections.abc import Awaitable
from collections.abc import Callable
from http import HTTPStatus

import aiohttp
from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from handlers.teams import msrest_fix
from handlers.teams import signing_keys
from handlers.teams.config import TeamsConfig

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
_ID = re.compile(r"[A-Za-z0-9:;@._|=+,\-]{1,512}")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TurnLogic = Callable[[TurnContext], Awaitable[None]]


def build_adapter(config: TeamsConfig) -> CloudAdapter:
    msrest_fix.apply()  # ~15 ms less CPU per turn and per proactive send (see the module)
    signing_keys.apply()  # Microsoft's keys fetched without blocking the loop (see the module)
    auth = ConfigurationBotFrameworkAuthentication(config.botbuilder_configuration())
    return CloudAdapter(auth)


def messages_handler(
    adapter: CloudAdapter,
    logic: TurnLogic,
    *,
    loopback_only: bool = False,
    token_required: bool = False,
    service_url_allowed: Callable[[str], bool] | None = None,
) -> Handler:
    async def messages(request: web.Request) -> web.StreamResponse:
        if loopback_only and not _is_loopback(request.remote):
            log.warning(
                "Teams: refused a request from %s: without MICROSOFT_APP_ID only this machine may call %s",
                request.remote,
                MESSAGES_PATH,
            )
            return web.json_response({"error": "unauthorized"}, status=HTTPStatus.UNAUTHORIZED)
        auth_header = request.headers.get("Authorization", "")
        if token_required and not auth_header.startswith("Bearer "):
            # with an app id every request carries a token: without one, the body is not even read
            log.info("Teams: request refused: no token")
            return web.json_response({"error": "unauthorized"}, status=HTTPStatus.UNAUTHORIZED)
        activity, problem = await read_activity(request)
        try:
            # the token is checked before a problem with the body is told: whoever cannot show a token
            # learns nothing from the answer but 401 (an unreadable body is checked as an empty activity)
            authenticated = await adapter.bot_framework_authentication.authenticate_request(
                activity or Activity(), auth_header
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
        if problem is not None or activity is None:
            return problem or web.json_response({"error": "expected an activity"}, status=400)
        if service_url_allowed is not None and not service_url_allowed(activity.service_url):
            log.warning("Teams: refused an activity whose serviceUrl is not allowed in this mode")
            return web.json_response({"error": "serviceUrl not allowed"}, status=HTTPStatus.FORBIDDEN)

        invoke_response = await adapter.process_activity(authenticated, activity, logic)
        if invoke_response is None:
            return web.Response(status=HTTPStatus.OK)
        if invoke_response.body is None:
            return web.Response(status=invoke_response.status)
        # the body is already plain JSON data: returned as it is (the 4.17.x workaround)
        return web.json_response(invoke_response.body, status=invoke_response.status)

    return messages


async def read_activity(request: web.Request) -> tuple[Activity | None, web.Response | None]:
    """The activity in the body, or the 4xx answer saying why there is none. The body's size is limited by
    the server (413 beyond it); JSON nested deeper than the parser goes is a 400 like any other bad JSON."""
    if "application/json" not in request.headers.get("Content-Type", ""):
        return None, web.json_response({"error": "expected application/json"}, status=415)
    try:
        body = json.loads(await request.read())
    except (ValueError, RecursionError):
        return None, web.json_response({"error": "the body is not JSON"}, status=400)
    if not isinstance(body, dict):
        return None, web.json_response({"error": "expected an activity object"}, status=400)
    try:
        activity = Activity().deserialize(body)
    except Exception as err:  # msrest's DeserializationError and whatever it lets through
        log.info("Teams: not an activity: %s", type(err).__name__)
        return None, web.json_response({"error": "not an activity"}, status=400)
    missing = _missing(activity)
    if missing:
        return None, web.json_response({"error": f"the activity has no {missing}"}, status=400)
    return activity, None


def teams_off_handler(message: str) -> Handler:
    """``/api/messages`` when Teams is off: 404 with a body saying how to turn it on."""

    async def off(request: web.Request) -> web.StreamResponse:
        return web.json_response({"error": "Teams is off", "detail": message}, status=HTTPStatus.NOT_FOUND)

    return off


def _missing(activity: Activity) -> str:
    """What every activity from a Bot Framework channel has and this one lacks (or has malformed): without a
    type there is nothing to do, and without a service URL, a conversation and a sender no one to answer."""
    if not isinstance(activity.type, str) or not activity.type:
        return "type"
    url = activity.service_url
    if not isinstance(url, str) or not url.lower().startswith(("https://", "http://")):
        return "serviceUrl"
    if activity.conversation is None or not _is_id(activity.conversation.id):
        return "conversation"
    if activity.from_property is None or not _is_id(activity.from_property.id):
        return "from"
    if activity.id is not None and not _is_id(activity.id):  # a reply goes to .../activities/{id}
        return "id"
    return ""


def _is_id(value: object) -> bool:
    """Whether ``value`` looks like a Bot Framework id ("a:1x...", "29:1x...", "19:x@thread.v2;messageid=1",
    a GUID): replies put it in URL paths and in a header, where other characters break the request."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def _is_loopback(remote: str | None) -> bool:
    if not remote:
        return False
    try:
        return ipaddress.ip_address(remote.split("%")[0]).is_loopback
    except ValueError:
        return False
