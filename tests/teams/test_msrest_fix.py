"""The msrest fix (handlers/teams/msrest_fix.py) keeps the Bot Connector client's retry policy as it was:
the same statuses are retried inside the client (5xx, 408), and a 429 still comes straight back to the
outbox sender, which waits out its Retry-After."""

from __future__ import annotations

from msrest.universal_http.requests import ClientRetryPolicy

from handlers.teams.config import TeamsConfig
from handlers.teams.http import build_adapter

# msrest 0.7.1's own definition: everything is retried except these "safe" codes
SAFE = [i for i in range(500) if i != 408] + [501, 505]
RETRIED = [i for i in range(999) if i not in SAFE]


def test_the_connector_client_retries_the_same_statuses_once_the_adapter_is_built() -> None:
    build_adapter(TeamsConfig())
    policy = ClientRetryPolicy().policy
    assert policy.status_forcelist == RETRIED
    assert {408, 500, 502, 503, 504} <= set(policy.status_forcelist)
    assert not {200, 400, 401, 403, 404, 429, 501, 505} & set(policy.status_forcelist)
    assert policy.total == 3
