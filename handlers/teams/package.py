"""The Teams app package: ``manifest.json`` (schema v1.29), ``color.png`` and ``outline.png`` in a zip.

The bot's command menu (``commandLists``) is derived from the bot's own router: the commands anyone in
the programme may use, the most useful first, each with its help text from the content catalogue, so the
menu can never offer a command the bot does not have. Teams shows at most ten per list.

An admin uploads the zip in the Teams admin centre (or a user sideloads it, where allowed); see the
README. Without ``MICROSOFT_APP_ID`` the package carries a placeholder id, and :func:`build_package`
says so in its notes: Teams could not reach the bot with it.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from importlib import metadata
from typing import Any

from bot.catalogue import TextLookup
from bot.routing import Command
from handlers.teams.icons import accent_hex
from handlers.teams.icons import color_icon
from handlers.teams.icons import outline_icon

SCHEMA_URL = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.29/MicrosoftTeams.schema.json"
MANIFEST_VERSION = "1.29"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
PLACEHOLDER_URL = "https://example.org/mentorbot"
BOT_SCOPES = ("personal", "team", "groupChat")
MAX_COMMANDS = 10  # Teams shows ten commands per list
MAX_TITLE = 32
MAX_DESCRIPTION = 128
# the commands a newcomer reaches for first; the rest of the router fills any remaining places
PREFERRED_COMMANDS = (
    "help",
    "home",
    "my relationships",
    "whats next",
    "ground rules",
    "schedule",
    "agenda",
    "actions",
    "checkin",
    "settings",
)


@dataclass(frozen=True)
class PackageOptions:
    app_id: str = ""
    short_name: str = "mentorbot"
    developer_name: str = ""
    website_url: str = ""
    privacy_url: str = ""
    terms_url: str = ""
    version: str = ""


@dataclass
class Package:
    data: bytes
    manifest: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def build_package(
    commands: Iterable[Command], texts: TextLookup, programme_name: str, options: PackageOptions
) -> Package:
    notes: list[str] = []
    manifest = build_manifest(commands, texts, programme_name, options, notes)
    buffer = io.BytesIO()
    files = {
        "manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
        "color.png": color_icon(192),
        "outline.png": outline_icon(32),
    }
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            # a fixed timestamp: the same inputs always give the same zip
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    return Package(buffer.getvalue(), manifest, notes)


def build_manifest(
    commands: Iterable[Command],
    texts: TextLookup,
    programme_name: str,
    options: PackageOptions,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    notes = notes if notes is not None else []
    app_id = options.app_id.strip()
    if not app_id:
        app_id = PLACEHOLDER_ID
        notes.append(
            f"MICROSOFT_APP_ID is not set, so the package uses the placeholder id {PLACEHOLDER_ID}. "
            "Teams cannot reach the bot with it: set MICROSOFT_APP_ID to the bot's app id and build again."
        )
    urls = {
        "websiteUrl": options.website_url,
        "privacyUrl": options.privacy_url,
        "termsOfUseUrl": options.terms_url,
    }
    for key, value in urls.items():
        if not value:
            urls[key] = PLACEHOLDER_URL
            notes.append(
                f"developer {key} is a placeholder ({PLACEHOLDER_URL}); pass your own before publishing."
            )
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": options.version or _package_version(),
        "id": app_id,
        "developer": {"name": _cut(options.developer_name or programme_name, 32), **urls},
        "name": {"short": _cut(options.short_name, 30), "full": _cut(programme_name, 100)},
        "description": {
            "short": _cut(texts("teams.app_short_description"), 80),
            "full": _cut(texts("teams.app_full_description"), 4000),
            "features": [
                {
                    "title": _cut(texts("teams.feature_title"), 45),
                    "description": _cut(texts("teams.feature_description"), 120),
                }
            ],
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": accent_hex(),
        "bots": [
            {
                "botId": app_id,
                "scopes": list(BOT_SCOPES),
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": ["personal"], "commands": command_list(commands, texts)}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
        "defaultInstallScope": "personal",
    }


def command_list(commands: Iterable[Command], texts: TextLookup) -> list[dict[str, str]]:
    """Up to ten commands anyone may use: the preferred ones first, then in the router's order."""
    open_to_all = [c for c in commands if not c.roles and not c.listed_for]
    by_name = {c.name: c for c in open_to_all}
    chosen: list[Command] = [by_name[n] for n in PREFERRED_COMMANDS if n in by_name]
    chosen += [c for c in open_to_all if c not in chosen and " " not in c.name]
    return [_command(c, texts) for c in chosen[:MAX_COMMANDS]]


def _command(command: Command, texts: TextLookup) -> dict[str, str]:
    return {
        "title": _cut(command.name, MAX_TITLE),
        "description": _cut(texts(command.help_key), MAX_DESCRIPTION),
    }


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.replace("*", "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _package_version() -> str:
    try:
        version = metadata.version("mentorbot")
    except metadata.PackageNotFoundError:
        return "0.1.0"
    parts: Sequence[str] = version.split("+")[0].split(".")
    numbers = [p if p.isdigit() else "0" for p in parts[:3]]
    return ".".join([*numbers, *["0"] * (3 - len(numbers))])
