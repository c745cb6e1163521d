"""The domain model: plain Python objects that the storage layer maps to tables.

These classes know nothing about databases (``storage.orm`` maps them imperatively, in the manner of
"Architecture Patterns with Python").  Times are aware UTC datetimes; dates are calendar dates in the
programme's time zone.

Content that a relationship's members write -- agenda items, action items, notes, check-ins -- is
deliberately *not* reachable from :class:`Relationship`: the only way to read it is through the
membership-checked content access of the unit of work (see ``bot.ports.ContentAccess``).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    MENTEE = "mentee"
    GUIDE = "guide"
    COORDINATOR = "coordinator"


class Kind(StrEnum):
    """The four kinds of guidance (domain.md §1). Never conflated."""

    MENTORING = "mentoring"
    COACHING = "coaching"
    ADVISING = "advising"
    SPONSORSHIP = "sponsorship"


class Format(StrEnum):
    ONE_TO_ONE = "one-to-one"
    GROUP = "group"
    PEER = "peer"
    NEAR_PEER = "near-peer"
    COMMITTEE = "committee"
    SPEED = "speed"
    E_MENTORING = "e-mentoring"


class Side(StrEnum):
    GUIDE = "guide"
    LEARNER = "learner"
    PEER = "peer"


class RelationshipStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class MeetingStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    HELD = "held"
    CANCELLED = "cancelled"
    MISSED = "missed"


class AgendaStatus(StrEnum):
    OPEN = "open"
    DISCUSSED = "discussed"
    CARRIED_OVER = "carried-over"
    DROPPED = "dropped"  # taken off by its own author
    REMOVED = "removed"  # taken off by another member: hidden, and its author may restore it


class Priority(StrEnum):
    MUST = "must"
    NICE = "nice"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class AgreementStatus(StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"  # a retry is scheduled
    DEAD = "dead"  # gave up after the last attempt; shown to coordinators
    SKIPPED = "skipped"  # expired before it could be sent (misfire policy) or recipient opted out
    UNREACHABLE = "unreachable"  # the person has no channel the bot can reach
    BATCHED = "batched"  # a dedupe marker only: the item went out inside another (batched) delivery


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    CONSOLE = "console"
    EMAIL = "email"  # never stored as an identity: a person's e-mail address is their way in


@dataclass(eq=False)
class Programme:
    slug: str
    name: str
    id: int | None = None


@dataclass(eq=False)
class ChatIdentity:
    """How one person is reached on one platform.

    ``external_id`` is the platform's user id (Slack ``U…``, Teams AAD object id or ``29:…`` id);
    ``workspace`` the Slack team id or Teams tenant id; ``address`` whatever the platform needs to
    message the person proactively (Slack DM channel id, Teams conversation reference).
    """

    platform: str
    external_id: str
    workspace: str = ""
    address: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
    person_id: int | None = None
    id: int | None = None


@dataclass(eq=False)
class Person:
    email: str
    name: str
    roles: list[str] = field(default_factory=list)
    cohort: str = ""
    stage: str = ""
    timezone: str = "UTC"
    paused: bool = False
    paused_until: date | None = None  # None with paused=True means "until I resume"
    quiet_start: str | None = None  # "HH:MM" local; None = programme default
    quiet_end: str | None = None
    opt_outs: list[str] = field(default_factory=list)  # nudge kinds the person does not want
    active: bool = True  # False once they left the programme
    capacity: int | None = None  # max learners as a guide; None = programme default
    channel: str = ""  # the channel the person chose (``channel email``); "" = the programme's rule
    erased_at: datetime | None = None
    created_at: datetime | None = None
    identities: list[ChatIdentity] = field(default_factory=list)
    programme_id: int | None = None
    id: int | None = None

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.roles

    @property
    def is_coordinator(self) -> bool:
        return self.has_role(Role.COORDINATOR)

    @property
    def in_programme(self) -> bool:
        """Still taking part: not left, not erased."""
        return self.active and self.erased_at is None

    def identity(self, platform: Platform | str) -> ChatIdentity | None:
        for ident in self.identities:
            if ident.platform == str(platform):
                return ident
        return None

    def is_paused_on(self, day: date) -> bool:
        if not self.paused:
            return False
        return self.paused_until is None or day < self.paused_until


@dataclass(eq=False)
class Membership:
    person: Person
    side: str
    joined_at: datetime | None = None
    left_at: datetime | None = None
    relationship_id: int | None = None
    person_id: int | None = None
    id: int | None = None


@dataclass(eq=False)
class PhaseChange:
    phase: str
    at: datetime
    reason: str = ""
    by_person_id: int | None = None  # None: the phase engine
    relationship_id: int | None = None
    id: int | None = None


@dataclass(eq=False)
class Relationship:
    kind: str
    format: str
    phase: str
    started_on: date
    planned_end: date | None = None
    cadence_days: int = 28
    status: str = RelationshipStatus.ACTIVE
    assessor_conflict: bool = False
    override_reason: str = ""
    external_ref: str = ""  # the match's key in the coordinator's spreadsheet, for idempotent re-import
    created_at: datetime | None = None
    ended_at: datetime | None = None  # when it ended (by a coordinator, or by itself after closure)
    members: list[Membership] = field(default_factory=list)
    phase_history: list[PhaseChange] = field(default_factory=list)
    programme_id: int | None = None
    id: int | None = None

    def current_members(self) -> list[Membership]:
        return [m for m in self.members if m.left_at is None]

    def member(self, person_id: int | None) -> Membership | None:
        for m in self.current_members():
            if m.person_id == person_id or m.person.id == person_id:
                return m
        return None

    def is_member(self, person_id: int | None) -> bool:
        return person_id is not None and self.member(person_id) is not None

    def guides(self) -> list[Person]:
        return [m.person for m in self.current_members() if m.side == Side.GUIDE]

    def learners(self) -> list[Person]:
        return [m.person for m in self.current_members() if m.side == Side.LEARNER]

    def peers(self) -> list[Person]:
        return [m.person for m in self.current_members() if m.side == Side.PEER]

    def others(self, person_id: int | None) -> list[Person]:
        return [m.person for m in self.current_members() if m.person.id != person_id]


@dataclass(eq=False)
class GroundRuleConfirmation:
    person_id: int
    at: datetime
    agreement_id: int | None = None
    id: int | None = None


@dataclass(eq=False)
class GroundRules:
    """One version of a relationship's ground rules (domain.md §5). Items are keyed answers."""

    relationship_id: int
    version: int
    items: dict[str, str]
    proposed_by: int
    proposed_at: datetime
    status: str = AgreementStatus.PROPOSED
    agreed_at: datetime | None = None
    confirmations: list[GroundRuleConfirmation] = field(default_factory=list)
    id: int | None = None

    def confirmed_by(self, person_id: int) -> bool:
        return any(c.person_id == person_id for c in self.confirmations)


@dataclass(eq=False)
class Meeting:
    relationship_id: int
    status: str
    scheduled_by: int
    created_at: datetime
    options: list[str] = field(default_factory=list)  # proposed start times, ISO-8601 UTC
    starts_at: datetime | None = None  # set once confirmed
    duration_minutes: int = 60
    held_minutes: int | None = None
    cancel_reason: str = ""
    location: str = ""
    updated_at: datetime | None = None
    # each member's answer to the proposal: str(person id) -> an ISO option they accept, or "declined".
    # Replace the dict (never mutate it in place) so the change is saved.
    responses: dict[str, str] = field(default_factory=dict)
    sequence: int = 0  # the calendar invite's SEQUENCE: grows each time the confirmed time changes
    id: int | None = None


@dataclass(eq=False)
class AgendaItem:
    relationship_id: int
    author_id: int
    text: str
    position: int
    created_at: datetime
    meeting_id: int | None = None
    status: str = AgendaStatus.OPEN
    # the item's number in its relationship, given by storage when it is first stored (one past the
    # highest the relationship ever had): the same number everywhere, for the item's whole life
    number: int = 0
    removed_by: int | None = None  # who took it off, when that was not its author (status REMOVED)
    id: int | None = None


@dataclass(eq=False)
class ActionItem:
    relationship_id: int
    text: str
    created_by: int
    created_at: datetime
    owner_id: int | None = None
    owner_name: str = ""  # when the owner is outside the programme
    due_on: date | None = None
    priority: str = Priority.MUST
    status: str = ActionStatus.OPEN
    guide_comment: str = ""
    meeting_id: int | None = None
    closed_at: datetime | None = None
    goal_id: int | None = None  # the development goal this action serves, if any
    number: int = 0  # as AgendaItem.number: stable for the item's life, given by storage
    id: int | None = None


class GoalStatus(StrEnum):
    OPEN = "open"
    PROGRESSING = "progressing"
    REACHED = "reached"
    SET_ASIDE = "set_aside"


class GoalLayer(StrEnum):
    """The layers in which competence develops (domain.md §8)."""

    CANONICAL = "canonical"  # what every professional should know
    CONTEXTUAL = "contextual"  # applying it in a given setting
    PERSONAL = "personal"  # one's own interests, habits, convictions


@dataclass(eq=False)
class Goal:
    """A learner's development goal in one relationship, in their own words (domain.md §8-9).

    ``number`` is the goal's stable number in its relationship: given once, never reused or shifted.
    Private to the relationship like every other content: coordinators only count goals."""

    relationship_id: int
    owner_id: int
    number: int
    text: str
    created_at: datetime
    updated_at: datetime
    layer: str = ""  # a GoalLayer, or "" when not tagged
    programme_goal: str = ""  # one of the programme's goals, or ""
    target_on: date | None = None
    status: str = GoalStatus.OPEN
    note: str = ""
    reached_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class Note:
    relationship_id: int
    author_id: int
    text: str
    created_at: datetime
    id: int | None = None


@dataclass(eq=False)
class ClosingReflection:
    """What one member takes from a relationship that is closing (domain.md §4, redefinition).

    Private to the relationship: its members read it, coordinators only count it."""

    relationship_id: int
    person_id: int
    gained: str
    next_steps: str
    thanks: str
    written_at: datetime
    updated_at: datetime
    id: int | None = None


@dataclass(eq=False)
class CheckIn:
    relationship_id: int
    person_id: int
    support: int
    challenge: int
    safety: int
    quadrant: str
    at: datetime
    shared: bool = False
    id: int | None = None


@dataclass(eq=False)
class NetworkEntry:
    """One guide in a person's mentoring network; may be someone outside the programme."""

    person_id: int
    kind: str
    guide_name: str
    created_at: datetime
    id: int | None = None


@dataclass(eq=False)
class NetworkAsk:
    """One concrete ask to fill a gap in a person's network: whom they will ask, and what."""

    person_id: int
    gap_kind: str
    ask: str
    created_at: datetime
    asked_of: str = ""
    id: int | None = None


@dataclass(eq=False)
class Announcement:
    author_id: int
    title: str
    body: str
    audience: dict[str, list[str]]
    created_at: datetime
    send_at: datetime
    status: str = "scheduled"
    recipient_count: int = 0
    id: int | None = None


@dataclass(eq=False)
class Delivery:
    """One message in the outbox. ``dedupe_key`` is unique: the same nudge is never planned twice."""

    person_id: int
    kind: str
    dedupe_key: str
    payload: dict[str, Any]
    due_at: datetime
    channel: str = ""  # decided at dispatch from the person's identities when empty
    status: str = DeliveryStatus.PENDING
    priority: int = 50  # lower is more important
    expires_at: datetime | None = None  # misfire policy: not worth sending after this
    attempts: int = 0
    lease_until: datetime | None = None
    last_error: str = ""
    relationship_id: int | None = None
    created_at: datetime | None = None
    sent_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class AuditEvent:
    """Who did what and when. ``detail`` never holds content a mentee wrote."""

    at: datetime
    action: str
    actor_id: int | None = None
    target: str = ""
    outcome: str = "ok"
    detail: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass(eq=False)
class Conversation:
    """Where one person stands in a multi-step workflow; stored so a restart loses nothing.

    ``version`` grows with every step; buttons and forms carry it, so a stale one is recognised.
    """

    person_id: int
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    updated_at: datetime | None = None
    id: int | None = None
