"""What the bot needs from storage, as protocols. ``storage`` implements them; ``bot`` only uses them.

Privacy is enforced here, by shape: content that members of a relationship write (ground rules,
agenda, actions, notes, check-ins) is reachable only through :class:`ContentAccess`, which is opened for
one viewer and refuses any relationship the viewer is not a current member of.  Coordinators get
:class:`ActivityReader`, which answers counts and dates, never text.  The scheduler, which writes to
members on their behalf, opens content with ``system_content(purpose)``; every such use is named.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol
from typing import Self

from bot.activity import ActionCounts
from bot.activity import CheckInFact
from bot.activity import DeliveryFact
from bot.activity import GoalFact
from bot.activity import HeldMeeting
from bot.activity import PersonFacts
from bot.activity import RelationshipFacts
from bot.email_links import LinkLedger
from bot.model import ActionItem
from bot.model import AgendaItem
from bot.model import Announcement
from bot.model import AuditEvent
from bot.model import ChatIdentity
from bot.model import CheckIn
from bot.model import ClosingReflection
from bot.model import Conversation
from bot.model import Delivery
from bot.model import Goal
from bot.model import GroundRules
from bot.model import Meeting
from bot.model import NetworkAsk
from bot.model import NetworkEntry
from bot.model import Note
from bot.model import Person
from bot.model import PhaseChange
from bot.model import Programme
from bot.model import Relationship
from bot.outbox import Claimed
from bot.outbox import Outcome
from bot.snapshot import ExistingDelivery
from bot.snapshot import Snapshot

if TYPE_CHECKING:  # bot.coordinator imports this module
    from bot.coordinator import Ending


class ProgrammeRepository(Protocol):
    def get_or_create(self, slug: str, name: str) -> Programme: ...


class PersonRepository(Protocol):
    def add(self, person: Person) -> None: ...
    def get(self, person_id: int) -> Person | None: ...
    def by_email(self, email: str) -> Person | None: ...
    def by_emails(self, emails: Iterable[str]) -> dict[str, Person]: ...
    def by_identity(self, platform: str, external_id: str) -> Person | None: ...
    def add_identity(self, person: Person, identity: ChatIdentity) -> bool:
        """Store the person's first identity on a platform, tolerating a concurrent first contact from
        another process (then nothing is stored and the other's identity stands); True when stored."""
        ...

    def all(self, *, include_inactive: bool = False) -> list[Person]: ...
    def emails_without_identity(self, platform: str) -> list[str]:
        """E-mail addresses of active people with no identity on ``platform`` yet, sorted (one query:
        the Slack directory lookup asks this of the whole programme)."""
        ...


class RelationshipRepository(Protocol):
    """Relationships as structure: kind, format, members, phase, dates. No content."""

    def add(self, relationship: Relationship) -> None: ...
    def get(self, relationship_id: int) -> Relationship | None: ...
    def by_external_ref(self, ref: str) -> Relationship | None: ...
    def of_person(self, person_id: int, *, include_ended: bool = False) -> list[Relationship]: ...
    def all(self, *, include_ended: bool = False) -> list[Relationship]: ...
    def learner_counts(self) -> dict[int, int]:
        """Current learners per guide person id, over relationships not ended."""
        ...


class ContentAccess(Protocol):
    """Content of relationships, for one viewer. Every method checks membership first.

    Methods taking a relationship id raise ``NotPermitted`` when the viewer is not a current member;
    methods taking an item id raise ``NotFound`` when the item does not exist or belongs to a
    relationship the viewer is not in (the two are indistinguishable on purpose).
    """

    viewer_id: int

    def relationship(self, relationship_id: int) -> Relationship: ...
    def relationships(self) -> list[Relationship]: ...

    def ground_rules(self, relationship_id: int) -> list[GroundRules]:
        """All versions, oldest first."""
        ...

    def ground_rules_of(self, relationship_ids: Collection[int]) -> dict[int, list[GroundRules]]:
        """:meth:`ground_rules` of several relationships in one read (each must be the viewer's)."""
        ...

    def add_ground_rules(self, rules: GroundRules) -> None: ...

    def meetings(self, relationship_id: int) -> list[Meeting]: ...
    def meetings_of(self, relationship_ids: Collection[int]) -> dict[int, list[Meeting]]:
        """:meth:`meetings` of several relationships in one read (each must be the viewer's)."""
        ...

    def meeting(self, meeting_id: int) -> Meeting: ...
    def add_meeting(self, meeting: Meeting) -> None: ...

    def agenda(self, relationship_id: int) -> list[AgendaItem]: ...
    def agenda_item(self, item_id: int) -> AgendaItem: ...
    def add_agenda_item(self, item: AgendaItem) -> None: ...

    def actions(self, relationship_id: int) -> list[ActionItem]: ...
    def action(self, action_id: int) -> ActionItem: ...
    def add_action(self, item: ActionItem) -> None: ...

    def notes(self, relationship_id: int) -> list[Note]: ...
    def add_note(self, note: Note) -> None: ...

    def checkins(self, relationship_id: int) -> list[CheckIn]:
        """The viewer's own check-ins, and others' only where they chose to share them."""
        ...

    def add_checkin(self, checkin: CheckIn) -> None: ...

    def closing_reflections(self, relationship_id: int) -> list[ClosingReflection]:
        """Every member's closing reflection: readable by all current members, never by others."""
        ...

    def add_closing_reflection(self, reflection: ClosingReflection) -> None:
        """Only the viewer's own (``person_id`` must be the viewer)."""
        ...

    def goals(self, relationship_id: int) -> list[Goal]:
        """The learners' development goals, by number: readable by all current members, never by others."""
        ...

    def goal(self, goal_id: int) -> Goal: ...
    def add_goal(self, goal: Goal) -> None:
        """Only the viewer's own (``owner_id`` must be the viewer); ``number`` is given here: one past the
        highest the relationship ever had, so numbers never shift."""
        ...

    def network(self) -> list[NetworkEntry]:
        """The viewer's own mentoring network (nobody else's)."""
        ...

    def add_network_entry(self, entry: NetworkEntry) -> None: ...
    def remove_network_entry(self, entry_id: int) -> None: ...
    def network_asks(self) -> list[NetworkAsk]: ...
    def add_network_ask(self, ask: NetworkAsk) -> None: ...


class DeliveryRepository(Protocol):
    def enqueue(self, delivery: Delivery) -> bool:
        """Add to the outbox unless a delivery with the same dedupe key exists. True if added."""
        ...

    def enqueue_many(self, deliveries: Iterable[Delivery]) -> int:
        """:meth:`enqueue` for many at once (an announcement's fan-out); returns how many were added."""
        ...

    def for_person(self, person_id: int) -> list[Delivery]: ...


class AuditLog(Protocol):
    def record(self, event: AuditEvent) -> None: ...
    def events(self, *, limit: int = 100) -> list[AuditEvent]: ...


class ActivityReader(Protocol):
    """What coordinators may know: ids, dates, statuses and counts (``bot.activity``), never text.

    Implementations select no column that holds what members wrote or what a message said.
    """

    def people(self) -> list[PersonFacts]: ...
    def relationships(self, *, include_ended: bool = False) -> list[RelationshipFacts]: ...
    def held_meetings(
        self, *, since: datetime | None = None, now: datetime | None = None, grace: timedelta | None = None
    ) -> list[HeldMeeting]:
        """Meetings that count as held (``bot.meetings.counts_as_held``; with ``now`` and ``grace``,
        unanswered confirmed ones past the grace too)."""
        ...

    def ground_rules_agreed(self) -> set[int]:
        """Ids of relationships that have an agreed version of their ground rules."""
        ...

    def action_counts(self, today: date) -> dict[int, ActionCounts]:
        """Open and overdue (open, due before ``today``) action items per relationship id."""
        ...

    def latest_checkins(self, *, since: datetime) -> list[CheckInFact]:
        """Each person's latest check-in quadrant at or after ``since``."""
        ...

    def goal_facts(self) -> list[GoalFact]:
        """Every development goal's relationship, layer, programme goal and status (no words, no note)."""
        ...

    def last_delivery_status(self) -> dict[int, str]:
        """Per person id, the status of their most recent delivery that reached a final state."""
        ...

    def last_channels(self) -> dict[int, str]:
        """Per person id, the channel their most recent sent message went out on (slack, teams, email,
        console); people with none sent yet are left out."""
        ...

    def unreachable_reasons(self) -> dict[int, str]:
        """Per person id whose most recent such delivery is unreachable: why (the platform's or the
        dispatcher's reason, e.g. "not found in Slack by e-mail"; never what the message said)."""
        ...

    def dead_letters(self, *, limit: int = 100) -> list[DeliveryFact]: ...
    def deliveries_keyed(self, prefix: str) -> list[DeliveryFact]:
        """Deliveries whose dedupe key starts with ``prefix`` (e.g. one announcement's fan-out)."""
        ...


class AnnouncementRepository(Protocol):
    def add(self, announcement: Announcement) -> None: ...
    def get(self, announcement_id: int) -> Announcement | None: ...
    def recent(self, *, limit: int = 10) -> list[Announcement]: ...


class PersonalData(Protocol):
    """A person's data rights: everything stored about them, and erasure keeping anonymous counts."""

    def export(self, person_id: int) -> dict[str, Any]:
        """Everything stored about the person, as JSON-ready values."""
        ...

    def erase(self, person_id: int, now: datetime, not_personal: Collection[str] = ()) -> dict[str, int]:
        """Erase the person's personal data and content, and every copy of what they wrote; returns how
        many rows of each kind changed. ``not_personal``: texts the programme suggested (not theirs)."""
        ...


class ConversationStore(Protocol):
    def get(self, person_id: int) -> Conversation | None: ...
    def save(self, conversation: Conversation) -> None: ...
    def clear(self, person_id: int) -> None: ...


class ProcessedEvents(Protocol):
    """Deliveries already handled, so that a platform's retry of the same event is handled once."""

    def first_time(self, key: str, now: datetime) -> bool:
        """Record ``key`` in this unit of work; True unless it was recorded before (by any process).
        The record is written with the turn that handles it: a turn that is rolled back leaves none."""
        ...


class Transaction(Protocol):
    """One transaction. Use as a context manager; nothing is written unless ``commit`` is called.
    A lost database connection leaves it as :class:`bot.errors.Unavailable`."""

    def commit(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnitOfWork(Transaction, Protocol):
    """The bot's unit of work: its repositories over one transaction."""

    programmes: ProgrammeRepository
    people: PersonRepository
    relationships: RelationshipRepository
    deliveries: DeliveryRepository
    audit: AuditLog
    conversations: ConversationStore
    activity: ActivityReader
    announcements: AnnouncementRepository
    personal_data: PersonalData
    email_links: LinkLedger
    events: ProcessedEvents

    def content(self, viewer: Person) -> ContentAccess: ...
    def system_content(self, purpose: str) -> SystemContent: ...
    def flush(self) -> None:
        """Send pending changes to the database (new rows get their ids) without committing."""
        ...

    def rollback(self) -> None: ...


class SystemContent(Protocol):
    """Content access for the bot itself (planner, data export), opened with a named purpose.

    It reads content only to send it to members of the same relationship, or to hand a person their
    own data; it has no method that lists content across relationships in bulk for display.
    """

    purpose: str

    def as_member(self, person_id: int) -> ContentAccess: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


# -- the scheduler's port ----------------------------------------------------------------------------------


class SchedulingStore(Protocol):
    """What the plan pass and the outbox dispatcher read and write, in the unit of work's transaction.

    Planning: which relationships are due, their :class:`~bot.snapshot.Snapshot`, and the guarded writes
    of its outcome (phase moves, endings, outbox rows inserted if new, next review marks).  Sending: claim
    what is due under a lease, and record each :class:`~bot.outbox.Outcome` guarded by its claim."""

    def try_plan_lock(self) -> bool:
        """False when another process is planning now (held until the transaction ends)."""
        ...

    def due_relationship_ids(self, now: datetime, limit: int) -> list[int]: ...
    def load_snapshot(self, relationship_ids: Sequence[int], now: datetime) -> Snapshot: ...
    def coordinators(self) -> list[Person]: ...
    def existing_deliveries(self, person_ids: Sequence[int], since: datetime) -> list[ExistingDelivery]: ...
    def apply_phase_step(self, from_phase: str, change: PhaseChange) -> bool:
        """Keep the phase engine's ``change``, guarded by the phase it was in (False: moved meanwhile)."""
        ...

    def end_relationship(self, relationship_id: int, phase: str, end: Ending) -> bool: ...
    def insert_deliveries(self, rows: Sequence[Mapping[str, object]]) -> set[str]:
        """Insert outbox rows, skipping any whose dedupe key exists; the keys actually inserted."""
        ...

    def write_reviews(self, reviews: dict[int, datetime], seqs: dict[int, int]) -> None: ...
    def claim_due(self, now: datetime, lease_until: datetime, token: str, limit: int) -> list[Claimed]: ...
    def recipients(self, person_ids: Iterable[int]) -> dict[int, Person]: ...
    def claim_due_exists(self, now: datetime) -> bool: ...
    def reserve_slots(self, key: str, count: int, interval: float, now: float) -> float:
        """Reserve ``count`` send slots ``interval`` seconds apart on ``key``, shared by every process on
        the database; the time of the first (Unix seconds)."""
        ...

    def finish(self, outcomes: Sequence[Outcome]) -> int:
        """Record outcomes; how many claims had been lost meanwhile."""
        ...


class SchedulerUnitOfWork(Transaction, Protocol):
    """The scheduler's unit of work: only the scheduling store (the storage's unit of work is both)."""

    scheduling: SchedulingStore


class SchedulerUnitOfWorkFactory(Protocol):
    def __call__(self) -> SchedulerUnitOfWork: ...
