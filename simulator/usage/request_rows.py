"""Reading a per-request log's rows: columns, cache semantics and the model column."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from simulator.errors import ImportDataError, Problem
from simulator.usage.common import (
    DAYS_PER_MONTH,
    RowLog,
)
from simulator.usage.rowsafety import MAX_ROW_TOKENS, csv_problem, csv_rows, sane_time

# accepted header names, compared case-insensitively (first match wins)
COLUMNS = {
    "timestamp": (
        "timestamp",
        "time",
        "created_at",
        "ts",
        "starttime",
        "start_time",
        "request_time",
        "created",
    ),
    "prompt": ("contexttokens", "prompt_tokens", "input_tokens", "prompt", "context_tokens"),
    "output": ("generatedtokens", "output_tokens", "completion_tokens", "generated_tokens"),
}
OPTIONAL = {
    "cache_read": (
        "cache_read_input_tokens",
        "cached_tokens",
        "prompt_tokens_details.cached_tokens",
        "cache_read_tokens",
        "cached_input_tokens",
    ),
    "cache_write": ("cache_creation_input_tokens", "cache_creation_tokens", "cache_write_tokens"),
    "write_5m": ("ephemeral_5m_input_tokens", "cache_creation.ephemeral_5m_input_tokens"),
    "write_1h": ("ephemeral_1h_input_tokens", "cache_creation.ephemeral_1h_input_tokens"),
    "model": ("model", "model_name"),
}
# Anthropic's input_tokens counts only uncached prompt tokens; prompt_tokens (OpenAI, LiteLLM)
# and the trace columns count the whole prompt, cached tokens included
EXCLUDES_CACHE = {"input_tokens"}
SECONDS_PER_MONTH = DAYS_PER_MONTH * 86_400.0


@dataclass
class LogRows:
    """Good rows of a request log: time, token classes per request and the model column."""

    times: list[dt.datetime] = field(default_factory=list)
    uncached: list[int] = field(default_factory=list)
    cache_read: list[int] = field(default_factory=list)
    write_5m: list[int] = field(default_factory=list)
    write_1h: list[int] = field(default_factory=list)
    output: list[int] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    prompt_rule: str = ""

    @property
    def prompts(self) -> list[int]:
        """Whole prompt per request: uncached + cache reads + cache writes."""
        return [
            u + r + w5 + w1
            for u, r, w5, w1 in zip(
                self.uncached, self.cache_read, self.write_5m, self.write_1h, strict=True
            )
        ]


def _parse_time(text: str) -> dt.datetime | None:
    text = text.strip()
    try:
        return sane_time(dt.datetime.fromtimestamp(float(text), dt.UTC))
    except (ValueError, OverflowError, OSError):
        pass
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return sane_time(when)  # naive stamps read as UTC; year 1 or 9999 is a bad row


def _parse_count(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    ok = 0 <= value <= MAX_ROW_TOKENS and value.is_integer()  # nan and inf fail too
    return int(value) if ok else None


def _header(name: str, header: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    cols: dict[str, int] = {}
    for key, names in COLUMNS.items():
        found = [header.index(n) for n in names if n in header]
        if not found:
            raise ImportDataError(
                [
                    Problem(
                        name,
                        1,
                        key,
                        f"missing column; expected one of {', '.join(names)}",
                        ",".join(header),
                    )
                ]
            )
        cols[key] = found[0]
    optional = {}
    for key, names in OPTIONAL.items():
        found = [header.index(n) for n in names if n in header]
        if found:
            optional[key] = found[0]
    return cols, optional


def read_log_rows(path: str | Path, log: RowLog, default_model: str) -> LogRows:
    """Read a request log; bad rows go to ``log`` with their line numbers.

    Cache columns, when present, split each prompt into uncached tokens, cache reads and cache
    writes (5-minute unless a 1-hour column says otherwise). A prompt column named
    ``input_tokens`` (Anthropic's naming) excludes cached tokens, so the whole prompt is its sum
    with the cache columns; any other prompt column includes them, so the uncached part is the
    prompt minus the cache columns. ``model`` (or ``model_name``) gives each row's model; empty
    cells take ``default_model``.
    """
    name = str(path)
    try:
        raw = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportDataError(
            [Problem(name, 0, "", f"cannot read file: {exc}", None, False)]
        ) from None
    out = LogRows()
    with io.StringIO(raw) as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip().lower() for h in next(reader, [])]
        except csv.Error as exc:
            raise csv_problem(name, 1, exc) from None
        cols, optional = _header(name, header)
        labels = {k: header[i] for k, i in (cols | optional).items()}
        excludes = labels["prompt"] in EXCLUDES_CACHE
        out.prompt_rule = (
            f"{labels['prompt']} excludes cached tokens: prompt = {labels['prompt']} + cache "
            "reads + cache writes"
            if excludes
            else f"{labels['prompt']} includes cached tokens: uncached = prompt - cache columns"
        )
        for line, row in csv_rows(reader, name):
            if not any(c.strip() for c in row):
                continue
            cells = {k: row[i] if i < len(row) else "" for k, i in (cols | optional).items()}
            when = _parse_time(cells["timestamp"])
            counts: dict[str, int | None] = {}
            for key in ("prompt", "output", "cache_read", "cache_write", "write_5m", "write_1h"):
                if key not in cells:
                    counts[key] = 0
                elif key not in cols and not cells[key].strip():
                    counts[key] = 0  # an empty optional cell: nothing of that class
                else:
                    counts[key] = _parse_count(cells[key])
            if when is None:
                log.bad(name, line, labels["timestamp"], "not a timestamp", cells["timestamp"])
            for key, value in counts.items():
                if value is None:
                    log.bad(name, line, labels[key], "not a non-negative integer", cells[key])
            if when is None or any(v is None for v in counts.values()):
                continue
            c = {k: int(v or 0) for k, v in counts.items()}
            w1 = c["write_1h"]
            w5 = c["write_5m"] if "write_5m" in optional else max(c["cache_write"] - w1, 0)
            cached = c["cache_read"] + w5 + w1
            uncached = c["prompt"] if excludes else c["prompt"] - cached
            if uncached < 0:
                log.bad(
                    name,
                    line,
                    labels["prompt"],
                    f"cache reads and writes ({cached}) exceed the prompt tokens",
                    cells["prompt"],
                )
                continue
            raw_model = cells.get("model", "").strip()
            out.times.append(when)
            out.uncached.append(uncached)
            out.cache_read.append(c["cache_read"])
            out.write_5m.append(w5)
            out.write_1h.append(w1)
            out.output.append(c["output"])
            out.models.append(raw_model or default_model)
            out.lines.append(line)
    return out
