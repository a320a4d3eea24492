"""The shipped price catalog: rates by model and date, cache multipliers, long context."""

from __future__ import annotations

import datetime as dt

import pytest

from simulator.catalog.prices import TOKEN_CLASSES, available_catalogs, load_catalog, month_start
from simulator.errors import CatalogError

CAT = load_catalog("anthropic-2026-11")
DAY = dt.date(2027, 1, 1)


def test_shipped_catalogs() -> None:
    assert available_catalogs() == ["anthropic-2026-11"]
    with pytest.raises(CatalogError, match="unknown price catalog 'nope'"):
        load_catalog("nope")


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        # input, cache_write_5m, cache_write_1h, cache_read, output  ($ / MTok)
        ("claude-opus-4-5", (5.0, 6.25, 10.0, 0.50, 25.0)),
        ("claude-opus-4-1", (15.0, 18.75, 30.0, 1.50, 75.0)),
        ("claude-opus-5-5", (4.0, 5.0, 8.0, 0.20, 20.0)),
        ("claude-sonnet-4-5", (3.0, 3.75, 6.0, 0.30, 15.0)),
        ("claude-sonnet-5", (2.0, 2.50, 4.0, 0.20, 10.0)),
        ("claude-haiku-4-5", (1.0, 1.25, 2.0, 0.10, 5.0)),
        ("claude-haiku-3-5", (0.80, 1.0, 1.60, 0.08, 4.0)),
    ],
)
def test_rates_per_model(model: str, expected: tuple[float, ...]) -> None:
    r = CAT.rates(model, DAY)
    assert tuple(r.rate(c) for c in TOKEN_CLASSES) == expected
    assert r.batch_discount == 0.5


def test_sonnet_5_5_cache_read_price_cut_on_2026_10_07() -> None:
    before = CAT.rates("claude-sonnet-5-5", dt.date(2026, 10, 6))
    on = CAT.rates("claude-sonnet-5-5", dt.date(2026, 10, 7))
    assert before.cache_read == 0.20
    assert on.cache_read == 0.10
    # nothing else changed
    assert (before.input, before.output, before.cache_write_5m) == (on.input, on.output, 2.5)
    assert CAT.change_dates("claude-sonnet-5-5") == [dt.date(2026, 8, 1), dt.date(2026, 10, 7)]


def test_dates_outside_rows() -> None:
    # before the first row the earliest row applies; open-ended rows stay in force
    assert CAT.rates("claude-opus-5-5", dt.date(2020, 1, 1)).input == 4.0
    assert CAT.rates("claude-sonnet-5-5", dt.date(2035, 1, 1)).cache_read == 0.10
    with pytest.raises(CatalogError, match="not in catalog"):
        CAT.rates("claude-opus-9", DAY)


def test_cache_write_multipliers_hold_for_every_row() -> None:
    # write 1.25x base input (5-minute TTL), 2x (1-hour TTL), on every row of the catalog
    for r in CAT.rows:
        assert r.cache_write_5m == pytest.approx(1.25 * r.input, rel=1e-12), r.model
        assert r.cache_write_1h == pytest.approx(2.0 * r.input, rel=1e-12), r.model
        assert r.cache_read <= r.input
        if r.lc is not None:
            assert r.lc_threshold is not None and r.lc[0] >= r.input


def test_long_context_rates_sonnet_4_5() -> None:
    r = CAT.rates("claude-sonnet-4-5", DAY)
    assert r.lc_threshold == 200_000
    lc = tuple(r.rate(c, long_context=True) for c in TOKEN_CLASSES)
    assert lc == (6.0, 7.5, 12.0, 0.60, 22.5)
    # a model without long-context rates bills the standard rate
    r46 = CAT.rates("claude-sonnet-4-6", DAY)
    assert r46.lc is None and r46.rate("input", long_context=True) == 3.0


def test_overrides_replace_rates_in_every_period() -> None:
    cat = CAT.with_overrides({"claude-sonnet-5-5": {"cache_read": 0.05, "output": None}})
    for day in (dt.date(2026, 9, 1), dt.date(2026, 11, 1)):
        r = cat.rates("claude-sonnet-5-5", day)
        assert (r.cache_read, r.output) == (0.05, 10.0)
    assert cat.rates("claude-opus-4-5", DAY) == CAT.rates("claude-opus-4-5", DAY)
    assert CAT.with_overrides({}) is CAT


@pytest.mark.parametrize(
    ("start", "month", "day"),
    [
        ("2027-01", 0, dt.date(2027, 1, 1)),
        ("2027-11", 2, dt.date(2028, 1, 1)),
        ("2026-12", 13, dt.date(2028, 1, 1)),
        ("2027-04", 47, dt.date(2031, 3, 1)),
    ],
)
def test_month_start(start: str, month: int, day: dt.date) -> None:
    assert month_start(start, month) == day


def test_overrides_move_long_context_rates_in_proportion() -> None:
    from simulator.catalog.prices import load_catalog

    cat = load_catalog("anthropic-2026-11").with_overrides({"claude-sonnet-4-5": {"input": 2.4}})
    import datetime as dt

    r = cat.rates("claude-sonnet-4-5", dt.date(2027, 1, 1))
    assert r.input == 2.4
    assert r.rate("input", long_context=True) == pytest.approx(6.0 * 0.8)
    assert r.rate("output", long_context=True) == pytest.approx(22.5)
