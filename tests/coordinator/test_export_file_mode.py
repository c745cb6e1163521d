"""``person export --out FILE`` writes a file only its owner can read (issue 13, item 9): an export is
everything stored about a person."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

from coordinator_seed import Seeded

from bot.clock import FixedClock
from bot.programme import ProgrammeConfig
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands.person import export
from storage.uow import SqlUnitOfWorkFactory


def test_an_export_file_is_readable_by_its_owner_only(
    seeded: Seeded,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    old = os.umask(0o022)  # the usual umask: new files world-readable
    try:
        fresh = tmp_path / "eli.json"
        existing = tmp_path / "old.json"
        existing.write_text("{}")
        existing.chmod(0o644)
        for target in (fresh, existing):
            assert (
                export(
                    CommandScope(uow_factory, programme, clock, io.StringIO()), "mentee@example.org", target
                )
                == 0
            )
            assert stat.S_IMODE(target.stat().st_mode) == 0o600
            assert json.loads(target.read_text(encoding="utf-8"))["profile"]["email"] == "mentee@example.org"
    finally:
        os.umask(old)
