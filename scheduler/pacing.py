"""Pacing sends to each platform's rate limits, in process: token buckets per platform and per key.

A platform limits twice: per key (Slack: about one message per second per channel; Teams: per
conversation) and across the whole workspace or tenant.  Each send first waits for its key's bucket, then
for the platform's.  A ``Retry-After`` answer pauses the bucket it concerns, so the sends queued behind
it wait too instead of running into the same wall.

Several processes (two ``serve`` on one database) share one workspace's limit: then the platform's
bucket is a :class:`ReservedBucket`, which takes its slots in small blocks from a ledger all of them
share (``storage.scheduling.reserve_slots``, through the dispatcher), so together they keep to the rate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from collections.abc import Callable

from bot.sending import RateLimit


class _Bucket:
    """What both kinds of bucket share: a rate of ``rate`` grants per second, a ``clock`` (seconds) and
    a ``sleep`` to wait with, one caller served at a time, and a pause for a ``Retry-After``."""

    def __init__(
        self, rate: float, clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]]
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Hold every caller for ``seconds`` (the platform said Retry-After)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)


class TokenBucket(_Bucket):
    """At most ``rate`` grants per second, with bursts of up to ``burst`` after a quiet spell (GCRA).

    Callers are served one at a time, in order, and a slot is granted at the moment the caller actually
    goes ahead: when the event loop was busy for a moment, the next sends resume at the rate instead of
    rushing to catch up -- a rush is what runs a platform's own limiter into 429s.
    """

    def __init__(
        self,
        rate: float,
        burst: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(rate, monotonic, sleep)
        self.tolerance = max(0.0, burst - 1.0) * self.interval
        self._tat = 0.0  # the theoretical arrival time of the next slot

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                wait = max(self._tat - self.tolerance - now, self._paused_until - now)
                if wait <= 0:
                    break
                await self._sleep(wait)
            self._tat = max(self._tat, now) + self.interval

    def idle_since(self) -> float:
        return self._tat


# reserve(count, interval) -> the wall-clock time (Unix seconds) of the first of ``count`` slots
Reserve = Callable[[int, float], Awaitable[float]]


class ReservedBucket(_Bucket):
    """A platform-wide bucket shared with other processes: slots come in blocks of a quarter of a
    second's worth from ``reserve`` (a ledger every process draws from), and are used one by one at their
    own times.  A slot that passed unused more than a twentieth of a second ago (the burst the platform's
    own bucket allows, as :class:`PlatformPacer` allows it locally) is dropped, never caught up on: a late
    burst would meet the other processes' slots of that moment.  Slots this process reserved but did not
    need are lost to all, which costs a little rate and never exceeds it.
    """

    def __init__(
        self,
        rate: float,
        reserve: Reserve,
        *,
        block_seconds: float = 0.25,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(rate, wall, sleep)
        self.block = max(1, int(rate * block_seconds))
        self.tolerance = max(self.interval, 0.05)
        self._reserve = reserve
        self._next = 0.0  # wall time of the next reserved slot
        self._left = 0  # reserved slots not used yet
        self._ahead: asyncio.Future[float] | None = None  # the next block, asked for half-way through

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                if self._paused_until > now:
                    await self._sleep(self._paused_until - now)
                    continue
                if self._left and self._next < now - self.tolerance:  # passed unused: gone
                    missed = min(self._left, int((now - self._next - self.tolerance) / self.interval) + 1)
                    self._next += missed * self.interval
                    self._left -= missed
                if not self._left:
                    ahead, self._ahead = self._ahead, None
                    self._next = await (ahead or self._reserve(self.block, self.interval))
                    self._left = self.block
                    continue
                if self._next > now:
                    await self._sleep(self._next - now)
                self._next += self.interval
                self._left -= 1
                if self._left <= self.block // 2 and self._ahead is None:
                    # the next block is asked for while this one lasts, so no slot waits for the database
                    self._ahead = asyncio.ensure_future(self._reserve(self.block, self.interval))
                return


class PlatformPacer:
    """The buckets of one platform: one shared, one per key (created on first use, dropped when idle)."""

    def __init__(
        self,
        limit: RateLimit,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        reserve: Reserve | None = None,
    ) -> None:
        """``reserve``: the platform-wide rate is shared with other processes through this ledger."""
        self.limit = limit
        self._monotonic = monotonic
        self._sleep = sleep
        self.shared: TokenBucket | ReservedBucket
        if reserve is not None:
            self.shared = ReservedBucket(limit.global_per_second, reserve, sleep=sleep)
        else:
            # a twentieth of a second of burst across the platform absorbs the event loop's small delays
            # without ever rushing a platform's own limiter
            self.shared = TokenBucket(
                limit.global_per_second,
                max(1.0, limit.global_per_second / 20),
                monotonic=monotonic,
                sleep=sleep,
            )
        self._keys: dict[str, TokenBucket] = {}

    def key(self, key: str) -> TokenBucket:
        bucket = self._keys.get(key)
        if bucket is None:
            if len(self._keys) > 10_000:
                self._forget_idle()
            bucket = self._keys[key] = TokenBucket(
                self.limit.per_second, monotonic=self._monotonic, sleep=self._sleep
            )
        return bucket

    async def acquire(self, key: str) -> None:
        await self.key(key).acquire()
        await self.shared.acquire()

    def _forget_idle(self) -> None:
        now = self._monotonic()
        for k in [k for k, b in self._keys.items() if b.idle_since() < now - 60]:
            del self._keys[k]
