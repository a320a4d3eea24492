"""commitsim: forecast Claude spend, plan optimisation waves, size the spend commitment."""

from importlib.metadata import PackageNotFoundError, version

from simulator.errors import (
    CatalogError,
    PlanInfeasibleError,
    ScenarioError,
    SimulatorError,
    SolverError,
)
from simulator.scenario import Scenario, load_scenario, loads_scenario

try:
    __version__ = version("commitsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "CatalogError",
    "PlanInfeasibleError",
    "Scenario",
    "ScenarioError",
    "SimulatorError",
    "SolverError",
    "__version__",
    "load_scenario",
    "loads_scenario",
]
