"""Links in e-mails act once: the record of the ones already used.

An e-mail's button is a signed, expiring link for one person and one action (``handlers.email``
signs and checks it); the signature cannot say whether it was used already, so each use is recorded
here under the link's own id, in the same transaction as the action it performs
(``MentorBot.act_by_link``): either both are stored or neither.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class LinkLedger(Protocol):
    def spend(self, link_id: str, person_id: int, action: str, at: datetime) -> bool:
        """Record that the link was used; False when it had been used before (nothing recorded)."""
        ...
