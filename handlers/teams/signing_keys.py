"""Microsoft's token signing keys, fetched without blocking the event loop: a timeout, a cache, a back-off.

botframework-connector 4.17 (``botframework.connector.auth.jwt_token_extractor._OpenIdMetadata``)
fetches the OpenID metadata and then the JWKS with ``requests.get``: a blocking call made inside the
event loop, without a timeout, whenever its keys are older than a day or a token names a key id it does
not know (at most hourly), and a failure is not remembered. So one unauthenticated request carrying a
self-signed RS256 token, while Microsoft's key endpoint was slow, froze the whole process -- Slack
acknowledgements, ``/healthz``, the scheduler -- for as long as the endpoint took, once per request.

:func:`apply` replaces that class's ``get`` narrowly (the JWT checks themselves stay botbuilder's):

* both documents are fetched with aiohttp, on the loop but never blocking it, within
  :data:`FETCH_TIMEOUT_SECONDS` in all;
* one refresh at a time per metadata URL: concurrent requests wait for it instead of fetching again;
* keys are kept for a day, and a token naming an unknown key id refetches at most once an hour (both
  botbuilder's own rules);
* a failed fetch is remembered: for :data:`FIRST_BACKOFF_SECONDS`, doubling per failure up to
  :data:`MAX_BACKOFF_SECONDS`, a request that needs the keys is answered at once with
  :class:`KeysUnavailable` (a ``ConnectionError``: the endpoint answers 503) without asking Microsoft.

The state lives on botbuilder's per-URL metadata objects (``JwtTokenExtractor.metadataCache``).
Moving to the Microsoft 365 Agents SDK removes this module with the rest of the Teams folder.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from typing import Any

import aiohttp
from botframework.connector.auth import jwt_token_extractor
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 5.0  # metadata and JWKS together
FIRST_BACKOFF_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 300.0
KEYS_MAX_AGE_SECONDS = 24 * 3600.0
UNKNOWN_KID_REFRESH_SECONDS = 3600.0
MAX_DOCUMENT_BYTES = 1_000_000

_Metadata = jwt_token_extractor._OpenIdMetadata  # the one class this module fixes
_Config = jwt_token_extractor._OpenIdConfig


class KeysUnavailable(ConnectionError):
    """Microsoft's signing keys could not be fetched just now (or recently): no token can be checked."""


class _State:
    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.fetched_at: float | None = None  # time.monotonic() of the last successful fetch
        self.failures = 0
        self.retry_at = 0.0  # no fetch before this monotonic instant after a failure
        self.locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self.locks.get(loop)
        if lock is None:
            lock = self.locks[loop] = asyncio.Lock()
        return lock


def _state(metadata: Any) -> _State:
    state = metadata.__dict__.get("_mentorbot_keys")
    if state is None:
        state = metadata.__dict__["_mentorbot_keys"] = _State()
    return state  # type: ignore[no-any-return]


async def _get(self: Any, key_id: str) -> Any:
    """Replacement for ``_OpenIdMetadata.get``: the key ``key_id`` as botbuilder's ``_OpenIdConfig``."""
    state = _state(self)
    now = time.monotonic()
    if state.fetched_at is None or now - state.fetched_at > KEYS_MAX_AGE_SECONDS:
        await _refresh(self.url, state)
    key = _find(state.keys, key_id)
    if key is None:
        assert state.fetched_at is not None
        if time.monotonic() - state.fetched_at > UNKNOWN_KID_REFRESH_SECONDS:
            await _refresh(self.url, state)
            key = _find(state.keys, key_id)
    if key is None:
        raise PermissionError("the token names a signing key Microsoft does not publish")
    return key


async def _refresh(url: str, state: _State) -> None:
    started = time.monotonic()
    async with state.lock():
        if state.fetched_at is not None and state.fetched_at >= started:
            return  # another request refreshed while this one waited
        if time.monotonic() < state.retry_at:
            raise KeysUnavailable("Microsoft's signing keys are unavailable; retrying later")
        try:
            state.keys = await _fetch(url)
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as err:
            state.failures += 1
            backoff = min(FIRST_BACKOFF_SECONDS * 2 ** (state.failures - 1), MAX_BACKOFF_SECONDS)
            state.retry_at = time.monotonic() + backoff
            log.warning(
                "Teams: could not fetch Microsoft's signing keys (%s); next try in %.0f s",
                type(err).__name__,
                backoff,
            )
            raise KeysUnavailable("Microsoft's signing keys could not be fetched") from err
        state.fetched_at = time.monotonic()
        state.failures, state.retry_at = 0, 0.0


async def _fetch(url: str) -> list[dict[str, Any]]:
    timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session, asyncio.timeout(FETCH_TIMEOUT_SECONDS):
        metadata = await _json(session, url)
        keys = (await _json(session, str(metadata["jwks_uri"])))["keys"]
    if not isinstance(keys, list):
        raise ValueError("the JWKS has no list of keys")
    return [k for k in keys if isinstance(k, dict)]


async def _json(session: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with session.get(url) as response:
        response.raise_for_status()
        body = await response.content.read(MAX_DOCUMENT_BYTES + 1)
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ValueError("the key document is too large")
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("the key document is not a JSON object")
    return data


def _find(keys: list[dict[str, Any]], key_id: str) -> Any:
    for key in keys:
        if key.get("kid") == key_id:
            public_key = RSAAlgorithm.from_jwk(json.dumps(key))
            return _Config(public_key, key.get("endorsements", []))
    return None


def apply() -> None:
    """Idempotent; called when the Teams adapter is built."""
    if _Metadata.get is not _get:
        _Metadata.get = _get
