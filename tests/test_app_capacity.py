"""AppTest on the Capacity page: a scenario with products, and one without."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from simulator.decision.report import recommend
from simulator.output.capacity_text import compact, compact_money, pm, share_se
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
BUNDLED = ROOT / "scenarios" / "reserved-capacity.yaml"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMITSIM_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    monkeypatch.delenv("COMMITSIM_SCENARIO", raising=False)


def _page(monkeypatch: pytest.MonkeyPatch, scenario: Path | None) -> AppTest:
    if scenario is not None:
        monkeypatch.setenv("COMMITSIM_SCENARIO", str(scenario))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/capacity.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


def _delta(at: AppTest, label: str) -> str:
    return next(str(m.delta) for m in at.metric if m.label == label)


def test_capacity_page_shows_the_sized_reservation(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(monkeypatch, BUNDLED)
    rep = recommend(load_scenario(BUNDLED))
    assert rep.capacity is not None
    first, second = rep.capacity.products
    assert at.title[0].value == "Capacity reservations"
    assert _metric(at, "Reserve (input tokens/min)") == compact(first.sized.units)
    assert _metric(at, "Expected cost, term") == compact_money(
        first.term(first.sized.expected_cost)
    )
    assert len(at.get("plotly_chart")) == 3
    # every headline figure carries its Monte Carlo standard error under it
    z = first.sized
    assert z.units_se is not None and z.expected_cost_se is not None
    assert _delta(at, "Reserve (input tokens/min)") == f"± {compact(z.units_se)}"
    assert _delta(at, "Expected cost, term") == f"± {compact_money(first.term(z.expected_cost_se))}"
    assert _delta(at, "Saving vs pay-as-you-go") == pm(
        first.term(z.expected_savings_se or float("nan")), compact_money
    )
    assert _delta(at, "Demand overflowing") == share_se(z.overflow_share_se)
    assert _delta(at, "Demand overflowing").endswith(" pp")
    table = at.dataframe[0].value
    assert table["Expected cost"].str.contains("±").all()
    assert table["Utilisation"].str.contains(" pp").all()
    cells = " ".join(table.astype(str).to_numpy().ravel())
    assert not re.search(r"± \$?0(\.0+)?( pp)?( |$)", cells), cells  # never a zero error
    assert any("input tokens/min ±" in i.value for i in at.info)
    at.selectbox(key="capacity_product").set_value("Sonnet reserved output").run()
    assert not at.exception
    assert _metric(at, "Reserve (output tokens/min)") == compact(second.sized.units)
    assert _metric(at, "With reservations") == compact_money(
        rep.capacity.commit_with.recommended  # type: ignore[union-attr]
    )


def test_capacity_page_without_products_explains(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(monkeypatch, None)
    assert any("no capacity products" in i.value for i in at.info)
    assert not any(m.label.startswith("Reserve") for m in at.main.metric)
