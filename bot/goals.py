"""Development goals as pure rules (domain.md §8-9): progress from linked actions, staleness, limits.

A learner writes a few goals per relationship in their own words, optionally tagged with a competence
layer (canonical, contextual, personal) and with one of the programme's goals. Actions from the
post-meeting plan may serve a goal; a goal's progress is read from them (done / open / overdue) and from
the learner's own note. A goal nobody has moved for :data:`STALE_AFTER` is named in the guide's weekly
digest with one question fitted to its layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from bot.action_plan import is_overdue
from bot.errors import InvalidInput
from bot.model import ActionItem
from bot.model import ActionStatus
from bot.model import Goal
from bot.model import GoalLayer
from bot.model import GoalStatus
from bot.model import Person
from bot.model import Relationship
from bot.model import Side

STALE_AFTER = timedelta(weeks=4)
MAX_ACTIVE_GOALS = 10  # open or progressing goals per learner and relationship
SUGGESTED_GOALS = (1, 3)  # the welcome invites one to three goals
ACTIVE = (GoalStatus.OPEN, GoalStatus.PROGRESSING)
LAYERS = tuple(layer.value for layer in GoalLayer)
NO_TAG = "none"  # the choice meaning "not tagged" / "serves no goal" (chat platforms refuse empty values)


@dataclass(frozen=True)
class Progress:
    """What the actions serving one goal say: how many are done, open, and (of the open) overdue."""

    done: int = 0
    open: int = 0
    overdue: int = 0


def is_active(goal: Goal) -> bool:
    return goal.status in ACTIVE


def may_own(rel: Relationship, person: Person) -> bool:
    """Learners (and peers) own goals; guides read them."""
    member = rel.member(person.id) if person.id is not None else None
    return member is not None and member.side in (Side.LEARNER, Side.PEER)


def next_number(goals: Iterable[Goal]) -> int:
    """The next stable number in a relationship: one past the highest ever given."""
    return max((g.number for g in goals), default=0) + 1


def progress(goal: Goal, actions: Iterable[ActionItem], today: date) -> Progress:
    served = [a for a in actions if a.goal_id is not None and a.goal_id == goal.id]
    done = sum(1 for a in served if a.status == ActionStatus.DONE)
    still = [a for a in served if a.status == ActionStatus.OPEN]
    return Progress(done, len(still), sum(1 for a in still if is_overdue(a, today)))


def moved_at(goal: Goal, last_action_done: datetime | None) -> datetime:
    """When the goal last moved: written or updated (status, note), or an action serving it was done."""
    return max(t for t in (goal.created_at, goal.updated_at, last_action_done) if t is not None)


def is_stale(goal: Goal, last_action_done: datetime | None, now: datetime) -> bool:
    """Open or progressing, and not moved for :data:`STALE_AFTER` (a new goal is not stale at once)."""
    return is_active(goal) and now - moved_at(goal, last_action_done) >= STALE_AFTER


def prompt_key(goal: Goal) -> str:
    """The catalogue key of the question fitted to the goal's layer (untagged goals get a general one)."""
    return f"goals.prompt.{goal.layer}" if goal.layer in LAYERS else "goals.prompt.untagged"


def parse_layer(raw: str | None) -> str:
    word = (raw or "").strip().lower()
    if word in ("", NO_TAG, "-"):
        return ""
    if word in LAYERS:
        return word
    raise InvalidInput("goals.error.layer", value=word[:30], layers=", ".join(LAYERS))
