"""``mentorbot`` — the command line. Each sub-command lives in ``mentorbot/commands/<name>.py``.

A command module has ``add_parser(subparsers)`` which registers its parser and sets ``func`` to a
callable taking the parsed arguments and returning an exit code. Errors the user can fix (bad files,
unknown emails) print a specific message and exit with 2; nothing is half-written.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys
from collections.abc import Sequence

from bot.errors import ProblemsError
from bot.errors import UserFacingError
from mentorbot import commands
from mentorbot.logs import configure_logging

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorbot",
        description="A mentoring-programme bot for Slack and Microsoft Teams.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.add_parser(sub)
    _plain_help(parser)
    return parser


# reStructuredText roles and literals in the commands' docstrings, which argparse would show verbatim
_RST_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")
_RST_LITERAL = re.compile(r"``([^`]+)``")


def plain(text: str) -> str:
    """Docstring markup as a terminal shows it: ``x`` and :mod:`x` become x."""
    return _RST_LITERAL.sub(r"\1", _RST_ROLE.sub(r"\1", text))


def _plain_help(parser: argparse.ArgumentParser) -> None:
    """Give every (sub-)command a description and strip reStructuredText from the help texts.

    A command's one-line ``help`` (shown in its parent's list) becomes its description when it has
    none, so ``mentorbot serve --help`` says what serve does; docstrings used as descriptions lose their
    markup, since argparse prints them as they are.
    """
    if parser.description:
        parser.description = plain(parser.description)
    for action in parser._actions:
        if action.help and action.help is not argparse.SUPPRESS:
            action.help = plain(action.help)
        if not isinstance(action, argparse._SubParsersAction):
            continue
        summaries = {choice.dest: choice.help for choice in action._choices_actions}
        for name, child in action.choices.items():
            if not child.description and summaries.get(name):
                summary = str(summaries[name])
                child.description = summary[:1].upper() + summary[1:] + "."
            _plain_help(child)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(
        json_logs=os.environ.get("MENTORBOT_LOG_FORMAT", "text") == "json", verbose=args.verbose
    )
    try:
        code = args.func(args)
    except ProblemsError as err:
        print(f"mentorbot {args.command}: {type(err).__doc__ or 'rejected'}".strip(), file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except UserFacingError as err:
        print(f"mentorbot {args.command}: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return int(code or EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
