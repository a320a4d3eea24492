"""commitsim: forecast Claude spend, plan optimisation waves, size the spend commitment.

The pipeline in five lines::

    from simulator import load_scenario, recommend
    report = recommend(load_scenario("scenarios/default.yaml"))
    report.commit.recommended, report.plan.assignment, report.exposure_avoided
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("commitsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

from simulator.backlog import backlog, greedy_plan
from simulator.commit import CommitRecommendation, recommend_commit
from simulator.errors import (
    CatalogError,
    PlanInfeasibleError,
    ScenarioError,
    SimulatorError,
    SolverError,
)
from simulator.forecast import Forecast, simulate
from simulator.negotiate import counteroffers, evaluate_offer
from simulator.planner import Plan, evaluate_plan, plan_waves
from simulator.report import Report, recommend
from simulator.scenario import Scenario, load_scenario, loads_scenario

__all__ = [
    "CatalogError",
    "CommitRecommendation",
    "Forecast",
    "Plan",
    "PlanInfeasibleError",
    "Report",
    "Scenario",
    "ScenarioError",
    "SimulatorError",
    "SolverError",
    "__version__",
    "backlog",
    "counteroffers",
    "evaluate_offer",
    "evaluate_plan",
    "greedy_plan",
    "load_scenario",
    "loads_scenario",
    "plan_waves",
    "recommend",
    "recommend_commit",
    "simulate",
]
