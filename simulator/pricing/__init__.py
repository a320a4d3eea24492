"""The exact cost model: a workload's cost per request under the catalog and shipped levers."""
