"""Model names as bills and logs spell them, mapped to price-catalog ids.

Forms read (case-insensitive):

* API ids, dated or not: ``claude-sonnet-4-5``, ``claude-sonnet-4-5-20250929``,
  ``claude-3-5-haiku-latest``; Vertex ids ``claude-sonnet-4-5@20250929``;
* Bedrock ids with optional regional or global inference prefixes and version suffixes:
  ``anthropic.claude-3-5-haiku-20241022-v1:0``, ``us.anthropic.claude-sonnet-4-5-20250929-v1:0``,
  ``global.anthropic.claude-...``, and ARNs ending in one (``.../foundation-model/<id>``);
* router prefixes: ``anthropic/claude-...``, ``bedrock/us.anthropic.claude-...``;
* product names: ``Claude Sonnet 4.5``, ``Claude 3.5 Haiku (Amazon Bedrock Edition)`` (old
  naming put the version before the family) and Bedrock usage-type spellings such as
  ``Claude3.5Haiku`` or ``ClaudeSonnet4.5``.

:func:`claude_name` says whether a name is a Claude model at all, so a retired id (Claude 3.x
not in the catalog) can be told apart from a typo or another vendor's model.
"""

from __future__ import annotations

import re

from simulator.catalog.prices import Catalog

_ALIASES = {
    "claude-3-5-haiku": "claude-haiku-3-5",
    "claude-3-5-sonnet": "claude-sonnet-3-5",
    "claude-3-7-sonnet": "claude-sonnet-3-7",
    "claude-3-opus": "claude-opus-3",
    "claude-3-sonnet": "claude-sonnet-3",
    "claude-3-haiku": "claude-haiku-3",
}
_FAMILIES = ("opus", "sonnet", "haiku")
_FAM = "|".join(_FAMILIES)
# Bedrock cross-region inference profiles put a geography (or "global") before the vendor
_REGION_PREFIX = re.compile(r"^(?:[a-z]{2,6}\.)?anthropic\.")
_SUFFIX = re.compile(r"(?:-v\d+(?::\d+)?|:\d+)$")
_DATE = re.compile(r"(?:[-@]\d{8}|-latest)$")


def canonical_id(name: str) -> str:
    """Strip router, ARN, region, vendor, version and date parts from a model id.

    Examples
    --------
    >>> canonical_id("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
    'claude-sonnet-4-5'
    >>> canonical_id("anthropic.claude-3-5-haiku-20241022-v1:0")
    'claude-haiku-3-5'
    """
    text = name.strip().lower()
    text = text.rsplit("/", 1)[-1]  # ARN path or router prefix
    text = _REGION_PREFIX.sub("", text)
    text = _SUFFIX.sub("", text)
    text = _DATE.sub("", text)
    return _ALIASES.get(text, text)


def _spaced(text: str) -> str:
    # CamelCase and digit runs become words: "Claude3.5Haiku" -> "claude 3 5 haiku"
    text = re.sub(r"([a-z])([A-Z0-9])", r"\1 \2", text)
    text = re.sub(r"([0-9])([A-Za-z])", r"\1 \2", text)
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def names_in(text: str) -> list[str]:
    """Every ``claude-<family>-<version>`` id named in free text, either word order."""
    spaced = f" {_spaced(text)} "
    out: list[str] = []
    fam = "|".join(_FAMILIES)
    ver = r"(\d{1,2}(?: \d{1,2})?)(?= |$)"
    for m in re.finditer(rf"\bclaude ({fam}) {ver}", spaced):
        out.append(f"claude-{m.group(1)}-{m.group(2).replace(' ', '-')}")
    for m in re.finditer(rf"\bclaude {ver} ({fam})\b", spaced):
        out.append(f"claude-{m.group(2)}-{m.group(1).replace(' ', '-')}")
    return out


def find_model(text: str, catalog: Catalog) -> str | None:
    """The catalog model an id or a product name names, or ``None``.

    An exact id form wins; otherwise the longest catalog id named in the text.

    Examples
    --------
    >>> from simulator.catalog.prices import load_catalog
    >>> find_model("Claude 3.5 Haiku (Amazon Bedrock Edition)", load_catalog("anthropic-2026-11"))
    'claude-haiku-3-5'
    """
    if not text.strip():
        return None
    for token in re.split(r"[\s,;|]+", text.strip()):
        cid = canonical_id(token)
        if cid in catalog.models:
            return cid
    found = [m for m in names_in(text) if m in catalog.models]
    return max(found, key=len) if found else None


def claude_name(text: str) -> str | None:
    """A Claude model id named in ``text`` whether or not a catalog prices it (retired ones)."""
    for token in re.split(r"[\s,;|]+", text.strip()):
        cid = canonical_id(token)
        if re.fullmatch(rf"claude-(?:({_FAM})-\d+(?:-\d+)?|\d+(?:-\d+)?-({_FAM}))", cid):
            return _ALIASES.get(cid, cid)
    names = names_in(text)
    return names[0] if names else None
