"""Docs name real code: every `simulator...` reference in docs/ and the README resolves.

A reference is a backticked dotted name (`simulator.commitment.risk.cvar`, attributes and methods
included) or a path (`simulator/pricing/costs.py`, `simulator/data/...`). A rename that forgets the
docs fails here, and every formula section of docs/methodology.md names its code.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
DOTTED = re.compile(r"`(simulator(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`")
PATH = re.compile(r"`?(simulator/[A-Za-z0-9_./-]+)")
# Paths a document names on purpose as history, not as code to find.
HISTORY = {"simulator/ui_state.py"}


def resolve(dotted: str) -> bool:
    """True when `dotted` is a module, or an attribute chain reachable from the longest module."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def references(pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    return [(doc.name, m.group(1)) for doc in DOCS for m in pattern.finditer(doc.read_text())]


@pytest.mark.parametrize(("doc", "name"), sorted(set(references(DOTTED))))
def test_dotted_reference_resolves(doc: str, name: str) -> None:
    assert resolve(name), f"{doc} names `{name}`, which does not exist"


@pytest.mark.parametrize(("doc", "path"), sorted(set(references(PATH))))
def test_path_reference_exists(doc: str, path: str) -> None:
    path = path.rstrip(".,;:)`")
    if path in HISTORY or "*" in path or "<" in path:
        return
    assert (ROOT / path).exists(), f"{doc} names {path}, which does not exist"


def test_resolver_rejects_missing_names() -> None:
    assert resolve("simulator.commitment.risk.cvar")
    assert resolve("simulator.forecast.montecarlo.Forecast.term_spend")
    assert not resolve("simulator.commitment.risk.no_such_function")
    assert not resolve("simulator.no_such_module")


def sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) for every ## and ### section."""
    parts = re.split(r"^(#{2,3} .*)$", text, flags=re.M)
    return [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def test_every_methodology_formula_names_its_code() -> None:
    text = (ROOT / "docs" / "methodology.md").read_text()
    missing = [
        head
        for head, body in sections(text)
        if ("```" in body or re.search(r"`[^`]*=[^`]*`", body)) and not DOTTED.search(body)
    ]
    assert not missing, f"formula sections naming no simulator code: {missing}"
