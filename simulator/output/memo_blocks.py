"""Memo blocks and their two renderings: a self-contained HTML page and Markdown.

Every string from a scenario is escaped on the way out: HTML-escaped in both formats (Markdown
renderers pass inline HTML through), with link, image and emphasis characters backslash-escaped
and newlines joined in Markdown (:func:`simulator.output.formatting.md_text`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from html import escape

from simulator.output.formatting import md_text
from simulator.output.svgcharts import FONT


@dataclass(frozen=True)
class Block:
    """One piece of the memo: ``kind`` is ``h2``, ``p``, ``table`` or ``chart``."""

    kind: str
    text: str = ""
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


def table(columns: list[str], rows: list[list[str]]) -> Block:
    """A table block from header cells and rows of cells."""
    return Block("table", columns=tuple(columns), rows=tuple(tuple(r) for r in rows))


_CSS = f"""
body {{ font-family: {FONT}; color: #1d1d1d; max-width: 960px; margin: 2em auto;
  padding: 0 1em; line-height: 1.45; }}
h1 {{ font-size: 1.6em; margin-bottom: 0.2em; }}
h2 {{ font-size: 1.2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em;
  break-after: avoid; }}
table {{ border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.9em; break-inside: avoid; }}
th, td {{ border-bottom: 1px solid #e2e2e2; padding: 0.25em 0.7em; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
th {{ background: #f3f3f3; }}
figure {{ margin: 0.5em 0 1em; break-inside: avoid; }}
.lead {{ font-size: 1.1em; }}
@media print {{ body {{ margin: 0; max-width: none; }} a {{ color: inherit; }} }}
"""


def to_html(title: str, blocks: list[Block]) -> str:
    """One self-contained HTML page: inline CSS and SVG, no scripts or external references."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
    ]
    first_p = True
    for b in blocks:
        if b.kind == "h2":
            out.append(f"<h2>{escape(b.text)}</h2>")
        elif b.kind == "p":
            cls = ' class="lead"' if first_p else ""
            first_p = False
            out.append(f"<p{cls}>{escape(b.text)}</p>")
        elif b.kind == "chart":
            out.append(f"<figure>{b.text}</figure>")
        else:
            head = "".join(f"<th>{escape(c)}</th>" for c in b.columns)
            body = "".join(
                "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in b.rows
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _md_text(text: str) -> str:
    # names from the scenario must stay text: no HTML, links, images or injected headings
    return md_text(text)


def _md_cell(text: str) -> str:
    return md_text(text)  # escapes '|' and joins lines, so a cell cannot break the table


def to_markdown(title: str, blocks: list[Block]) -> str:
    """Markdown with the same blocks; charts as base64 SVG data images."""
    out = [f"# {_md_text(title)}", ""]
    charts = 0
    for b in blocks:
        if b.kind == "h2":
            out += [f"## {_md_text(b.text)}", ""]
        elif b.kind == "p":
            out += [_md_text(b.text), ""]
        elif b.kind == "chart":
            charts += 1
            data = base64.b64encode(b.text.encode("utf-8")).decode("ascii")
            out += [f"![chart {charts}](data:image/svg+xml;base64,{data})", ""]
        else:
            out.append("| " + " | ".join(_md_cell(c) for c in b.columns) + " |")
            out.append("|" + "|".join([":--"] + ["--:"] * (len(b.columns) - 1)) + "|")
            out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in b.rows]
            out.append("")
    return "\n".join(out)
