"""The Microsoft 365 Agents Playground: a Teams-like chat in the browser, with no tenant and no account.

``make playground`` (``mentorbot teams playground``) installs the pinned Playground with npm into
``.cache/playground`` (git-ignored: its licence forbids redistribution, so it is never committed),
writes a Playground configuration in which *you* are one person of the programme (by default the
example mentee, ``mentee@example.org``), and starts it against the locally running bot::

    make run                                  # terminal 1: the bot on http://127.0.0.1:3978
    make playground                           # terminal 2: opens the Playground in your browser
    make playground AS=mentor@example.org     # ... as someone else

The Playground runs with telemetry off (``--disable-telemetry`` and
``APPLICATION_INSIGHTS_NO_STATSBEAT=true``) and makes no outbound connection. The end-to-end tests use
the same installation and configuration code (``tests/teams/playground.py``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "@microsoft/m365agentsplayground"
VERSION = "0.2.28"  # pre-release software: pinned, and bumped on purpose after trying it
DEFAULT_DIR = Path(".cache") / "playground"
DEFAULT_ENDPOINT = "http://127.0.0.1:3978/api/messages"
DEFAULT_PORT = 56150

TENANT_ID = "00000000-0000-0000-0000-0000000000001"
BOT_ID = "00000000-0000-0000-0000-00000000000011"
# the Playground wants exactly five other people in the tenant; these are its own sample names
OTHER_PEOPLE = (
    ("Megan Bowen", "meganb@example.com"),
    ("Adele Vance", "adelev@example.com"),
    ("Isaiah Langer", "isaiahl@example.com"),
    ("Patti Fernandez", "pattif@example.com"),
    ("Lynne Robbins", "lynner@example.com"),
)


class PlaygroundUnavailable(RuntimeError):
    """npm or node is missing, or the package could not be installed."""


@dataclass(frozen=True)
class PlaygroundUser:
    email: str
    name: str

    @property
    def user_id(self) -> str:
        return "29:" + uuid.uuid5(uuid.NAMESPACE_URL, "mentorbot-playground-user:" + self.email.lower()).hex

    @property
    def aad_object_id(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "mentorbot-playground-aad:" + self.email.lower()))

    @property
    def personal_chat_id(self) -> str:
        return "a:" + uuid.uuid5(uuid.NAMESPACE_URL, "mentorbot-playground-chat:" + self.email.lower()).hex


def binary(directory: Path = DEFAULT_DIR) -> Path:
    return directory / "node_modules" / ".bin" / "agentsplayground"


def install(directory: Path = DEFAULT_DIR, *, version: str = VERSION) -> Path:
    """Install the pinned Playground under ``directory`` (once); the path of its command."""
    command = binary(directory)
    package_json = directory / "node_modules" / "@microsoft" / "m365agentsplayground" / "package.json"
    if command.exists() and package_json.exists() and f'"version": "{version}"' in package_json.read_text():
        return command
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise PlaygroundUnavailable("npm and node are needed to install the Agents Playground")
    directory.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(directory),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--fetch-retries=1",  # without a registry, say so within a minute or two rather than ten
            "--fetch-timeout=60000",
            f"{PACKAGE}@{version}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0 or not command.exists():
        raise PlaygroundUnavailable(
            f"npm install {PACKAGE}@{version} failed: {result.stderr.strip()[-2000:]}"
        )
    return command


def config_yaml(user: PlaygroundUser) -> str:
    """A Playground configuration file in which ``user`` is the person at the keyboard."""

    def person(name: str, email: str, user_id: str, aad: str) -> list[str]:
        given, _, surname = name.partition(" ")
        return [
            f"  id: {_q(user_id)}",
            f"  name: {_q(name)}",
            f"  userPrincipleName: {_q(email)}",  # sic: the Playground's spelling
            f"  aadObjectId: {_q(aad)}",
            f"  givenName: {_q(given)}",
            f"  surname: {_q(surname or given)}",
            f"  email: {_q(email)}",
        ]

    lines = [
        "# Written by mentorbot (handlers/teams/playground.py): you are one person of the programme.",
        'version: "0.1.1"',
        f"tenantId: {_q(TENANT_ID)}",
        "bot:",
        f"  id: {_q(BOT_ID)}",
        '  name: "mentorbot"',
        "currentUser:",
        *person(user.name, user.email, user.user_id, user.aad_object_id),
        "users:",
    ]
    for name, email in OTHER_PEOPLE:
        other = PlaygroundUser(email, name)
        block = person(name, email, other.user_id, other.aad_object_id)
        lines.append("  -" + block[0][1:])
        lines.extend("  " + line for line in block[1:])
    lines += [
        "personalChat:",
        f"  id: {_q(user.personal_chat_id)}",
        "groupChat:",
        f"  id: {_q('19:' + uuid.uuid5(uuid.NAMESPACE_URL, 'group:' + user.email).hex + '@thread.v2')}",
        '  name: "Mentoring group chat"',
        "team:",
        '  id: "19:mentorbot-team@thread.skype"',
        '  name: "Mentoring programme"',
        '  aadGroupId: "00000000-0000-0000-0000-000000000031"',
        "  channels:",
        '    - id: "19:mentorbot-announcements@thread.skype"',
        '      name: "Announcements"',
    ]
    return "\n".join(lines) + "\n"


def environment(
    directory: Path, *, open_browser: bool, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["APPLICATION_INSIGHTS_NO_STATSBEAT"] = "true"
    env["M365_AGENTS_PLAYGROUND_CONFIG_PATH"] = str((directory / "config.yml").resolve())
    env["M365_AGENTS_PLAYGROUND_LOGFILE"] = str((directory / "playground.log").resolve())
    if not open_browser:
        env["TEAMSAPPTESTER_BROWSER"] = "none"
    return env


def command_line(command: Path, endpoint: str, port: int) -> list[str]:
    return [str(command), "-e", endpoint, "-c", "msteams", "--disable-telemetry", "-p", str(port)]


def prepare(user: PlaygroundUser, directory: Path = DEFAULT_DIR) -> Path:
    """Install (if needed) and write the configuration; the Playground's command."""
    command = install(directory)
    (directory / "config.yml").write_text(config_yaml(user), encoding="utf-8")
    return command


def run(
    user: PlaygroundUser,
    *,
    endpoint: str = DEFAULT_ENDPOINT,
    port: int = DEFAULT_PORT,
    directory: Path = DEFAULT_DIR,
    open_browser: bool = True,
    extra_args: Sequence[str] = (),
) -> int:
    """Run the Playground in the foreground until it is stopped (Ctrl-C)."""
    command = prepare(user, directory)
    print(f"Agents Playground {VERSION}: you are {user.name} <{user.email}>; the bot is at {endpoint}")
    print(f"Open http://localhost:{port} if no browser window appears. Ctrl-C stops it.")
    try:
        return subprocess.call(
            [*command_line(command, endpoint, port), *extra_args],
            env=environment(directory, open_browser=open_browser),
        )
    except KeyboardInterrupt:
        return 0


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
