"""Charts as self-contained inline SVG text: no scripts, fonts or external references.

The memo must open offline and print well, so charts are drawn here as plain SVG paths with the
system font stack and ``currentColor``-free explicit colours. Each function returns one ``<svg>``
element as a string; callers embed it in HTML or base64-encode it for Markdown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

WIDTH = 720
HEIGHT = 300
_PAD = (70, 20, 24, 42)  # left, right, top, bottom
FONT = "system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
UNOPT = "#b0413e"
OPT = "#2f6690"
GREY = "#666666"


def short_money(x: float) -> str:
    """Axis-label money: ``$1.2M``, ``$350k``, ``$900``."""
    a = abs(x)
    sign = "-" if x < 0 else ""
    if a >= 1e9:
        return f"{sign}${a / 1e9:.1f}B"
    if a >= 1e6:
        return f"{sign}${a / 1e6:.1f}M"
    if a >= 1e3:
        return f"{sign}${a / 1e3:.0f}k"
    return f"{sign}${a:.0f}"


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering ``[lo, hi]`` (steps of 1, 2 or 5 times a power of ten)."""
    if not math.isfinite(lo) or not math.isfinite(hi) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


@dataclass(frozen=True)
class _Axes:
    x0: float
    x1: float
    y0: float
    y1: float

    def x(self, v: float) -> float:
        left, right = _PAD[0], WIDTH - _PAD[1]
        span = self.x1 - self.x0 or 1.0
        return left + (v - self.x0) / span * (right - left)

    def y(self, v: float) -> float:
        top, bottom = _PAD[2], HEIGHT - _PAD[3]
        span = self.y1 - self.y0 or 1.0
        return bottom - (v - self.y0) / span * (bottom - top)

    def line(self, xs: Sequence[float], ys: Sequence[float]) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{self.x(a):.1f},{self.y(b):.1f}"
            for i, (a, b) in enumerate(zip(xs, ys, strict=True))
        )

    def band(self, xs: Sequence[float], lo: Sequence[float], hi: Sequence[float]) -> str:
        up = self.line(xs, hi)
        down = " ".join(
            f"L{self.x(a):.1f},{self.y(b):.1f}"
            for a, b in zip(reversed(list(xs)), reversed(list(lo)), strict=True)
        )
        return f"{up} {down} Z"


def _open(title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" font-family="{escape(FONT)}" font-size="11">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]


def _y_grid(ax: _Axes, out: list[str]) -> None:
    for t in nice_ticks(ax.y0, ax.y1):
        y = ax.y(t)
        out.append(
            f'<line x1="{_PAD[0]}" x2="{WIDTH - _PAD[1]}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#e3e3e3"/>'
        )
        out.append(
            f'<text x="{_PAD[0] - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{GREY}">'
            f"{escape(short_money(t))}</text>"
        )


def _x_labels(ax: _Axes, ticks: Sequence[tuple[float, str]], out: list[str]) -> None:
    y = HEIGHT - _PAD[3] + 16
    for v, label in ticks:
        out.append(
            f'<text x="{ax.x(v):.1f}" y="{y}" text-anchor="middle" fill="{GREY}">'
            f"{escape(label)}</text>"
        )


def _legend(items: Sequence[tuple[str, str]], out: list[str]) -> None:
    x = float(_PAD[0] + 8)
    for colour, label in items:
        out.append(f'<rect x="{x}" y="{_PAD[2]}" width="12" height="8" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="{_PAD[2] + 8}" fill="#222">{escape(label)}</text>')
        x += 22 + 6.5 * len(label)


def fan_chart(unoptimised: pd.DataFrame, optimised: pd.DataFrame, title: str) -> str:
    """Monthly spend fans: P5-P95 and P10-P90 bands and the median, without and with the plan.

    Parameters
    ----------
    unoptimised, optimised : DataFrame
        :meth:`~simulator.forecast.montecarlo.Forecast.monthly_frame` output (``month``,
        ``label``, ``p5``, ``p10``, ``p50``, ``p90``, ``p95``).
    title : str
        Accessible title.

    Returns
    -------
    str
        One ``<svg>`` element.
    """
    xs = [float(m) for m in optimised["month"]]
    top = float(max(unoptimised["p95"].max(), optimised["p95"].max()))
    ax = _Axes(xs[0], xs[-1] if len(xs) > 1 else xs[0] + 1, 0.0, top * 1.05 or 1.0)
    out = _open(title, "Monthly list spend, median with P10-P90 and P5-P95 bands")
    _y_grid(ax, out)
    for frame, colour in ((unoptimised, UNOPT), (optimised, OPT)):
        out.append(
            f'<path d="{ax.band(xs, list(frame["p5"]), list(frame["p95"]))}" fill="{colour}" '
            'fill-opacity="0.12" stroke="none"/>'
        )
        out.append(
            f'<path d="{ax.band(xs, list(frame["p10"]), list(frame["p90"]))}" fill="{colour}" '
            'fill-opacity="0.22" stroke="none"/>'
        )
        out.append(
            f'<path d="{ax.line(xs, list(frame["p50"]))}" fill="none" stroke="{colour}" '
            'stroke-width="2"/>'
        )
    step = max(1, len(xs) // 8)
    labels = list(optimised["label"])
    _x_labels(ax, [(xs[i], str(labels[i])) for i in range(0, len(xs), step)], out)
    _legend([(UNOPT, "unoptimised"), (OPT, "with the plan")], out)
    out.append("</svg>")
    return "\n".join(out)


def commitment_chart(
    curve: pd.DataFrame,
    recommended: float,
    shortfall_probability: float,
    expected_unused: float,
    payg_cost: float,
    title: str,
) -> str:
    """Expected cost against commitment, with the recommendation, its shortfall risk and unused.

    Parameters
    ----------
    curve : DataFrame
        :attr:`CommitRecommendation.curve` (``commit``, ``expected_cost``, ``feasible``).
    recommended, shortfall_probability, expected_unused, payg_cost : float
        The recommendation's numbers; ``payg_cost`` draws the pay-as-you-go reference line.
    title : str
        Accessible title.

    Returns
    -------
    str
        One ``<svg>`` element.
    """
    c = curve.sort_values("commit") if not curve.empty else curve
    xs = [float(v) for v in c["commit"]] if not c.empty else [0.0, max(recommended, 1.0)]
    ys = [float(v) for v in c["expected_cost"]] if not c.empty else [payg_cost, payg_cost]
    lo, hi = min(min(ys), payg_cost), max(max(ys), payg_cost)
    ax = _Axes(xs[0], xs[-1] if xs[-1] > xs[0] else xs[0] + 1, lo - 0.05 * (hi - lo), hi * 1.02)
    out = _open(title, "Expected contract cost as a function of the commitment")
    _y_grid(ax, out)
    y = ax.y(payg_cost)
    out.append(
        f'<line x1="{_PAD[0]}" x2="{WIDTH - _PAD[1]}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GREY}" '
        'stroke-dasharray="4 3"/>'
    )
    out.append(
        f'<text x="{WIDTH - _PAD[1] - 4}" y="{y - 4:.1f}" text-anchor="end" fill="{GREY}">'
        "pay-as-you-go</text>"
    )
    if not c.empty and "feasible" in c:
        bad = np.asarray(~c["feasible"].astype(bool))
        for i in np.flatnonzero(bad[:-1] & bad[1:]):
            out.append(
                f'<line x1="{ax.x(xs[i]):.1f}" x2="{ax.x(xs[i + 1]):.1f}" y1="{HEIGHT - _PAD[3]}"'
                f' y2="{HEIGHT - _PAD[3]}" stroke="{UNOPT}" stroke-width="4" opacity="0.5"/>'
            )
    out.append(f'<path d="{ax.line(xs, ys)}" fill="none" stroke="{OPT}" stroke-width="2"/>')
    rx = ax.x(recommended)
    ry = ax.y(float(np.interp(recommended, xs, ys)))
    out.append(
        f'<line x1="{rx:.1f}" x2="{rx:.1f}" y1="{_PAD[2]}" y2="{HEIGHT - _PAD[3]}" stroke="#222"'
        ' stroke-dasharray="2 2"/>'
    )
    out.append(f'<circle cx="{rx:.1f}" cy="{ry:.1f}" r="4" fill="#222"/>')
    note = (
        f"commit {short_money(recommended)}: shortfall {100 * shortfall_probability:.1f}%, "
        f"expected unused {short_money(expected_unused)}"
    )
    anchor = "end" if rx > WIDTH / 2 else "start"
    dx = -6 if anchor == "end" else 6
    out.append(
        f'<text x="{rx + dx:.1f}" y="{_PAD[2] + 24}" text-anchor="{anchor}" fill="#222">'
        f"{escape(note)}</text>"
    )
    ticks = nice_ticks(xs[0], xs[-1])
    _x_labels(ax, [(t, short_money(t)) for t in ticks], out)
    out.append(
        f'<text x="{WIDTH - _PAD[1]}" y="{HEIGHT - 4}" text-anchor="end" fill="{GREY}">'
        "commitment (red: outside the risk limits)</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def savings_ramp_chart(
    monthly_savings: Sequence[float],
    labels: Sequence[str],
    waves: Sequence[tuple[str, int]],
    title: str,
) -> str:
    """Expected monthly savings of the plan as an area, with a marker where each wave ships.

    Parameters
    ----------
    monthly_savings : sequence of float
        Mean monthly list spend avoided (unoptimised minus optimised) per month.
    labels : sequence of str
        ``YYYY-MM`` per month.
    waves : sequence of (name, ship_month)
        Wave markers.
    title : str
        Accessible title.

    Returns
    -------
    str
        One ``<svg>`` element.
    """
    n = len(monthly_savings)
    xs = [float(i) for i in range(n)]
    ys = [max(0.0, float(v)) for v in monthly_savings]
    ax = _Axes(0.0, max(n - 1, 1), 0.0, (max(ys) if ys else 0.0) * 1.1 or 1.0)
    out = _open(title, "Expected monthly savings of the plan, by wave ship month")
    _y_grid(ax, out)
    if n:
        area = ax.band(xs, [0.0] * n, ys)
        out.append(f'<path d="{area}" fill="{OPT}" fill-opacity="0.3" stroke="none"/>')
        out.append(f'<path d="{ax.line(xs, ys)}" fill="none" stroke="{OPT}" stroke-width="2"/>')
    for k, (name, ship) in enumerate(waves):
        if ship >= n:
            continue
        x = ax.x(float(ship))
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_PAD[2]}" y2="{HEIGHT - _PAD[3]}" '
            f'stroke="{GREY}" stroke-dasharray="3 3"/>'
        )
        out.append(
            f'<text x="{x + 4:.1f}" y="{_PAD[2] + 12 + 12 * (k % 3)}" fill="#222">'
            f"{escape(name)} ships</text>"
        )
    step = max(1, n // 8)
    _x_labels(ax, [(xs[i], str(labels[i])) for i in range(0, n, step)], out)
    out.append("</svg>")
    return "\n".join(out)
