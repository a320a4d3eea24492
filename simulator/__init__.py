"""commitsim: forecast Claude spend, plan optimisation waves, size the spend commitment.

The pipeline in five lines::

    from simulator import load_scenario, recommend
    report = recommend(load_scenario("scenarios/default.yaml"))
    report.commit.recommended, report.plan.assignment, report.exposure_avoided
"""

from simulator.commitment import CommitRecommendation, recommend_commit
from simulator.commitment.offers import counteroffers, evaluate_offer
from simulator.commitment.reservation import Reservation, size_reservation
from simulator.decision.report import Report, recommend
from simulator.errors import (
    CatalogError,
    PlanInfeasibleError,
    ScenarioError,
    SimulatorError,
    SolverError,
)
from simulator.forecast.montecarlo import Forecast, simulate
from simulator.planning.backlog import backlog, greedy_plan
from simulator.planning.planner import Plan, evaluate_plan, plan_waves
from simulator.scenario import Scenario, load_scenario, loads_scenario
from simulator.version import __version__

__all__ = [
    "CatalogError",
    "CommitRecommendation",
    "Forecast",
    "Plan",
    "PlanInfeasibleError",
    "Report",
    "Reservation",
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
    "size_reservation",
]
