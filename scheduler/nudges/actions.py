"""``actions``: owners of open action items are reminded at 09:00 two days before the due date ("due
soon", worth sending until the due date ends) and the day after it ("overdue", for a week).  One message
per owner, day and kind of reminder; each item is reminded once even when it lands in another batch."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import datetime
from datetime import time
from datetime import timedelta

from bot.action_plan import open_items
from bot.messages import Buttons
from bot.messages import Message
from bot.messages import Section
from bot.model import ActionItem
from bot.model import Person
from bot.model import Relationship
from bot.programme import ProgrammeConfig
from bot.relationship_view import title
from bot.timefmt import show_date
from scheduler.localtime import at_local
from scheduler.localtime import day_slot
from scheduler.localtime import zone_of
from scheduler.nudges._compose import command_button
from scheduler.nudges._compose import message
from scheduler.nudges._scope import Candidate
from scheduler.nudges._scope import RelationshipScope
from scheduler.nudges._spec import Family
from scheduler.nudges._spec import NudgeSpec

ACTION_DUE = NudgeSpec("action_reminder", "actions", 30, timedelta(days=2), True)
ACTION_OVERDUE = NudgeSpec("action_reminder", "actions", 30, timedelta(days=7), True)


def plan(s: RelationshipScope) -> None:
    if not s.gated(ACTION_DUE):
        return
    groups: dict[tuple[str, int, datetime], list[tuple[str, ActionItem]]] = {}
    owners: dict[int, Person] = {}
    for a in open_items(s.f.actions):
        member = s.rel.member(a.owner_id) if a.owner_id is not None else None
        if member is None or a.due_on is None or member.person.id is None:
            continue
        owner = member.person
        owners[member.person.id] = owner
        before = day_slot(a.due_on - timedelta(days=2), owner, s.programme)
        if a.created_at < before:
            groups.setdefault(("due", member.person.id, before), []).append(
                (f"action_due:{a.id}:{a.due_on}", a)
            )
        after = day_slot(a.due_on + timedelta(days=1), owner, s.programme)
        groups.setdefault(("overdue", member.person.id, after), []).append(
            (f"action_overdue:{a.id}:{a.due_on}", a)
        )
    for (which, owner_id, due), entries in sorted(groups.items(), key=lambda kv: (kv[0][2], kv[0][0])):
        owner = owners[owner_id]
        overdue = which == "overdue"
        spec = ACTION_OVERDUE if overdue else ACTION_DUE
        by_key = dict(entries)
        first_due = min(a.due_on for _, a in entries if a.due_on is not None)
        # "due soon" is worth sending until the end of the due date; "overdue" for a week
        expires = (
            due + spec.grace
            if overdue
            else at_local(first_due + timedelta(days=1), time(0, 0), zone_of(owner))
        )
        recompose = functools.partial(_recompose, s.programme, s.rel, owner, by_key, overdue)
        items = tuple(k for k, _ in entries)
        s.offer_candidate(
            Candidate(
                spec,
                owner,
                f"action_reminder:{s.f.id}:{owner_id}:{which}",
                due,
                expires,
                s.f.id,
                functools.partial(recompose, items),
                items,
                recompose,
            )
        )


def _recompose(
    programme: ProgrammeConfig,
    rel: Relationship,
    owner: Person,
    by_key: Mapping[str, ActionItem],
    overdue: bool,
    keys: tuple[str, ...],
) -> Message:
    return compose(programme, rel, owner, [by_key[k] for k in keys], overdue=overdue)


def compose(
    programme: ProgrammeConfig,
    rel: Relationship,
    person: Person,
    items: Sequence[ActionItem],
    *,
    overdue: bool,
) -> Message:
    which = "overdue" if overdue else "due"
    heading = programme.text(f"nudge.actions.{which}_title", title=title(programme, rel, person.id))
    lines = [programme.text(f"nudge.actions.{which}_body")]
    lines += [
        programme.text("nudge.actions.item", text=a.text, date=show_date(a.due_on))
        for a in items
        if a.due_on is not None
    ]
    button = command_button(programme, "nudge.button.actions", "actions", primary=True)
    return message([Section(heading, "\n".join(lines)), Buttons((button,))], heading)


FAMILY = Family(specs=(ACTION_DUE, ACTION_OVERDUE), names=("actions",), plan=plan)
