"""Shared test helpers: hypothesis profiles and an in-process CLI runner."""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import settings

from simulator.cli import main

# CI runs the same examples every time; `HYPOTHESIS_PROFILE=dev` draws fresh, more numerous
# examples for tests that do not fix their own count (the forecast properties)
settings.register_profile("ci", derandomize=True, print_blob=True, max_examples=50)
settings.register_profile("dev", max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    """Run ``commitsim ARGS`` in this process and return its exit code."""
    monkeypatch.setattr(sys, "argv", ["commitsim", *args])
    with pytest.raises(SystemExit) as exc:
        main()
        raise SystemExit(0)
    return int(exc.value.code or 0)
