"""Two first messages from one new person at the same moment, handled by two processes on one database
(issue 13, item 5): both are answered, and the person ends up with exactly one identity on the platform.

Each "process" is its own ``MentorBot`` with its own unit-of-work factory over its own connection pool;
a barrier starts both first messages together, for many people in a row, so the two inserts of the
person's first identity really collide.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import select

from bot.app import Handled
from bot.app import MentorBot
from bot.clock import FixedClock
from bot.messages import Inbound
from bot.messages import Sender
from bot.model import Person
from bot.model import Platform
from bot.model import Role
from bot.programme import ProgrammeConfig
from storage import tables
from storage.database import make_engine
from storage.uow import SqlUnitOfWorkFactory

PEOPLE = 12


def _second_process(engine: Engine) -> Engine:
    """Another engine (its own pool) on the same database and schema, as a second ``serve`` would have."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return make_engine(url)
    with engine.connect() as conn:
        search_path = str(conn.exec_driver_sql("SHOW search_path").scalar())
    return make_engine(url, connect_args={"options": f"-csearch_path={search_path}"})


def test_two_simultaneous_first_messages_are_both_answered_and_link_once(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    programme = ProgrammeConfig.default()
    with uow_factory() as uow:
        prog = uow.programmes.get_or_create(programme.slug, programme.name)
        for n in range(PEOPLE):
            uow.people.add(
                Person(
                    email=f"new{n}@example.org", name=f"New {n}", roles=[Role.MENTEE], programme_id=prog.id
                )
            )
        uow.commit()
    other_engine = _second_process(engine)
    bots = [
        MentorBot(uow_factory, programme, clock),
        MentorBot(SqlUnitOfWorkFactory(other_engine), programme, clock),
    ]
    internal_error = programme.text("error.internal")
    answers: list[Handled] = []
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            for n in range(PEOPLE):
                barrier = threading.Barrier(2)
                sender = Sender(Platform.SLACK, f"U-NEW-{n}", email=f"new{n}@example.org", workspace="T1")

                inbound = Inbound(sender, text="help")

                def first_message(bot: MentorBot, barrier: threading.Barrier = barrier) -> Handled:
                    barrier.wait()
                    return bot.handle(inbound)  # noqa: B023 -- used before the next round starts

                answers += list(pool.map(first_message, bots))
    finally:
        other_engine.dispose()

    failed = [a for a in answers if a.failed or any(internal_error in str(m) for m in a.messages)]
    assert failed == [], f"{len(failed)} of {len(answers)} first messages were answered with an error"
    assert all(a.person_id is not None for a in answers)
    with engine.connect() as conn:
        per_person = conn.execute(
            select(func.count())
            .select_from(tables.chat_identities)
            .group_by(tables.chat_identities.c.person_id)
        ).scalars()
        assert sorted(per_person) == [1] * PEOPLE
