"""``channel``: where the bot writes to a person -- chat, or e-mail.

Typed commands (on every channel, and as links in e-mails)::

    channel                  where I reach you now, and the choices
    channel email            write to me by e-mail
    channel slack | teams    write to me in that chat
    channel auto             the programme's rule (chat first; e-mail when no chat reaches me)

The rules live in :mod:`bot.channels`; the dispatcher applies them when it sends.
"""

from __future__ import annotations

from bot import channels
from bot.context import Context
from bot.errors import InvalidInput
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import Reply
from bot.messages import Text
from bot.model import Platform
from bot.routing import Router


def _current(ctx: Context) -> str:
    chosen = channels.chosen_channel(ctx.person, ctx.programme)
    if chosen == Platform.EMAIL:
        return ctx.text("email.channel.now_email", email=ctx.person.email)
    if chosen:
        return ctx.text("email.channel.now_chat", channel=chosen.capitalize())
    return ctx.text("email.channel.now_auto")


def show(ctx: Context) -> Reply:
    buttons = tuple(
        Button(ctx.text(f"email.channel.button.{choice}"), "command", {"text": f"channel {choice}"})
        for choice in (*channels.CHOOSABLE, "auto")
        if choice != (ctx.person.channel or "auto")
    )
    return Reply().say(Text(_current(ctx)), Buttons(buttons), Text(ctx.text("email.channel.hint")))


def choose(ctx: Context, rest: str) -> Reply:
    try:
        choice = channels.parse_choice(rest)
    except ValueError:
        choices = ", ".join((*channels.CHOOSABLE, "auto"))
        raise InvalidInput("email.channel.unknown", choice=rest.strip()[:40], choices=choices) from None
    ctx.person.channel = choice
    ctx.audit("settings.change", f"person:{ctx.person_id}", setting="channel", channel=choice or "auto")
    return Reply().say(Text(_current(ctx)))


def register(router: Router) -> None:
    @router.command("channel", "email.help.channel", usage="email | slack | teams | auto", group="settings")
    def channel_cmd(ctx: Context, rest: str) -> Reply:
        return choose(ctx, rest) if rest.strip() else show(ctx)
