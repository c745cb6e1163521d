"""``help``: what this person can do, given their roles."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Reply, Section, Text
from bot.routing import Router

GROUP_ORDER = ("general", "relationships", "meetings", "growth", "settings", "coordinator")


def register(router: Router) -> None:
    register_command_action(router)

    @router.command("help", "help.help", aliases=("?", "menu", "commands"))
    def show_help(ctx: Context, rest: str) -> Reply:
        commands = router.visible_commands(ctx.roles)
        groups: dict[str, list[str]] = {}
        for cmd in commands:
            usage = f"{cmd.name} {cmd.usage}".strip()
            groups.setdefault(cmd.group, []).append(f"• {usage} — {ctx.text(cmd.help_key)}")
        reply = Reply().say(
            Text(ctx.text("help.heading", name=ctx.person.name, programme=ctx.programme.name))
        )
        blocks = [
            Section(ctx.text(f"help.group.{group}"), "\n".join(groups[group]))
            for group in sorted(groups, key=lambda g: GROUP_ORDER.index(g) if g in GROUP_ORDER else 99)
        ]
        reply.say(*blocks)
        return reply


def register_command_action(router: Router) -> None:
    """A button that runs a typed command (``values["text"]``), so nudges can offer one-click shortcuts
    without knowing a workflow's internals. Roles are checked as for the typed command."""

    @router.action("command")
    def run_command(ctx: Context, values: dict[str, str]) -> Reply:
        command, rest = router.find_command(values.get("text", "help"), ctx.roles)
        return command.handler(ctx, rest)
