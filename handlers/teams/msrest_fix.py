"""A fix for a hot spot in ``msrest`` 0.7.1, the HTTP layer under botbuilder's connector clients.

Every msrest ``Configuration`` builds a ``ClientRetryPolicy``, which works out the status codes to retry
with ``[i for i in range(999) if i not in self.safe_codes]`` -- ``safe_codes`` being a *list* of 500
numbers, so half a million comparisons: about 7.6 ms of CPU on the event loop. botbuilder's
``CloudAdapter`` builds two such clients for every turn (connector and user-token client) and one for
every proactive send, so this cost ~15 ms per Teams message, more than everything mentorbot itself does
for a typical answer, and it blocked the loop that acknowledges Slack events (``bench/teams_dm.py``).

Making ``safe_codes`` a frozenset gives the same retry policy (it is only ever used for membership) in
about 0.1 ms. msrest is no longer developed, so the fix lives here, next to the only code that uses it.
"""

from __future__ import annotations

from msrest.universal_http.requests import ClientRetryPolicy


def apply() -> None:
    """Idempotent; called when the Teams adapter is built."""
    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)
