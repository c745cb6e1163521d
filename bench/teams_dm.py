"""A Teams personal-chat message handled end to end by mentorbot, against a bare botbuilder bot that only
echoes it, in the same run.

Each message is a Bot Framework ``message`` activity POSTed to ``/api/messages`` of the app under test
(its own process, see :mod:`bench._serving`), in Teams local mode (``MENTORBOT_TEAMS_LOCAL=1``, no
``MICROSOFT_APP_ID``, as with the Agents Playground: no token to check or to fetch). Its ``serviceUrl`` is
a fake Bot Connector in this process, on loopback; the latency runs from sending the activity to the
moment the connector receives the reply's last activity. mentorbot runs on its real ``MentorBot`` over the
database (SQLite; PostgreSQL when reachable) with ``background`` pairs besides the ``users`` measured
mentees, who each have two relationships. A warm-up round links each mentee (roster lookup, conversation
reference stored), as on a server that has been up a while. Requests go one at a time, the apps taking
turns.

Two baselines: botbuilder's echo bot as anyone would write it, and the same with the one-line fix for
msrest's slow retry policy that mentorbot applies (``handlers/teams/msrest_fix.py``), which saves every
botbuilder bot ~15 ms per turn; the second shows what mentorbot adds to botbuilder's own floor.

Commands: ``my relationships`` (two relationship cards) and ``help``. The bare bots answer with one
text message per message of mentorbot's answer. Unlike Slack's, the Bot Framework request is answered
only after the turn.

Settings (environment): ``MENTORBOT_BENCH_DM_REQUESTS`` (per command and app, default 200),
``MENTORBOT_BENCH_DM_USERS`` (20), ``MENTORBOT_BENCH_DM_BACKGROUND`` (pairs, 5000),
``MENTORBOT_BENCH_BACKENDS`` (e.g. ``sqlite``).
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC
from datetime import datetime

import aiohttp

from bench._common import write_results
from bench._dm import Client
from bench._dm import Config
from bench._dm import Row
from bench._dm import echo_env
from bench._dm import measure_each_backend
from bench._dm import repeated
from bench._dm import reply_sizes
from bench._dm import table
from bench._fake_connector import FakeConnector
from bench._population import TEAMS_TENANT
from bench._population import teams_aad
from bench._population import teams_user
from bench._serving import ServedApp

NAME = "teams_dm"
BOT_ID = "28:mentorbot-bench"
BARE, BARE_FIXED = "bare botbuilder", "bare + msrest fix"


class TeamsClient(Client):
    """Messages as Teams delivers them: activities POSTed to ``/api/messages``."""

    def __init__(self, session: aiohttp.ClientSession, fake: FakeConnector, base: str) -> None:
        super().__init__(session, fake, f"{base}/api/messages")
        self._ids = itertools.count(1)

    def conversation(self, pid: int) -> str:
        return f"personal-{pid}"

    def request(self, pid: int, text: str) -> tuple[str, dict[str, str]]:
        body = json.dumps(activity(pid, text, f"in-{next(self._ids)}", self.fake.url))
        return body, {"Content-Type": "application/json"}


def activity(pid: int, text: str, activity_id: str, service_url: str) -> dict[str, object]:
    return {
        "type": "message",
        "id": activity_id,
        "timestamp": datetime.now(UTC).isoformat(),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": teams_user(pid), "name": f"Person {pid}", "aadObjectId": teams_aad(pid)},
        "recipient": {"id": BOT_ID, "name": "mentorbot"},
        "conversation": {"id": f"personal-{pid}", "conversationType": "personal", "tenantId": TEAMS_TENANT},
        "channelData": {"tenant": {"id": TEAMS_TENANT}},
        "locale": "en-GB",
        "text": text,
    }


async def measure(url: str, people: list[int], config: Config, database: str) -> list[Row]:
    fake = FakeConnector()
    await fake.start()
    rows: list[Row] = []
    try:
        with ServedApp("mentorbot-teams", url) as bot:
            async with aiohttp.ClientSession() as session:
                mentorbot = TeamsClient(session, fake, bot.base)
                echo = echo_env(await reply_sizes(mentorbot, people[0]))
                with (
                    ServedApp("bare-teams", env=echo) as bare,
                    ServedApp("bare-teams-fixed", env=echo) as fixed,
                ):
                    clients: dict[str, Client] = {
                        BARE: TeamsClient(session, fake, bare.base),
                        BARE_FIXED: TeamsClient(session, fake, fixed.base),
                        "mentorbot": mentorbot,
                    }
                    for inflight in config.inflight:
                        rows += await repeated(clients, people, config, database, inflight, BARE)
    finally:
        await fake.stop()
    return rows


def run(config: Config) -> list[Row]:
    return measure_each_backend(config, measure, slack=False)


def report(rows: list[Row], config: Config) -> str:
    intro = [
        "From the activity sent to `/api/messages` (anonymous local mode) to the reply's last activity at",
        f"the fake Bot Connector, in ms; {config.requests} messages per command and app, one at a time, the",
        f"apps taking turns. mentorbot: the real bot on the database, {config.users} mentees with two",
        f"relationships each and {config.background:,} more pairs. Bare botbuilder: an ActivityHandler that",
        "echoes in as many messages as mentorbot's answer has; bare + msrest fix: the same with the fix",
        "mentorbot applies to msrest's retry policy.",
    ]
    return table("Teams message, end to end", intro, rows, [BARE, BARE_FIXED], answered=False)


def main() -> None:
    config = Config.from_env()
    write_results(NAME, report(run(config), config))


if __name__ == "__main__":
    main()
