"""The exact cost model: hand-computed dollars, every lever kind, vectorisation, properties."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.catalog.prices import TOKEN_CLASSES, Rates, load_catalog
from simulator.pricing.costs import Applied, breakdown, class_totals, cost_per_request, month0_costs
from simulator.scenario import Lever, Triangular, Workload, load_scenario

ROOT = Path(__file__).resolve().parents[1]
CAT = load_catalog("anthropic-2026-11")
DAY = dt.date(2027, 1, 1)
RATES: dict[str, Rates] = {m: CAT.rates(m, DAY) for m in CAT.models}


def wl(model: str = "claude-opus-4-5", **kw: Any) -> Workload:
    base: dict[str, Any] = {
        "id": "w",
        "model": model,
        "requests_per_month": 1000,
        "input_tokens": 10_000,
        "output_tokens": 1_000,
    }
    return Workload(**(base | kw))


def lever(kind: str, lever_id: str | None = None, **kw: Any) -> Lever:
    return Lever(
        id=lever_id or kind,
        workload="w",
        kind=kind,  # type: ignore[arg-type]
        effect=Triangular(low=0, mode=0.5, high=1),
        effort_weeks=1,
        **kw,
    )


def dollars(w: Workload, applied: Sequence[Applied] = (), requests: float = 1000) -> float:
    return class_totals(w, RATES, requests, applied)["total"]


# -- list prices, no levers ----------------------------------------------------------------------


def test_issue_example_45_dollars() -> None:
    # 10M uncached input and 1M output tokens on a $3/$15 model
    out = class_totals(wl("claude-sonnet-4-5"), RATES, 1000)
    assert out["input"] == pytest.approx(30.0, abs=1e-9)
    assert out["output"] == pytest.approx(15.0, abs=1e-9)
    assert out["total"] == pytest.approx(45.0, abs=1e-9)
    assert out["cache_read"] == out["cache_write_5m"] == out["cache_write_1h"] == 0.0


@pytest.mark.parametrize(
    ("ttl", "write_class", "write_dollars"),
    [("5m", "cache_write_5m", 1250.0), ("1h", "cache_write_1h", 2000.0)],
)
def test_cache_classes_opus_4_5(ttl: str, write_class: str, write_dollars: float) -> None:
    # 1M requests x 1,000 input = 1B input tokens: 30% uncached, 50% read, 20% written
    w = wl(
        input_tokens=1000,
        output_tokens=0,
        cache_read_share=0.5,
        cache_write_share=0.2,
        cache_ttl=ttl,
    )
    out = class_totals(w, RATES, 1_000_000)
    assert out["input"] == pytest.approx(1500.0)  # 300M x $5
    assert out["cache_read"] == pytest.approx(250.0)  # 500M x $0.50
    assert out[write_class] == pytest.approx(write_dollars)  # 200M x $6.25 or $10
    assert out["total"] == pytest.approx(1750.0 + write_dollars)


def test_sonnet_5_5_cache_read_before_and_after_price_cut() -> None:
    w = wl("claude-sonnet-5-5", input_tokens=1000, output_tokens=0, cache_read_share=1.0)
    for day, expected in ((dt.date(2026, 10, 1), 200.0), (dt.date(2026, 11, 1), 100.0)):
        rates = {"claude-sonnet-5-5": CAT.rates("claude-sonnet-5-5", day)}
        # 1B cache-read tokens at $0.20, then $0.10
        assert class_totals(w, rates, 1_000_000)["cache_read"] == pytest.approx(expected)


def test_batch_tier_is_half_price_on_every_class() -> None:
    kw: dict[str, Any] = {"cache_read_share": 0.5, "cache_write_share": 0.2}
    std = class_totals(wl(**kw), RATES, 1000)
    bat = class_totals(wl(batch_share=1.0, **kw), RATES, 1000)
    for cls in (*TOKEN_CLASSES, "total"):
        assert bat[cls] == pytest.approx(0.5 * std[cls])
    assert std["cache_write_5m"] > 0 and std["cache_read"] > 0
    parts = breakdown(wl(batch_share=0.25, **kw), RATES)
    assert parts[("claude-opus-4-5", "batch", "cache_read")][0] == pytest.approx(0.25 * 5000)
    # 1,250 read tokens per request in the batch tier at $0.25 / MTok
    assert parts[("claude-opus-4-5", "batch", "cache_read")][1] == pytest.approx(1250 * 0.25e-6)


def test_long_context_sonnet_4_5() -> None:
    # 25% of requests above 200K prompt tokens bill at $6 / $22.50 instead of $3 / $15
    w = wl("claude-sonnet-4-5", input_tokens=100_000, long_context_share=0.25)
    out = class_totals(w, RATES, 1000)
    assert out["input"] == pytest.approx(100 * (0.75 * 3 + 0.25 * 6))  # $375
    assert out["output"] == pytest.approx(1 * (0.75 * 15 + 0.25 * 22.5))  # $16.875
    # Opus 4.5 has no long-context rates: the share changes nothing
    assert dollars(wl(long_context_share=0.5)) == pytest.approx(75.0)


# -- each lever on a hand-computed workload ------------------------------------------------------
# Base: Opus 4.5, 1,000 requests x 10,000 input / 1,000 output: $50 input + $25 output = $75.


def test_base_workload() -> None:
    assert dollars(wl()) == pytest.approx(75.0)


def test_routing_with_token_ratio() -> None:
    # 40% of requests to Sonnet 5 ($2/$10) with 30% more tokens: 60% x $75 = $45 stays;
    # moved: 400 x 13,000 x $2/M = $10.40 and 400 x 1,300 x $10/M = $5.20
    lv = lever("routing", to_model="claude-sonnet-5", token_ratio=1.3)
    assert dollars(wl(), [Applied(lv, 0.4)]) == pytest.approx(60.60)
    parts = breakdown(wl(), RATES, [Applied(lv, 0.4)])
    assert parts[("claude-sonnet-5", "standard", "input")][0] == pytest.approx(0.4 * 13_000)


def test_two_routing_levers_add_shares() -> None:
    a = lever("routing", "a", to_model="claude-sonnet-4-5")
    b = lever("routing", "b", to_model="claude-haiku-4-5")
    # 50% stays on Opus ($37.50), 30% on Sonnet ($3/$15: $13.50), 20% on Haiku ($1/$5: $3)
    assert dollars(wl(), [Applied(a, 0.3), Applied(b, 0.2)]) == pytest.approx(54.0)


def test_batch_lever_moves_share_of_unbatched() -> None:
    # 20% already batched; the lever moves half of the other 80%: 60% at half price
    assert dollars(wl(batch_share=0.2), [Applied(lever("batch"), 0.5)]) == pytest.approx(
        75 * (0.4 + 0.6 * 0.5)
    )


def test_compression_shrinks_every_input_class() -> None:
    w = wl(cache_read_share=0.2, cache_write_share=0.05)
    before = class_totals(w, RATES, 1000)
    after = class_totals(w, RATES, 1000, [Applied(lever("compression"), 0.3)])
    for cls in ("input", "cache_write_5m", "cache_read"):
        assert after[cls] == pytest.approx(0.7 * before[cls])
    assert after["output"] == pytest.approx(25.0)


def test_caching_with_write_share() -> None:
    # read .2, write .05, uncached .75; the lever turns 40% of uncached into reads (.3), then
    # bills 5% of input as 5-minute writes: uncached .40, read .50, write .10
    w = wl(cache_read_share=0.2, cache_write_share=0.05)
    assert dollars(w) == pytest.approx(37.5 + 1.0 + 3.125 + 25)  # $66.625
    out = class_totals(w, RATES, 1000, [Applied(lever("caching", write_share=0.05), 0.4)])
    assert out["input"] == pytest.approx(20.0)
    assert out["cache_read"] == pytest.approx(2.5)
    assert out["cache_write_5m"] == pytest.approx(6.25)
    assert out["total"] == pytest.approx(53.75)


def test_caching_writes_at_the_workload_ttl() -> None:
    w = wl(cache_ttl="1h")
    out = class_totals(w, RATES, 1000, [Applied(lever("caching", write_share=0.1), 0.5)])
    # uncached 1 -> .5 read -> .4 after 10% writes at $10: $20 + $2.50 + $10 + $25
    assert (out["input"], out["cache_read"], out["cache_write_1h"]) == pytest.approx((20, 2.5, 10))
    assert out["cache_write_5m"] == 0.0
    assert out["total"] == pytest.approx(57.5)


def test_output_control_and_custom() -> None:
    assert dollars(wl(), [Applied(lever("output_control"), 0.4)]) == pytest.approx(65.0)
    assert dollars(wl(), [Applied(lever("custom"), 0.1)]) == pytest.approx(67.5)


def test_same_kind_stacks_multiplicatively() -> None:
    a, b = lever("compression", "a"), lever("compression", "b")
    # input x 0.7 x 0.5 = 0.35: $17.50 + $25
    assert dollars(wl(), [Applied(a, 0.3), Applied(b, 0.5)]) == pytest.approx(42.5)


def test_combination_hand_computed_and_order_free() -> None:
    route = lever("routing", to_model="claude-sonnet-5")
    applied = [
        Applied(route, 0.4),
        Applied(lever("batch"), 0.5),
        Applied(lever("output_control"), 0.2),
    ]
    # per request: Opus .6 x ($0.05 + 800 x $25/M) + Sonnet 5 .4 x ($0.02 + 800 x $10/M) = $0.0532
    # half of it batched at 50% off: x 0.75 -> $0.0399, x 1,000 requests
    assert dollars(wl(), applied) == pytest.approx(39.90)
    for perm in itertools.permutations(applied):
        assert dollars(wl(), perm) == pytest.approx(39.90, rel=1e-12)


def test_lever_on_another_workload_is_refused() -> None:
    other = Lever(
        id="x",
        workload="other",
        kind="batch",
        effect=Triangular(low=0, mode=0, high=0),
        effort_weeks=0,
    )
    with pytest.raises(ValueError, match="acts on other"):
        breakdown(wl(), RATES, [Applied(other, 0.5)])


# -- vectorised evaluation -----------------------------------------------------------------------

ALL_KINDS = [
    lever("routing", "r1", to_model="claude-sonnet-5", token_ratio=1.3),
    lever("routing", "r2", to_model="claude-haiku-4-5"),
    lever("batch"),
    lever("compression"),
    lever("caching", write_share=0.02),
    lever("output_control"),
    lever("custom"),
]
RICH = {"cache_read_share": 0.3, "cache_write_share": 0.05, "batch_share": 0.1}


def test_vectorised_equals_scalar_elementwise() -> None:
    rng = np.random.default_rng(3)
    n = 64
    effects = rng.uniform(0, 0.45, size=(len(ALL_KINDS), n))  # routing shares sum < 1
    weights = rng.integers(0, 2, size=n).astype(float)
    w = wl(**RICH)
    vec = cost_per_request(
        w,
        RATES,
        [
            Applied(lv, effects[k], weights if lv.kind == "caching" else 1.0)
            for k, lv in enumerate(ALL_KINDS)
        ],
    )
    assert isinstance(vec, np.ndarray) and vec.shape == (n,)
    for i in range(n):
        one = cost_per_request(
            w,
            RATES,
            [
                Applied(
                    lv, float(effects[k, i]), float(weights[i]) if lv.kind == "caching" else 1.0
                )
                for k, lv in enumerate(ALL_KINDS)
            ],
        )
        assert vec[i] == pytest.approx(one, rel=1e-12)


# -- properties ----------------------------------------------------------------------------------


def _cheaper_pairs() -> list[tuple[str, str]]:
    """(source, target) where every standard and long-context rate of target <= source's."""
    models = CAT.models
    pairs = []
    for a in models:
        for b in models:
            ra, rb = RATES[a], RATES[b]
            if (
                a != b
                and all(
                    rb.rate(c, lc) <= ra.rate(c, lc) for c in TOKEN_CLASSES for lc in (False, True)
                )
                and rb.batch_discount >= ra.batch_discount
            ):
                pairs.append((a, b))
    return pairs


PAIRS = _cheaper_pairs()
share = st.floats(0, 1, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(
        ["routing", "batch", "compression", "caching", "output_control", "custom"]
    ),
    pair=st.sampled_from(PAIRS),
    effect=share,
    ratio=st.floats(0.05, 1.0),
    read=share,
    write=share,
    batch=share,
    lc=share,
    ttl=st.sampled_from(["5m", "1h"]),
    inp=st.floats(0, 200_000),
    out=st.floats(0, 20_000),
)
def test_cost_reducing_levers_never_raise_cost(
    kind: str,
    pair: tuple[str, str],
    effect: float,
    ratio: float,
    read: float,
    write: float,
    batch: float,
    lc: float,
    ttl: str,
    inp: float,
    out: float,
) -> None:
    src, dst = pair
    w = wl(
        src,
        input_tokens=inp,
        output_tokens=out,
        cache_read_share=read * (1 - write),
        cache_write_share=write,
        batch_share=batch,
        long_context_share=lc,
        cache_ttl=ttl,
    )
    kw: dict[str, Any] = {"to_model": dst, "token_ratio": ratio} if kind == "routing" else {}
    lv = lever(kind, **kw)
    before = cost_per_request(w, RATES)
    after = cost_per_request(w, RATES, [Applied(lv, effect)])
    assert after <= before * (1 + 1e-12) + 1e-15


def _expected_equals_cost_at_mean(
    w: Workload, levers: Sequence[Lever], lows: Sequence[float], highs: Sequence[float]
) -> None:
    # each effect independently low or high with probability 1/2: enumerate all 2^K outcomes
    total = 0.0
    for pick in itertools.product((0, 1), repeat=len(levers)):
        applied = [
            Applied(lv, highs[k] if p else lows[k])
            for k, (lv, p) in enumerate(zip(levers, pick, strict=True))
        ]
        total += float(cost_per_request(w, RATES, applied))
    mean = total / 2 ** len(levers)
    at_mean = cost_per_request(
        w, RATES, [Applied(lv, (lows[k] + highs[k]) / 2) for k, lv in enumerate(levers)]
    )
    assert mean == pytest.approx(at_mean, rel=1e-11)


def test_multilinear_exact_enumeration() -> None:
    lows = [0.1, 0.05, 0.3, 0.2, 0.1, 0.15, 0.0]
    highs = [0.4, 0.3, 0.9, 0.6, 0.7, 0.5, 0.2]
    _expected_equals_cost_at_mean(wl(**RICH), ALL_KINDS, lows, highs)


@settings(max_examples=60, deadline=None)
@given(
    lows=st.lists(st.floats(0, 0.45), min_size=7, max_size=7),
    widths=st.lists(st.floats(0, 0.45), min_size=7, max_size=7),
    read=st.floats(0, 0.5),
    batch=share,
)
def test_multilinear_property(
    lows: list[float], widths: list[float], read: float, batch: float
) -> None:
    highs = [min(lo + d, 0.45) for lo, d in zip(lows, widths, strict=True)]
    w = wl(cache_read_share=read, cache_write_share=0.05, batch_share=batch)
    _expected_equals_cost_at_mean(w, ALL_KINDS, lows, highs)


def test_monte_carlo_mean_matches_cost_at_mean_effects() -> None:
    rng = np.random.default_rng(11)
    n = 200_000
    tri = [
        (0.1, 0.3, 0.45),
        (0.0, 0.2, 0.4),
        (0.3, 0.6, 0.9),
        (0.2, 0.4, 0.6),
        (0.1, 0.5, 0.8),
        (0.1, 0.3, 0.5),
        (0.0, 0.1, 0.2),
    ]
    effects = [rng.triangular(lo, mo, hi, size=n) for lo, mo, hi in tri]
    w = wl(**RICH)
    paths = cost_per_request(
        w, RATES, [Applied(lv, e) for lv, e in zip(ALL_KINDS, effects, strict=True)]
    )
    at_mean = cost_per_request(
        w, RATES, [Applied(lv, sum(t) / 3) for lv, t in zip(ALL_KINDS, tri, strict=True)]
    )
    se = float(np.std(paths)) / np.sqrt(n)
    assert abs(float(np.mean(paths)) - float(at_mean)) < 4 * se


# -- month-0 costs and the CLI -------------------------------------------------------------------


def test_month0_support_chat_hand_checked() -> None:
    rows = {r["id"]: r for r in month0_costs(load_scenario(ROOT / "scenarios" / "default.yaml"))}
    sc = rows["support-chat"]
    # 6,000,000 requests x 3,500 input: 75% uncached at $5, 5% writes at $6.25, 20% reads at $0.50;
    # 6,000,000 x 450 output at $25
    assert sc["input"] == pytest.approx(78_750.0)
    assert sc["cache_write_5m"] == pytest.approx(6_562.50)
    assert sc["cache_read"] == pytest.approx(2_100.0)
    assert sc["output"] == pytest.approx(67_500.0)
    assert sc["total"] == pytest.approx(154_912.50)


def test_month0_enterprise_claims_review_with_batch_and_long_context() -> None:
    rows = {r["id"]: r for r in month0_costs(load_scenario(ROOT / "scenarios" / "enterprise.yaml"))}
    cr = rows["claims-review"]
    # 3M x 25,000 input, 80% uncached at 0.9 x $3 + 0.1 x $6 = $3.30; 40% batched at half price
    assert cr["input"] == pytest.approx(60_000 * 3.30 * (0.6 + 0.4 * 0.5))  # $158,400
    assert cr["cache_read"] == pytest.approx(15_000 * (0.9 * 0.30 + 0.1 * 0.60) * 0.8)  # $3,960
    assert cr["output"] == pytest.approx(7_500 * (0.9 * 15 + 0.1 * 22.5) * 0.8)  # $94,500
    assert cr["total"] == pytest.approx(256_860.0)


def test_cost_cli_json_shape_and_figures() -> None:
    env = dict(os.environ, COLUMNS="1000")
    res = subprocess.run(
        [
            str(Path(sys.executable).with_name("commitsim")),
            "cost",
            "scenarios/default.yaml",
            "--json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    ids = [w["id"] for w in data["workloads"]]
    assert ids == [
        "support-chat",
        "coding-agent",
        "doc-summaries",
        "ticket-triage",
        "sales-drafting",
    ]
    for w in data["workloads"]:
        assert set(TOKEN_CLASSES) | {"id", "total"} <= set(w)
        assert w["total"] == pytest.approx(sum(w[c] for c in TOKEN_CLASSES))
    sc = data["workloads"][0]
    assert (sc["input"], sc["cache_write_5m"], sc["cache_read"], sc["output"]) == pytest.approx(
        (78_750.0, 6_562.50, 2_100.0, 67_500.0)
    )
    assert sc["total"] == pytest.approx(154_912.50)
    # coding-agent, Sonnet 4.5: 1.5M x 40,000 = 60B input; 30% uncached at $3, 10% writes at
    # $3.75, 60% reads at $0.30; 1.5M x 300 output at $15
    ca = data["workloads"][1]
    assert (ca["input"], ca["cache_write_5m"], ca["cache_read"], ca["output"]) == pytest.approx(
        (54_000.0, 22_500.0, 10_800.0, 6_750.0)
    )
    assert data["total"] == pytest.approx(sum(w["total"] for w in data["workloads"]))
    assert data["month"] == "2027-01"


def test_property_pairs_are_meaningful() -> None:
    # the routing property covers real downgrades and excludes upgrades, which do raise cost
    assert ("claude-opus-4-5", "claude-haiku-4-5") in PAIRS
    assert ("claude-opus-4-5", "claude-sonnet-4-5") not in PAIRS  # Sonnet 4.5 long context is $6
    assert ("claude-haiku-4-5", "claude-opus-4-5") not in PAIRS
    up = lever("routing", to_model="claude-opus-4-5")
    w = wl("claude-haiku-4-5")
    assert cost_per_request(w, RATES, [Applied(up, 0.5)]) > cost_per_request(w, RATES)


@settings(max_examples=60)
@given(
    effects=st.lists(st.floats(0, 0.45), min_size=7, max_size=7),
    read=st.floats(0, 0.4),
    write=st.floats(0, 0.1),
    batch=share,
    lc=share,
    ttl=st.sampled_from(["5m", "1h"]),
)
def test_cost_per_request_is_the_sum_of_the_breakdown_on_every_path(
    effects: list[float], read: float, write: float, batch: float, lc: float, ttl: str
) -> None:
    """The lean sum the forecast calls equals the breakdown's dollars path by path, with every
    kind of lever at once (two routing targets) and per-path effects and weights."""
    w = wl(
        "claude-sonnet-4-5",
        cache_read_share=read,
        cache_write_share=write,
        batch_share=batch,
        long_context_share=lc,
        cache_ttl=ttl,
    )
    kinds = ["routing", "routing", "batch", "compression", "caching", "output_control", "custom"]
    targets = ["claude-haiku-4-5", "claude-opus-4-5"]
    levers = [
        lever(
            k,
            f"{k}{i}",
            **({"to_model": targets[i], "token_ratio": 0.8} if k == "routing" else {}),
            **({"write_share": 0.05} if k == "caching" else {}),
        )
        for i, k in enumerate(kinds)
    ]
    rng = np.random.default_rng(0)
    passed = rng.random((len(levers), 64)) < 0.7
    applied = [
        Applied(lv, e * passed[j], passed[j].astype(np.float64))
        for j, (lv, e) in enumerate(zip(levers, effects, strict=True))
    ]
    total = sum(d for _, d in breakdown(w, RATES, applied).values())
    np.testing.assert_allclose(cost_per_request(w, RATES, applied), total, rtol=1e-12, atol=0)
