"""The contract between the outbox dispatcher and the chat channels that deliver its messages.

Each channel (Slack, Teams, console/log) provides a :class:`ChannelSender`. The dispatcher picks the
sender from the person's identities, paces calls with the sender's :class:`RateLimit`, and maps the
exceptions below onto delivery states (retry with backoff, dead letter, unreachable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.messages import Message
from bot.model import ChatIdentity
from bot.model import Person


class SendError(Exception):
    """Base of what a sender may raise."""


class RetryLater(SendError):
    """A temporary failure (HTTP 429 or 5xx, a timeout). ``retry_after`` seconds when the platform
    said so (Retry-After), else None and the dispatcher backs off exponentially.

    The dispatcher also holds further sends for ``retry_after`` seconds: to the same rate key, or to the
    whole platform when ``platform_wide`` (e.g. a workspace-wide or tenant-wide limit was hit)."""

    def __init__(self, reason: str, retry_after: float | None = None, *, platform_wide: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.platform_wide = platform_wide


class PermanentFailure(SendError):
    """The platform refused for good (e.g. invalid payload); no retry."""


class NotReachable(SendError):
    """The person cannot be reached on this channel (no identity, no Teams conversation reference,
    app uninstalled). Shown to coordinators with its reason; never skipped silently, and tried again
    later. ``no_identity``: the person has no identity yet (linking may find them soon)."""

    def __init__(self, reason: str, *, no_identity: bool = False) -> None:
        super().__init__(reason)
        self.no_identity = no_identity


@dataclass(frozen=True)
class RateLimit:
    """At most ``per_second`` sends per key (a Slack channel, a Teams conversation), and at most
    ``global_per_second`` across the platform (workspace / tenant)."""

    per_second: float
    global_per_second: float


class ChannelSender(Protocol):
    platform: str
    rate_limit: RateLimit

    def rate_key(self, identity: ChatIdentity) -> str:
        """The key a platform limits on (Slack: the DM channel or user; Teams: the conversation)."""
        ...

    async def send(self, person: Person, identity: ChatIdentity, message: Message) -> None:
        """Deliver ``message``. Raises RetryLater, PermanentFailure or NotReachable."""
        ...


# A sender that holds resources (an aiohttp session) may also define ``async def aclose(self) -> None``;
# the dispatcher calls it when the scheduler shuts down (``serve``) or after ``mentorbot tick``.
# A sender that can find people who never wrote to the bot (Slack: by e-mail) may also define
# ``async def locate(self, person: Person) -> ChatIdentity``: it links the person (``MentorBot.link``) and
# returns their new identity, or raises NotReachable(reason, no_identity=True). The dispatcher calls it
# when a delivery's person has no identity at all.
# Registration: the composition root (``mentorbot.channels``) mounts each channel and puts its sender in
# ``Runtime.senders[platform]``, synchronously, without needing the app to be started, because
# ``mentorbot tick`` calls the same mount functions on an application it never starts.
