"""Commands (typed text) and actions (buttons, forms) and how an inbound message finds its handler.

Workflow modules register what they offer in a :class:`Router`; the bot asks it where a message goes.
Typed commands match on their leading words ("agenda add ..." → the ``agenda add`` command with the
rest as its argument), so every button has a typed equivalent and no control is reaction-only.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

from bot.errors import NotPermitted
from bot.errors import UnknownCommand
from bot.model import Role

# ``listed_for`` of commands that only a learner uses (check-ins, the network): guides do not see them
# in ``help``, though nothing stops them typing one
LEARNERS: tuple[str, ...] = (Role.MENTEE,)

if TYPE_CHECKING:
    from bot.context import Context
    from bot.messages import Reply

CommandHandler = Callable[["Context", str], "Reply"]
ActionHandler = Callable[["Context", dict[str, str]], "Reply"]


@dataclass(frozen=True)
class Command:
    """A typed command. ``roles`` empty means anyone in the programme may use it.

    ``listed_for`` (when not empty) only limits who sees the command in ``help``: a command that checks
    roles itself -- to audit a refused attempt -- is reachable by everyone but listed for its roles.
    """

    name: str
    handler: CommandHandler
    help_key: str
    usage: str = ""
    aliases: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()
    group: str = "general"
    listed_for: frozenset[str] = frozenset()

    def words(self) -> list[tuple[str, ...]]:
        return [tuple(n.split()) for n in (self.name, *self.aliases)]

    def allowed_for(self, roles: Iterable[str]) -> bool:
        return not self.roles or bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class Action:
    name: str
    handler: ActionHandler
    roles: frozenset[str] = frozenset()


@dataclass
class Router:
    commands: list[Command] = field(default_factory=list)
    actions: dict[str, Action] = field(default_factory=dict)
    # every command's words (name and aliases) -> the command, built on the first lookup after a change:
    # a typed message tries a few word counts instead of every command's every name (each turn does it)
    _index: dict[tuple[str, ...], Command] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _longest: int = field(default=0, init=False, repr=False, compare=False)
    _indexed: int = field(default=-1, init=False, repr=False, compare=False)

    def command(
        self,
        name: str,
        help_key: str,
        *,
        usage: str = "",
        aliases: Iterable[str] = (),
        roles: Iterable[str] = (),
        group: str = "general",
        listed_for: Iterable[str] = (),
    ) -> Callable[[CommandHandler], CommandHandler]:
        def register(handler: CommandHandler) -> CommandHandler:
            for existing in self.commands:
                if name in (existing.name, *existing.aliases):
                    raise ValueError(f"command {name!r} registered twice")
            self.commands.append(
                Command(
                    name,
                    handler,
                    help_key,
                    usage,
                    tuple(aliases),
                    frozenset(roles),
                    group,
                    frozenset(listed_for),
                )
            )
            return handler

        return register

    def action(self, name: str, *, roles: Iterable[str] = ()) -> Callable[[ActionHandler], ActionHandler]:
        def register(handler: ActionHandler) -> ActionHandler:
            if name in self.actions:
                raise ValueError(f"action {name!r} registered twice")
            self.actions[name] = Action(name, handler, frozenset(roles))
            return handler

        return register

    def find_command(self, text: str, roles: Iterable[str]) -> tuple[Command, str]:
        """The command that ``text`` starts with (the longest match wins) and the rest of the text."""
        words = text.strip().split()
        lowered = tuple(w.lower() for w in words)
        index = self._words_index()
        found = next(
            (
                (n, index[lowered[:n]])
                for n in range(min(self._longest, len(lowered)), 0, -1)
                if lowered[:n] in index
            ),
            None,
        )
        if found is None:
            raise UnknownCommand(text=text.strip()[:80], suggestion=self.suggest(text, roles))
        n, cmd = found
        if not cmd.allowed_for(roles):
            raise NotPermitted("error.role_required", command=cmd.name)
        return cmd, " ".join(words[n:])

    def _words_index(self) -> dict[tuple[str, ...], Command]:
        if self._indexed != len(self.commands):
            self._index = {}
            for cmd in self.commands:
                for cmd_words in cmd.words():
                    self._index.setdefault(cmd_words, cmd)  # the first registered wins, as in a scan
            self._longest = max(map(len, self._index), default=0)
            self._indexed = len(self.commands)
        return self._index

    def suggest(self, text: str, roles: Iterable[str]) -> str:
        roles = list(roles)
        names = [n for c in self.visible_commands(roles) for n in (c.name, *c.aliases)]
        head = " ".join(text.strip().lower().split()[:2])
        close = difflib.get_close_matches(head, names, n=1, cutoff=0.5)
        if not close:
            close = difflib.get_close_matches(head.split(" ")[0] if head else "", names, n=1, cutoff=0.5)
        return close[0] if close else "help"

    def find_action(self, name: str, roles: Iterable[str]) -> Action:
        action = self.actions.get(name)
        if action is None:
            # an action we no longer know: a button from an older version of the bot
            raise UnknownCommand("error.stale_action")
        if action.roles and not action.roles.intersection(roles):
            raise NotPermitted("error.not_permitted")
        return action

    def visible_commands(self, roles: Iterable[str]) -> list[Command]:
        roles = list(roles)
        return [
            c
            for c in self.commands
            if c.allowed_for(roles) and (not c.listed_for or c.listed_for.intersection(roles))
        ]
