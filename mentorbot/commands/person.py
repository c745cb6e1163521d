"""``mentorbot person``: data rights and adding people.

    mentorbot person export EMAIL [--out FILE]   everything stored about them, as JSON (stdout by default)
    mentorbot person forget EMAIL [--yes]        erase their personal data and content; anonymous
                                                 counts stay. Without --yes it only says what it would do.
    mentorbot person add EMAIL NAME ROLE         add someone to the programme

Every use is audited with the operating-system account that ran it. An unknown e-mail address is
refused (exit status 2) and nothing is written.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from bot.coordinator import add_person
from bot.data_rights import export_person
from bot.data_rights import find_person
from bot.data_rights import forget_person
from bot.ports import UnitOfWork
from mentorbot.commands._coordinator import EXIT_BAD_INPUT
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands._coordinator import Said
from mentorbot.commands._coordinator import command_parser
from mentorbot.commands._coordinator import in_unit_of_work
from mentorbot.commands._coordinator import open_scope
from mentorbot.commands._coordinator import operator


def add_parser(sub: Any) -> None:
    parser = command_parser(
        sub, "person", "export or erase what is stored about a person; add a person", __doc__
    )
    actions = parser.add_subparsers(dest="person_command", metavar="ACTION")
    actions.required = True
    exp = actions.add_parser("export", help="write everything stored about a person as JSON")
    exp.add_argument("email")
    exp.add_argument("--out", metavar="FILE", help="write to this file (default: the terminal)")
    exp.set_defaults(func=run_export)
    forget = actions.add_parser("forget", help="erase a person's personal data and content")
    forget.add_argument("email")
    forget.add_argument("--yes", action="store_true", help="really erase (it cannot be undone)")
    forget.set_defaults(func=run_forget)
    add = actions.add_parser("add", help="add someone to the programme")
    add.add_argument("email")
    add.add_argument("name")
    add.add_argument("role")
    add.set_defaults(func=run_add)


def run_export(args: argparse.Namespace) -> int:
    return export(open_scope(), args.email, Path(args.out) if args.out else None)


def run_forget(args: argparse.Namespace) -> int:
    return forget(open_scope(), args.email, args.yes)


def run_add(args: argparse.Namespace) -> int:
    return add(open_scope(), args.email, args.name, args.role)


def export(scope: CommandScope, email: str, out_file: Path | None) -> int:
    def work(uow: UnitOfWork) -> str:
        data = export_person(uow, email, scope.clock.now(), via="cli", operator=operator())
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
        if out_file is None:
            return text
        out_file.parent.mkdir(parents=True, exist_ok=True)
        write_private(out_file, text + "\n")
        return scope.programme.text("coordinator.data.exported", email=email, path=out_file)

    return in_unit_of_work(scope, "person export", work)


def forget(scope: CommandScope, email: str, yes: bool) -> int:
    programme = scope.programme

    def work(uow: UnitOfWork) -> Said:
        person_id = find_person(uow, email).id  # an unknown address is refused even without --yes
        if not yes:
            text = programme.text("coordinator.data.confirm_forget", email=email)
            return Said(text, EXIT_BAD_INPUT, commit=False)
        counts = forget_person(
            uow, email, scope.clock.now(), programme=programme, via="cli", operator=operator()
        )
        summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items())) or programme.text(
            "coordinator.data.nothing_changed"
        )
        return Said(programme.text("coordinator.data.forgotten", id=person_id, summary=summary))

    return in_unit_of_work(scope, "person forget", work)


def add(scope: CommandScope, email: str, name: str, role: str) -> int:
    programme = scope.programme

    def work(uow: UnitOfWork) -> str:
        person = add_person(uow, programme, email, name, role, None, scope.clock.now())
        added = programme.text("coordinator.person.added", name=person.name, role=role.lower())
        return added.replace("*", "")

    return in_unit_of_work(scope, "person add", work)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (mode 0600): an export is everything stored
    about a person. An existing file is made private before anything is written into it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            fd = -1
            f.write(text)
    finally:
        if fd != -1:
            os.close(fd)
