"""Every command's help renders, and usage errors are messages with exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [
    "validate",
    "schema",
    "catalog",
    "cost",
    "forecast",
    "backlog",
    "plan",
    "recommend",
    "memo",
    "refresh",
    "compare",
    "sensitivity",
    "import",
    "import anthropic-usage",
    "import focus",
    "import requests",
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args], cwd=ROOT, capture_output=True, text=True
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_help_renders(command: str) -> None:
    res = run(*command.split(), "--help")
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert "Usage" in res.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("forecast",),
        ("plan", "scenarios/default.yaml", "--time-limit", "soon"),
        ("forecast", "scenarios/default.yaml", "--plan", "maybe"),
        ("nonsense",),
    ],
)
def test_usage_errors_exit_2_without_traceback(args: tuple[str, ...]) -> None:
    res = run(*args)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr + res.stdout


def test_cost_json_support_chat_figure() -> None:
    import json

    res = run("cost", "scenarios/default.yaml", "--json")
    data = json.loads(res.stdout)
    row = next(r for r in data["workloads"] if r["id"] == "support-chat")
    assert row["total"] == pytest.approx(154_912.50)


def test_plan_json_and_write_back(tmp_path: Path) -> None:
    import json

    out = tmp_path / "planned.yaml"
    res = run("plan", "scenarios/default.yaml", "--json", "--write", str(out))
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["status"] == "optimal"
    assert [w["index"] for w in data["waves"]] == [0, 1, 2]
    cumulative = [w["cumulative_savings"] for w in data["waves"]]
    assert cumulative[-1] == pytest.approx(data["expected_savings"])
    text = out.read_text()
    assert "# Example Co" in text  # comments survive
    assert "assignment:" in text
    check = run("validate", str(out))
    assert check.returncode == 0, check.stderr


def test_forecast_json_summary() -> None:
    import json

    res = run("forecast", "scenarios/startup.yaml", "--plan", "none", "--paths", "2000", "--json")
    data = json.loads(res.stdout)
    assert data["paths"] == 2000
    assert {"mean", "p10", "p50", "p90", "se_mean", "se_p10"} <= set(data["term"])
    from simulator import load_scenario, simulate

    direct = simulate(load_scenario(ROOT / "scenarios" / "startup.yaml"), None, paths=2000)
    assert data["term"]["mean"] == pytest.approx(direct.summary()["term"]["mean"], rel=1e-12)
    assert data["term"]["p10"] == pytest.approx(float(np.quantile(direct.term_spend(0, 12), 0.1)))


@pytest.mark.parametrize(
    "args",
    [
        ("memo", "scenarios/startup.yaml", "-o", "/tmp/never.html", "--paths", "-5"),
        ("recommend", "scenarios/startup.yaml", "--seed", "-1"),
        ("forecast", "scenarios/startup.yaml", "--paths", "0"),
    ],
)
def test_out_of_range_paths_and_seeds_are_usage_errors(args: tuple[str, ...]) -> None:
    res = run(*args)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "range" in res.stderr or "Invalid value" in res.stderr
