"""Small server-drawn SVG line charts: no script, nothing fetched, and always a table of the same numbers beside."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from html import escape

WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 720, 260, 48, 28, 12, 12
# Presentation attributes as well as classes: the page's CSS overrides them, and documents drawn without the page's
# stylesheet (the PDF) still get thin grey grid lines and unfilled coloured lines.
LABEL = 'fill="#0b0c0c" font-family="Arial, Liberation Sans, sans-serif" font-size="12"'
LINE_STYLES = (
    'fill="none" stroke="#1d70b8" stroke-width="2.5"',
    'fill="none" stroke="#d4351c" stroke-width="2.5" stroke-dasharray="6 4"',
)


def line_chart(
    title: str,
    series: Sequence[tuple[str, Sequence[tuple[date, float | None]]]],
    *,
    y_label: str = "",
    x_label: str = "",
) -> str:
    """An accessible SVG: role="img" with a title; gaps (no data) break the line instead of dropping to zero.
    ``y_label`` and ``x_label`` title the axes (a document printed without the page around it needs them)."""
    values = [v for _name, points in series for _m, v in points if v is not None]
    if not values:
        return ""
    months = [m for m, _v in series[0][1]]
    top = max(values) * 1.1 or 1
    left, bottom = LEFT + (20 if y_label else 0), BOTTOM + (18 if x_label else 0)
    plot_w, plot_h = WIDTH - left - RIGHT, HEIGHT - TOP - bottom
    # Unique per title, so two charts on one page never share an id.
    title_id = "chart-" + hashlib.sha1(title.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]

    def x(i: int) -> float:
        return left + (plot_w * i / max(1, len(months) - 1))

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * v / top

    parts = [
        f'<svg class="app-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{title_id}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{title_id}">{escape(title)}</title>'
    ]
    for fraction in (0, 0.5, 1):
        value = top / 1.1 * fraction
        parts.append(
            f'<line class="app-chart__grid" stroke="#b1b4b6" x1="{left}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}"/><text class="app-chart__label" {LABEL} x="{left - 6}" y="{y(value) + 4:.1f}" '
            f'text-anchor="end">{value:,.0f}</text>'
        )
    for i, month in enumerate(months):
        if month.month == 4:
            parts.append(
                f'<text class="app-chart__label" {LABEL} x="{x(i):.1f}" y="{HEIGHT - bottom + 20}" '
                f'text-anchor="middle">'
                f"Apr {month:%y}</text>"
            )
    for index, (_name, points) in enumerate(series):
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, (_m, v) in enumerate(points):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
            else:
                segment.append(f"{x(i):.1f},{y(v):.1f}")
        if segment:
            segments.append(segment)
        for seg in segments:
            parts.append(
                f'<polyline class="app-chart__line app-chart__line--{index}" {LINE_STYLES[index % len(LINE_STYLES)]} '
                f'points="{" ".join(seg)}"/>'
            )
    if y_label:
        middle = TOP + plot_h / 2
        parts.append(
            f'<text class="app-chart__axis" {LABEL} x="14" y="{middle:.1f}" text-anchor="middle" '
            f'transform="rotate(-90 14 {middle:.1f})">{escape(y_label)}</text>'
        )
    if x_label:
        parts.append(
            f'<text class="app-chart__axis" {LABEL} x="{left + plot_w / 2:.1f}" y="{HEIGHT - 4}" '
            f'text-anchor="middle">{escape(x_label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
