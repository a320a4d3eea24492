"""Admin API report pages: ``{data: [{starting_at, ending_at, results}], has_more, next_page}``.

A file holds one page or a list of pages; several files are read in the order given and the
``has_more``/``next_page`` chain is checked (a chain that ends with ``has_more: true`` means pages
are missing, which is a warning).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from simulator.usage.common import (
    RowLog,
)
from simulator.usage.jsonloc import JsonDoc, load_json
from simulator.usage.rowsafety import sane_time


def _pages(doc: JsonDoc) -> Iterator[tuple[str, Any]]:
    """Yield ``(json path, page)`` for a file holding one page or a list of pages."""
    if isinstance(doc.data, list):
        for i, page in enumerate(doc.data):
            yield f"[{i}]", page
    else:
        yield "", doc.data


def _check_chain(chain: list[tuple[str, Any]], log: RowLog) -> None:
    seen: dict[str, str] = {}
    for i, (where, page) in enumerate(chain):
        more, token = page.get("has_more"), page.get("next_page")
        last = i == len(chain) - 1
        if more and last:
            log.warnings.append(
                f"{where}: has_more is true (next_page {token!r}) but no later page was given; "
                "the export is missing pages"
            )
        elif not more and not last:
            log.warnings.append(
                f"{where}: has_more is false but more pages follow; "
                "pages from different queries or out of order?"
            )
        if more and token is not None:
            if token in seen:
                log.warnings.append(f"{where}: next_page {token!r} repeats {seen[token]}")
            seen[str(token)] = where


def _when(text: Any) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    # naive and aware stamps must compare; the API speaks UTC; year 1 or 9999 is corrupt
    return sane_time(when)


def buckets(
    paths: Sequence[str | Path], log: RowLog
) -> Iterator[tuple[JsonDoc, str, Any, dt.datetime, dt.datetime]]:
    """Every well-formed bucket of every page, with its file and JSON path."""
    chain: list[tuple[str, Any]] = []
    for path in paths:
        doc = load_json(path)
        for ppath, page in _pages(doc):
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                log.bad(
                    doc.name, doc.line(page), f"{ppath}.data".lstrip("."), "page has no data list"
                )
                continue
            chain.append((f"{doc.name}{ppath or ''}", page))
            for b, bucket in enumerate(page["data"]):
                bpath = f"{ppath}.data[{b}]".lstrip(".")
                start = _when(bucket.get("starting_at")) if isinstance(bucket, dict) else None
                end = _when(bucket.get("ending_at")) if isinstance(bucket, dict) else None
                if start is None or end is None or end <= start:
                    log.bad(
                        doc.name,
                        doc.line(bucket, "starting_at"),
                        f"{bpath}.starting_at",
                        "bucket needs ISO starting_at < ending_at",
                        bucket.get("starting_at") if isinstance(bucket, dict) else bucket,
                    )
                    continue
                if not isinstance(bucket.get("results"), list):
                    log.bad(
                        doc.name, doc.line(bucket), f"{bpath}.results", "results must be a list"
                    )
                    continue
                yield doc, bpath, bucket, start, end
    _check_chain(chain, log)
