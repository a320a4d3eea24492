"""Request-log import on a hand-written log and on the real Azure LLM inference traces."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd
import pytest

from simulator.cli import main
from simulator.errors import ImportDataError
from simulator.scenario import load_scenario
from simulator.usage import import_requests

FIX = Path(__file__).parent / "fixtures" / "imports"
# the shared data sits beside the checkout; CI may clone elsewhere, so also try its usual home
_CANDIDATES = [
    Path(os.environ.get("COMMITSIM_SHARED_DATA", "")),
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data",
    Path("/work/shared/data"),
]
AZURE = next((p for p in _CANDIDATES if str(p) not in ("", ".") and p.is_dir()), _CANDIDATES[1])
AZURE = AZURE / "azure-llm-inference-trace-2023"
SECONDS_PER_MONTH = 365.25 / 12 * 86_400  # 2,629,800


def test_small_log_means_rate_and_long_context() -> None:
    res = import_requests(FIX / "requests_small.csv")
    (w,) = res.scenario.workloads
    assert w.id == "requests-small" and w.model == "claude-sonnet-4-5"
    # 4 requests over 60 s: 3 arrivals / 60 s = 0.05 per second
    assert w.requests_per_month == pytest.approx(131_490.0)
    assert w.input_tokens == 64_000.0  # (1000 + 3000 + 2000 + 250000) / 4
    assert w.output_tokens == 162.5  # 650 / 4
    # the 250k-token prompt is over Sonnet 4.5's 200k threshold: 250,050 of 256,650 tokens
    assert w.long_context_share == pytest.approx(250_050 / 256_650, abs=1e-6)
    assert w.growth.monthly_rate == 0.0 and w.growth.volatility == 0.05
    assert res.scenario.start == "2026-11"
    assert res.summary["input_tokens"]["max"] == 250_000
    assert res.summary["output_tokens"]["p50"] == 150.0  # median of 50, 100, 200, 300


def test_model_option_and_unknown_model() -> None:
    res = import_requests(FIX / "requests_small.csv", model="claude-haiku-4-5")
    assert res.scenario.workloads[0].model == "claude-haiku-4-5"
    assert res.scenario.workloads[0].long_context_share == 0.0  # Haiku 4.5 has no long rates
    with pytest.raises(ImportDataError, match="not in price catalog"):
        import_requests(FIX / "requests_small.csv", model="gpt-4o")


def test_bad_rows_rejected_then_skipped() -> None:
    with pytest.raises(ImportDataError) as exc:
        import_requests(FIX / "requests_bad.csv")
    assert [(p.line, p.path, p.value) for p in exc.value.problems] == [
        (3, "timestamp", "yesterday"),
        (4, "prompt_tokens", "-12"),
        (5, "output_tokens", "abc"),
    ]
    res = import_requests(FIX / "requests_bad.csv", bad_rows="skip")
    (w,) = res.scenario.workloads
    # two good rows 60 s apart: 1 / 60 per second
    assert w.requests_per_month == pytest.approx(SECONDS_PER_MONTH / 60)
    assert (w.input_tokens, w.output_tokens) == (2500.0, 75.0)
    assert len(res.summary["skipped"]) == 3


@pytest.mark.parametrize(
    ("name", "rows"),
    [("AzureLLMInferenceTrace_code.csv", 8_819), ("AzureLLMInferenceTrace_conv.csv", 19_366)],
)
def test_azure_traces_match_pandas(name: str, rows: int, tmp_path: Path) -> None:
    path = AZURE / name
    if not path.exists():
        pytest.skip(f"Azure trace not present at {path}")
    df = pd.read_csv(path)
    ts = pd.to_datetime(df["TIMESTAMP"])
    span = (ts.max() - ts.min()).total_seconds()
    res = import_requests(path)
    (w,) = res.scenario.workloads
    assert res.summary["rows_used"] == len(df) == rows
    assert w.requests_per_month == pytest.approx((len(df) - 1) / span * SECONDS_PER_MONTH, abs=1e-3)
    assert w.input_tokens == pytest.approx(df["ContextTokens"].mean(), abs=1e-6)
    assert w.output_tokens == pytest.approx(df["GeneratedTokens"].mean(), abs=1e-6)
    assert res.summary["input_tokens"]["std"] == pytest.approx(df["ContextTokens"].std())
    assert res.summary["output_tokens"]["p90"] == pytest.approx(df["GeneratedTokens"].quantile(0.9))
    out = tmp_path / "trace.yaml"
    res.scenario.save(out)
    assert load_scenario(out).workloads[0].model_dump() == w.model_dump()


def test_azure_code_trace_known_figures() -> None:
    path = AZURE / "AzureLLMInferenceTrace_code.csv"
    if not path.exists():
        pytest.skip(f"Azure trace not present at {path}")
    (w,) = import_requests(path).scenario.workloads
    # 8,819 requests in just under an hour: about 2.57 per second
    assert w.input_tokens == pytest.approx(2047.848, abs=1e-3)
    assert w.output_tokens == pytest.approx(27.883, abs=1e-3)
    assert w.requests_per_month == pytest.approx(6_749_105.6, abs=1.0)


def test_cli_writes_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "req.yaml"
    args = ["commitsim", "import", "requests", str(FIX / "requests_small.csv"), "-o", str(out)]
    monkeypatch.setattr(sys, "argv", [*args, "--model", "claude-opus-4-5", "--id", "Chat Bot"])
    with pytest.raises(SystemExit) as exc:
        main()
        raise SystemExit(0)
    assert exc.value.code == 0
    (w,) = load_scenario(out).workloads
    assert (w.id, w.model, w.requests_per_month) == ("chat-bot", "claude-opus-4-5", 131_490.0)


def test_a_byte_order_mark_is_not_part_of_the_header(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufefftimestamp,prompt_tokens,output_tokens\n"
        "2026-01-01 00:00:00,1000,100\n2026-01-01 00:00:10,3000,300\n".encode()
    )
    res = import_requests(path)
    w = res.scenario.workloads[0]
    assert w.input_tokens == pytest.approx(2000)
    assert w.output_tokens == pytest.approx(200)
