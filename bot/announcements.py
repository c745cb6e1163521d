"""Announcements: compose and check, preview the audience, and plan one outbox delivery per recipient.

Nothing here sends anything. :func:`publish` stores the announcement and enqueues one
:class:`~bot.model.Delivery` per recipient, due at the chosen time, with the dedupe key
``announcement:{id}:{person_id}``: planning the same announcement twice adds nothing, and the outbox
dispatcher paces the sending within each platform's rate limits. :func:`delivery_report` reads the
outcome back from the outbox (states only, never the message).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from bot.activity import PersonFacts
from bot.activity import RelationshipFacts
from bot.audience import Audience
from bot.audience import PersonShape
from bot.audience import describe
from bot.audience import select_recipients
from bot.errors import InvalidInput
from bot.errors import NotFound
from bot.messages import Message
from bot.messages import Section
from bot.messages import Text
from bot.model import Announcement
from bot.model import Delivery
from bot.model import DeliveryStatus
from bot.model import Person
from bot.ports import UnitOfWork
from bot.programme import ProgrammeConfig
from bot.serialize import message_to_dict
from bot.validation import clean_text

KIND = "announcement"
TITLE_LIMIT = 150  # Slack and Teams show headers up to about this length
BODY_LIMIT = 2000  # well inside one Slack section (3000) and a Teams text block
SAMPLE_SIZE = 5
PRIORITY = 60  # after personal notices (20) and nudges (50): nobody waits on an announcement
STILL_WORTH_SENDING = timedelta(days=3)  # misfire policy: a week-old announcement is noise

STATUS_SCHEDULED = "scheduled"
STATUS_QUEUED = "queued"


def dedupe_prefix(announcement_id: int) -> str:
    return f"{KIND}:{announcement_id}:"


def dedupe_key(announcement_id: int, person_id: int) -> str:
    return f"{dedupe_prefix(announcement_id)}{person_id}"


@dataclass(frozen=True)
class Draft:
    """A checked announcement, not yet stored. ``send_at`` None: as soon as possible."""

    title: str
    body: str
    audience: Audience
    send_at: datetime | None = None


def compose(
    title: str | None,
    body: str | None,
    audience: Audience,
    send_at: datetime | None,
    now: datetime,
) -> Draft:
    """Check what a coordinator wrote: both texts present and within their limits, the time ahead."""
    clean_title = clean_text(title, "title", TITLE_LIMIT)
    clean_body = clean_text(body, "message", BODY_LIMIT)
    if audience.is_empty:
        raise InvalidInput("coordinator.audience.unspecified")
    if send_at is not None and send_at <= now:
        raise InvalidInput("coordinator.announce.in_past")
    return Draft(clean_title, clean_body, audience, send_at)


def recipients(uow: UnitOfWork, audience: Audience) -> list[PersonFacts]:
    """Everyone the audience matches right now, each once. Chosen from the roster's facts: loading every
    person of a large programme as a domain object took seconds and hundreds of MiB."""
    relationships_of: dict[int, list[RelationshipFacts]] = {}
    for rel in uow.activity.relationships():
        for member in rel.members:
            relationships_of.setdefault(member.person_id, []).append(rel)
    return select_recipients(audience, uow.activity.people(), relationships_of)


@dataclass(frozen=True)
class Preview:
    count: int
    sample: tuple[str, ...]  # up to five names, for the coordinator to sanity-check the audience


def preview(uow: UnitOfWork, audience: Audience) -> Preview:
    """How many people the audience reaches and a few of their names; nobody at all is refused."""
    people = recipients(uow, audience)
    if not people:
        raise InvalidInput("coordinator.audience.nobody", audience=describe(audience))
    return Preview(len(people), tuple(p.name for p in people[:SAMPLE_SIZE]))


def announcement_message(programme: ProgrammeConfig, title: str, body: str, author_name: str) -> Message:
    footer = programme.text("coordinator.announce.footer", author=author_name)
    return Message((Section(title, body), Text(footer)), summary=title[:150])


def publish(
    uow: UnitOfWork,
    programme: ProgrammeConfig,
    draft: Draft,
    author: Person,
    now: datetime,
) -> Announcement:
    """Store the announcement and put one delivery per recipient in the outbox (nobody: refused).

    The caller commits. The send time is checked again here: a preview left open past its scheduled
    time must not go out late without the coordinator noticing.
    """
    if draft.send_at is not None and draft.send_at <= now:
        raise InvalidInput("coordinator.announce.in_past")
    people = recipients(uow, draft.audience)
    if not people:
        raise InvalidInput("coordinator.audience.nobody", audience=describe(draft.audience))
    send_at = draft.send_at or now
    assert author.id is not None
    announcement = Announcement(
        author_id=author.id,
        title=draft.title,
        body=draft.body,
        audience=draft.audience.to_dict(),
        created_at=now,
        send_at=send_at,
        status=STATUS_SCHEDULED if send_at > now else STATUS_QUEUED,
        recipient_count=len(people),
    )
    uow.announcements.add(announcement)
    fan_out(uow, programme, announcement, author.name, people, now)
    return announcement


def fan_out(
    uow: UnitOfWork,
    programme: ProgrammeConfig,
    announcement: Announcement,
    author_name: str,
    people: Sequence[PersonShape],
    now: datetime,
) -> int:
    """Enqueue the announcement for each person; returns how many were new (0 when planned before)."""
    assert announcement.id is not None, "store the announcement first"
    payload = {
        "message": message_to_dict(
            announcement_message(programme, announcement.title, announcement.body, author_name)
        )
    }
    deliveries = []
    for person in people:
        assert person.id is not None
        deliveries.append(
            Delivery(
                person_id=person.id,
                kind=KIND,
                dedupe_key=dedupe_key(announcement.id, person.id),
                payload=payload,
                due_at=announcement.send_at,
                priority=PRIORITY,
                expires_at=announcement.send_at + STILL_WORTH_SENDING,
                created_at=now,
            )
        )
    return uow.deliveries.enqueue_many(deliveries)


# -- afterwards ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryReport:
    """How an announcement's deliveries stand. ``pending`` includes retries not yet given up."""

    announcement: Announcement
    sent: int
    pending: int
    failed: int
    unreachable: int
    skipped: int
    unreachable_names: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.sent + self.pending + self.failed + self.unreachable + self.skipped


_PENDING = {DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, DeliveryStatus.FAILED}


def delivery_report(uow: UnitOfWork, announcement_id: int) -> DeliveryReport:
    announcement = uow.announcements.get(announcement_id)
    if announcement is None:
        raise NotFound("coordinator.announce.no_such", number=announcement_id)
    facts = uow.activity.deliveries_keyed(dedupe_prefix(announcement_id))
    counts = dict.fromkeys(DeliveryStatus, 0)
    for f in facts:
        counts[DeliveryStatus(f.status)] += 1
    names = {p.id: p.name for p in uow.activity.people()}
    unreachable = tuple(
        sorted(names.get(f.person_id, "?") for f in facts if f.status == DeliveryStatus.UNREACHABLE)
    )
    return DeliveryReport(
        announcement=announcement,
        sent=counts[DeliveryStatus.SENT],
        pending=sum(counts[s] for s in _PENDING),
        failed=counts[DeliveryStatus.DEAD],
        unreachable=counts[DeliveryStatus.UNREACHABLE],
        skipped=counts[DeliveryStatus.SKIPPED],
        unreachable_names=unreachable,
    )
