"""``help``: a short menu fitted to the person's roles; ``help TOPIC`` for the details of one topic.

The menu names the person's roles in a line each and lists the topics they can use (a mentee sees no
coordinator topic and no guide-only command); ``help agenda`` lists every ``agenda`` command, ``help
meetings`` every command of the meetings topic.
"""

from __future__ import annotations

from bot.context import Context
from bot.messages import Reply
from bot.messages import Section
from bot.messages import Text
from bot.model import Role
from bot.model import Side
from bot.routing import Command
from bot.routing import Router

GROUP_ORDER = ("general", "relationships", "meetings", "growth", "settings", "coordinator")
ROLE_ORDER = (Role.MENTEE, Role.GUIDE, Role.COORDINATOR)
# topics about life in a relationship: not shown to someone who is only a coordinator
MEMBER_GROUPS = frozenset({"relationships", "meetings", "growth"})
MEMBER_ROLES = frozenset({Role.MENTEE, Role.GUIDE})


def register(router: Router) -> None:
    register_command_action(router)

    @router.command("help", "help.help", usage="[TOPIC]", aliases=("?", "menu", "commands"))
    def show_help(ctx: Context, rest: str) -> Reply:
        member = bool(MEMBER_ROLES.intersection(ctx.roles))
        commands = [c for c in router.visible_commands(ctx.roles) if member or c.group not in MEMBER_GROUPS]
        topic = " ".join(rest.lower().split())
        if topic:
            return _topic(ctx, commands, topic)
        return _menu(ctx, commands, member=member)


def _groups(commands: list[Command]) -> list[str]:
    present = {c.group for c in commands}
    return sorted(present, key=lambda g: GROUP_ORDER.index(g) if g in GROUP_ORDER else len(GROUP_ORDER))


def _menu(ctx: Context, commands: list[Command], *, member: bool) -> Reply:
    roles = list(dict.fromkeys(ctx.text(_role_key(ctx, r)) for r in ROLE_ORDER if r in ctx.roles))
    topics = "\n".join(
        ctx.text("help.topic_line", topic=group, about=ctx.text(f"help.topic.{group}"))
        for group in _groups(commands)
    )
    heading = ctx.text("help.heading", name=ctx.person.name, programme=ctx.programme.name)
    if member:
        heading += " " + ctx.text("help.start")
    # two messages, as before: who you are here, then where to look
    return (
        Reply()
        .say(Text(heading), *(Text(line) for line in roles))
        .say(
            Section(ctx.text("help.topics_title"), topics),
            Text(ctx.text("help.more", example="agenda" if member else "coordinator")),
        )
    )


def _role_key(ctx: Context, role: str) -> str:
    """The "as a mentee / as a guide" line, except for someone whose relationships are all peer or
    near-peer ones: there nobody leads and nobody guides (domain.md §3), so they get the peer line."""
    if role in MEMBER_ROLES:
        live = ctx.live_relationships()
        if live and all(ctx.reader(rel).side == Side.PEER for rel in live):
            return "help.role.peer"
    return f"help.role.{role}"


def _topic(ctx: Context, commands: list[Command], topic: str) -> Reply:
    """A topic is a group (``meetings``) or a command and its sub-commands (``agenda``)."""
    chosen = [c for c in commands if c.group == topic]
    title = ctx.text(f"help.group.{topic}") if chosen else topic
    if not chosen:
        chosen = [c for c in commands if topic in (c.name, *c.aliases) or c.name.startswith(topic + " ")]
    if not chosen:
        return Reply().say(
            Text(ctx.text("help.unknown_topic", topic=topic, topics=", ".join(_groups(commands))))
        )
    lines = [f"• {f'{c.name} {c.usage}'.strip()} — {ctx.text(c.help_key)}" for c in chosen]
    return Reply().say(Section(title, "\n".join(lines)))


def register_command_action(router: Router) -> None:
    """A button that runs a typed command (``values["text"]``), so nudges can offer one-click shortcuts
    without knowing a workflow's internals. Roles are checked as for the typed command."""

    @router.action("command")
    def run_command(ctx: Context, values: dict[str, str]) -> Reply:
        command, rest = router.find_command(values.get("text", "help"), ctx.roles)
        return command.handler(ctx, rest)
