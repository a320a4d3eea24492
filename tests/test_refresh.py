"""Refresh on a constructed usage history whose true lever effect is known, and the Bayesian
update against direct integration and closed forms."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli
from scipy import integrate, optimize

from simulator.planning.backlog import backlog
from simulator.scenario import Triangular, load_scenario
from simulator.usage.bayes import bayes_update, fit_triangular, posterior_grid, triangular_pdf
from simulator.usage.measure import SIGMA_FLOOR
from simulator.usage.refresh import refresh

WID = "wrkspc-a-claude-sonnet-4-5"  # the importer's id for workspace wrkspc_a x Sonnet 4.5
SCENARIO = f"""\
# Refresh test programme: this comment must survive a refresh.
schema_version: 1
name: Refresh test
start: 2027-01
horizon_months: 24
simulation: {{paths: 1000, seed: 3}}
workloads:
  # the only workload, named as the importer names it
  - id: {WID}
    model: claude-sonnet-4-5
    requests_per_month: 1000000
    input_tokens: 2000
    output_tokens: 300
    cache_read_share: 0.1
    growth: {{monthly_rate: 0.01, volatility: 0.03}}
levers:
  - id: cache-prompts
    workload: {WID}
    kind: caching
    effect: {{low: 0.3, mode: 0.5, high: 0.8}}   # prior from the reference table
    effort_weeks: 2
  - id: trim-output
    workload: {WID}
    kind: output_control
    effect: {{low: 0.1, mode: 0.2, high: 0.4}}
    effort_weeks: 1
capacity:
  waves:
    - {{name: Wave 1, start_month: 0, duration_months: 1, engineering_weeks: 3}}
contract:
  term_months: 12
  tiers: [{{min_commit: 0, discount: 0}}, {{min_commit: 100000, discount: 0.1}}]
plan: {{pinned: {{cache-prompts: 0}}, excluded: [], assignment: {{}}}}
"""
TRUE_EFFECT = 0.7
READ0 = 0.1
GROWTH = 0.03
MONTHS = [(2026, m) for m in range(1, 13)]
SHIP = "2026-07"
DAYS = {m: (31 if m in (1, 3, 5, 7, 8, 10, 12) else 30 if m != 2 else 28) for m in range(1, 13)}


def _history(tmp: Path) -> tuple[Path, dict[str, float]]:
    """Monthly usage pages: caching ships in July 2026 (half-effect transition month)."""
    rng = np.random.default_rng(5)
    buckets, reads = [], {}
    for i, (y, m) in enumerate(MONTHS):
        prompt = 60e6 * (1 + GROWTH) ** i * DAYS[m]
        noise = float(rng.normal(0.0, 0.005))
        share = 0.0 if (y, m) < (2026, 7) else 0.5 if (y, m) == (2026, 7) else 1.0
        read = READ0 + noise + (1 - READ0) * TRUE_EFFECT * share
        reads[f"{y}-{m:02d}"] = read
        end = (y + (m == 12), m % 12 + 1)
        buckets.append(
            {
                "starting_at": f"{y}-{m:02d}-01T00:00:00Z",
                "ending_at": f"{end[0]}-{end[1]:02d}-01T00:00:00Z",
                "results": [
                    {
                        "uncached_input_tokens": round(prompt * (1 - read)),
                        "cache_read_input_tokens": round(prompt * read),
                        "cache_creation": {"ephemeral_5m_input_tokens": 0},
                        "output_tokens": round(prompt * 0.15),
                        "model": "claude-sonnet-4-5-20250929",
                        "service_tier": "standard",
                        "context_window": "0-200k",
                        "workspace_id": "wrkspc_a",
                    }
                ],
            }
        )
    path = tmp / "usage.json"
    path.write_text(json.dumps({"data": buckets, "has_more": False, "next_page": None}))
    return path, reads


@pytest.fixture()
def setup(tmp_path: Path) -> tuple[Path, Path, dict[str, float]]:
    scen = tmp_path / "s.yaml"
    scen.write_text(SCENARIO)
    usage, reads = _history(tmp_path)
    return scen, usage, reads


def _direct(prior: Triangular, y: float, sigma: float) -> tuple[float, float]:
    """Posterior mean and mode by quadrature and scalar optimisation, without the grid."""

    def f(e: float) -> float:
        return float(triangular_pdf(np.array([e]), prior)[0]) * math.exp(
            -0.5 * ((y - e) / sigma) ** 2
        )

    pts = [prior.mode]
    z = integrate.quad(f, prior.low, prior.high, points=pts, epsabs=1e-13)[0]
    mean = (
        integrate.quad(lambda e: e * f(e), prior.low, prior.high, points=pts, epsabs=1e-13)[0] / z
    )
    mode = optimize.minimize_scalar(
        lambda e: -f(e), bounds=(prior.low, prior.high), method="bounded", options={"xatol": 1e-7}
    ).x
    return mean, float(mode)


def test_refresh_recovers_true_effect(setup: tuple[Path, Path, dict[str, float]]) -> None:
    scen_path, usage, reads = setup
    s = load_scenario(scen_path)
    res = refresh(s, [usage], {"cache-prompts": SHIP}, paths=1000)
    (m,) = res.measurements
    # the estimator: mean over Aug-Dec of (read - mean pre read) / (1 - mean pre read)
    pre = [reads[f"2026-{k:02d}"] for k in range(1, 7)]
    post = [reads[f"2026-{k:02d}"] for k in range(8, 13)]
    ref = float(np.mean(pre))
    expected = float(np.mean([(r - ref) / (1 - ref) for r in post]))
    assert m.estimate == pytest.approx(expected, abs=2e-6)  # rounding of token counts only
    assert m.estimate == pytest.approx(TRUE_EFFECT, abs=0.02)
    assert (m.months_before, m.months_after) == (6, 5)
    sd = float(np.std([(r - ref) / (1 - ref) for r in pre], ddof=1))
    assert m.sigma == pytest.approx(max(sd * math.sqrt(1 / 5 + 1 / 6), SIGMA_FLOOR), rel=1e-4)

    (u,) = res.updates
    mean, mode = _direct(Triangular(low=0.3, mode=0.5, high=0.8), m.estimate, m.sigma)
    assert u.posterior_mean == pytest.approx(mean, abs=2e-4)
    assert u.posterior_mode == pytest.approx(mode, abs=5e-4)
    # the posterior moves from the prior mode 0.5 toward the measurement
    assert 0.5 < u.posterior_mode <= m.estimate + 1e-3
    assert abs(u.posterior_mean - m.estimate) < abs(0.5 - m.estimate)
    new = res.scenario
    lv = new.lever("cache-prompts")
    assert lv.shipped is not None and lv.shipped.month == SHIP
    assert lv.shipped.realised_effect == pytest.approx(m.estimate, abs=1e-6)
    assert lv.effect == u.posterior
    assert new.lever("trim-output").effect == Triangular(low=0.1, mode=0.2, high=0.4)
    # shipped levers leave the backlog and the pins
    assert list(backlog(new)["lever"]) == ["trim-output"]
    assert new.plan is not None and new.plan.pinned == {}
    # baseline refit: December's read share, growth ~3%/month, projected one month to 2027-01
    w = new.workloads[0]
    assert w.cache_read_share == pytest.approx(reads["2026-12"], abs=1e-6)
    assert w.growth.monthly_rate == pytest.approx(GROWTH, abs=0.002)
    dec_prompt = 60e6 * (1 + GROWTH) ** 11 * 30.4375
    grow = (1 + w.growth.monthly_rate) * math.exp(w.growth.trend_sd**2 / 2)
    assert w.requests_per_month == pytest.approx(dec_prompt / 2000 * grow, rel=1e-7)
    assert w.output_tokens == pytest.approx(300, rel=1e-4)
    ch = res.ranking_changes()
    assert set(ch["lever"]) == {"cache-prompts", "trim-output"}
    assert bool(ch.loc[ch["lever"] == "cache-prompts", "rank_after"].isna().all())


def test_refresh_keeps_comments_and_cli(
    setup: tuple[Path, Path, dict[str, float]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    scen, usage, _ = setup
    out = scen.parent / "out.yaml"
    before = scen.read_text()
    code = _cli(
        [
            "refresh",
            str(scen),
            "--usage",
            str(usage),
            "--shipped",
            f"cache-prompts={SHIP}",
            "-o",
            str(out),
            "--json",
            "--paths",
            "1000",
        ],
        monkeypatch,
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["measurements"][0]["estimate"] == pytest.approx(TRUE_EFFECT, abs=0.02)
    assert scen.read_text() == before  # no --write: the scenario is untouched
    text = out.read_text()
    assert "this comment must survive" in text and "# prior from the reference table" in text
    again = load_scenario(out)
    assert again.lever("cache-prompts").shipped is not None
    # bad inputs: exit 2, nothing written
    bad = scen.parent / "bad.yaml"
    args = ["refresh", str(scen), "--usage", str(usage), "-o", str(bad)]
    assert _cli([*args, "--shipped", "nope=2026-07"], monkeypatch) == 2
    assert _cli([*args, "--shipped", "cache-prompts=July"], monkeypatch) == 2
    assert _cli([*args, "--shipped", "cache-prompts=2025-01"], monkeypatch) == 2
    assert not bad.exists()
    err = capsys.readouterr().err
    assert "no such lever" in err and "YYYY-MM" in err and "no month with traffic before" in err


_cli = run_cli


def test_wide_prior_gives_the_observation() -> None:
    # prior density linear (rising from 0) where the likelihood lives: the posterior mean is
    # exactly y + sigma^2 / (y - low) for the untruncated integral
    prior = Triangular(low=0.0, mode=1.0, high=1.0)
    u = bayes_update(prior, 0.3, 0.01)
    assert u.posterior_mean == pytest.approx(0.3 + 0.01**2 / 0.3, abs=2e-6)
    assert u.posterior_sd == pytest.approx(0.01, rel=0.01)


def test_precise_prior_barely_moves() -> None:
    prior = Triangular(low=0.59, mode=0.6, high=0.61)
    u = bayes_update(prior, 0.9, 0.2)
    assert u.posterior_mean == pytest.approx(0.6, abs=2e-4)
    assert u.posterior.mode == pytest.approx(0.6, abs=1e-3)


def test_flat_likelihood_returns_the_prior() -> None:
    # moment matching with the mode fixed reproduces a triangular exactly
    prior = Triangular(low=0.2, mode=0.35, high=0.9)
    u = bayes_update(prior, 0.5, 1e3)
    assert u.posterior.low == pytest.approx(0.2, abs=2e-3)
    assert u.posterior.mode == pytest.approx(0.35, abs=1e-3)
    assert u.posterior.high == pytest.approx(0.9, abs=2e-3)


def test_fit_triangular_matches_moments() -> None:
    grid, dens = posterior_grid(Triangular(low=0.3, mode=0.5, high=0.8), 0.72, 0.05)
    t = fit_triangular(grid, dens)
    mean = float(np.trapezoid(grid * dens, grid))
    var = float(np.trapezoid((grid - mean) ** 2 * dens, grid))
    a, c, b = t.low, t.mode, t.high
    assert (a + b + c) / 3 == pytest.approx(mean, abs=1e-5)
    assert (a * a + b * b + c * c - a * b - a * c - b * c) / 18 == pytest.approx(var, rel=1e-3)
    with pytest.raises(ValueError):
        bayes_update(Triangular(low=0.1, mode=0.2, high=0.3), 0.2, 0.0)


def test_zero_token_traffic_and_short_months_are_handled(
    setup: tuple[Path, Path, dict[str, float]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A workspace with only all-zero rows adds no workload; '2026-7' is not a month."""
    scen, usage, _ = setup
    pages = json.loads(usage.read_text())
    for bucket in pages["data"]:
        bucket["results"].append(
            {
                "uncached_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "cache_creation": {"ephemeral_5m_input_tokens": 0},
                "output_tokens": 0,
                "model": "claude-haiku-4-5",
                "service_tier": "standard",
                "context_window": "0-200k",
                "workspace_id": "wrkspc_idle",
            }
        )
    usage.write_text(json.dumps(pages))
    out = scen.parent / "out.yaml"
    args = ["refresh", str(scen), "--usage", str(usage), "--paths", "1000", "-o", str(out)]
    assert _cli([*args, "--shipped", f"cache-prompts={SHIP}"], monkeypatch) == 0
    refreshed = load_scenario(out)
    assert all("idle" not in w.id for w in refreshed.workloads)
    out.unlink()
    assert _cli([*args, "--shipped", "cache-prompts=2026-7"], monkeypatch) == 2
    assert not out.exists()
    assert "YYYY-MM" in capsys.readouterr().err
