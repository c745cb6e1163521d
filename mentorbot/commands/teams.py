"""``mentorbot teams package`` (the Teams app zip) and ``mentorbot teams playground`` (try it locally)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bot.programme import load_programme
from bot.workflows import build_router
from mentorbot.settings import Settings
from scheduler.nudges import PROGRAMME_NAMES


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "teams", help="Microsoft Teams tools (the app package, the local Agents Playground)"
    )
    teams_sub = parser.add_subparsers(dest="teams_command", metavar="SUBCOMMAND")
    teams_sub.required = True

    package = teams_sub.add_parser(
        "package",
        help="build the Teams app package (manifest.json and icons in a zip) to upload in Teams",
        description="Build the Teams app package. The bot id is MICROSOFT_APP_ID; without it the "
        "package carries a placeholder id and Teams cannot reach the bot.",
    )
    package.add_argument("--out", required=True, metavar="FILE.zip", help="where to write the zip")
    package.add_argument(
        "--name", default="mentorbot", help="the app's short name in Teams (max 30 characters)"
    )
    package.add_argument(
        "--developer", default="", help="who publishes the app (default: the programme name)"
    )
    package.add_argument("--website-url", default="", metavar="URL", help="https:// page about the app")
    package.add_argument("--privacy-url", default="", metavar="URL", help="https:// privacy statement")
    package.add_argument("--terms-url", default="", metavar="URL", help="https:// terms of use")
    package.add_argument("--version", default="", help="app version, X.Y.Z (default: mentorbot's version)")
    package.set_defaults(func=run_package)

    playground = teams_sub.add_parser(
        "playground",
        help="chat with the running bot in the Microsoft 365 Agents Playground (no Teams account needed)",
        description="Installs the pinned Agents Playground with npm into .cache/playground (never "
        "committed) and starts it against the bot. When no bot answers at the endpoint, it starts "
        "`mentorbot serve` itself with MENTORBOT_TEAMS_LOCAL=1 (Teams local mode: no credentials, "
        "loopback only) and stops it again when the Playground ends.",
    )
    playground.add_argument(
        "--as",
        dest="email",
        default="mentee@example.org",
        metavar="EMAIL",
        help="who you are in the programme",
    )
    playground.add_argument("--name", default="", help="your display name (default: from the e-mail address)")
    playground.add_argument(
        "--endpoint",
        default="",
        metavar="URL",
        help="the bot's messaging endpoint (default: http://MENTORBOT_HOST:MENTORBOT_PORT/api/messages)",
    )
    playground.add_argument(
        "--port", type=int, default=56150, help="the Playground's own port (default 56150)"
    )
    playground.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    playground.set_defaults(func=run_playground)


def run_package(args: argparse.Namespace) -> int:
    from handlers.teams.package import PackageOptions
    from handlers.teams.package import build_package

    settings = Settings.from_env()
    for flag, url in (
        ("--website-url", args.website_url),
        ("--privacy-url", args.privacy_url),
        ("--terms-url", args.terms_url),
    ):
        if url and not url.startswith("https://"):
            print(f"mentorbot teams package: {flag} must be an https:// URL, got {url!r}", file=sys.stderr)
            return 2
    programme = load_programme(settings.programme_path, nudge_families=PROGRAMME_NAMES)
    options = PackageOptions(
        app_id=settings.env.get("MICROSOFT_APP_ID", ""),
        short_name=args.name,
        developer_name=args.developer,
        website_url=args.website_url,
        privacy_url=args.privacy_url,
        terms_url=args.terms_url,
        version=args.version,
    )
    package = build_package(build_router().commands, programme.text, programme.name, options)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(package.data)
    for note in package.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {out} (manifest {package.manifest['manifestVersion']}, app id {package.manifest['id']})")
    return 0


def run_playground(args: argparse.Namespace) -> int:
    from handlers.teams.config import LOCAL_VARIABLE
    from handlers.teams.playground import PlaygroundUnavailable
    from handlers.teams.playground import PlaygroundUser
    from handlers.teams.playground import run

    settings = Settings.from_env()
    endpoint = args.endpoint or f"http://{settings.host}:{settings.port}/api/messages"
    name = args.name or args.email.split("@")[0].replace(".", " ").title()
    bot: subprocess.Popen[bytes] | None = None
    state = _teams_state(endpoint)
    if state == "off":
        print(
            f"mentorbot teams playground: the bot at {endpoint} has Teams off; stop it and run this command "
            f"again (it starts the bot in local mode), or restart the bot with {LOCAL_VARIABLE}=1",
            file=sys.stderr,
        )
        return 2
    if state == "absent":
        # the bot is not running: start it in Teams local mode, the one mode the Playground can talk to
        bot = subprocess.Popen(
            [sys.executable, "-m", "mentorbot", "serve"], env={**os.environ, LOCAL_VARIABLE: "1"}
        )
        if not _wait_until_up(endpoint, bot):
            print("mentorbot teams playground: the bot did not start (see its output above)", file=sys.stderr)
            _stop(bot)
            return 2
    try:
        return run(
            PlaygroundUser(args.email.strip(), name),
            endpoint=endpoint,
            port=args.port,
            open_browser=not args.no_browser,
        )
    except PlaygroundUnavailable as err:
        print(f"mentorbot teams playground: {err}", file=sys.stderr)
        return 2
    finally:
        if bot is not None:
            _stop(bot)


def _teams_state(endpoint: str) -> str:
    """``absent`` (nothing answers), ``off`` (a bot with Teams off) or ``on``."""
    request = urllib.request.Request(
        endpoint, data=b"{}", method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=3):
            return "on"
    except urllib.error.HTTPError as err:
        return "off" if err.code == 404 else "on"
    except (urllib.error.URLError, OSError):
        return "absent"


def _wait_until_up(endpoint: str, bot: subprocess.Popen[bytes], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bot.poll() is not None:
            return False
        if _teams_state(endpoint) == "on":
            return True
        time.sleep(0.3)
    return False


def _stop(bot: subprocess.Popen[bytes]) -> None:
    bot.terminate()
    try:
        bot.wait(timeout=15)
    except subprocess.TimeoutExpired:
        bot.kill()
