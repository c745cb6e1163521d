"""``mentorbot slack manifest``: the Slack app manifest (YAML) to create the app from."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import yaml

from bot.programme import load_programme
from handlers.slack.manifest import build_manifest
from mentorbot.settings import Settings
from scheduler.nudges import PROGRAMME_NAMES


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("slack", help="Slack app tools (the app manifest)")
    slack_sub = parser.add_subparsers(dest="slack_command", metavar="SUBCOMMAND")
    slack_sub.required = True
    manifest = slack_sub.add_parser(
        "manifest",
        help="print the Slack app manifest (YAML) to paste at api.slack.com/apps > Create New App",
    )
    mode = manifest.add_mutually_exclusive_group()
    mode.add_argument(
        "--socket-mode",
        action="store_true",
        help="the app connects out over Socket Mode, no public URL needed (the default without --url)",
    )
    mode.add_argument(
        "--url", metavar="BASE", help="public base URL of `mentorbot serve`, e.g. https://mentor.example.org"
    )
    manifest.add_argument(
        "--oauth",
        action="store_true",
        help="installable into several workspaces (adds the OAuth redirect URL; needs --url)",
    )
    manifest.add_argument("--name", default="mentorbot", help="the app's name in Slack (default: mentorbot)")
    manifest.set_defaults(func=print_manifest)


def print_manifest(args: argparse.Namespace) -> int:
    if args.oauth and not args.url:
        print(
            "mentorbot slack manifest: --oauth needs --url BASE (Slack redirects there after an install)",
            file=sys.stderr,
        )
        return 2
    if args.url and not args.url.startswith("https://"):
        print(f"mentorbot slack manifest: Slack only calls https:// URLs, got {args.url!r}", file=sys.stderr)
        return 2
    socket_mode = args.socket_mode or not args.url  # no flag: Socket Mode, the set-up needing no public URL
    programme = load_programme(Settings.from_env().programme_path, nudge_families=PROGRAMME_NAMES)
    manifest = build_manifest(
        name=args.name,
        description=programme.text("slack.app_description"),
        command_description=programme.text("slack.command_description"),
        base_url=args.url,
        socket_mode=socket_mode,
        oauth=args.oauth,
    )
    sys.stdout.write(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True))
    return 0
