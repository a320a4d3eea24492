"""Importers that turn usage data into scenarios.

* :func:`import_anthropic_usage`: Anthropic Admin API usage report pages (and a cost report to
  reconcile against);
* :func:`import_focus`: a FinOps FOCUS cost and usage export filtered to Claude;
* :func:`import_requests`: a per-request log (timestamp, prompt tokens, output tokens).

Each returns an :class:`ImportResult` holding a validated scenario and a summary; bad rows are
rejected (``ImportDataError`` listing every one) or skipped and listed, never dropped silently.
"""

from simulator.imports.anthropic_usage import import_anthropic_usage
from simulator.imports.common import DEFAULT_INPUT_TOKENS_PER_REQUEST, ImportResult
from simulator.imports.fitting import PRIOR_VOLATILITY, GrowthFit, fit_growth
from simulator.imports.focus import import_focus
from simulator.imports.requests_log import import_requests

__all__ = [
    "DEFAULT_INPUT_TOKENS_PER_REQUEST",
    "PRIOR_VOLATILITY",
    "GrowthFit",
    "ImportResult",
    "fit_growth",
    "import_anthropic_usage",
    "import_focus",
    "import_requests",
]
