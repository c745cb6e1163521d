"""Two ``serve`` processes on one PostgreSQL database, with several hundred nudges falling due: both
plan (every second) and both dispatch, and still no nudge reaches anyone twice
and none is lost.

Each process sends at most 50 messages a second, so that neither can do everything alone. ``serve`` has
no clock to inject, so each runs on its real clock: the pairs were matched three days ago, so their
welcome and first-meeting prompts are due whenever the suite runs, and the drill's programme has no
quiet hours or weekend to hold them back.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from fake_slack_api import BOT_TOKEN
from fake_slack_api import FakeSlackWebApi
from fake_slack_api import dm_channel
from fake_slack_api import slack_user
from population import seed_pairs
from serve_process import Database
from serve_process import StartServe
from serve_process import wait_for
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from bot.programme import ProgrammeConfig
from storage import tables

PAIRS = 200


def due_or_held(engine: Engine) -> int:
    """Deliveries that are due and not final yet, or held by a process."""
    d = tables.deliveries
    waiting = d.c.status.in_(["pending", "failed"]) & (d.c.due_at <= datetime.now(UTC))
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).where(or_(waiting, d.c.status == "claimed"))) or 0)


def sent_keys(engine: Engine) -> dict[int, list[str]]:
    d = tables.deliveries
    with engine.connect() as conn:
        rows = conn.execute(select(d.c.person_id, d.c.dedupe_key).where(d.c.status == "sent"))
        out: dict[int, list[str]] = {}
        for person, key in rows:
            out.setdefault(int(person), []).append(str(key))
        return out


def test_two_serve_processes_on_one_postgresql_send_no_nudge_twice_and_lose_none(
    postgres: Database,
    fake_slack: FakeSlackWebApi,
    programme: tuple[Path, ProgrammeConfig],
    start_serve: StartServe,
) -> None:
    tokens = {"a": BOT_TOKEN + "-a", "b": BOT_TOKEN + "-b"}  # so the fake can tell who sent what
    fake_slack.tokens |= set(tokens.values())
    servers = [
        start_serve(
            postgres, ready=False, SLACK_BOT_TOKEN=token, SLACK_SEND_RATE="50", MENTORBOT_PLAN_INTERVAL="1"
        )
        for token in tokens.values()
    ]
    for serve in servers:
        serve.wait_ready()
    # the pairs arrive while both are running: both plan passes see them, both dispatchers send
    matched = (datetime.now(UTC) - timedelta(days=3)).date()
    pairs = seed_pairs(postgres.engine, programme[1], PAIRS, matched)

    def settled() -> bool:
        return fake_slack.total > 0 and due_or_held(postgres.engine) == 0

    wait_for(settled, 120, "the nudges to be sent", every=0.25)
    for serve in servers:
        serve.assert_alive()

    posts, _ = fake_slack.snapshot()
    keys = sent_keys(postgres.engine)
    people = [p for pair in pairs for p in pair]
    for person in people:
        channel = dm_channel(slack_user(person))
        texts = fake_slack.texts_to(slack_user(person))
        assert posts[channel] >= 1, f"person {person} got nothing"
        assert posts[channel] == len(keys.get(person, [])), f"person {person}: sent rows and messages differ"
        assert len(set(texts)) == len(texts), f"person {person} received the same nudge twice"
    kinds = Counter(key.split(":")[0] for k in keys.values() for key in k)
    assert kinds["onboarding"] == 2 * PAIRS  # everyone welcomed, once (other kinds depend on the weekday)
    by_process = {name: fake_slack.posts_by_token[token] for name, token in tokens.items()}
    assert min(by_process.values()) > 0, f"both processes should have sent some: {by_process}"
    print(
        f"\n[postgresql] two serve processes, {PAIRS} pairs: {sum(posts.values())} nudges sent "
        f"({dict(kinds)}), by process {by_process}; none twice, none left due"
    )


def test_two_serve_processes_together_keep_to_one_workspaces_send_rate(
    postgres: Database,
    fake_slack: FakeSlackWebApi,
    programme: tuple[Path, ProgrammeConfig],
    start_serve: StartServe,
) -> None:
    """Slack limits a workspace, not a process: two ``serve`` processes told the workspace allows 20
    messages a second send no faster than 20 a second together (the rate Slack itself saw), and both
    take part."""
    rate = 20
    tokens = {"a": BOT_TOKEN + "-a", "b": BOT_TOKEN + "-b"}
    fake_slack.tokens |= set(tokens.values())
    servers = [
        start_serve(postgres, ready=False, SLACK_BOT_TOKEN=token, SLACK_SEND_RATE=str(rate))
        for token in tokens.values()
    ]
    for serve in servers:
        serve.wait_ready()
    matched = (datetime.now(UTC) - timedelta(days=3)).date()
    seed_pairs(postgres.engine, programme[1], 150, matched)

    def settled() -> bool:
        return fake_slack.total > 0 and due_or_held(postgres.engine) == 0

    wait_for(settled, 180, "the nudges to be sent", every=0.25)
    for serve in servers:
        serve.assert_alive()
    posts = sorted(fake_slack.calls["chat.postMessage"])
    assert len(posts) >= 300
    by_process = {name: fake_slack.posts_by_token[token] for name, token in tokens.items()}
    assert min(by_process.values()) > len(posts) / 10, f"both processes should send: {by_process}"
    achieved = (len(posts) - 1) / (posts[-1] - posts[0])
    busiest = fake_slack.busiest_window("chat.postMessage", 2.0)
    print(
        f"\n[postgresql] two serve processes, workspace rate {rate}/s: {len(posts)} messages at "
        f"{achieved:.1f}/s together ({100 * achieved / rate:.0f}% of the limit), busiest 2 s: {busiest}, "
        f"by process {by_process}"
    )
    assert achieved <= rate * 1.05
    assert busiest <= 2 * rate + 2
    assert achieved >= rate * 0.6, "sharing the limit should not waste most of it"
