"""The scheduler wired into the process: its service on the ``serve`` server, the console/log sender,
the channels' senders for ``mentorbot tick``, and its metrics."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.model import Platform
from handlers.console.sender import ConsoleLogSender
from mentorbot.server import Mounter
from mentorbot.server import start_and_stop_with
from mentorbot.wiring import Runtime
from scheduler.dispatch import Dispatcher
from scheduler.service import SchedulerService
from scheduler.service import SchedulerTuning
from scheduler.tick import TickSummary
from scheduler.tick import tick

SCHEDULER: web.AppKey[SchedulerService] = web.AppKey("scheduler", SchedulerService)


def add_console_sender(runtime: Runtime, sink: Callable[[str], None] | None = None) -> None:
    """The console/log channel (console people only): the one place it is built.  ``sink`` receives
    each message as the terminal shows it (``mentorbot tick --show``, ``mentorbot chat``)."""
    if sink is not None or Platform.CONSOLE.value not in runtime.senders:
        runtime.senders[Platform.CONSOLE.value] = ConsoleLogSender(sink=sink)


def build_scheduler(runtime: Runtime, tuning: SchedulerTuning | None = None) -> SchedulerService:
    """The scheduler service over this runtime, counting send failures and lag in its metrics."""

    def send_failed(channel: str, kind: str) -> None:
        runtime.metrics.send_failures.labels(channel=channel, kind=kind).inc()

    add_console_sender(runtime)
    return SchedulerService(
        runtime.uow_factory,
        runtime.programme,
        runtime.clock,
        runtime.senders,
        tuning=tuning,
        on_send_failure=send_failed,
        on_lag=runtime.metrics.scheduler_lag.set,
    )


def mount_scheduler(app: web.Application, runtime: Runtime) -> None:
    """Start the scheduler with the server and stop it gracefully with it."""
    service = build_scheduler(runtime, SchedulerTuning.from_env(runtime.settings.env))
    app[SCHEDULER] = service
    start_and_stop_with(app, service)


def register_channel_senders(
    runtime: Runtime, mounters: list[Mounter], *, console_sink: Callable[[str], None] | None = None
) -> None:
    """Let each channel register its sender in ``runtime.senders`` without serving anything (the
    mounters run on an application that is never started, so no port is opened)."""
    app = web.Application()
    for mount in mounters:
        mount(app, runtime)
    add_console_sender(runtime, console_sink)


async def run_tick(runtime: Runtime, dispatcher: Dispatcher | None = None) -> TickSummary:
    """One scheduler pass at the runtime clock's instant (``mentorbot tick``)."""
    return await tick(runtime.uow_factory, runtime.programme, runtime.clock, runtime.senders, dispatcher)
