"""Guards every importer shares against corrupt exports: implausible token counts and years,
unreadable CSV cells, and names that would carry control characters into a scenario."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from simulator.errors import ImportDataError, Problem
from simulator.scenario.numbers import strip_control

# a row with more tokens than this is a corrupt export, not traffic (a year of 1M requests a second
# at 30k tokens each is ~1e18 tokens; one row covers a day at most)
MAX_ROW_TOKENS = 1e15
# timestamps outside these years are corrupt (and year 1 or 9999 overflow date arithmetic)
MIN_YEAR, MAX_YEAR = 1970, 2200


def plain_name(text: str) -> str:
    """A scenario name from export data or a file name: one printable line of <= 200 chars."""
    return " ".join(strip_control(text, keep_newlines=True).split())[:200] or "Imported usage"


def sane_time(when: dt.datetime | None) -> dt.datetime | None:
    """``when`` as naive UTC if its year is plausible, else ``None`` (reported as a bad row)."""
    if when is None or not MIN_YEAR <= when.year <= MAX_YEAR:
        return None
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when


def csv_problem(source: str, line: int, exc: Exception) -> ImportDataError:
    """A located error for a CSV the csv module cannot read (e.g. a cell over its size limit)."""
    return ImportDataError([Problem(source, line, "", f"unreadable CSV: {exc}", None, False)])


def csv_rows(reader: Any, source: str) -> Iterator[tuple[int, Any]]:
    """``(line, row)`` for each row of a csv reader; a row it cannot read becomes a located
    :class:`ImportDataError` instead of ``csv.Error`` (cells over 131,072 characters, NUL bytes)."""
    last = reader.line_num  # the header's line
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # the reader's own count is unreliable mid-error; blame the line after the last row
            raise csv_problem(source, last + 1, exc) from None
        last = reader.line_num
        yield last, row


def describe(key: tuple[str, str], source: str, window: tuple[Any, Any]) -> str:
    """An imported workload's description; workspace names from the export lose control chars."""
    return strip_control(f"{key[0]} x {key[1]}, imported from {source} ({window[0]}..{window[1]})")
