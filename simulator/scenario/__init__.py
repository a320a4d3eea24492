"""The scenario: the contract every later stage reads.

The pydantic model (:mod:`.model`), the YAML round trip that keeps comments (:mod:`.yamlio`),
loading with located messages (:mod:`.load`, :mod:`.messages`) and the field and cross-field
checks (:mod:`.checks`). It imports only the price catalog beneath it.
"""

from simulator.scenario.capacity_products import (
    BurnDown,
    CapacityProduct,
    DemandProfile,
    ReservationUnit,
)
from simulator.scenario.load import load_scenario, loads_scenario, scenario_from_data
from simulator.scenario.model import (
    LEVER_ORDER,
    Capacity,
    Contract,
    Growth,
    Launch,
    Lever,
    LeverKind,
    Offer,
    PlanSection,
    Pricing,
    RateOverride,
    Scenario,
    Shipped,
    Signed,
    Simulation,
    Tier,
    Triangular,
    Wave,
    Workload,
)

__all__ = [
    "LEVER_ORDER",
    "BurnDown",
    "Capacity",
    "CapacityProduct",
    "Contract",
    "DemandProfile",
    "Growth",
    "Launch",
    "Lever",
    "LeverKind",
    "Offer",
    "PlanSection",
    "Pricing",
    "RateOverride",
    "ReservationUnit",
    "Scenario",
    "Shipped",
    "Signed",
    "Simulation",
    "Tier",
    "Triangular",
    "Wave",
    "Workload",
    "load_scenario",
    "loads_scenario",
    "scenario_from_data",
]
