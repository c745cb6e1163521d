"""The in-process scheduler of ``serve``: APScheduler (3.x, ``AsyncIOScheduler``) only *triggers* the
plan and dispatch passes; everything that must survive a restart is in the project's tables.

* every minute: a plan pass (in a thread, so the event loop keeps answering chat events), followed by
  a dispatch when it planned anything;
* every few seconds: a dispatch, which drains what is due and returns.

A trigger that finds its pass still running does nothing (the pass runs as an asyncio task, so
APScheduler never has to skip a run), which also keeps a long fan-out from piling up work.  On shutdown
the triggers stop, the dispatcher stops claiming and finishes (or hands back) what is in flight, and the
plan pass stops between chunks.

The defaults suit production; :class:`SchedulerTuning` reads overrides from the environment (for tests
and drills that must see several passes, a lease running out or a retry within seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.errors import Unavailable
from bot.ports import SchedulerUnitOfWorkFactory
from bot.programme import ProgrammeConfig
from bot.sending import ChannelSender
from scheduler.dispatch import Dispatcher
from scheduler.dispatch import DispatchSummary
from scheduler.planpass import PlanPass
from scheduler.planpass import PlanSummary

log = logging.getLogger(__name__)

PLAN_EVERY_SECONDS = 60
DISPATCH_EVERY_SECONDS = 5
LEASE_SECONDS = 120.0
RETRY_BACKOFF_SECONDS = 30.0

_Summary = TypeVar("_Summary", PlanSummary, DispatchSummary)


@dataclass(frozen=True)
class SchedulerTuning:
    """How often the passes run, how long a claim lasts, how soon a failed send is first retried.

    ================================  ===========================================================  =======
    variable                          meaning                                                      default
    ================================  ===========================================================  =======
    ``MENTORBOT_PLAN_INTERVAL``       seconds between plan passes                                  60
    ``MENTORBOT_DISPATCH_INTERVAL``   seconds between dispatch passes                              5
    ``MENTORBOT_OUTBOX_LEASE``        seconds a claimed delivery stays with its dispatcher; after   120
                                      a crash, another process takes it over once it has run out
    ``MENTORBOT_RETRY_BACKOFF``       seconds before the first retry of a temporary failure         30
                                      (then doubled each time, up to an hour)
    ================================  ===========================================================  =======
    """

    plan_every: float = PLAN_EVERY_SECONDS
    dispatch_every: float = DISPATCH_EVERY_SECONDS
    lease: float = LEASE_SECONDS
    retry_backoff: float = RETRY_BACKOFF_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SchedulerTuning:
        """The tuning from ``env``; ``SystemExit`` naming the variable whose value is not a positive
        number of seconds."""

        def seconds(name: str, default: float) -> float:
            raw = (env.get(name) or "").strip()
            if not raw:
                return default
            try:
                value = float(raw)
            except ValueError:
                value = -1.0
            if not value > 0 or value == float("inf"):
                raise SystemExit(f"{name} must be a positive number of seconds, got {raw!r}")
            return value

        return cls(
            plan_every=seconds("MENTORBOT_PLAN_INTERVAL", PLAN_EVERY_SECONDS),
            dispatch_every=seconds("MENTORBOT_DISPATCH_INTERVAL", DISPATCH_EVERY_SECONDS),
            lease=seconds("MENTORBOT_OUTBOX_LEASE", LEASE_SECONDS),
            retry_backoff=seconds("MENTORBOT_RETRY_BACKOFF", RETRY_BACKOFF_SECONDS),
        )


class OutageLog:
    """Logs a database outage once, not once per pass: the first pass that finds the database unreachable
    writes one warning line, the passes after it only count, and the first pass that works again writes
    one line saying how many failed. (A traceback every 5 s buried everything else in the log.)"""

    def __init__(self) -> None:
        self.failed_passes = 0

    def failed(self, what: str) -> None:
        self.failed_passes += 1
        if self.failed_passes == 1:
            log.warning(
                "scheduler: the database is unreachable (%s pass); the passes keep retrying, and the next "
                "line about it says when it is back",
                what,
            )

    def succeeded(self) -> None:
        if self.failed_passes:
            log.warning(
                "scheduler: the database is reachable again after %d failed passes", self.failed_passes
            )
            self.failed_passes = 0


class SchedulerService:
    def __init__(
        self,
        uow_factory: SchedulerUnitOfWorkFactory,
        programme: ProgrammeConfig,
        clock: Clock,
        senders: Mapping[str, ChannelSender],
        *,
        plan_every: float = PLAN_EVERY_SECONDS,
        dispatch_every: float = DISPATCH_EVERY_SECONDS,
        tuning: SchedulerTuning | None = None,
        on_send_failure: Callable[[str, str], None] | None = None,
        on_lag: Callable[[float], None] | None = None,
    ) -> None:
        """``senders`` is live (channels register theirs after the service is built).
        ``on_send_failure(channel, kind)``: a send a platform did not take; ``on_lag(seconds)``: how late
        the last message sent was -- both for the metrics the composition root keeps."""
        tuning = tuning or SchedulerTuning(plan_every=plan_every, dispatch_every=dispatch_every)
        self.clock = clock
        self.on_lag = on_lag
        self.plan_every = tuning.plan_every
        self.dispatch_every = tuning.dispatch_every
        self._stop_planning = threading.Event()
        self.plan_pass = PlanPass(uow_factory, programme, stop=self._stop_planning)
        lease = timedelta(seconds=tuning.lease)
        self.dispatcher = Dispatcher(
            uow_factory,
            programme,
            clock,
            senders,
            lease=lease,
            # a send starts only when it can time out (30 s) and be recorded (15 s) within the claim;
            # a short lease gets a quarter of itself for each
            lease_margin=min(timedelta(seconds=15), lease / 4),
            send_timeout=min(30.0, tuning.lease / 4),
            backoff=timedelta(seconds=tuning.retry_backoff),
            on_send_failure=on_send_failure,
            shared_pacing=True,  # several serve processes on one database keep to one workspace's rate
        )
        self.scheduler: AsyncIOScheduler | None = None
        self._plan_task: asyncio.Task[PlanSummary | None] | None = None
        self._dispatch_task: asyncio.Task[DispatchSummary | None] | None = None
        self.outage = OutageLog()

    async def start(self) -> None:
        # Everything loaded so far (libraries, mappers, the catalogue) lives as long as the process: keep
        # it out of the garbage collector's way, so that the collections a large plan pass triggers stay
        # short and chat events keep being acknowledged promptly (see bench/dispatch.py).
        gc.collect()
        gc.freeze()
        self.dispatcher.lag_since = self.clock.now()
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
        summary = await self._guarded("plan", lambda: asyncio.to_thread(self.plan_pass.run, self.clock.now()))
        if summary is not None and summary.planned:
            await self.kick_dispatch()
        return summary

    async def _dispatch(self) -> DispatchSummary | None:
        summary = await self._guarded("dispatch", self.dispatcher.drain)
        if summary is not None and summary.sent and self.on_lag is not None:
            self.on_lag(summary.lateness)
        return summary

    async def _guarded(self, what: str, run: Callable[[], Awaitable[_Summary]]) -> _Summary | None:
        """One ``what`` pass; None when it failed. A lost database is told once per outage
        (:class:`OutageLog`), anything else with its traceback; the next trigger runs the pass again."""
        try:
            summary = await run()
        except Unavailable:  # the unit of work translates lost connections
            self.outage.failed(what)
            return None
        except Exception:
            log.exception("scheduler: the %s pass failed; it runs again at the next trigger", what)
            return None
        self.outage.succeeded()
        return summary
