"""Shared by the coordinator commands (announce, report, audit, person, relationship): opening the
runtime, running a command's work in one unit of work, saying an error in the catalogue's words, and
naming the operator for the audit trail."""

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


def open_runtime() -> Runtime:
    return build_runtime(Settings.from_env())


@dataclass(frozen=True)
class Said:
    """What a command's work prints, its exit status, and whether its unit of work is committed
    (a preview or a question writes nothing)."""

    text: str
    status: int = EXIT_OK
    commit: bool = True


def in_unit_of_work(
    uow_factory: UnitOfWorkFactory,
    programme: ProgrammeConfig,
    command: str,
    work: Callable[[UnitOfWork], str | Said],
    out: TextIO | None = None,
    err: TextIO | None = None,
    refused: Callable[[UnitOfWork, UserFacingError], None] | None = None,
) -> int:
    """Run ``work`` in one unit of work, commit it and print what it says (a plain string: printed,
    committed, exit 0). A :class:`UserFacingError` is said the chat's way (exit 2) and nothing of the
    work is committed; ``refused`` runs first, inside the same unit of work, e.g. to audit the refusal."""
    with uow_factory() as uow:
        try:
            said = work(uow)
        except UserFacingError as error:
            if refused is not None:
                refused(uow, error)
            return say_error(programme, command, error, err)
        if isinstance(said, str):
            said = Said(said)
        if said.commit:
            uow.commit()
    print(said.text, file=out or sys.stdout)
    return said.status


ArgsCommand = Callable[[UnitOfWorkFactory, ProgrammeConfig, Clock, argparse.Namespace], int]


def on_runtime(command: ArgsCommand) -> Callable[[argparse.Namespace], int]:
    """A parser's ``func`` for a command that takes the parsed arguments whole: open the runtime from
    the environment, then run ``command`` over it."""

    def run(args: argparse.Namespace) -> int:
        runtime = open_runtime()
        return command(runtime.uow_factory, runtime.programme, runtime.clock, args)

    return run


def say_error(
    programme: ProgrammeConfig, command: str, err: UserFacingError, stderr: TextIO | None = None
) -> int:
    """Print the error as the chat would say it (with ``*bold*`` marks dropped); exit code 2."""
    text = programme.text(err.key, **err.values) if programme.catalogue.has(err.key) else str(err)
    print(f"mentorbot {command}: {text.replace('*', '')}", file=stderr or sys.stderr)
    return EXIT_BAD_INPUT


def operator() -> str:
    """The operating-system account running the CLI: the "who" of an audited CLI action."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in a bare container
        return "unknown"
