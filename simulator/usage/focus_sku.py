"""Reading a FOCUS row's SKU: token class, tier and unit, from free text and structured details.

FOCUS names no token classes, so they are read from the row's SKU text: ``SkuMeter``, ``SkuId``,
``ChargeDescription``, ``x_TokenType`` and usage-type columns (``x_UsageType``, ``UsageType``,
``x_Operation``), with CamelCase split into words (Bedrock's ``CacheReadInputTokenCount`` reads
as ``cache read input token count``) and ``-``/``_``/``:`` read as spaces. ``SkuPriceDetails``
(a JSON object, FOCUS 1.1 and later) is read by key: a key naming the cache (``TokenCacheAction``,
``CacheType``, ...) with a value ``Read``/``Hit`` or ``Write``/``Create``, a cache TTL key
(``1h``/``5m``), and a key naming the token direction or type (``Input``/``Output``). The
structured fields win over the text when both are present.
"""

from __future__ import annotations

import json
import re
from typing import Any

SKU_COLUMNS = (
    "SkuMeter",
    "SkuId",
    "ChargeDescription",
    "x_TokenType",
    "x_UsageType",
    "UsageType",
    "x_Operation",
)
TOKEN_UNITS = {
    "token": 1.0,
    "tokens": 1.0,
    "1k tokens": 1e3,
    "1000 tokens": 1e3,
    "thousand tokens": 1e3,
    "1m tokens": 1e6,
    "1000000 tokens": 1e6,
    "million tokens": 1e6,
    "mtok": 1e6,
}
# units that count things without saying which; read as tokens when the SKU names tokens, with
# the scale checked against the row's cost (see focus.import_focus)
COUNT_UNITS = {"units", "unit", "count", "counts", "each", "quantity"}
_ONE_HOUR = re.compile(r"\b(1 ?h(ou)?r?|60 ?m(in)?)\b")
_LONG = re.compile(r"long context|200k 1m|over 200k|> ?200k|lctx")


def words(text: str) -> str:
    """Lower-case words of a SKU text: CamelCase split, ``-_:/.`` and digits-letters apart."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    text = re.sub(r"([a-zA-Z])(\d)", r"\1 \2", text)
    text = re.sub(r"[-_:/,;|()\[\]\"'{}]+", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def token_class(text: str) -> str | None:
    """Token class named by a SKU text (already through :func:`words`)."""
    if re.search(r"cache (read|hit)|cached (input|prompt|tokens?)|cache\w* input read", text):
        return "cache_read"
    if re.search(r"cache (write|creation|create)|cache\w* write", text):
        return "write_1h" if _ONE_HOUR.search(text) else "write_5m"
    if re.search(r"\boutput|\bcompletion|\bgenerated", text):
        return "output"
    if re.search(r"\binput|\bprompt", text):
        return "uncached"
    return None


def details(raw: str) -> dict[str, str]:
    """``SkuPriceDetails`` as lower-case key -> lower-case words; ``{}`` when not a JSON object."""
    try:
        data: Any = json.loads(raw) if raw.strip().startswith("{") else None
    except json.JSONDecodeError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k).lower(): words(str(v)) for k, v in data.items()}


def structured_class(det: dict[str, str]) -> str | None:
    """Token class from structured SKU details, or ``None`` when they name none."""
    cache = next(
        (v for k, v in det.items() if "cache" in k and "ttl" not in k and "dur" not in k), ""
    )
    ttl = " ".join(v for k, v in det.items() if "ttl" in k or "dur" in k)
    kind = " ".join(v for k, v in det.items() if "direction" in k or "tokentype" in k)
    if re.search(r"read|hit", cache):
        return "cache_read"
    if re.search(r"write|creat", cache):
        return "write_1h" if _ONE_HOUR.search(f"{ttl} {cache}") else "write_5m"
    if re.search(r"cache (read|hit)|cached", kind):
        return "cache_read"
    if "output" in kind:
        return "output"
    if "input" in kind:
        return "uncached"
    return None


def sku_reading(row_text: str, det: dict[str, str]) -> tuple[str | None, bool, bool]:
    """``(token class, batch, long context)`` of a row from its SKU words and details."""
    flat = f"{row_text} {' '.join(f'{k} {v}' for k, v in det.items())}"
    klass = structured_class(det) or token_class(row_text)
    return klass, "batch" in flat, bool(_LONG.search(flat))


def names_tokens(text: str) -> bool:
    """Whether a SKU text speaks of tokens at all (so a count unit can be read as tokens)."""
    return bool(re.search(r"\btokens?\b|\btoken count", text))


def infer_scale(cost: float, qty: float, rate_per_mtok: float) -> float | None:
    """Tokens per unit (1, 1e3 or 1e6) that a row's cost implies at the catalog rate.

    ``None`` when the cost is zero or matches no scale within a factor of three.
    """
    if cost <= 0 or qty <= 0 or rate_per_mtok <= 0:
        return None
    tokens = cost / rate_per_mtok * 1e6
    for scale in (1.0, 1e3, 1e6):
        if 1 / 3 <= tokens / (qty * scale) <= 3:
            return scale
    return None
