"""Shared by the coordinator commands (announce, report, audit, person): opening the runtime, saying
an error in the catalogue's words, and naming the operator for the audit trail."""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from bot.errors import UserFacingError
from bot.programme import ProgrammeConfig
from mentorbot.settings import Settings
from mentorbot.wiring import Runtime, build_runtime

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def open_runtime() -> Runtime:
    return build_runtime(Settings.from_env())


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
