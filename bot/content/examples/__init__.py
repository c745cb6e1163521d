"""Example roster files shipped with the package (see bot.roster).

``matches.csv`` has fixed dates (a cohort starting in January 2026), which keeps the file readable and
the tests stable. Loaded as it is on a later day, though, the demo looks dead: every pair stalled for
months, pairs past their end still active. So ``serve`` loads it into an empty embedded database moved
in time by :func:`matches_as_of`: the same matches, every date shifted by the same whole number of weeks
(weekdays unchanged) so that the first pair started :data:`FIRST_START_WEEKS_AGO` weeks ago and the last
one starts this week. Only this shipped example is shifted, only when ``serve`` seeds it; ``mentorbot
import`` imports any file, this one included, exactly as written.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from datetime import timedelta

FIRST_START_WEEKS_AGO = 6
DATE_COLUMNS = ("start", "end")


def shift_weeks(matches_csv: str, today: date) -> int:
    """Whole weeks to add to every date so that the earliest start falls in the week
    :data:`FIRST_START_WEEKS_AGO` weeks before ``today``'s (on the same weekday as in the file)."""
    starts = [date.fromisoformat(row["start"]) for row in csv.DictReader(io.StringIO(matches_csv))]
    first = min(starts)
    target_monday = today - timedelta(days=today.weekday(), weeks=FIRST_START_WEEKS_AGO)
    first_monday = first - timedelta(days=first.weekday())
    return (target_monday - first_monday).days // 7


def matches_as_of(matches_csv: str, today: date) -> str:
    """The example matches file with every start and end date moved by :func:`shift_weeks`."""
    weeks = shift_weeks(matches_csv, today)
    reader = csv.DictReader(io.StringIO(matches_csv))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or ()), lineterminator="\n")
    writer.writeheader()
    for row in reader:
        for column in DATE_COLUMNS:
            if row.get(column):
                row[column] = (date.fromisoformat(row[column]) + timedelta(weeks=weeks)).isoformat()
        writer.writerow(row)
    return out.getvalue()
