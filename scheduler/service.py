"""The in-process scheduler of ``serve``: APScheduler (3.x, ``AsyncIOScheduler``) only *triggers* the
plan and dispatch passes; everything that must survive a restart is in the project's tables.

* every minute: a plan pass (in a thread, so the event loop keeps answering chat events), followed by
  a dispatch when it planned anything;
* every few seconds: a dispatch, which drains what is due and returns.

A trigger that finds its pass still running does nothing (the pass runs as an asyncio task, so
APScheduler never has to skip a run), which also keeps a long fan-out from piling up work.  On shutdown
the triggers stop, the dispatcher stops claiming and finishes (or hands back) what is in flight, and the
plan pass stops between chunks.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
from datetime import UTC, datetime

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.model import Platform
from mentorbot.wiring import Runtime
from scheduler.console_sender import ConsoleLogSender
from scheduler.dispatch import Dispatcher, DispatchSummary
from scheduler.planpass import PlanPass, PlanSummary

log = logging.getLogger(__name__)

PLAN_EVERY_SECONDS = 60
DISPATCH_EVERY_SECONDS = 5
LAG_METRIC = "mentorbot_scheduler_lag_seconds"


class SchedulerService:
    def __init__(
        self,
        runtime: Runtime,
        *,
        plan_every: float = PLAN_EVERY_SECONDS,
        dispatch_every: float = DISPATCH_EVERY_SECONDS,
    ) -> None:
        self.runtime = runtime
        self.plan_every = plan_every
        self.dispatch_every = dispatch_every
        self._stop_planning = threading.Event()
        self.plan_pass = PlanPass(runtime.uow_factory, runtime.programme, stop=self._stop_planning)
        self.dispatcher = Dispatcher(runtime.uow_factory, runtime.programme, runtime.clock, runtime.senders)
        self.scheduler: AsyncIOScheduler | None = None
        self._plan_task: asyncio.Task[PlanSummary | None] | None = None
        self._dispatch_task: asyncio.Task[DispatchSummary | None] | None = None

    async def start(self) -> None:
        # Everything loaded so far (libraries, mappers, the catalogue) lives as long as the process: keep
        # it out of the garbage collector's way, so that the collections a large plan pass triggers stay
        # short and chat events keep being acknowledged promptly (see bench/dispatch.py).
        gc.collect()
        gc.freeze()
        self.runtime.metrics.describe(
            LAG_METRIC, "gauge", "how late the last message sent was (seconds after due)"
        )
        self.scheduler = AsyncIOScheduler(timezone=UTC, event_loop=asyncio.get_running_loop())
        common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        first = datetime.now(UTC)  # APScheduler runs on real time; the passes ask the injected clock
        plan, dispatch = (
            IntervalTrigger(seconds=self.plan_every),
            IntervalTrigger(seconds=self.dispatch_every),
        )
        self.scheduler.add_job(self.kick_plan, plan, id="plan", next_run_time=first, **common)
        self.scheduler.add_job(self.kick_dispatch, dispatch, id="dispatch", next_run_time=first, **common)
        self.scheduler.start()
        log.info("scheduler: planning every %gs, dispatching every %gs", self.plan_every, self.dispatch_every)

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)  # AsyncIOScheduler does this on the loop's next turn
            await asyncio.sleep(0)
        self._stop_planning.set()
        self.dispatcher.stop()
        for task in (self._plan_task, self._dispatch_task):
            if task is not None:
                with contextlib.suppress(Exception):
                    await task
        await self.dispatcher.aclose()

    # -- triggers: start a pass unless one is running ---------------------------------------------------
    async def kick_plan(self) -> None:
        if self._plan_task is None or self._plan_task.done():
            self._plan_task = asyncio.create_task(self._plan())

    async def kick_dispatch(self) -> None:
        if self._dispatch_task is None or self._dispatch_task.done():
            self._dispatch_task = asyncio.create_task(self._dispatch())

    async def _plan(self) -> PlanSummary | None:
        try:
            summary = await asyncio.to_thread(self.plan_pass.run, self.runtime.clock.now())
        except Exception:
            log.exception("scheduler: the plan pass failed; it runs again at the next trigger")
            return None
        if summary.planned:
            await self.kick_dispatch()
        return summary

    async def _dispatch(self) -> DispatchSummary | None:
        try:
            summary = await self.dispatcher.drain()
        except Exception:
            log.exception("scheduler: the dispatch pass failed; it runs again at the next trigger")
            return None
        if summary.sent:
            self.runtime.metrics.set(LAG_METRIC, summary.lateness)
        return summary


SCHEDULER: web.AppKey[SchedulerService] = web.AppKey("scheduler", SchedulerService)


def mount_scheduler(app: web.Application, runtime: Runtime) -> None:
    """Start the scheduler with the server and stop it gracefully with it."""
    runtime.senders.setdefault(Platform.CONSOLE.value, ConsoleLogSender())
    service = SchedulerService(runtime)
    app[SCHEDULER] = service

    async def start(_app: web.Application) -> None:
        await service.start()

    async def stop(_app: web.Application) -> None:
        await service.stop()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
