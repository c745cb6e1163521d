"""Draw ``docs/report-example.png``, the programme-health chart shown in the README.

    .venv/bin/python docs/report_example.py [--out docs/report-example.png]

It loads the example programme and roster shipped with the package (``bot/content/example_programme.yaml``,
``bot/content/examples/*.csv``) into a throw-away SQLite database, adds four months of *illustrative*
activity -- meetings held at each relationship's rhythm with a few missed, one check-in per learner; no
content, since the report never shows any -- and runs ``mentorbot report --format png`` as of
30 June 2026. The overview chart becomes the README picture. The activity is deterministic, so running
the script again draws the same picture.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import tempfile
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from pathlib import Path

from bot.clock import FixedClock
from bot.model import CheckIn
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Side
from bot.phases import set_phase
from bot.roster import example_paths
from bot.roster import import_roster
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands.report import report
from mentorbot.settings import Settings
from mentorbot.wiring import build_runtime

AS_OF = datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
QUADRANTS = ("growth", "confirmation", "growth", "retreat", "confirmation", "stasis", "growth")
SKIP_EVERY = 5  # every fifth meeting is missed: the pair did not meet that time


def phase_on(started: date, planned_end: date | None) -> str:
    """Where the default phase model would have each relationship by the end of June."""
    today = AS_OF.date()
    if planned_end is not None and planned_end <= today:
        return "closure"
    if planned_end is not None and planned_end - timedelta(weeks=6) <= today:
        return "separation"
    return "cultivation" if started + timedelta(weeks=8) <= today else "initiation"


def add_activity(runtime: object) -> None:
    from mentorbot.wiring import Runtime

    assert isinstance(runtime, Runtime)
    with runtime.uow_factory() as uow:
        relationships = uow.relationships.all()
        n = 0
        for rel in relationships:
            set_phase(rel, phase_on(rel.started_on, rel.planned_end), None, "illustration", AS_OF)
            guide_or_peer = (rel.guides() or rel.peers())[0]
            access = uow.content(guide_or_peer)
            day = rel.started_on + timedelta(days=3)
            while day <= AS_OF.date():
                n += 1
                if n % SKIP_EVERY:
                    start = datetime.combine(day, time(14, 0), tzinfo=UTC)
                    assert rel.id is not None and guide_or_peer.id is not None
                    access.add_meeting(
                        Meeting(
                            relationship_id=rel.id,
                            status=MeetingStatus.HELD,
                            scheduled_by=guide_or_peer.id,
                            created_at=start - timedelta(days=5),
                            starts_at=start,
                            duration_minutes=60,
                            held_minutes=45 + 15 * (n % 3),
                        )
                    )
                day += timedelta(days=rel.cadence_days)
        learners = sorted(
            {
                (m.person.id, rel.id, m.person)
                for rel in relationships
                for m in rel.current_members()
                if m.side in (Side.LEARNER, Side.PEER)
            },
            key=lambda t: (t[0] or 0, t[1] or 0),
        )
        seen: set[int] = set()
        for pid, rid, person in learners:
            if pid is None or rid is None or pid in seen:
                continue
            quadrant = QUADRANTS[len(seen) % len(QUADRANTS)]
            seen.add(pid)
            uow.content(person).add_checkin(
                CheckIn(
                    rid,
                    pid,
                    support=4,
                    challenge=3,
                    safety=4,
                    quadrant=quadrant,
                    at=AS_OF - timedelta(days=10),
                )
            )
        uow.commit()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=str(Path(__file__).with_name("report-example.png")))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MENTORBOT_DATABASE_URL": f"sqlite:///{tmp}/example.sqlite3"}
        env.pop("MENTORBOT_PROGRAM", None)
        clock = FixedClock(AS_OF)
        runtime = build_runtime(Settings.from_env(env), clock=clock, migrate=True)
        people, matches = example_paths()
        import_roster(
            runtime.uow_factory,
            runtime.programme,
            FixedClock(datetime(2026, 1, 5, tzinfo=UTC)),
            people,
            matches,
        )
        add_activity(runtime)
        charts = Path(tmp) / "charts"
        report(CommandScope(runtime.uow_factory, runtime.programme, clock, io.StringIO()), "png", charts)
        shutil.copyfile(charts / "overview.png", args.out)
        runtime.engine.dispose()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
