"""Roster files as a coordinator writes them, for the e-mail tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path


def write_roster(
    folder: Path, people: list[tuple[str, str, str]], pairs: list[tuple[str, str]], start: date
) -> tuple[Path, Path]:
    """``people``: (email, name, role); ``pairs``: (guide email, mentee email), matched from ``start``."""
    people_csv = folder / "people.csv"
    matches_csv = folder / "matches.csv"
    rows = ["email,name,roles,timezone"] + [f"{e},{n},{r},Europe/London" for e, n, r in people]
    people_csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = ["match_id,kind,format,guides,learners,start"]
    lines += [f"m-{k},mentoring,one-to-one,{g},{m},{start.isoformat()}" for k, (g, m) in enumerate(pairs)]
    matches_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return people_csv, matches_csv
