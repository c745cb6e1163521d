"""``mentorbot relationship``: a coordinator's hands-on changes, from the terminal.

    mentorbot relationship pause N --as COORDINATOR_EMAIL
    mentorbot relationship resume N --as COORDINATOR_EMAIL
    mentorbot relationship end N --as COORDINATOR_EMAIL
    mentorbot relationship phase N PHASE --as COORDINATOR_EMAIL
    mentorbot relationship rematch N GUIDE_EMAIL --as COORDINATOR_EMAIL [--assesses --override-reason TEXT]

The same rules as in chat: only coordinators (anyone else is refused and the attempt audited), every
change audited with who, what and when, and the members told through the outbox.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.coordinator import acting_coordinator
from bot.coordinator import apply_change
from bot.coordinator import find_relationship
from bot.coordinator import relationship_number
from bot.errors import NotFound
from bot.notices import enqueue_notices
from bot.ports import UnitOfWork
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands._coordinator import command_parser
from mentorbot.commands._coordinator import in_unit_of_work
from mentorbot.commands._coordinator import on_runtime


def add_parser(sub: Any) -> None:
    parser = command_parser(
        sub,
        "relationship",
        "pause, resume, end, set the phase of or re-match a relationship (coordinators only)",
        __doc__,
    )
    changes = parser.add_subparsers(dest="change", metavar="CHANGE")
    changes.required = True
    for name, what in (
        ("pause", "pause a relationship: no reminders until it is resumed"),
        ("resume", "resume a paused relationship"),
        ("end", "end a relationship, without fault"),
        ("phase", "move a relationship to another phase"),
        ("rematch", "end a relationship and match its learner with another guide"),
    ):
        p = changes.add_parser(name, help=what)
        p.add_argument("number", metavar="N", help="the relationship's number")
        if name == "phase":
            p.add_argument("phase")
        if name == "rematch":
            p.add_argument("guide", metavar="GUIDE_EMAIL")
            p.add_argument(
                "--assesses", action="store_true", help="the new guide formally assesses the learner"
            )
            p.add_argument("--override-reason", default="", help="why the match must stand despite that")
        p.add_argument("--as", dest="email", required=True, metavar="COORDINATOR_EMAIL", help="who is acting")
        p.set_defaults(func=on_runtime(change))


def change(scope: CommandScope, args: argparse.Namespace) -> int:
    now = scope.clock.now()
    action = f"relationship.{args.change}"

    def work(uow: UnitOfWork) -> str:
        number = str(args.number).lstrip("#")
        target = f"relationship:{number}" if number.isdigit() else ""
        actor = acting_coordinator(uow, args.email, action, now, target)
        rel = find_relationship(uow, relationship_number(args.number))
        guide = None
        if args.change == "rematch":
            guide = uow.people.by_email(args.guide)
            if guide is None:
                raise NotFound("coordinator.person.unknown", email=args.guide[:320])
        changed = apply_change(
            uow,
            scope.programme,
            rel,
            args.change,
            actor,
            now,
            phase=getattr(args, "phase", ""),
            guide=guide,
            assesses=getattr(args, "assesses", False),
            override_reason=getattr(args, "override_reason", ""),
        )
        enqueue_notices(uow, changed.notices, now)
        return changed.confirmation.replace("*", "")

    return in_unit_of_work(scope, f"relationship {args.change}", work)
