"""Standard errors of a sized reservation: calibrated against the spread over independent seeds."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from simulator.commitment.reservation import (
    RESERVATION_KEYS,
    Reservation,
    reservation_at,
    size_reservation,
)
from simulator.commitment.reservation_errors import RESERVATION_SE_KEYS, batch_labels
from simulator.decision.capacity import sample_batches
from simulator.forecast.randomness import even_paths

R, P = 0.25, 1.0  # critical fractile 0.25: reserve the 75th percentile of per-minute demand
SEEDS = 40


def demand(seed: int, paths: int, minutes: int, antithetic: bool = False) -> NDArray[np.float64]:
    """Exponential per-minute demand (mean 10) times a lognormal level per path.

    The per-path level makes a path's minutes dependent, as the forecast's monthly volume does,
    so a per-minute standard error would be far too small; antithetic paths mirror the level.
    """
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(paths // 2 if antithetic else paths)
    if antithetic:
        z = np.concatenate([z, -z])
    level = np.exp(0.3 * z - 0.045)
    return level[:, None] * rng.exponential(10.0, (paths, minutes))


def pairs(paths: int) -> NDArray[np.intp]:
    """Path ``j`` and ``j + paths/2`` in one of 10 batches."""
    half = paths // 2
    first = (np.arange(half) * 10) // half
    return np.concatenate([first, first])


def spread(
    runs: list[tuple[Reservation, Reservation]], attr: str, fixed: bool
) -> tuple[float, float]:
    """Empirical sd of ``attr`` over seeds, and the mean reported se."""
    pick = [f if fixed else s for s, f in runs]
    est = np.array([getattr(r, attr) for r in pick])
    se = np.array([getattr(r, f"{attr}_se") for r in pick], dtype=np.float64)
    return float(est.std(ddof=1)), float(se.mean())


def runs(
    paths: int, antithetic: bool = False, batch: NDArray[np.intp] | None = None
) -> list[tuple[Reservation, Reservation]]:
    out = []
    for seed in range(SEEDS):
        d = demand(seed, paths, 500, antithetic)
        out.append(
            (
                size_reservation(d, R, P, increment=0.01, batch=batch),
                reservation_at(d, 14.0, R, P, batch=batch),
            )
        )
    return out


@pytest.fixture(scope="module")
def independent() -> list[tuple[Reservation, Reservation]]:
    return runs(200)


@pytest.mark.parametrize(
    ("attr", "fixed"),
    [
        ("expected_cost", False),
        ("continuous_optimum", False),
        ("expected_savings", True),
        ("overflow_share", True),
        ("utilisation", True),
    ],
)
def test_se_matches_the_spread_over_seeds(
    independent: list[tuple[Reservation, Reservation]], attr: str, fixed: bool
) -> None:
    # shares and savings are priced at fixed units (their se is conditional on the size);
    # expected cost is re-sized on every seed (flat at the optimum, so the size adds little)
    sd, se = spread(independent, attr, fixed)
    assert 0.7 * sd <= se <= 1.4 * sd, (attr, sd, se)


def test_units_se_is_the_continuous_optimum_se(
    independent: list[tuple[Reservation, Reservation]],
) -> None:
    sized, fixed = independent[0]
    assert sized.binding == "critical_fractile"
    assert sized.units_se == sized.continuous_optimum_se and sized.units_se is not None
    # units given, not estimated: no se for the size
    assert fixed.units_se is None and fixed.continuous_optimum_se is None


def test_units_se_shrinks_as_one_over_root_paths() -> None:
    def mean_se(paths: int) -> float:
        return float(
            np.mean(
                [
                    size_reservation(demand(s, paths, 200), R, P, increment=0.01).units_se
                    for s in range(12)
                ]
            )
        )

    ratio = mean_se(800) / mean_se(200)
    assert 0.4 <= ratio <= 0.62, ratio


def test_antithetic_partners_must_share_a_batch() -> None:
    together = runs(200, antithetic=True, batch=pairs(200))
    split = runs(200, antithetic=True)  # default: contiguous batches split every pair
    for attr, fixed in (("expected_cost", False), ("continuous_optimum", False)):
        sd, se = spread(together, attr, fixed)
        assert 0.7 * sd <= se <= 1.4 * sd, (attr, sd, se)
        # ignoring the pairing overstates the error: the mirrored levels cancel
        assert spread(split, attr, fixed)[1] > 1.5 * sd


def test_one_series_has_no_standard_errors() -> None:
    r = size_reservation(demand(0, 1, 2000)[0], R, P)
    assert all(getattr(r, k) is None for k in RESERVATION_SE_KEYS)
    d = r.to_dict()
    assert all(d[k] is None for k in RESERVATION_SE_KEYS)
    # one label for every path is one batch: still undefined, never 0
    r2 = size_reservation(demand(0, 4, 100), R, P, batch=[0, 0, 0, 0])
    assert r2.expected_cost_se is None


def test_json_keeps_every_key_and_adds_the_errors(
    independent: list[tuple[Reservation, Reservation]],
) -> None:
    d = independent[0][0].to_dict()
    assert set(RESERVATION_KEYS) <= set(d) and set(RESERVATION_SE_KEYS) <= set(d)
    assert all(k.endswith("_se") and k[:-3] in RESERVATION_KEYS for k in RESERVATION_SE_KEYS)
    assert all(isinstance(d[k], float) and d[k] > 0 for k in RESERVATION_SE_KEYS)


def test_no_reservation_has_no_utilisation_se() -> None:
    r = size_reservation(demand(0, 20, 100), 2.0, 1.0)  # reserving costs more than overflow
    assert r.units == 0 and r.utilisation_se is None and r.units_se is None
    assert r.continuous_optimum == 0 and r.continuous_optimum_se is None
    assert r.expected_cost_se is not None and r.expected_cost_se > 0


def test_bad_batch_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="one label per path"):
        batch_labels(4, [0, 1])


@pytest.mark.parametrize("sampling", ["antithetic", "plain", "sobol"])
def test_capacity_sample_keeps_the_forecast_batches(sampling: str) -> None:
    n = even_paths(1000, sampling)  # type: ignore[arg-type]
    idx = np.arange(0, n, 5)  # n/2 = 500 is a multiple of 5: every kept path has its partner
    labels = sample_batches(n, idx, sampling)  # type: ignore[arg-type]
    assert labels.shape == idx.shape and np.unique(labels).size >= 10
    if sampling == "antithetic":
        # partners j and j + n/2, both kept, share a batch
        keep = dict(zip(idx.tolist(), labels.tolist(), strict=True))
        both = [j for j in keep if j < n // 2 and j + n // 2 in keep]
        assert len(both) == idx.size // 2 and all(keep[j] == keep[j + n // 2] for j in both)
