"""Usage data in: importers that turn exports into scenarios, and refresh from new usage.

Refresh (:mod:`.refresh`, with :mod:`.measure` and :mod:`.bayes`) updates a scenario's growth
and learns shipped levers' effects; it sits above the decision stage because it re-runs the
pipeline to show what changed.

Importers:

* :func:`import_anthropic_usage`: Anthropic Admin API usage report pages (and a cost report to
  reconcile against);
* :func:`import_focus`: a FinOps FOCUS cost and usage export filtered to Claude;
* :func:`import_requests`: a per-request log (timestamp, prompt tokens, output tokens).

Each returns an :class:`ImportResult` holding a validated scenario and a summary; bad rows are
rejected (``ImportDataError`` listing every one) or skipped and listed, never dropped silently.
"""

from simulator.usage.anthropic_usage import import_anthropic_usage
from simulator.usage.common import DEFAULT_INPUT_TOKENS_PER_REQUEST, ImportResult
from simulator.usage.fitting import PRIOR_VOLATILITY, GrowthFit, fit_growth
from simulator.usage.focus import import_focus
from simulator.usage.requests_log import import_requests

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
