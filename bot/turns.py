"""How a channel asks the bot, for every channel: one person's requests one at a time, in order.

``MentorBot.handle`` is synchronous and uses the database, so it runs in a thread. Two quick messages
from one person must not overtake each other, a first contact must be linked only once, and a platform's
retry that arrives while the first delivery is still being handled must find that delivery recorded: so
one person's turns are queued on a lock (an ``asyncio.Lock``, which is FIFO), while different people's
turns run side by side.

A channel that can look people up in its directory (Slack's ``users.info``, the Teams roster) passes the
lookup as ``profile`` and marks the sender ``profile_pending``: a linked person is answered without it,
and only a sender the bot does not know yet costs one lookup and a second, short turn.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Awaitable
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TypeVar

from bot.app import Handled
from bot.app import MentorBot
from bot.messages import Inbound
from bot.messages import Sender

Profile = Callable[[], Awaitable[Sender | None]]
T = TypeVar("T")

# Threads for turns: one per core by default. A turn is mostly Python (the ORM, the workflow), and the
# GIL runs one thread at a time: more threads than cores only time-slice the turns in flight, so that
# all of them finish late (with 8 in flight the median waits for about 8 turns' work instead of 4.5),
# and they take the GIL from the event loop, which acknowledges requests (bench/results/slack_dm.md).
# MENTORBOT_TURN_THREADS overrides it; 0 runs turns on the event loop's thread, blocking it: only for
# profiling (bench/_profile.py), where one thread is sampled.
WORKERS_VARIABLE = "MENTORBOT_TURN_THREADS"


class Turns:
    def __init__(self, bot: MentorBot, *, workers: int | None = None) -> None:
        self.bot = bot
        if workers is None:
            configured = os.environ.get(WORKERS_VARIABLE, "")
            workers = int(configured) if configured.isdigit() else max(2, os.cpu_count() or 2)
        self._executor = (
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="turn") if workers > 0 else None
        )
        self._locks: dict[tuple[str, str, str], tuple[asyncio.Lock, int]] = {}  # lock, turns using it

    async def handle(self, inbound: Inbound, profile: Profile | None = None) -> Handled:
        """The bot's answer to ``inbound``, after every earlier request of the same person.

        ``profile`` looks the sender up when the bot does not know them by their platform id; None from
        it (a bot account, a deactivated user) means the request is not answered.
        """
        sender = inbound.sender
        key = (sender.platform, sender.workspace, sender.external_id)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                handled = await self._run(inbound)
                if not handled.unknown:
                    return handled
                found = await profile() if profile is not None else sender
                if found is None:
                    return Handled([])
                looked_up = replace(found, profile_pending=False, verified=sender.verified)
                return await self._run(replace(inbound, sender=looked_up))
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def run(self, work: Callable[[], T]) -> T:
        """Synchronous bot work (a turn, ``defer_replies``) on the turns' threads."""
        if self._executor is None:
            return work()
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    async def _run(self, inbound: Inbound) -> Handled:
        return await self.run(functools.partial(self.bot.handle, inbound))
