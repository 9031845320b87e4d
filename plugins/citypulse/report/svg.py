"""Inline SVG charts (no scripts, no fonts to fetch): the report must open offline."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#c0392b", "#2471a3", "#229954", "#d68910", "#7d3c98", "#138d75", "#5d6d7e", "#a04000")
FONT = "font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei','PingFang SC',sans-serif"


def hbar(items: Sequence[tuple[str, float | None]], maximum: float = 100.0, width: int = 560) -> str:
    """Horizontal bars, one per (label, value); values on a 0..maximum scale."""
    row, label_w, pad = 26, 120, 50
    height = row * len(items) + 10
    bars = []
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        v = 0.0 if value is None else max(0.0, float(value))
        w = (width - label_w - pad) * min(v / maximum, 1.0) if maximum else 0
        shown = "—" if value is None else f"{value:.2f}"
        bars.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" font-size="13">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 16}" font-size="12">{shown}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="{FONT}">{"".join(bars)}</svg>'
    )


def stacked(items: Sequence[tuple[str, Sequence[float]]], legend: Sequence[str], width: int = 660) -> str:
    """One 100% stacked bar per (label, shares); shares sum to 1."""
    row, label_w = 26, 120
    height = row * len(items) + 34
    parts = []
    for i, (label, shares) in enumerate(items):
        y = 5 + i * row
        x = float(label_w)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" font-size="13">{escape(label)}</text>'
        )
        for j, share in enumerate(shares):
            w = (width - label_w - 10) * share
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{PALETTE[j]}"/>'
            )
            x += w
    y = 10 + len(items) * row
    for j, name in enumerate(legend):
        lx = label_w + j * (width - label_w) // max(len(legend), 1)
        parts.append(
            f'<rect x="{lx}" y="{y}" width="12" height="12" fill="{PALETTE[j]}"/>'
            f'<text x="{lx + 16}" y="{y + 11}" font-size="12">{escape(name)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="{FONT}">{"".join(parts)}</svg>'
    )


def nice_maximum(values: Sequence[float]) -> tuple[float, float]:
    """The axis top and tick step for values on a 0..100 scale: a round number just above the
    largest value, so low scores are not squashed against the axis."""
    top = max([0.0, *values])
    for step in (5.0, 10.0, 20.0, 25.0):
        if top <= step * 4:
            return min(100.0, step * (int(top // step) + 1)), step
    return 100.0, 25.0


def lines(
    periods: Sequence[str], series: dict[str, Sequence[float | None]], width: int = 640, height: int = 260
) -> str:
    """One line per series over the periods (0..100 scores, the axis cut above the largest), each
    point marked and the last one labelled; the legend keeps the series' order."""
    left, right, top, bottom = 40, 150, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(periods) - 1, 1)
    maximum, tick_step = nice_maximum([v for values in series.values() for v in values if v is not None])
    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>'
    ]
    tick = 0.0
    while tick <= maximum + 1e-9:
        y = top + plot_h * (1 - tick / maximum)
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick:g}</text>'
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#eee"/>'
        )
        tick += tick_step
    for i, p in enumerate(periods):
        parts.append(
            f'<text x="{left + i * step:.1f}" y="{height - 10}" text-anchor="middle" font-size="11">'
            f"{escape(p)}</text>"
        )
    for k, (name, values) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        points = [
            (left + i * step, top + plot_h * (1 - min(v, maximum) / maximum))
            for i, v in enumerate(values)
            if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>' for x, y in points]
        last = next((v for v in reversed(values) if v is not None), None)
        shown = "" if last is None else f" {last:.1f}"
        ly = top + 14 + k * 16
        parts.append(
            f'<line x1="{left + plot_w + 8}" y1="{ly - 4}" x2="{left + plot_w + 22}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="2"/>'
            f'<text x="{left + plot_w + 26}" y="{ly}" font-size="12" fill="{colour}">{escape(name)}{shown}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="{FONT}">{"".join(parts)}</svg>'
    )
