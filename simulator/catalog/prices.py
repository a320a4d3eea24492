"""Effective-dated Claude price catalogs shipped as data (``simulator/data/catalogs/*.csv``)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Literal

from simulator.errors import CatalogError

TokenClass = Literal["input", "cache_write_5m", "cache_write_1h", "cache_read", "output"]
TOKEN_CLASSES: tuple[TokenClass, ...] = (
    "input",
    "cache_write_5m",
    "cache_write_1h",
    "cache_read",
    "output",
)
_RATE_COLUMNS = (*TOKEN_CLASSES, "batch_discount")


@dataclass(frozen=True)
class Rates:
    """List rates of one model in one effective period, USD per million tokens.

    ``lc`` holds the long-context rates (whole request above ``lc_threshold`` prompt tokens) or
    ``None`` where the model has none.
    """

    model: str
    valid_from: dt.date
    valid_until: dt.date | None
    input: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float
    output: float
    batch_discount: float
    tokenizer: int
    source: str
    read_on: str
    lc_threshold: int | None = None
    lc: tuple[float, float, float, float, float] | None = None

    def rate(self, token_class: TokenClass, long_context: bool = False) -> float:
        """Rate of one token class, standard or long-context."""
        if long_context and self.lc is not None:
            return self.lc[TOKEN_CLASSES.index(token_class)]
        return float(getattr(self, token_class))

    def covers(self, day: dt.date) -> bool:
        """Whether this row is in effect on ``day``."""
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


@dataclass(frozen=True)
class Catalog:
    """All rows of one catalog; look rates up by model and date."""

    name: str
    rows: tuple[Rates, ...]

    @property
    def models(self) -> list[str]:
        """Model ids the catalog prices, sorted."""
        return sorted({r.model for r in self.rows})

    def rates(self, model: str, day: dt.date) -> Rates:
        """Rates in effect for ``model`` on ``day``.

        Before a model's first row the earliest row applies (a scenario may start before a price
        is published); after a row's ``until`` with no successor the last row stays in effect.
        """
        rows = [r for r in self.rows if r.model == model]
        if not rows:
            raise CatalogError(f"model {model!r} is not in catalog {self.name!r}")
        for r in rows:
            if r.covers(day):
                return r
        rows.sort(key=lambda r: r.valid_from)
        return rows[0] if day < rows[0].valid_from else rows[-1]

    def change_dates(self, model: str) -> list[dt.date]:
        """Dates at which the model's rates change."""
        return sorted({r.valid_from for r in self.rows if r.model == model})

    def with_overrides(self, overrides: dict[str, dict[str, float]]) -> Catalog:
        """A copy with per-model rates replaced in every period (``$ / MTok``).

        Long-context rates of an overridden class scale by the same ratio as the standard rate.
        """
        if not overrides:
            return self
        rows = []
        for r in self.rows:
            ov = {k: v for k, v in overrides.get(r.model, {}).items() if v is not None}
            if not ov:
                rows.append(r)
                continue
            new = replace(r, **ov)  # type: ignore[arg-type]
            if r.lc is not None:
                # a negotiated rate moves the long-context rate of the same class in proportion
                lc = tuple(
                    x * (float(ov[c]) / r.rate(c) if c in ov and r.rate(c) > 0 else 1.0)
                    for c, x in zip(TOKEN_CLASSES, r.lc, strict=True)
                )
                new = replace(new, lc=(lc[0], lc[1], lc[2], lc[3], lc[4]))
            rows.append(new)
        return Catalog(self.name, tuple(rows))


def available_catalogs() -> list[str]:
    """Names of the shipped catalogs."""
    folder = resources.files("simulator") / "data" / "catalogs"
    return sorted(p.name.removesuffix(".csv") for p in folder.iterdir() if p.name.endswith(".csv"))


def _num(text: str, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CatalogError(f"{where}: not a number (got {text!r})") from None


@cache
def load_catalog(name: str) -> Catalog:
    """Load a shipped catalog by name, e.g. ``anthropic-2026-11``."""
    if name not in available_catalogs():
        raise CatalogError(
            f"unknown price catalog {name!r}; shipped: {', '.join(available_catalogs())}"
        )
    path = resources.files("simulator") / "data" / "catalogs" / f"{name}.csv"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    rows: list[Rates] = []
    for i, rec in enumerate(csv.DictReader(lines), start=2):
        where = f"{name}.csv row {i}"
        lc: tuple[float, float, float, float, float] | None = None
        if rec["lc_threshold"]:
            a, b, c, d, e = (_num(rec[f"lc_{k}"], where) for k in TOKEN_CLASSES)
            lc = (a, b, c, d, e)
        rows.append(
            Rates(
                model=rec["model"],
                valid_from=dt.date.fromisoformat(rec["from"]),
                valid_until=dt.date.fromisoformat(rec["until"]) if rec["until"] else None,
                input=_num(rec["input"], where),
                cache_write_5m=_num(rec["cache_write_5m"], where),
                cache_write_1h=_num(rec["cache_write_1h"], where),
                cache_read=_num(rec["cache_read"], where),
                output=_num(rec["output"], where),
                batch_discount=_num(rec["batch_discount"], where),
                tokenizer=int(rec["tokenizer"]),
                source=rec["source"],
                read_on=rec["read_on"],
                lc_threshold=int(rec["lc_threshold"]) if rec["lc_threshold"] else None,
                lc=lc,
            )
        )
    return Catalog(name, tuple(rows))


def month_start(start: str, month: int) -> dt.date:
    """First day of 0-based scenario month ``month`` for a scenario starting ``YYYY-MM``."""
    year, mon = (int(x) for x in start.split("-"))
    total = year * 12 + (mon - 1) + month
    return dt.date(total // 12, total % 12 + 1, 1)
