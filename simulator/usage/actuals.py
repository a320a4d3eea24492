"""Monthly list spend to date ("actuals") for tracking a signed commitment.

Read from a CSV with columns ``month,list_spend`` (``month`` as ``YYYY-MM``), or from any
importer's input: an Anthropic usage report (``.json``), a FOCUS export or a request log, each
priced at the shipped catalog's list prices. Months the data covers only in part are dropped
with a warning: a half month would read as a collapse in spend.
"""

from __future__ import annotations

import calendar
import csv
import io
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from simulator.catalog.prices import load_catalog
from simulator.errors import ImportDataError, Problem
from simulator.usage.anthropic_usage import import_anthropic_usage
from simulator.usage.common import DEFAULT_CATALOG, DEFAULT_MODEL, ImportResult, RowLog
from simulator.usage.focus import import_focus
from simulator.usage.requests_log import read_requests

ActualsKind = Literal["auto", "csv", "anthropic-usage", "focus", "requests"]
ACTUALS_KINDS: tuple[str, ...] = ("auto", "csv", "anthropic-usage", "focus", "requests")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass
class MonthlySpend:
    """List spend by calendar month, oldest first, and what was left out."""

    months: list[str]
    list_spend: list[float]
    source: str
    warnings: list[str] = field(default_factory=list)


def read_spend_csv(path: str | Path) -> MonthlySpend:
    """Read ``month,list_spend`` rows; every bad row is reported as FILE:LINE: field."""
    name = str(path)
    try:
        raw = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportDataError(
            [Problem(name, 0, "", f"cannot read file: {exc}", None, False)]
        ) from None
    reader = csv.reader(io.StringIO(raw))
    header = [h.strip().lower() for h in next(reader, [])]
    problems: list[Problem] = []
    for col in ("month", "list_spend"):
        if col not in header:
            problems.append(Problem(name, 1, col, "missing column", ",".join(header)))
    if problems:
        raise ImportDataError(problems)
    im, iv = header.index("month"), header.index("list_spend")
    seen: dict[str, int] = {}
    months: list[str] = []
    spend: list[float] = []
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        month = row[im].strip() if im < len(row) else ""
        text = row[iv].strip() if iv < len(row) else ""
        if not _MONTH.match(month):
            problems.append(Problem(name, line, "month", "not a month YYYY-MM", month))
        elif month in seen:
            problems.append(Problem(name, line, "month", f"repeats line {seen[month]}", month))
        else:
            seen[month] = line
        try:
            value = float(text.replace(",", "").lstrip("$"))
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            problems.append(Problem(name, line, "list_spend", "not a non-negative number", text))
        if not problems or problems[-1].line != line:
            months.append(month)
            spend.append(value)
    if problems:
        raise ImportDataError(problems)
    if not months:
        raise ImportDataError([Problem(name, 0, "", "no months of list spend", None, False)])
    order = sorted(range(len(months)), key=lambda i: months[i])
    return MonthlySpend([months[i] for i in order], [spend[i] for i in order], name)


def from_import(result: ImportResult) -> MonthlySpend:
    """Monthly list spend of an Anthropic usage or FOCUS import, whole months only."""
    s = result.summary
    spend: dict[str, float] = s.get("monthly_list_spend", {})
    days: dict[str, float] = s.get("month_days", {})
    out = MonthlySpend([], [], str(s.get("source", "import")))
    for month in sorted(days):
        y, m = (int(x) for x in month.split("-"))
        if days[month] < calendar.monthrange(y, m)[1]:
            out.warnings.append(f"{month} is covered for {days[month]:g} days only: left out")
            continue
        out.months.append(month)
        out.list_spend.append(float(spend.get(month, 0.0)))
    return out


def _requests(path: str | Path, model: str) -> MonthlySpend:
    # a request log prices each request at list (prompt as uncached input, no batch or cache)
    catalog = load_catalog(DEFAULT_CATALOG)
    times, prompts, outputs = read_requests(path, RowLog("reject"))
    if not times:
        raise ImportDataError([Problem(str(path), 0, "", "no requests", None, False)])
    spend: dict[str, float] = defaultdict(float)
    for t, p, o in zip(times, prompts, outputs, strict=True):
        rates = catalog.rates(model, t.date())
        lc = rates.lc_threshold is not None and p > rates.lc_threshold
        spend[t.strftime("%Y-%m")] += (
            p * rates.rate("input", lc) + o * rates.rate("output", lc)
        ) / 1e6
    first, last = min(times), max(times)
    out = MonthlySpend([], [], str(path))
    for month in sorted(spend):
        y, m = (int(x) for x in month.split("-"))
        whole = (first.year, first.month) < (y, m) and (last.year, last.month) > (y, m)
        if not whole:
            out.warnings.append(f"{month} is covered only in part by the log: left out")
            continue
        out.months.append(month)
        out.list_spend.append(spend[month])
    return out


def _kind(path: Path) -> str:
    if path.suffix.lower() == ".json":
        return "anthropic-usage"
    try:
        with path.open(encoding="utf-8-sig") as fh:
            header = {h.strip().lower() for h in next(csv.reader(fh), [])}
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportDataError(
            [Problem(str(path), 0, "", f"cannot read file: {exc}", None, False)]
        ) from None
    if {"month", "list_spend"} <= header:
        return "csv"
    if {"chargeperiodstart", "billedcost"} & header:
        return "focus"
    return "requests"


def read_actuals(
    paths: Sequence[str | Path], kind: str = "auto", *, model: str = DEFAULT_MODEL
) -> MonthlySpend:
    """Monthly list spend from ``paths`` (several only for usage report pages).

    Parameters
    ----------
    paths : sequence of path
        One CSV (``month,list_spend``), FOCUS export or request log, or usage report pages.
    kind : {'auto', 'csv', 'anthropic-usage', 'focus', 'requests'}
        ``auto`` decides by the file: ``.json`` is a usage report; a CSV by its header.
    model : str
        Model of a request log's traffic (a log names none).

    Returns
    -------
    MonthlySpend
        Whole months only; partial ones are listed in ``warnings``.
    """
    if kind not in ACTUALS_KINDS:
        raise ImportDataError(
            [Problem("--actuals-kind", 0, "", f"must be one of {', '.join(ACTUALS_KINDS)}", kind)]
        )
    if not paths:
        raise ImportDataError([Problem("--actuals", 0, "", "no file given", None, False)])
    first = Path(paths[0])
    found = _kind(first) if kind == "auto" else kind
    if found == "anthropic-usage":
        return from_import(import_anthropic_usage(list(paths)))
    if len(paths) > 1:
        raise ImportDataError(
            [Problem(str(paths[1]), 0, "", f"{found} actuals take one file", None, False)]
        )
    if found == "csv":
        return read_spend_csv(first)
    if found == "focus":
        return from_import(import_focus(first))
    return _requests(first, model)
