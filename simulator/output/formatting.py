"""Numbers for people: money and percentages, one definition for the CLI, the app and the memo."""

from __future__ import annotations

import html
import math
import re

from simulator.decision.words import compact_money as money_short
from simulator.decision.words import percent, points
from simulator.scenario.numbers import strip_control

# CommonMark lets any ASCII punctuation be backslash-escaped; these start links, images,
# emphasis, code, tables and strikethrough anywhere in a line
_MD_INLINE = re.compile(r"([\\`*_\[\]{}!|~])")
# and these start a heading, list, quote or thematic break at the start of a line
_MD_LINE_START = re.compile(r"^(\s*\d*)([#+\-=>.)])")


def money(x: float | None) -> str:
    """Dollars as ``$1,234,567`` (``-$5`` for negatives, ``n/a`` for missing or NaN, infinity as
    ``never``, e.g. a break-even that is never reached)."""
    if x is None or math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "never"
    return f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}"


def pct(x: float | None, digits: int = 1) -> str:
    """A share as a percentage: ``0.081`` -> ``8.1%`` (``n/a`` for missing or not finite)."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{100 * x:.{digits}f}%"


def md_text(text: str, dollars: bool = False) -> str:
    """A user string made safe for Markdown: it renders as the same plain text, on one line.

    HTML is entity-escaped (renderers pass inline HTML through), link, image and emphasis
    characters are backslash-escaped (so ``[x](javascript:...)`` and ``![x](https://...)`` stay
    text), newlines become spaces (no injected headings) and control characters go.

    Parameters
    ----------
    text : str
        Any string from a scenario or an import (a name, a description, a file name).
    dollars : bool
        Also escape ``$`` (Streamlit's Markdown reads ``$...$`` as LaTeX).

    Returns
    -------
    str
        Markdown source that displays ``text`` literally.
    """
    one_line = " ".join(strip_control(text, keep_newlines=True).splitlines())
    out = _MD_INLINE.sub(r"\\\1", html.escape(one_line, quote=False))
    out = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), out)
    return out.replace("$", "\\$") if dollars else out


__all__ = ["md_text", "money", "money_short", "pct", "percent", "points"]
