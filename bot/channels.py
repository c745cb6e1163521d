"""Which channel reaches a person: the rules, written once for the dispatcher, the ``channel`` command
and the coordinators' views.

Chat comes first: a person is reached on the chat platform they used most recently. E-mail reaches
 * a person who *chose* it (``channel email``), or whose role the programme sends by e-mail
   (``email_roles`` in the programme file) -- unless they chose a chat platform themselves;
 * a person no chat platform reaches after linking was tried (no Slack account found by their
   e-mail, no Teams chat with the bot) -- and only until a chat platform links them, so the next
   message after that goes to chat (what was sent by e-mail is never sent again).
Only when e-mail is on (``MENTORBOT_SMTP_URL``) and the person has an address.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.model import Person
from bot.model import Platform
from bot.programme import ProgrammeConfig

CHOOSABLE = (Platform.EMAIL.value, Platform.SLACK.value, Platform.TEAMS.value)
AUTOMATIC = ("auto", "automatic", "default")


def chosen_channel(person: Person, programme: ProgrammeConfig) -> str:
    """The channel the person or the programme asked for: ``email``, ``slack``, ``teams``, or "" for
    the usual order (chat first, e-mail when no chat platform reaches them)."""
    return chosen_for(person.channel, person.roles, programme)


def chosen_for(choice: str, roles: Iterable[str], programme: ProgrammeConfig) -> str:
    """:func:`chosen_channel` from a person's stored choice and roles."""
    if choice in CHOOSABLE:
        return choice
    if any(role in programme.email_roles for role in roles):
        return Platform.EMAIL.value
    return ""


def parse_choice(text: str) -> str:
    """A ``channel`` argument as a stored choice ("" for automatic); ValueError otherwise."""
    word = text.strip().lower()
    if word in AUTOMATIC:
        return ""
    if word in ("mail", "e-mail"):
        word = Platform.EMAIL.value
    if word in CHOOSABLE:
        return word
    raise ValueError(word)


def reached_on(last_channel: str, chosen: str, linked: Iterable[str]) -> str:
    """What coordinators see as a person's channel: where their latest message went; before any went,
    where it is meant to go (their choice, else the chat platforms they are linked on), or "—"."""
    if last_channel:
        return last_channel
    if chosen:
        return chosen
    return ", ".join(sorted(set(linked))) or "—"
