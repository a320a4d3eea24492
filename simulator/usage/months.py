"""Calendar months of a usage window: which days each month covers and where they sit."""

from __future__ import annotations

import datetime as dt


def month_key(day: dt.date) -> tuple[int, int]:
    """``(year, month)`` of a day."""
    return day.year, day.month


def next_month(key: tuple[int, int]) -> tuple[int, int]:
    """The calendar month after ``(year, month)``."""
    y, m = key
    return (y + 1, 1) if m == 12 else (y, m + 1)


def covered_days(
    first: dt.date, end: dt.date, have: set[dt.date] | None = None
) -> dict[tuple[int, int], float]:
    """Days of each calendar month inside the data window ``[first, end)``.

    With ``have`` (the days the export holds data for), only those days count: a day with no
    bucket at all is missing data, not a day of zero usage.
    """
    out: dict[tuple[int, int], float] = {}
    key = month_key(first)
    while dt.date(*key, 1) < end:
        lo = max(first, dt.date(*key, 1))
        hi = min(end, dt.date(*next_month(key), 1))
        if have is None:
            out[key] = float((hi - lo).days)
        else:
            out[key] = float(sum(lo + dt.timedelta(days=i) in have for i in range((hi - lo).days)))
        key = next_month(key)
    return out


def month_centres(
    first: dt.date, end: dt.date, have: set[dt.date] | None = None
) -> dict[tuple[int, int], float]:
    """Where in each month (0..1) the covered days of ``[first, end)`` sit on average.

    A full month is centred at 0.5; a workload that starts on the 17th of a 31-day month has its
    first month centred at 0.77, so its per-day volume is placed at the time it measures.
    """
    out: dict[tuple[int, int], float] = {}
    key = month_key(first)
    while dt.date(*key, 1) < end:
        m0, m1 = dt.date(*key, 1), dt.date(*next_month(key), 1)
        days = [
            (d - m0).days
            for d in (
                max(first, m0) + dt.timedelta(days=i)
                for i in range((min(end, m1) - max(first, m0)).days)
            )
            if have is None or d in have
        ]
        out[key] = (sum(days) / len(days) + 0.5) / (m1 - m0).days if days else 0.5
        key = next_month(key)
    return out


def missing_days(first: dt.date, end: dt.date, have: set[dt.date]) -> list[dt.date]:
    """Days inside ``[first, end)`` the export holds no data for."""
    return [
        first + dt.timedelta(days=i)
        for i in range((end - first).days)
        if first + dt.timedelta(days=i) not in have
    ]
