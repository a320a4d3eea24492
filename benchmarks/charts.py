"""Scaling charts for `make bench`: small self-contained SVG line charts (no scripts, no fonts)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from simulator.output.svgcharts import FONT, nice_ticks

COLOURS = ("#2f6690", "#b0413e", "#3a7d44", "#8a6d3b")
W, H = 560, 300
L, R, T, B = 64, 150, 34, 44


def line_chart(
    title: str,
    x_label: str,
    y_label: str,
    xs: Sequence[float],
    series: dict[str, Sequence[float]],
) -> str:
    """One SVG line chart: a line with markers per series, legend on the right."""
    ys = [v for vals in series.values() for v in vals]
    top = max(ys) if ys else 1.0
    y_ticks = nice_ticks(0.0, top)
    if len(y_ticks) > 1 and y_ticks[-1] < top:
        # nice_ticks stays inside the range: one more step so the highest point is on the chart
        y_ticks.append(y_ticks[-1] + (y_ticks[1] - y_ticks[0]))
    x_ticks = list(xs)
    x0, x1 = min(xs), max(xs)
    y1 = y_ticks[-1] or 1.0

    def px(x: float) -> float:
        return L + (x - x0) / ((x1 - x0) or 1.0) * (W - L - R)

    def py(y: float) -> float:
        return H - B - y / y1 * (H - T - B)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" font-family="{FONT}" font-size="12" role="img">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{W}" height="{H}" fill="#ffffff"/>',
        f'<text x="{L}" y="20" font-size="14" font-weight="600">{escape(title)}</text>',
    ]
    for t in y_ticks:
        out.append(
            f'<line x1="{L}" x2="{W - R}" y1="{py(t):.1f}" y2="{py(t):.1f}" stroke="#dddddd"/>'
        )
        out.append(
            f'<text x="{L - 6}" y="{py(t) + 4:.1f}" text-anchor="end" fill="#444">{t:g}</text>'
        )
    for x in x_ticks:
        out.append(
            f'<text x="{px(x):.1f}" y="{H - B + 16}" text-anchor="middle" fill="#444">'
            f"{x:,.0f}</text>"
        )
    out.append(
        f'<text x="{(L + W - R) / 2:.1f}" y="{H - 8}" text-anchor="middle">{escape(x_label)}</text>'
    )
    out.append(
        f'<text x="14" y="{(T + H - B) / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {(T + H - B) / 2:.1f})">{escape(y_label)}</text>'
    )
    for i, (name, vals) in enumerate(series.items()):
        c = COLOURS[i % len(COLOURS)]
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, vals, strict=True))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2"/>')
        for x, y in zip(xs, vals, strict=True):
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{c}"/>')
        ly = T + 8 + 18 * i
        out.append(
            f'<line x1="{W - R + 12}" x2="{W - R + 30}" y1="{ly}" y2="{ly}" stroke="{c}" '
            'stroke-width="2"/>'
        )
        out.append(f'<text x="{W - R + 34}" y="{ly + 4}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)
