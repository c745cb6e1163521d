"""Shared by the coordinator commands (announce, report, audit, person, relationship): the scope each of
them works in, opened from the environment, running a command's work in one unit of work, saying an
error in the catalogue's words, and naming the operator for the audit trail."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from typing import TextIO

from bot.clock import Clock
from bot.errors import UserFacingError
from bot.ports import UnitOfWork
from bot.ports import UnitOfWorkFactory
from bot.programme import ProgrammeConfig
from mentorbot.settings import Settings
from mentorbot.wiring import Runtime
from mentorbot.wiring import build_runtime

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def command_parser(sub: Any, name: str, what: str, doc: str | None) -> argparse.ArgumentParser:
    """The parser of ``mentorbot NAME``: ``what`` in the command list, the module's ``doc`` (usage
    lines and all, kept as written) in its ``--help``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=what, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    return parser


@dataclass(frozen=True)
class CommandScope:
    """What every coordinator command works in: the database, the programme, the time, and where its
    output and its errors go. An output left as ``None`` is the terminal's (``sys.stdout`` and
    ``sys.stderr`` as they are when something is printed); tests give a buffer instead."""

    uow_factory: UnitOfWorkFactory
    programme: ProgrammeConfig
    clock: Clock
    out: TextIO | None = None
    err: TextIO | None = None

    @classmethod
    def of(cls, runtime: Runtime) -> CommandScope:
        return cls(runtime.uow_factory, runtime.programme, runtime.clock)

    def say(self, text: str = "") -> None:
        """Print ``text`` as the command's output."""
        print(text, file=self.out or sys.stdout)

    def complain(self, text: str) -> None:
        """Print ``text`` as the command's error output."""
        print(text, file=self.err or sys.stderr)


def open_scope() -> CommandScope:
    """The scope of a command run from the terminal: the runtime the environment describes."""
    return CommandScope.of(build_runtime(Settings.from_env()))


@dataclass(frozen=True)
class Said:
    """What a command's work prints, its exit status, and whether its unit of work is committed
    (a preview or a question writes nothing)."""

    text: str
    status: int = EXIT_OK
    commit: bool = True


def in_unit_of_work(
    scope: CommandScope,
    command: str,
    work: Callable[[UnitOfWork], str | Said],
    refused: Callable[[UnitOfWork, UserFacingError], None] | None = None,
) -> int:
    """Run ``work`` in one unit of work, commit it and print what it says (a plain string: printed,
    committed, exit 0). A :class:`UserFacingError` is said the chat's way (exit 2) and nothing of the
    work is committed; ``refused`` runs first, inside the same unit of work, e.g. to audit the refusal."""
    with scope.uow_factory() as uow:
        try:
            said = work(uow)
        except UserFacingError as error:
            if refused is not None:
                refused(uow, error)
            return say_error(scope, command, error)
        if isinstance(said, str):
            said = Said(said)
        if said.commit:
            uow.commit()
    scope.say(said.text)
    return said.status


ArgsCommand = Callable[[CommandScope, argparse.Namespace], int]


def on_runtime(command: ArgsCommand) -> Callable[[argparse.Namespace], int]:
    """A parser's ``func`` for a command that takes the parsed arguments whole: open the runtime from
    the environment, then run ``command`` over it."""

    def run(args: argparse.Namespace) -> int:
        return command(open_scope(), args)

    return run


def say_error(scope: CommandScope, command: str, error: UserFacingError) -> int:
    """Print the error as the chat would say it (with ``*bold*`` marks dropped); exit code 2."""
    programme = scope.programme
    text = programme.text(error.key, **error.values) if programme.catalogue.has(error.key) else str(error)
    scope.complain(f"mentorbot {command}: {text.replace('*', '')}")
    return EXIT_BAD_INPUT


def operator() -> str:
    """The operating-system account running the CLI: the "who" of an audited CLI action."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in a bare container
        return "unknown"
