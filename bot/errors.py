"""One error hierarchy for the whole bot.

Every error a user can cause is a :class:`UserFacingError`: it carries a catalogue key and the values
to fill it with, so the edge (console, Slack, Teams, CLI) can turn it into a friendly reply without a
traceback ever reaching a chat.  Anything else that escapes is a bug and is answered with the generic
``error.internal`` message while the details go to the log.

    MentorbotError
    ├── UserFacingError            shown to the person who caused it
    │   ├── InvalidInput           a value the person typed is wrong (too long, in the past, ...)
    │   ├── UnknownCommand         the text matched no command (carries a suggestion)
    │   ├── NotPermitted           the person may not do this (not a member, not a coordinator)
    │   ├── NotFound               the thing asked for does not exist (or is not theirs to see)
    │   └── StaleAction            a button or form that is no longer current
    ├── ConfigError                the programme YAML is invalid (carries every problem with its path)
    ├── ImportRejected             a CSV import found bad rows (carries every problem with file:line)
    └── Unavailable                a dependency (database, platform) is down; try again shortly
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass


class MentorbotError(Exception):
    """Base of every error the project raises on purpose."""


class UserFacingError(MentorbotError):
    """An error whose message is meant for the person who caused it.

    ``key`` names a message in the content catalogue; ``values`` fill its placeholders.
    """

    key = "error.generic"

    def __init__(self, key: str | None = None, /, **values: object) -> None:
        self.key = key or type(self).key
        self.values: dict[str, object] = dict(values)
        super().__init__(f"{self.key} {self.values}" if self.values else self.key)


class InvalidInput(UserFacingError):
    """A value the person typed is wrong: too long, in the past, not a date, not one of the choices.

    Raised with the key of the one sentence that says what is wrong and how to put it right; the form
    or command is not applied, nothing is half-written.
    """

    key = "error.invalid_input"


class UnknownCommand(UserFacingError):
    """The text matched no command; ``suggestion`` carries the nearest one ("did you mean ...")."""

    key = "error.unknown_command"


class NotPermitted(UserFacingError):
    """The person may not do this: not a member of the relationship, not a coordinator, not the owner."""

    key = "error.not_permitted"


class NotFound(UserFacingError):
    """The thing asked for does not exist, or is not the person's to see.

    The two are answered alike on purpose, so that nobody learns that someone else's item exists.
    """

    key = "error.not_found"


class StaleAction(UserFacingError):
    """A button or form that is no longer current (the meeting is no longer open, the action was
    closed, the ground rules changed meanwhile); pressing it changes nothing."""

    key = "error.stale_action"


class LinkUsed(UserFacingError):
    """An e-mail link that has done its action already (links act once)."""

    key = "email.link.used"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is and what is wrong."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class ProblemsError(MentorbotError):
    """An error that lists every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(ProblemsError):
    """The programme configuration is invalid."""


class ImportRejected(ProblemsError):
    """A CSV import was rejected; nothing was written."""


class Unavailable(MentorbotError):
    """A dependency is down. The reply is 'try again shortly'; the work is not lost."""

    def __init__(self, what: str, detail: Mapping[str, object] | None = None) -> None:
        self.what = what
        self.detail = dict(detail or {})
        super().__init__(what)
