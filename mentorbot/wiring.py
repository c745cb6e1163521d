"""The composition root: the one place that knows every package and puts them together."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import Engine

from bot.app import MentorBot
from bot.clock import Clock
from bot.clock import SystemClock
from bot.programme import ProgrammeConfig
from bot.programme import load_programme
from mentorbot.metrics import Metrics
from mentorbot.settings import Settings
from scheduler.nudges import PROGRAMME_NAMES
from storage.database import make_engine
from storage.migrate import is_up_to_date
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from bot.sending import ChannelSender

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    uow_factory: SqlUnitOfWorkFactory
    programme: ProgrammeConfig
    clock: Clock
    bot: MentorBot
    # platform name -> sender; each channel's mount function registers its own (Slack, Teams)
    senders: dict[str, ChannelSender] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)
    # False from open_runtime until prepare_database has succeeded: /healthz says 503 meanwhile
    database_ready: bool = True
    migrate: bool = False


class SchemaNotUpToDate(SystemExit):
    """The database is reachable but behind the code's schema (outside the embedded default, where
    ``mentorbot db upgrade`` is an explicit operations step)."""

    MESSAGE = (
        "The database schema is not up to date. Run `mentorbot db upgrade` (after a backup) and start again."
    )

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    migrate: bool | None = None,
) -> Runtime:
    """Load the programme, open the database and build the bot.

    ``migrate`` defaults to True for the embedded SQLite database (so ``make run`` just works) and
    False for anything else, where ``mentorbot db upgrade`` is an explicit operations step.
    """
    runtime = open_runtime(settings, clock=clock, migrate=migrate)
    prepare_database(runtime)
    runtime.database_ready = True
    return runtime


def open_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    migrate: bool | None = None,
) -> Runtime:
    """Everything :func:`build_runtime` builds, without connecting to the database yet (``serve`` starts
    while the database is down and calls :func:`prepare_database` until it succeeds)."""
    programme = load_programme(settings.programme_path, nudge_families=PROGRAMME_NAMES)
    engine = make_engine(settings.database_url, **_connect_timeout(settings.database_url))
    if migrate is None:
        migrate = settings.is_embedded_database
    uow_factory = SqlUnitOfWorkFactory(engine)
    clock = clock or SystemClock()
    bot = MentorBot(uow_factory, programme, clock)
    return Runtime(
        settings, engine, uow_factory, programme, clock, bot, database_ready=False, migrate=migrate
    )


def prepare_database(runtime: Runtime) -> None:
    """What start-up needs from the database: the migrations (embedded default) or the schema check, and
    the programme's row. Idempotent, so it can be tried again until the database answers."""
    if runtime.migrate:
        upgrade(runtime.engine)
    elif not is_up_to_date(runtime.engine):
        raise SchemaNotUpToDate()
    with runtime.uow_factory() as uow:
        uow.programmes.get_or_create(runtime.programme.slug, runtime.programme.name)
        uow.commit()


def _connect_timeout(url: str) -> dict[str, Any]:
    """PostgreSQL without ``connect_timeout`` waits for the operating system (minutes) when the host
    does not answer at all; give up after 10 s so health checks and start-up retries keep their pace."""
    if not url.startswith("postgresql") or "connect_timeout" in url:
        return {}
    return {"connect_args": {"connect_timeout": 10}}


def seed_example_if_empty(runtime: Runtime) -> None:
    """On the embedded default with no people yet, load the example roster shipped with the package,
    so ``make run`` followed by ``mentorbot chat --as EMAIL`` has someone to be."""
    import tempfile
    from pathlib import Path

    from bot.content.examples import FIRST_START_WEEKS_AGO
    from bot.content.examples import matches_as_of
    from bot.roster import example_paths
    from bot.roster import import_roster

    if not runtime.settings.is_embedded_database:
        return
    with runtime.uow_factory() as uow:
        if uow.people.all(include_inactive=True):
            return
    people, matches = example_paths()
    # moved in time so that the demo is a living programme on any day (see bot.content.examples)
    today = runtime.clock.now().astimezone(runtime.programme.zone).date()
    shifted = matches_as_of(matches.read_text("utf-8"), today)
    with tempfile.TemporaryDirectory() as folder:
        moved = Path(folder) / matches.name
        moved.write_text(shifted, encoding="utf-8")
        summary = import_roster(runtime.uow_factory, runtime.programme, runtime.clock, people, moved)
    log.info(
        "loaded the example programme, its dates moved to start %s weeks ago: %s",
        FIRST_START_WEEKS_AGO,
        summary,
    )
