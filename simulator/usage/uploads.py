"""Run an importer on uploaded bytes (the app's Import and Track pages): the importers read
paths, so the uploads go to a private temporary folder first, under their own names (messages
name the uploaded file)."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from simulator.errors import ImportDataError, Problem
from simulator.usage.actuals import MonthlySpend, read_actuals
from simulator.usage.anthropic_usage import import_anthropic_usage
from simulator.usage.common import DEFAULT_MODEL, ImportResult
from simulator.usage.focus import import_focus
from simulator.usage.requests_log import import_requests

IMPORT_KINDS = ("anthropic-usage", "focus", "requests")
Upload = tuple[str, bytes]


def _write(folder: Path, files: Sequence[Upload]) -> list[Path]:
    out = []
    for name, data in files:
        path = folder / Path(name).name
        path.write_bytes(data)
        out.append(path)
    return out


def import_uploads(
    kind: str, files: Sequence[Upload], model: str = DEFAULT_MODEL
) -> list[ImportResult]:
    """Import uploaded files: usage report pages as one import, each FOCUS file or log as one."""
    if kind not in IMPORT_KINDS:
        raise ImportDataError(
            [Problem("upload", 0, "kind", f"must be one of {', '.join(IMPORT_KINDS)}", kind)]
        )
    if not files:
        raise ImportDataError([Problem("upload", 0, "", "no file uploaded", None, False)])
    with tempfile.TemporaryDirectory(prefix="commitsim-upload-") as tmp:
        paths = _write(Path(tmp), files)
        try:
            if kind == "anthropic-usage":
                return [import_anthropic_usage(paths)]
            if kind == "focus":
                return [import_focus(p) for p in paths]
            return [import_requests(p, model=model) for p in paths]
        except ImportDataError as exc:
            raise _named(exc) from None


def _named(exc: ImportDataError) -> ImportDataError:
    # messages name the uploaded file, not the temporary folder it was read from
    return ImportDataError([replace(p, file=Path(p.file).name) for p in exc.problems])


def actuals_upload(files: Sequence[Upload], model: str = DEFAULT_MODEL) -> MonthlySpend:
    """Monthly list spend from uploaded actuals (a month,list_spend CSV or any importer's file)."""
    with tempfile.TemporaryDirectory(prefix="commitsim-upload-") as tmp:
        try:
            return read_actuals(_write(Path(tmp), files), "auto", model=model)
        except ImportDataError as exc:
            raise _named(exc) from None
