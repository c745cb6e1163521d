"""One scheduler pass at a chosen instant (``mentorbot tick``): plan, then send until nothing is due.

The composition root (``mentorbot.scheduling.run_tick``) registers the chat channels' senders exactly as
in ``serve`` and calls :func:`tick`, so Slack and Teams deliveries go out from a tick too, and a person
with no identity yet is looked up (Slack by e-mail) and linked at send time.  Only console people (who
used ``mentorbot chat``) get theirs on the console/log channel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from bot.clock import Clock
from bot.ports import SchedulerUnitOfWorkFactory
from bot.programme import ProgrammeConfig
from bot.sending import ChannelSender
from scheduler.dispatch import Dispatcher
from scheduler.dispatch import DispatchSummary
from scheduler.planpass import PlanPass
from scheduler.planpass import PlanSummary


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


async def tick(
    uow_factory: SchedulerUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: Clock,
    senders: Mapping[str, ChannelSender],
    dispatcher: Dispatcher | None = None,
) -> TickSummary:
    """Plan what is due at the clock's instant, then send until nothing is due; the senders are closed."""
    plan = await asyncio.to_thread(PlanPass(uow_factory, programme).run, clock.now())
    dispatcher = dispatcher or Dispatcher(uow_factory, programme, clock, senders, shared_pacing=True)
    try:
        sent = await dispatcher.drain()
    finally:
        await dispatcher.aclose()
    return TickSummary(plan, sent)
