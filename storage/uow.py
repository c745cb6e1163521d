"""The unit of work: one session, one transaction, the repositories over it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bot.errors import NotPermitted
from bot.errors import Unavailable
from bot.model import Person
from storage.activity import SqlActivityReader
from storage.announcements import SqlAnnouncements
from storage.content import SqlContentAccess
from storage.content import SqlSystemContent
from storage.database import make_session_factory
from storage.personal_data import SqlPersonalData
from storage.processed_events import SqlProcessedEvents
from storage.repositories import SqlAudit
from storage.repositories import SqlConversations
from storage.repositories import SqlDeliveries
from storage.repositories import SqlEmailLinks
from storage.repositories import SqlPeople
from storage.repositories import SqlProgrammes
from storage.repositories import SqlRelationships
from storage.scheduling import SqlScheduling


class SqlUnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self.session: Session

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self.programmes = SqlProgrammes(self.session)
        self.people = SqlPeople(self.session)
        self.relationships = SqlRelationships(self.session)
        self.deliveries = SqlDeliveries(self.session)
        self.audit = SqlAudit(self.session)
        self.conversations = SqlConversations(self.session)
        self.activity = SqlActivityReader(self.session)  # coordinators' view: counts and dates, no content
        self.announcements = SqlAnnouncements(self.session)
        self.personal_data = SqlPersonalData(self.session)
        self.scheduling = SqlScheduling(self.session)  # the plan pass and the dispatcher (no content)
        self.email_links = SqlEmailLinks(self.session)
        self.events = SqlProcessedEvents(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()  # a no-op after commit; undoes anything uncommitted
        except DBAPIError:
            if exc is None:
                raise
        finally:
            self.session.close()
        if isinstance(exc, DBAPIError) and is_connection_problem(exc):
            raise Unavailable("database") from exc

    def content(self, viewer: Person) -> SqlContentAccess:
        if viewer.id is None:
            raise NotPermitted("error.not_permitted")
        return SqlContentAccess(self.session, viewer.id)

    def system_content(self, purpose: str) -> SqlSystemContent:
        return SqlSystemContent(self.session, purpose)

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


class SqlUnitOfWorkFactory:
    """Creates units of work on one engine; what the composition root hands to the bot."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session_factory = make_session_factory(engine)

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.session_factory)


def is_connection_problem(exc: DBAPIError) -> bool:
    """A lost or refused database connection (as opposed to a bug such as a constraint violation)."""
    return exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))
