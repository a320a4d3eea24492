"""The decision: the pipeline report, explanations, sensitivity and comparison of scenarios."""
