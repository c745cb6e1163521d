"""A forged Teams token cannot freeze the process (issue 13, item 4).

With an app id set, a self-signed RS256 token that claims the Bot Framework as its issuer makes
botbuilder fetch Microsoft's signing keys. Here the key endpoint is a loopback server that takes 15
seconds to answer. While such a request waits, ``/healthz`` and a Slack acknowledgement still answer at
once (the bound below is generous: a correctness check, not a benchmark); the forged request is refused
within the fetch timeout; and a second one during the back-off does not touch the key endpoint again.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Iterator

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer
from botframework.connector.auth import ChannelValidation
from cryptography.hazmat.primitives.asymmetric import rsa
from fake_slack import FakeSlack
from jwt.algorithms import RSAAlgorithm
from slack_harness import Harness
from slack_harness import People
from slack_harness import make_runtime
from slack_harness import slack_env
from sqlalchemy import Engine

from bot.clock import FixedClock
from bot.programme import ProgrammeConfig
from mentorbot.channels import mount_slack
from mentorbot.channels import mount_teams
from mentorbot.server import build_app
from storage.uow import SqlUnitOfWorkFactory

APP_ID = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
SLOW_SECONDS = 15.0
PROMPT_SECONDS = 2.0


class SlowKeys:
    """An OpenID metadata endpoint on loopback that answers after ``SLOW_SECONDS``. It runs in a thread
    with its own event loop, as Microsoft's endpoint runs elsewhere: a fetch that blocks mentorbot's loop
    must not also block the endpoint."""

    def __init__(self) -> None:
        self.hits = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def metadata(self, request: web.Request) -> web.Response:
        self.hits += 1
        await asyncio.sleep(SLOW_SECONDS)
        return web.json_response({"jwks_uri": str(request.url.with_path("/keys"))})

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/openid", self.metadata)
        self.runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def start(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)

    def stop(self) -> None:
        if self.runner is not None:
            asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/openid"


@pytest.fixture
def slow_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowKeys]:
    keys = SlowKeys()
    keys.start()
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", keys.url)
    yield keys
    keys.stop()


@pytest.fixture
async def both(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    fake_slack: FakeSlack,
    people: People,
) -> AsyncIterator[Harness]:
    env = slack_env(fake_slack, MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="not-a-real-secret")
    runtime = make_runtime(engine, uow_factory, programme, clock, env)
    client: TestClient[web.Request, web.Application] = TestClient(
        TestServer(build_app(runtime, [mount_slack, mount_teams]))
    )
    await client.start_server()
    yield Harness(client, fake_slack, runtime)
    await client.close()


def forged_token() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "exp": int(time.time()) + 600,
        "nbf": int(time.time()) - 10,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "forged-key"})


async def forged_request(both: Harness, token: str) -> int:
    activity = {
        "type": "message",
        "id": "1",
        "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "from": {"id": "29:attacker", "aadObjectId": "00000000-0000-0000-0000-000000000001"},
        "conversation": {"id": "a:attacker", "conversationType": "personal"},
        "recipient": {"id": f"28:{APP_ID}"},
        "text": "help",
    }
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with both.client.post("/api/messages", data=json.dumps(activity), headers=headers) as resp:
        return resp.status


async def timed(work: Awaitable[int]) -> tuple[float, int]:
    started = time.monotonic()
    result = await work
    return time.monotonic() - started, result


async def test_a_forged_token_with_a_slow_key_endpoint_does_not_stall_healthz_or_slack(
    both: Harness, slow_keys: SlowKeys
) -> None:
    token = forged_token()
    sent = time.monotonic()
    forged = asyncio.ensure_future(forged_request(both, token))
    while not slow_keys.hits and time.monotonic() - sent < 30:  # the forged request asks for the keys
        await asyncio.sleep(0.01)
    assert slow_keys.hits == 1

    async def healthz() -> int:
        async with both.client.get("/healthz") as resp:
            return resp.status

    # counted from when the forged request was sent: nothing may have to wait for the key endpoint
    assert await healthz() in (200, 503)
    took = time.monotonic() - sent
    assert took < PROMPT_SECONDS, f"/healthz answered {took:.1f} s after the forged request"
    slack_status, _ = await both.dm("U0MENTEE", "help")
    took = time.monotonic() - sent
    assert slack_status == 200 and took < PROMPT_SECONDS, f"Slack's ack came {took:.1f} s after it"
    assert not forged.done()  # still waiting for the keys, off the loop

    started = time.monotonic()
    status = await forged
    assert status in (401, 503)
    assert time.monotonic() - started < SLOW_SECONDS - 5  # given up on the key endpoint in time

    # during the back-off another forged request is refused at once, without asking again
    took, status = await timed(forged_request(both, token))
    assert status in (401, 503) and took < PROMPT_SECONDS
    assert slow_keys.hits == 1


class FastKeys(SlowKeys):
    """The same endpoint answering at once, publishing one RSA key (``kid`` "published")."""

    def __init__(self) -> None:
        super().__init__()
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_hits = 0

    async def metadata(self, request: web.Request) -> web.Response:
        self.hits += 1
        return web.json_response({"jwks_uri": str(request.url.with_path("/keys"))})

    async def keys(self, request: web.Request) -> web.Response:
        self.key_hits += 1
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return web.json_response({"keys": [{**jwk, "kid": "published", "endorsements": ["msteams"]}]})

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/openid", self.metadata)
        app.router.add_get("/keys", self.keys)
        self.runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


async def test_keys_are_fetched_once_and_checked_with_botbuilders_rules(
    both: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = FastKeys()
    keys.start()
    try:
        monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", keys.url)
        claims = {"iss": "https://api.botframework.com", "exp": int(time.time()) + 600}
        # signed with the published key, but for another bot: the signature checks, the audience does not
        other_bot = jwt.encode(
            {**claims, "aud": "another-bot"}, keys.key, algorithm="RS256", headers={"kid": "published"}
        )
        unknown_kid = jwt.encode(
            {**claims, "aud": APP_ID}, keys.key, algorithm="RS256", headers={"kid": "not-published"}
        )
        for token in (other_bot, unknown_kid, other_bot):
            assert await forged_request(both, token) == 401
        assert (keys.hits, keys.key_hits) == (1, 1)  # cached: one fetch for all three
    finally:
        keys.stop()
