"""Track a signed commitment through its term: actuals to date, the rest of the term forecast.

Given the scenario's ``signed:`` block and monthly list spend to date, :func:`track` answers the
buyer's monthly question: will we use the commitment?

The model (also in ``docs/memo-and-refresh.md``):

* **Drawdown.** Usage draws the commitment down at contract rates: list spend x ``1 - discount``.
  ``spent_to_date``, ``remaining`` and ``committed`` are all in those contract dollars, so spend
  at or above the commitment means a shortfall probability of exactly 0.
* **Traffic already running** (workloads whose first launch month is not after the last actual
  month) continues from the last actual month's list spend ``L0`` with a monthly log-growth
  ``mu_p - sigma^2 / 2 + sigma z`` per path, the trend ``mu_p`` drawn from its posterior. The
  trend is refitted to date: a normal prior centred on the scenario's own expected growth of the
  running workloads over the rest of the term (sd :data:`PRIOR_TREND_SD` a month) updated with
  the log changes of the actuals' trailing run of positive months; ``sigma`` pools the
  scenario's month-to-month spread (weight :data:`PRIOR_WEIGHT` observations) with the actuals'.
* **Levers.** Planned levers not yet shipped scale that spend by the scenario's expected
  optimised / unoptimised ratio from their ship month (the Monte Carlo mean of each); shipped
  levers, and levers due before the last actual month, are already in the actuals.
* **Workloads not launched yet** add their own Monte Carlo spend as the scenario plans them.

Actions (:mod:`simulator.decision.track_actions`) are priced on the same paths;
:func:`simulator.decision.track.track` puts it together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from simulator.errors import SimulatorError
from simulator.forecast.montecarlo import simulate
from simulator.forecast.randomness import F64
from simulator.scenario import Launch, Scenario, Signed

#: Prior sd of the monthly growth trend around the scenario's expected growth.
PRIOR_TREND_SD = 0.03
#: Weight of the scenario's month-to-month spread, in observations, when pooling with actuals.
PRIOR_WEIGHT = 4
#: Shortfall probability under which a commitment is on track when the contract sets no limit.
DEFAULT_LIMIT = 0.10
#: Paths for the scenario runs that give lever ratios, prior growth and spread.
SHAPE_PATHS = 4000


def month_index(label: str, origin: str) -> int:
    """Months from ``origin`` to ``label`` (both ``YYYY-MM``); negative when before."""
    y, m = (int(x) for x in label.split("-"))
    y0, m0 = (int(x) for x in origin.split("-"))
    return (y - y0) * 12 + (m - m0)


def month_label(origin: str, k: int) -> str:
    """``YYYY-MM`` of the month ``k`` months after ``origin``."""
    y0, m0 = (int(x) for x in origin.split("-"))
    t = y0 * 12 + m0 - 1 + k
    return f"{t // 12:04d}-{t % 12 + 1:02d}"


@dataclass
class GrowthRefit:
    """The trend and spread used for the rest of the term, and where they came from."""

    prior_rate: float
    monthly_rate: float
    trend_sd: float
    volatility: float
    changes_used: int


@dataclass
class Context:
    """Everything :mod:`.track_actions` needs to re-price the term under a change."""

    scenario: Scenario
    signed: Signed
    now: int  # scenario month of the last actual
    last: int  # scenario month of the term's last month
    horizon: int  # months simulated (the scenario's, or longer to reach the term's end)
    drawn: float  # contract dollars drawn to date
    existing: F64  # (paths, H) list spend of running traffic with the plan's levers
    ratio: F64  # (H,) plan factor relative to now, already applied to ``existing``
    pending: F64  # (paths, H) list spend of workloads not launched yet
    running_ids: list[str]
    pending_ids: list[str]
    plan: dict[str, int]

    @property
    def rate(self) -> float:
        """Share of list spend that draws the commitment down, ``1 - discount``."""
        return 1.0 - self.signed.discount

    def used(self, existing: F64 | None = None, pending: F64 | None = None) -> F64:
        """Contract dollars used over the whole term, per path."""
        e = self.existing if existing is None else existing
        p = self.pending if pending is None else pending
        out: F64 = self.drawn + self.rate * (e.sum(axis=1) + p.sum(axis=1))
        return out

    def unused(self, used: F64) -> F64:
        """Unused commitment per path."""
        out: F64 = np.maximum(0.0, self.signed.commit - used)
        return out


def _check_actuals(
    signed: Signed, months: Sequence[str], spend: Sequence[float]
) -> tuple[list[str], F64]:
    if len(months) != len(spend):
        raise SimulatorError("actuals: months and list spend differ in length")
    if not months:
        raise SimulatorError("actuals: need at least one month of list spend")
    order = sorted(range(len(months)), key=lambda i: month_index(months[i], signed.start))
    labels = [months[i] for i in order]
    values = np.array([float(spend[i]) for i in order], dtype=np.float64)
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise SimulatorError("actuals: list spend must be finite and non-negative")
    idx = [month_index(m, signed.start) for m in labels]
    for a, b, label in zip(idx, idx[1:], labels[1:], strict=False):
        if b == a:
            raise SimulatorError(f"actuals: month {label} appears twice")
        if b != a + 1:
            raise SimulatorError(f"actuals: month {month_label(signed.start, a + 1)} is missing")
    end = month_label(signed.start, signed.term_months - 1)
    if idx[-1] >= signed.term_months:
        raise SimulatorError(f"actuals: {labels[-1]} is after the term's last month {end}")
    if idx[-1] < 0:
        raise SimulatorError(f"actuals: every month is before the term starts ({signed.start})")
    return labels, values


def _growth_prior(base: F64, lo: int, hi: int) -> tuple[float, float]:
    """Expected log-growth a month and the month-to-month sd of log spend, months lo..hi."""
    mean = base[:, lo : hi + 1].mean(axis=0)
    if hi <= lo or mean[0] <= 0 or mean[-1] <= 0:
        return 0.0, 0.0
    mu = float(np.log(mean[-1] / mean[0]) / (hi - lo))
    window = base[:, lo : hi + 1]
    ok = np.all(window > 0, axis=1)
    if not ok.any():
        return mu, 0.0
    d = np.diff(np.log(window[ok]), axis=1)
    return mu, float((d - d.mean(axis=0)).std())


def refit_growth(actuals: F64, prior_mu: float, prior_sigma: float) -> GrowthRefit:
    """Posterior trend of log spend from the actuals' trailing run of positive months."""
    run = actuals
    zeros = np.flatnonzero(actuals <= 0)
    if zeros.size:
        run = actuals[zeros[-1] + 1 :]
    d = np.diff(np.log(run)) if run.size >= 2 else np.zeros(0)
    n = int(d.size)
    sigma2 = prior_sigma**2
    if n >= 2:
        s2 = float(d.var(ddof=1))
        sigma2 = (PRIOR_WEIGHT * sigma2 + (n - 1) * s2) / (PRIOR_WEIGHT + n - 1)
    sigma2 = max(sigma2, 1e-8)
    precision = 1.0 / PRIOR_TREND_SD**2
    mu = prior_mu / PRIOR_TREND_SD**2
    if n:
        # E[log change] = mu - sigma^2 / 2 for a factor of mean exp(mu)
        precision += n / sigma2
        mu += n * (float(d.mean()) + sigma2 / 2.0) / sigma2
    mu /= precision
    return GrowthRefit(
        prior_rate=float(np.expm1(prior_mu)),
        monthly_rate=float(np.expm1(mu)),
        trend_sd=float(precision**-0.5),
        volatility=float(np.sqrt(sigma2)),
        changes_used=n,
    )


def sub_scenario(
    scenario: Scenario, ids: list[str], horizon: int, launch: Mapping[str, Launch] | None = None
) -> Scenario:
    """The scenario cut to workloads ``ids`` (and their levers), optionally relaunched."""
    keep = set(ids)
    workloads = [w for w in scenario.workloads if w.id in keep]
    if launch:
        workloads = [w.model_copy(update={"launch": launch.get(w.id, w.launch)}) for w in workloads]
    return scenario.model_copy(
        update={
            "workloads": workloads,
            "levers": [lv for lv in scenario.levers if lv.workload in keep],
            "horizon_months": horizon,
        }
    )


def _at(factor: F64, m: int) -> float:
    # months before the scenario starts have no lever shipped
    return float(factor[m]) if m >= 0 else 1.0


def months_of(spend: F64, a: int, b: int) -> F64:
    """Columns ``a..b`` of per-path monthly spend, zero for months before the scenario."""
    out = np.zeros((spend.shape[0], max(b - a + 1, 0)))
    for j, m in enumerate(range(a, b + 1)):
        if m >= 0:
            out[:, j] = spend[:, m]
    return out


def plan_factor(scenario: Scenario, ids: list[str], plan: dict[str, int], horizon: int) -> F64:
    """Expected optimised / unoptimised spend by month for workloads ``ids`` under ``plan``."""
    if not ids or not plan:
        return np.ones(horizon)
    sub = sub_scenario(scenario, ids, horizon)
    levers = {lv.id for lv in sub.levers}
    f = simulate(sub, {k: v for k, v in plan.items() if k in levers}, paths=SHAPE_PATHS)
    spend, base = f.spend.mean(axis=0), f.baseline.mean(axis=0)
    out: F64 = np.where(base > 0, spend / np.where(base > 0, base, 1.0), 1.0)
    return out


def planned(scenario: Scenario) -> dict[str, int]:
    """Planned lever -> wave of the scenario's last plan, shipped levers left out."""
    if scenario.plan is None:
        return {}
    shipped = {lv.id for lv in scenario.levers if lv.shipped is not None}
    return {k: v for k, v in scenario.plan.assignment.items() if k not in shipped}


def build_context(
    scenario: Scenario,
    months: Sequence[str],
    list_spend: Sequence[float],
    *,
    paths: int | None = None,
    seed: int | None = None,
) -> tuple[Context, GrowthRefit, list[str], F64]:
    """Check the actuals and simulate the rest of the term (see the module docstring)."""
    signed = scenario.signed
    if signed is None:
        raise SimulatorError("the scenario has no signed: block (commit, discount, start, term)")
    labels, values = _check_actuals(signed, months, list_spend)
    first = month_index(signed.start, scenario.start)
    last = first + signed.term_months - 1
    now = month_index(labels[-1], scenario.start)
    if last < 0:
        raise SimulatorError(f"the signed term ends before the scenario starts ({scenario.start})")
    horizon = max(scenario.horizon_months, last + 1)
    h = last - now
    n = int(paths or min(scenario.simulation.paths, 20_000))
    seed = scenario.simulation.seed if seed is None else seed
    plan = planned(scenario)
    running = [w.id for w in scenario.workloads if w.launch.first <= now]
    pending = [w.id for w in scenario.workloads if w.launch.first > now]
    lo = max(now, 0)
    prior_mu, prior_sigma = 0.0, 0.0
    if running and last > lo:
        base = simulate(
            sub_scenario(scenario, running, horizon), paths=SHAPE_PATHS, seed=seed
        ).baseline
        prior_mu, prior_sigma = _growth_prior(base, lo, last)
    factor = plan_factor(scenario, running, plan, horizon)
    # levers shipped to date step spend down; refit growth on spend with their steps removed
    at = np.array([_at(factor, month_index(m, scenario.start)) for m in labels])
    growth = refit_growth(values / np.where(at > 0, at, 1.0), prior_mu, prior_sigma)
    rng = np.random.default_rng([seed, 14])
    existing = np.zeros((n, max(h, 0)))
    ratio = np.ones(max(h, 0))
    if h > 0:
        sigma = growth.volatility
        mu_p = np.log1p(growth.monthly_rate) + growth.trend_sd * rng.standard_normal(n)
        steps = mu_p[:, None] - sigma**2 / 2.0 + sigma * rng.standard_normal((n, h))
        existing = values[-1] * np.exp(np.cumsum(steps, axis=1))
        ref = _at(factor, now)
        ratio = np.array([_at(factor, m) for m in range(now + 1, last + 1)])
        ratio = ratio / ref if ref > 0 else np.ones(h)
        existing *= ratio[None, :]
    pend = np.zeros((n, max(h, 0)))
    if pending and h > 0:
        sub = sub_scenario(scenario, pending, horizon)
        levers = {lv.id for lv in sub.levers}
        f = simulate(sub, {k: v for k, v in plan.items() if k in levers}, paths=n, seed=seed)
        pend = months_of(f.spend[:n], now + 1, last)
    in_term = np.array([month_index(m, signed.start) >= 0 for m in labels])
    drawn = (1.0 - signed.discount) * float(values[in_term].sum())
    ctx = Context(
        scenario=scenario,
        signed=signed,
        now=now,
        last=last,
        horizon=horizon,
        drawn=drawn,
        existing=existing,
        ratio=ratio,
        pending=pend,
        running_ids=running,
        pending_ids=pending,
        plan=plan,
    )
    return ctx, growth, labels, values
