"""Action plans as pure rules: the gentle SMART check, priorities, owners, overdue items.

After a meeting the mentee writes down what happens next (domain.md §6): what, who, by when, and
whether it is a must-do or a nice-to-have.  The SMART check here only *suggests*: an item with no due
date, a vague verb, an outcome nobody could observe ("be more confident") or no owner is stored all the
same, and the suggestions are shown beside it so the mentee can sharpen it if they wish.
Nothing here ever refuses an item for being imperfect.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from bot.errors import InvalidInput
from bot.errors import StaleAction
from bot.model import ActionItem
from bot.model import ActionStatus
from bot.model import Person
from bot.model import Priority
from bot.model import Relationship

# phrases that make an action hard to check off: nobody can tell when "thinking about" is done
VAGUE_PHRASES: tuple[str, ...] = (
    "think about",
    "look into",
    "try to",
    "consider",
    "work on",
    "explore",
    "reflect on",
    "figure out",
    "keep in mind",
    "maybe",
)

# outcomes that describe a state rather than something anyone could see done: "be more confident",
# "feel better prepared", "improve my communication". A number in the item (a count, a date) makes it
# observable enough, so such items are left alone.
_STATE = (
    r"(?:(?:more|less)\s+\w+|better(?:\s+at)?|a\s+better\s+\w+|calmer|confident|comfortable"
    r"|organi[sz]ed|prepared|assertive|resilient)"
)
_UNOBSERVABLE = re.compile(
    r"\b(?:(?:be|become|feel|get|grow|seem)\s+(?:a\s+(?:bit|lot)\s+)?" + _STATE + r"\b"
    r"|(?:improve|develop|boost|build|increase|gain)\s+(?:my\s+|more\s+)?"
    r"(?:confidence|communication|skills?|knowledge|resilience|wellbeing|self-esteem)\b"
    r"|(?:understand|learn)\s+(?:more|better)\b)"
)

_PRIORITY_WORDS = {
    "must": Priority.MUST,
    "must-do": Priority.MUST,
    "must do": Priority.MUST,
    "nice": Priority.NICE,
    "nice-to-have": Priority.NICE,
    "nice to have": Priority.NICE,
}

OTHER_OWNER = "other"  # the owner choice meaning "someone outside the programme, named below"
NO_OWNER = "none"  # not decided yet (an empty choice means the same)


@dataclass(frozen=True)
class Suggestion:
    """One SMART suggestion: a catalogue key and the values it needs."""

    key: str
    values: dict[str, str] = field(default_factory=dict)


def vague_phrase(text: str) -> str | None:
    """The first vague phrase in ``text`` (as written in :data:`VAGUE_PHRASES`), or None."""
    lowered = " ".join(text.lower().split())
    for phrase in VAGUE_PHRASES:
        if re.search(rf"\b{re.escape(phrase)}\b", lowered):
            return phrase
    return None


def unobservable_outcome(text: str) -> str | None:
    """The phrase in ``text`` that names a state nobody could observe ("be more confident"), or None
    when there is none or the item carries a number (a count or a date makes it checkable)."""
    lowered = " ".join(text.lower().split())
    if any(c.isdigit() for c in lowered):
        return None
    match = _UNOBSERVABLE.search(lowered)
    return match.group(0) if match else None


def smart_suggestions(item: ActionItem) -> list[Suggestion]:
    """What could make ``item`` easier to act on and to check: never a reason to refuse it."""
    found: list[Suggestion] = []
    phrase = vague_phrase(item.text)
    outcome = unobservable_outcome(item.text)
    if phrase is not None:
        found.append(Suggestion("actions.smart.vague", {"phrase": phrase}))
    elif outcome is not None:
        found.append(Suggestion("actions.smart.no_result", {"phrase": outcome}))
    if item.owner_id is None and not item.owner_name:
        found.append(Suggestion("actions.smart.no_owner"))
    if item.due_on is None:
        found.append(Suggestion("actions.smart.no_due"))
    return found


def parse_priority(raw: str | None) -> Priority:
    """``must`` / ``must-do`` or ``nice`` / ``nice-to-have`` (empty means must-do)."""
    word = " ".join((raw or "").strip().lower().split())
    if not word:
        return Priority.MUST
    found = _PRIORITY_WORDS.get(word)
    if found is None:
        raise InvalidInput("actions.error.priority", value=word[:40])
    return found


def resolve_owner(
    choice: str | None, other_name: str, relationship: Relationship, *, name_limit: int = 200
) -> tuple[int | None, str]:
    """The owner chosen in the form: a current member (by id), someone outside the programme (by name)
    or nobody yet.  Returns ``(owner_id, owner_name)``; an id that is not a member is refused."""
    raw = (choice or "").strip()
    name = " ".join(other_name.split())
    if len(name) > name_limit:
        raise InvalidInput("error.too_long", field="owner's name", limit=name_limit)
    if raw == OTHER_OWNER or (raw in (NO_OWNER, "") and name):
        if not name:
            raise InvalidInput("actions.error.owner_name_missing")
        return None, name
    if raw in (NO_OWNER, ""):
        return None, ""
    try:
        owner_id = int(raw)
    except ValueError:
        raise InvalidInput("actions.error.owner_unknown") from None
    if not relationship.is_member(owner_id):
        raise InvalidInput("actions.error.owner_unknown")
    return owner_id, ""


def is_overdue(item: ActionItem, today: date) -> bool:
    return item.status == ActionStatus.OPEN and item.due_on is not None and item.due_on < today


def open_items(items: Iterable[ActionItem]) -> list[ActionItem]:
    """Open items in the order people read them: soonest due first, undated last, must before nice."""
    found = [i for i in items if i.status == ActionStatus.OPEN]
    return sorted(
        found,
        key=lambda i: (
            i.due_on is None,
            i.due_on or date.max,
            i.priority != Priority.MUST,
            i.id or 0,
        ),
    )


def close(item: ActionItem, status: ActionStatus, now: datetime) -> None:
    """Mark an open item done or dropped; an item already closed makes the request stale."""
    if item.status != ActionStatus.OPEN:
        raise StaleAction("actions.error.already_closed", status=item.status)
    item.status = status
    item.closed_at = now


def owner_label(item: ActionItem, relationship: Relationship) -> str:
    """Whom the item belongs to, as a name ("" when nobody was named)."""
    if item.owner_id is not None:
        member = relationship.member(item.owner_id)
        if member is not None:
            return member.person.name
        return ""
    return item.owner_name


def may_change(item: ActionItem, relationship: Relationship, person_id: int) -> bool:
    """Who may reword or re-date an item: its owner; when nobody in the relationship owns it (someone
    outside the programme, or not decided yet), whoever wrote it."""
    if item.owner_id is not None and relationship.is_member(item.owner_id):
        return item.owner_id == person_id
    return item.created_by == person_id


def pick_numbered(
    numbered: Sequence[tuple[Relationship, ActionItem]], raw: str
) -> tuple[Relationship, ActionItem]:
    """The item a person means by its number (an item's own number within its relationship). The same
    number in two relationships is ambiguous: the person is asked to name the relationship."""
    if not numbered:
        raise InvalidInput("actions.error.none_open")
    wanted = raw.strip().lstrip("#")
    found = [(rel, item) for rel, item in numbered if wanted.isdecimal() and item.number == int(wanted)]
    if not found:
        numbers = ", ".join(str(item.number) for _, item in numbered)
        raise InvalidInput("actions.error.number", value=raw.strip()[:20] or "?", numbers=numbers)
    if len(found) > 1:
        ids = ", ".join(f"#{rel.id}" for rel, _ in found)
        raise InvalidInput(
            "actions.error.ambiguous", n=wanted, ids=ids, example=f"#{found[0][0].id} {wanted}"
        )
    return found[0]


def may_draft(relationship: Relationship, person: Person) -> bool:
    """The learner side drafts the action plan; in peer formats (no guide) everyone does."""
    member = relationship.member(person.id)
    if member is None:
        return False
    return member.side != "guide" or not relationship.learners()


def may_comment(relationship: Relationship, person: Person) -> bool:
    """Guides comment on the plan; in a relationship without guides, every member may."""
    member = relationship.member(person.id)
    if member is None:
        return False
    return member.side == "guide" or not relationship.guides()
