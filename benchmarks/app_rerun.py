"""Time a widget-change rerun of the app (cache warm), via AppTest: wall and CPU seconds.

``python benchmarks/app_rerun.py [default|enterprise|...]`` prints the medians over repeats and
the ratio of CPU time to the 0.3 s target.
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
TARGET_CPU = 0.3


def main(scenario: str = "default", repeats: int = 7) -> tuple[float, float]:
    """Median (wall, CPU) seconds of a risk-slider rerun on the Commitment page, cache warm."""
    os.environ.setdefault("COMMITSIM_AUTOSAVE_DIR", tempfile.mkdtemp(prefix="commitsim-bench-"))
    os.environ["COMMITSIM_SCENARIO"] = str(ROOT / "scenarios" / f"{scenario}.yaml")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("app_pages/commitment.py").run()
    wall, cpu = [], []
    for i in range(repeats):
        value = 0.05 + 0.01 * (i % 2)
        t, c = time.perf_counter(), time.process_time()
        at.slider(key="risk_eps").set_value(value).run()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        if at.exception:
            raise SystemExit(str(at.exception))
    return statistics.median(wall), statistics.median(cpu)


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "default"
    w, c = main(name)
    print(f"app rerun ({name}, risk slider, cache warm): wall {w:.3f} s, CPU {c:.3f} s")
    print(f"ratio of CPU to the {TARGET_CPU} s target: {c / TARGET_CPU:.2f}")
    sys.exit(0 if c <= TARGET_CPU else 1)
