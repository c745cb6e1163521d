"""Repositories over one SQLAlchemy session: structure (people, relationships) and plumbing."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import Generic
from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload

from bot.model import AuditEvent
from bot.model import ChatIdentity
from bot.model import Conversation
from bot.model import Delivery
from bot.model import Membership
from bot.model import Person
from bot.model import Programme
from bot.model import Relationship
from bot.model import RelationshipStatus
from bot.model import Side
from storage import tables
from storage.ids import storable
from storage.outbox import insert_deliveries
from storage.scheduling import wake_unreachable

T = TypeVar("T")


class SqlProgrammes:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_or_create(self, slug: str, name: str) -> Programme:
        found = self.session.scalars(select(Programme).where(tables.programmes.c.slug == slug)).first()
        if found is not None:
            if found.name != name:
                found.name = name
            return found
        # two processes starting at once (two ``serve``s on one database) both find none: insert what is
        # missing and tolerate the other's row, then read the one row that exists
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        self.session.execute(insert(tables.programmes).values(slug=slug, name=name).on_conflict_do_nothing())
        programme = self.session.scalars(select(Programme).where(tables.programmes.c.slug == slug)).one()
        if programme.name != name:
            programme.name = name
        return programme


class _Stored(Generic[T]):
    """A repository of one mapped class: adding one, getting one by id (None for an id no row can have)."""

    model: type[T]

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, item: T) -> None:
        self.session.add(item)

    def get(self, item_id: int) -> T | None:
        return self.session.get(self.model, item_id) if storable(item_id) else None


class SqlPeople(_Stored[Person]):
    model = Person

    def by_email(self, email: str) -> Person | None:
        stmt = select(Person).where(func.lower(tables.people.c.email) == email.strip().lower())
        return self.session.scalars(stmt).first()

    def by_emails(self, emails: Iterable[str]) -> dict[str, Person]:
        wanted = {e.strip().lower() for e in emails}
        if not wanted:
            return {}
        found: dict[str, Person] = {}
        chunk: list[str] = []
        for email in sorted(wanted):
            chunk.append(email)
            if len(chunk) == 500:
                found |= self._by_email_chunk(chunk)
                chunk = []
        if chunk:
            found |= self._by_email_chunk(chunk)
        return found

    def _by_email_chunk(self, emails: list[str]) -> dict[str, Person]:
        stmt = select(Person).where(func.lower(tables.people.c.email).in_(emails))
        return {p.email.lower(): p for p in self.session.scalars(stmt)}

    def add_identity(self, person: Person, identity: ChatIdentity) -> bool:
        """Store ``person``'s first identity on a platform; True when this call stored it.

        An upsert that tolerates a concurrent first contact: two ``serve`` processes handling the same new
        person's first two messages both try to insert it, and the second (which waits for the first on
        PostgreSQL's unique index) stores nothing instead of failing with an IntegrityError. Either way
        the person's identities are read again, so the caller sees the one row that exists.
        """
        values = {
            "person_id": person.id,
            "platform": identity.platform,
            "external_id": identity.external_id,
            "workspace": identity.workspace,
            "address": dict(identity.address),
            "updated_at": identity.updated_at,
        }
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        self.session.flush()
        # RETURNING, not rowcount: psycopg reports -1 for this statement whether or not a row went in
        result = self.session.execute(
            insert(tables.chat_identities)
            .values(**values)
            .on_conflict_do_nothing()
            .returning(tables.chat_identities.c.id)
        )
        stored = result.first() is not None
        self.session.expire(person, ["identities"])
        if stored and person.id is not None:
            wake_unreachable(self.session, person.id, identity.updated_at or datetime.now(UTC))
        return stored

    def by_identity(self, platform: str, external_id: str) -> Person | None:
        found = self.session.scalars(_by_identity(), {"platform": platform, "external_id": external_id})
        return next(iter(found.unique().all()), None)

    def all(self, *, include_inactive: bool = False) -> list[Person]:
        stmt = select(Person).order_by(tables.people.c.id)
        if not include_inactive:
            stmt = stmt.where(tables.people.c.active.is_(True))
        return list(self.session.scalars(stmt))

    def emails_without_identity(self, platform: str) -> list[str]:
        people, identities = tables.people, tables.chat_identities
        linked = (
            select(identities.c.id)
            .where(identities.c.person_id == people.c.id, identities.c.platform == platform)
            .exists()
        )
        stmt = select(people.c.email).where(people.c.active.is_(True), ~linked)
        return sorted(self.session.scalars(stmt))


@functools.cache
def _by_identity() -> Select[tuple[Person]]:
    """The person with all their identities, found by a platform id, in one statement (every turn starts
    here). Built once: building a statement costs more than SQLAlchemy's cached compile of it."""
    return (
        select(Person)
        .join(ChatIdentity, tables.chat_identities.c.person_id == tables.people.c.id)
        .where(tables.chat_identities.c.platform == bindparam("platform"))
        .where(tables.chat_identities.c.external_id == bindparam("external_id"))
        .options(joinedload(Person.identities))  # type: ignore[arg-type]
    )


class SqlRelationships(_Stored[Relationship]):
    model = Relationship

    def by_external_ref(self, ref: str) -> Relationship | None:
        stmt = select(Relationship).where(tables.relationships.c.external_ref == ref)
        return self.session.scalars(stmt).first()

    def of_person(self, person_id: int, *, include_ended: bool = False) -> list[Relationship]:
        m = tables.memberships
        stmt = (
            select(Relationship)
            .join(Membership, m.c.relationship_id == tables.relationships.c.id)
            .where(m.c.person_id == person_id, m.c.left_at.is_(None))
            .order_by(tables.relationships.c.id)
        )
        if not include_ended:
            stmt = stmt.where(tables.relationships.c.status != RelationshipStatus.ENDED)
        return list(self.session.scalars(stmt).unique())

    def all(self, *, include_ended: bool = False) -> list[Relationship]:
        stmt = select(Relationship).order_by(tables.relationships.c.id)
        if not include_ended:
            stmt = stmt.where(tables.relationships.c.status != RelationshipStatus.ENDED)
        return list(self.session.scalars(stmt))

    def learner_counts(self) -> dict[int, int]:
        guide = tables.memberships.alias("guide")
        learner = tables.memberships.alias("learner")
        r = tables.relationships
        stmt = (
            select(guide.c.person_id, func.count(learner.c.id))
            .select_from(guide)
            .join(r, r.c.id == guide.c.relationship_id)
            .join(learner, learner.c.relationship_id == guide.c.relationship_id)
            .where(
                guide.c.side == Side.GUIDE,
                learner.c.side == Side.LEARNER,
                guide.c.left_at.is_(None),
                learner.c.left_at.is_(None),
                r.c.status != RelationshipStatus.ENDED,
            )
            .group_by(guide.c.person_id)
        )
        return {int(pid): int(n) for pid, n in self.session.execute(stmt)}


def _delivery_values(delivery: Delivery) -> dict[str, object]:
    return {
        c.name: getattr(delivery, c.name)
        for c in tables.deliveries.columns
        if c.name != "id" and hasattr(delivery, c.name)
    }


class SqlDeliveries:
    def __init__(self, session: Session) -> None:
        self.session = session

    def enqueue(self, delivery: Delivery) -> bool:
        """Insert unless the dedupe key exists."""
        return self.enqueue_many([delivery]) == 1

    def enqueue_many(self, deliveries: Iterable[Delivery]) -> int:
        """Insert each delivery whose dedupe key is new (in chunks, see :mod:`storage.outbox`); returns how
        many were."""
        return len(insert_deliveries(self.session, [_delivery_values(d) for d in deliveries]))

    def for_person(self, person_id: int) -> list[Delivery]:
        stmt = (
            select(Delivery)
            .where(tables.deliveries.c.person_id == person_id)
            .order_by(tables.deliveries.c.id)
        )
        return list(self.session.scalars(stmt))


class SqlAudit:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, event: AuditEvent) -> None:
        """Store ``event``; an action or target longer than its column is cut to fit (a target can come
        from what someone typed, e.g. a 400-digit relationship number, and the trail must keep the
        attempt rather than fail on PostgreSQL, which enforces the widths)."""
        event.action = _fit(event.action, tables.audit_events.c.action)
        event.target = _fit(event.target, tables.audit_events.c.target)
        self.session.add(event)

    def events(self, *, limit: int = 100) -> list[AuditEvent]:
        stmt = select(AuditEvent).order_by(tables.audit_events.c.id.desc()).limit(limit)
        return list(self.session.scalars(stmt))


class SqlEmailLinks:
    """The used e-mail links (``bot.email_links.LinkLedger``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def spend(self, link_id: str, person_id: int, action: str, at: datetime) -> bool:
        # an insert that stores nothing when the link is there already: two clicks racing each other
        # (two ``serve`` processes, a double submit) cannot both act, and neither gets an IntegrityError
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        self.session.flush()
        result = self.session.execute(
            insert(tables.email_links)
            .values(link_id=link_id, person_id=person_id, action=action[:200], used_at=at)
            .on_conflict_do_nothing(index_elements=["link_id"])
            .returning(tables.email_links.c.link_id)
        )
        # RETURNING, not rowcount: psycopg reports a row for an insert that did nothing
        return result.first() is not None


class SqlConversations:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, person_id: int) -> Conversation | None:
        stmt = select(Conversation).where(tables.conversations.c.person_id == person_id)
        return self.session.scalars(stmt).first()

    def save(self, conversation: Conversation) -> None:
        self.session.add(conversation)

    def clear(self, person_id: int) -> None:
        self.session.execute(
            delete(tables.conversations).where(tables.conversations.c.person_id == person_id)
        )


def _fit(text: str, column: Any) -> str:
    width = column.type.length
    return text if width is None or len(text) <= width else text[: width - 1] + "…"
