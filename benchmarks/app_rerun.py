"""Time a widget-change rerun of the app on the default scenario (cache warm), via AppTest.

Prints the median seconds over repeats and the ratio to the 1 s target.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.0


def main(repeats: int = 7) -> float:
    """Median seconds of a risk-slider rerun on the Commitment page, cache warm."""
    os.environ.setdefault("COMMITSIM_AUTOSAVE_DIR", tempfile.mkdtemp(prefix="commitsim-bench-"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/commitment.py").run()
    times = []
    for i in range(repeats):
        value = 0.05 + 0.01 * (i % 2)
        t = time.perf_counter()
        at.slider(key="risk_eps").set_value(value).run()
        times.append(time.perf_counter() - t)
        if at.exception:
            raise SystemExit(str(at.exception))
    median = statistics.median(times)
    print(f"app rerun (default scenario, risk slider, cache warm): median {median:.3f} s")
    print(f"ratio to the {TARGET:.0f} s target: {median / TARGET:.2f}")
    return median


if __name__ == "__main__":
    sys.exit(0 if main() <= TARGET else 1)
