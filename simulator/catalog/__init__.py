"""The shipped, effective-dated price catalog (data in ``simulator/data/catalogs``).

It sits beneath the scenario because a scenario names models and checking those names needs the
catalog; the cost model, which needs the scenario, is in :mod:`simulator.pricing`.
"""
