"""One scheduler pass at a chosen instant (``mentorbot tick``): plan, then send until nothing is due.

The chat channels register their senders exactly as in ``serve``: their mount functions run on an
application that is never started (no port is opened), so Slack and Teams deliveries go out from a tick
too, and a person with no identity yet is looked up (Slack by e-mail) and linked at send time.  Only
console people (who used ``mentorbot chat``) get theirs on the console/log channel.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

from bot.model import Platform
from mentorbot.server import Mounter
from mentorbot.wiring import Runtime
from scheduler.console_sender import ConsoleLogSender
from scheduler.dispatch import Dispatcher, DispatchSummary
from scheduler.planpass import PlanPass, PlanSummary


@dataclass
class TickSummary:
    plan: PlanSummary
    dispatch: DispatchSummary

    def line(self) -> str:
        d = self.dispatch
        return (
            f"planned {self.plan.planned}, sent {d.sent}, failed {d.failed}, unreachable {d.unreachable}"
            f" (skipped {d.skipped}, deferred {d.deferred}, dead {d.dead};"
            f" phase changes {self.plan.phase_changes})"
        )


def register_channel_senders(runtime: Runtime, mounters: list[Mounter]) -> None:
    """Let each channel register its sender in ``runtime.senders`` without serving anything."""
    app = web.Application()
    for mount in mounters:
        mount(app, runtime)
    runtime.senders.setdefault(Platform.CONSOLE.value, ConsoleLogSender())


async def run_tick(runtime: Runtime, dispatcher: Dispatcher | None = None) -> TickSummary:
    now = runtime.clock.now()
    plan = await asyncio.to_thread(PlanPass(runtime.uow_factory, runtime.programme).run, now)
    dispatcher = dispatcher or Dispatcher(
        runtime.uow_factory, runtime.programme, runtime.clock, runtime.senders, shared_pacing=True
    )
    try:
        sent = await dispatcher.drain()
    finally:
        await dispatcher.aclose()
    return TickSummary(plan, sent)
