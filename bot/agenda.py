"""The meeting agenda as pure rules: who sets it, which meeting an item is for, order, carry-over.

Which meeting an item belongs to is worked out from the meetings rather than stored up front, so
that nothing has to be re-filed when a meeting is booked, moved, cancelled or missed:

* an *open* item belongs to the first meeting (confirmed or held) that starts after it was written;
* a *carried-over* item keeps the id of the meeting it was carried from and belongs to the first
  meeting after that one;
* a *discussed* item belongs to the meeting where it was discussed.

Cancelled and missed meetings never count, so their items move on to the next meeting by themselves.
Once the meeting an item belongs to has been held, the item waits for the mentee to say whether it
was discussed or should be carried over to the next agenda.

:func:`compiled_agenda` is what a guide reads before a meeting: the items in order, then the open
action items (which join every agenda by themselves until they are done or dropped).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import datetime
from typing import Protocol

from bot.action_plan import is_overdue
from bot.action_plan import open_items
from bot.action_plan import owner_label
from bot.catalogue import TextLookup
from bot.errors import InvalidInput
from bot.errors import StaleAction
from bot.ground_rules import side_answered
from bot.messages import Block
from bot.messages import Section
from bot.messages import Text
from bot.messages import quote
from bot.model import ActionItem
from bot.model import AgendaItem
from bot.model import AgendaStatus
from bot.model import AgreementStatus
from bot.model import Format
from bot.model import Goal
from bot.model import GoalStatus
from bot.model import GroundRules
from bot.model import Kind
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Person
from bot.model import Relationship
from bot.model import Side
from bot.programme import ProgrammeConfig
from bot.timefmt import show
from bot.timefmt import show_date

PROMPTS: tuple[str, ...] = ("since_last", "hardest_now", "revisit", "this_meeting")
# before the pair's first meeting there is no "last time": these fit a first meeting instead
FIRST_PROMPTS: tuple[str, ...] = ("about_you", "hopes", "hardest_now", "this_meeting")
LOOKING_BACK: tuple[str, ...] = ("since_last", "revisit")  # prompts that need an earlier meeting
OWN_TOPIC = "own"
GOALS_TOPIC = "goals"  # "progress on my goals": offered beside the preparation questions

_COUNTS = (MeetingStatus.CONFIRMED, MeetingStatus.HELD)
_LIVE = (AgendaStatus.OPEN, AgendaStatus.CARRIED_OVER)
_GONE = (AgendaStatus.DROPPED, AgendaStatus.REMOVED)


class AgendaContent(Protocol):
    """The part of :class:`bot.ports.ContentAccess` the compiled agenda reads (membership-checked).

    A full ``ContentAccess`` is one; the scheduler passes its own snapshot-backed equivalent.
    """

    viewer_id: int

    def relationship(self, relationship_id: int) -> Relationship: ...
    def meetings(self, relationship_id: int) -> list[Meeting]: ...
    def meeting(self, meeting_id: int) -> Meeting: ...
    def agenda(self, relationship_id: int) -> list[AgendaItem]: ...
    def actions(self, relationship_id: int) -> list[ActionItem]: ...
    def goals(self, relationship_id: int) -> list[Goal]: ...


def preparation_prompts(*, first: bool) -> list[str]:
    """Catalogue keys of the questions that help the mentee prepare: the first-meeting variant
    (``agenda.first_prompt.*``) before the pair ever met, else the usual ones (``agenda.prompt.*``)."""
    if first:
        return [f"agenda.first_prompt.{p}" for p in FIRST_PROMPTS]
    return [f"agenda.prompt.{p}" for p in PROMPTS]


def agreed_items(versions: Sequence[GroundRules]) -> Mapping[str, str]:
    """The answers of the ground rules in force, or nothing before any version is agreed."""
    agreed = [v for v in versions if v.status == AgreementStatus.AGREED]
    return max(agreed, key=lambda v: v.version).items if agreed else {}


def is_peer_relationship(relationship: Relationship) -> bool:
    """Peer and near-peer relationships have no hierarchy: every member is addressed as an equal."""
    members = relationship.current_members()
    if relationship.format in (Format.PEER, Format.NEAR_PEER):
        return True
    return bool(members) and all(m.side == Side.PEER for m in members)


def agenda_setters(
    relationship: Relationship, rules: Mapping[str, str], programme: ProgrammeConfig
) -> list[Person]:
    """Who may add to, edit and order the agenda: the learner side unless the pair agreed otherwise;
    every member in a peer relationship."""
    members = relationship.current_members()
    if is_peer_relationship(relationship):
        return [m.person for m in members]
    who = side_answered(rules, programme, "who_sets_agenda")
    guides = [m.person for m in members if m.side == Side.GUIDE]
    learners = [m.person for m in members if m.side != Side.GUIDE]
    if who == "guide" and guides:
        return guides
    if who == "either" or not learners:
        return [m.person for m in members]
    return learners


def may_set_agenda(
    relationship: Relationship, rules: Mapping[str, str], programme: ProgrammeConfig, person_id: int
) -> bool:
    return any(p.id == person_id for p in agenda_setters(relationship, rules, programme))


# -- which meeting an item is for -----------------------------------------------------------------------


def _first_meeting_after(meetings: Iterable[Meeting], at: datetime) -> Meeting | None:
    later = [m for m in meetings if m.status in _COUNTS and m.starts_at is not None and m.starts_at > at]
    return min(later, key=lambda m: (m.starts_at, m.id or 0)) if later else None


def meeting_of(item: AgendaItem, meetings: Sequence[Meeting]) -> Meeting | None:
    """The meeting ``item`` is (or was) for; None while no such meeting is booked."""
    by_id = {m.id: m for m in meetings}
    own = by_id.get(item.meeting_id) if item.meeting_id is not None else None
    if item.status == AgendaStatus.DISCUSSED:
        return own
    if item.status == AgendaStatus.CARRIED_OVER and own is not None and own.starts_at is not None:
        return _first_meeting_after(meetings, own.starts_at)
    if item.status == AgendaStatus.OPEN and own is not None and own.status in _COUNTS:
        return own
    return _first_meeting_after(meetings, item.created_at)


@dataclass(frozen=True)
class AgendaView:
    """The agenda as a person works on it.

    ``upcoming``: items for the next meeting, in order (the numbers people type refer to this list).
    ``to_review``: items of a meeting that has been held, waiting to be marked discussed or carried
    over (numbered separately).
    """

    upcoming: list[AgendaItem] = field(default_factory=list)
    to_review: list[AgendaItem] = field(default_factory=list)
    meeting: Meeting | None = None  # the meeting the upcoming items are for, when one is booked


def agenda_view(items: Iterable[AgendaItem], meetings: Sequence[Meeting]) -> AgendaView:
    upcoming: list[AgendaItem] = []
    to_review: list[AgendaItem] = []
    for item in items:
        if item.status not in _LIVE:
            continue
        meeting = meeting_of(item, meetings)
        if meeting is not None and meeting.status == MeetingStatus.HELD:
            to_review.append(item)
        else:
            upcoming.append(item)
    upcoming.sort(key=lambda i: (i.position, i.id or 0))
    to_review.sort(key=lambda i: (i.position, i.id or 0))
    booked = [m for m in (meeting_of(i, meetings) for i in upcoming) if m is not None]
    meeting = min(booked, key=lambda m: (m.starts_at, m.id or 0)) if booked else None
    if meeting is None:
        meeting = next_meeting(meetings)
    return AgendaView(upcoming, to_review, meeting)


def next_meeting(meetings: Iterable[Meeting]) -> Meeting | None:
    """The earliest confirmed meeting not yet recorded as held or missed."""
    confirmed = [m for m in meetings if m.status == MeetingStatus.CONFIRMED and m.starts_at is not None]
    return min(confirmed, key=lambda m: (m.starts_at, m.id or 0)) if confirmed else None


def items_for(meeting: Meeting, items: Iterable[AgendaItem], meetings: Sequence[Meeting]) -> list[AgendaItem]:
    """The items on ``meeting``'s agenda, in order (dropped ones left out)."""
    found = [
        i
        for i in items
        if i.status not in _GONE and (m := meeting_of(i, meetings)) is not None and m.id == meeting.id
    ]
    return sorted(found, key=lambda i: (i.position, i.id or 0))


# -- changing the agenda ----------------------------------------------------------------------------


def next_position(items: Iterable[AgendaItem]) -> int:
    return max((i.position for i in items), default=0) + 1


def pick(items: Sequence[AgendaItem], number: str) -> AgendaItem:
    """The item a person means by its number (the item's own number, shown in front of it)."""
    raw = number.strip().lstrip("#")
    found = next((i for i in items if raw.isdecimal() and i.number == int(raw)), None)
    if found is None:
        raise InvalidInput("agenda.error.number", value=number.strip()[:20] or "?", numbers=numbers_of(items))
    return found


def numbers_of(items: Iterable[AgendaItem]) -> str:
    """The numbers people may type, as a short list ("2, 5, 6")."""
    return ", ".join(str(i.number) for i in items) or "—"


def parse_order(text: str, items: Sequence[AgendaItem]) -> list[int]:
    """``"3 1 2"`` (or ``"3,1,2"``): every item's number exactly once, as 0-based indexes into ``items``."""
    parts = text.replace(",", " ").split()
    index = {i.number: n for n, i in enumerate(items)}
    if not all(p.isdecimal() for p in parts) or sorted(int(p) for p in parts) != sorted(index):
        raise InvalidInput(
            "agenda.error.order",
            count=len(items),
            example=" ".join(str(i.number) for i in reversed(items)),
        )
    return [index[int(p)] for p in parts]


def apply_order(items: Sequence[AgendaItem], order: Sequence[int]) -> None:
    """Renumber ``items`` so that they read in ``order`` (0-based indexes into ``items``)."""
    for position, index in enumerate(order, start=1):
        items[index].position = position


def move(items: Sequence[AgendaItem], index: int, delta: int) -> bool:
    """Move one item up (``delta`` -1) or down (+1); False when it is already at that end."""
    target = index + delta
    if not 0 <= target < len(items):
        return False
    order = list(range(len(items)))
    order[index], order[target] = order[target], order[index]
    apply_order(items, order)
    return True


def mark(item: AgendaItem, status: AgendaStatus, meeting: Meeting) -> None:
    """After ``meeting``: the item was discussed, or carries over to the next agenda."""
    if item.status not in _LIVE or meeting.status != MeetingStatus.HELD:
        raise StaleAction()
    if item.status == AgendaStatus.CARRIED_OVER and item.meeting_id == meeting.id:
        raise StaleAction()
    item.status = status
    item.meeting_id = meeting.id


def remove(item: AgendaItem, by: int) -> bool:
    """Take ``item`` off the agenda. Its author's own removal drops it; anyone else's only hides it, so
    that the author can put it back (the mentee's agenda is hers). True when it was someone else's."""
    if item.status not in _LIVE:
        raise StaleAction()
    if item.author_id == by:
        item.status = AgendaStatus.DROPPED
        return False
    item.status = AgendaStatus.REMOVED
    item.removed_by = by
    return True


def _as_restored(item: AgendaItem) -> AgendaItem:
    # only ``mark`` sets the meeting of a live item, and only when carrying it over: an item with a
    # meeting was carried over from it, one without is open
    status = AgendaStatus.CARRIED_OVER if item.meeting_id is not None else AgendaStatus.OPEN
    return replace(item, status=status, removed_by=None)


def restorable(items: Iterable[AgendaItem], meetings: Sequence[Meeting], author_id: int) -> list[AgendaItem]:
    """Items of ``author_id`` that someone else took off and that can still go back: until the meeting
    they were for has been held (after that the removal stands)."""
    found = []
    for item in items:
        if item.status != AgendaStatus.REMOVED or item.author_id != author_id:
            continue
        meeting = meeting_of(_as_restored(item), meetings)
        if meeting is None or meeting.status != MeetingStatus.HELD:
            found.append(item)
    return sorted(found, key=lambda i: i.number)


def restore(item: AgendaItem, meetings: Sequence[Meeting]) -> None:
    """Put an item someone else took off back where it was."""
    if item not in restorable([item], meetings, item.author_id):
        raise StaleAction()
    back = _as_restored(item)
    item.status, item.removed_by = back.status, None


def with_prompt(label: str, text: str) -> str:
    """An item written in answer to a preparation prompt reads "<short prompt>: <text>"."""
    return f"{label}: {text}" if label else text


# -- the compiled agenda -----------------------------------------------------------------------------


def compiled_agenda(
    content: AgendaContent,
    relationship: Relationship,
    meeting: Meeting | None,
    texts: TextLookup,
    *,
    today: date | None = None,
) -> list[Block]:
    """The agenda of ``meeting`` (or of the next meeting, when None) as a guide reads it.

    ``content`` is the viewer's content access; the viewer must be a member. Open action items of the
    relationship follow the agenda items, overdue ones flagged. ``texts`` is the programme's catalogue;
    ``today`` (in the reader's zone) decides what is overdue and defaults to the day of the meeting shown.
    """
    assert relationship.id is not None
    rel = content.relationship(relationship.id)
    meetings = content.meetings(relationship.id)
    items = content.agenda(relationship.id)
    if meeting is not None:
        chosen = items_for(
            content.meeting(meeting.id) if meeting.id is not None else meeting, items, meetings
        )
        when_meeting: Meeting | None = meeting
    else:
        view = agenda_view(items, meetings)
        chosen, when_meeting = view.upcoming, view.meeting
    viewer = rel.member(content.viewer_id)
    tz = viewer.person.timezone if viewer is not None else "UTC"
    kind = texts(f"kind.{rel.kind}.label")
    # which relationship: a person in several reads several agendas one after the other
    others = ", ".join(quote(p.name) for p in rel.others(content.viewer_id)) or "—"
    named = {"kind": kind, "others": others, "id": rel.id}
    if when_meeting is not None and when_meeting.starts_at is not None:
        title = texts("agenda.compiled.title", when=show(when_meeting.starts_at, tz), **named)
    else:
        title = texts("agenda.compiled.title_unbooked", **named)
    several_authors = len({i.author_id for i in chosen}) > 1
    lines = []
    for item in chosen:
        line = f"{item.number}. {quote(item.text)}"
        if item.status == AgendaStatus.CARRIED_OVER:
            line += " " + texts("agenda.carried_tag")
        if several_authors:
            author = rel.member(item.author_id)
            if author is not None:
                line += " " + texts("agenda.author_tag", name=quote(author.person.name))
        lines.append(line)
    blocks: list[Block] = [Section(title, "\n".join(lines) or texts("agenda.compiled.empty"))]
    actions = open_items(content.actions(relationship.id))
    if actions:
        reference = today or (
            when_meeting.starts_at.date() if when_meeting and when_meeting.starts_at else None
        )
        action_lines = []
        for a in actions:
            parts = [quote(a.text)]
            owner = owner_label(a, rel)
            if owner:
                parts.append(quote(owner))
            if a.due_on is not None:
                parts.append(texts("actions.due_tag", date=show_date(a.due_on)))
            line = f"• {a.number}. " + " — ".join(parts)
            if reference is not None and is_overdue(a, reference):
                line += " " + texts("actions.overdue_tag")
            action_lines.append(line)
        blocks.append(Text(texts("agenda.compiled.actions_heading") + "\n" + "\n".join(action_lines)))
    if rel.kind == Kind.COACHING:
        blocks.append(_goal_review(texts, content.goals(relationship.id)))
    return blocks


def _goal_review(texts: TextLookup, goals: list[Goal]) -> Text:
    """Coaching works goal by goal (domain.md §8): every meeting's agenda ends with a goal review."""
    active = [g for g in goals if g.status in (GoalStatus.OPEN, GoalStatus.PROGRESSING)]
    if not active:
        return Text(texts("agenda.compiled.goals_none"))
    lines = [
        f"• {g.number}. {quote(g.text)} — {texts(f'goals.status.{g.status}')}"
        for g in sorted(active, key=lambda g: g.number)
    ]
    return Text(texts("agenda.compiled.goals_heading") + "\n" + "\n".join(lines))
