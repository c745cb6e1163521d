"""``mentorbot announce``: compose, preview and send (or schedule) an announcement from the terminal.

    mentorbot announce --as coordinator@example.org --title "Welcome" --body "..." --role mentee \
        [--cohort 2026] [--stage clinical] [--phase initiation] [--kind mentoring] [--at 2026-03-05T09:00] \
        [--preview]

Each audience option may be given several times or with commas (``--role mentee,guide``). ``--at``
without a UTC offset is read in the coordinator's time zone. ``--preview`` shows the number of
recipients and up to five names and sends nothing. The same rules as in chat apply: only coordinators,
an audience that reaches somebody, texts within their limits, a time in the future.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from bot.announcements import compose
from bot.announcements import preview
from bot.announcements import publish
from bot.audience import DIMENSIONS
from bot.audience import Choices
from bot.audience import describe
from bot.audience import parse_audience
from bot.clock import as_utc
from bot.coordinator import audit
from bot.coordinator import refuse_unless_coordinator
from bot.errors import NotFound
from bot.errors import UserFacingError
from bot.ports import UnitOfWork
from bot.timefmt import parse_local_datetime
from bot.timefmt import show
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands._coordinator import Said
from mentorbot.commands._coordinator import command_parser
from mentorbot.commands._coordinator import in_unit_of_work
from mentorbot.commands._coordinator import on_runtime
from mentorbot.commands._coordinator import operator

OPTION_OF = {"roles": "role", "cohorts": "cohort", "stages": "stage", "phases": "phase", "kinds": "kind"}


def add_parser(sub: Any) -> None:
    parser = command_parser(
        sub, "announce", "send an announcement to a group of people (coordinators only)", __doc__
    )
    parser.add_argument(
        "--as", dest="email", required=True, metavar="COORDINATOR_EMAIL", help="who is announcing"
    )
    parser.add_argument("--title", required=True)
    parser.add_argument("--body", required=True, help="the message")
    for dimension, option in OPTION_OF.items():
        parser.add_argument(
            f"--{option}",
            dest=dimension,
            action="append",
            default=[],
            metavar=option.upper(),
            help=f"audience {option}",
        )
    parser.add_argument("--at", metavar="ISO", help="send at this time (default: now)")
    parser.add_argument("--preview", action="store_true", help="show who it would reach; send nothing")
    parser.set_defaults(func=on_runtime(announce))


def announce(scope: CommandScope, args: argparse.Namespace) -> int:
    programme = scope.programme
    now = scope.clock.now()

    def work(uow: UnitOfWork) -> Said:
        author = uow.people.by_email(args.email)
        if author is None or not author.in_programme:
            raise NotFound("coordinator.cli.not_a_person", email=args.email[:320])
        refuse_unless_coordinator(uow, author, "announce", now)
        choices = Choices.of_programme(programme.phase_names(), uow.activity.people())
        audience = parse_audience({d: getattr(args, d) for d in DIMENSIONS}, choices)
        send_at = _when(args.at, author.timezone) if args.at else None
        draft = compose(args.title, args.body, audience, send_at, now)
        seen = preview(uow, audience)
        audience_text = describe(audience, lambda d: programme.text(f"coordinator.audience.dimension.{d}"))
        people = programme.text("coordinator.person_word" if seen.count == 1 else "coordinator.people_word")
        if args.preview:
            more = seen.count - len(seen.sample)
            names = ", ".join(seen.sample) + (
                programme.text("coordinator.announce.and_more", n=more) if more > 0 else ""
            )
            text = programme.text(
                "coordinator.announce.reach",
                count=seen.count,
                people=people,
                audience=audience_text,
                names=names,
            )
            return Said(text.replace("*", ""), commit=False)
        announcement = publish(uow, programme, draft, author, now)
        audit(
            uow,
            author,
            "announce",
            f"announcement:{announcement.id}",
            now,
            recipients=announcement.recipient_count,
            audience=audience.to_dict(),
            scheduled=send_at is not None,
            via="cli",
            operator=operator(),
        )
        if send_at is not None:
            text = programme.text(
                "coordinator.announce.scheduled",
                number=announcement.id,
                count=announcement.recipient_count,
                people=people,
                when=show(send_at, author.timezone),
            )
        else:
            text = programme.text(
                "coordinator.announce.queued",
                number=announcement.id,
                count=announcement.recipient_count,
                people=people,
            )
        return Said(text.replace("*", ""))

    def rejected(uow: UnitOfWork, error: UserFacingError) -> None:
        """Record a refused announcement (nothing was sent) and keep only that. A refusal for not
        being a coordinator is already audited by ``refuse_unless_coordinator``."""
        if error.key.startswith("coordinator.only"):
            return
        uow.rollback()
        author = uow.people.by_email(args.email)
        if author is None:
            return
        audit(uow, author, "announce", "", now, outcome="rejected", problem=error.key, via="cli")
        uow.commit()

    return in_unit_of_work(scope, "announce", work, refused=rejected)


def _when(raw: str, timezone: str) -> datetime:
    """ISO-8601; with an offset it is exact, without one it is the coordinator's local time."""
    text = raw.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return parse_local_datetime(text, timezone).at  # raises the friendly "bad date" message
    if parsed.tzinfo is not None:
        return as_utc(parsed)
    return parse_local_datetime(parsed.strftime("%Y-%m-%d %H:%M"), timezone).at
