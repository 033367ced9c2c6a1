"""The scaling curve of ``bench/run.py`` as a plain SVG: p99 latency and requests/s
against the number of posts, one line per endpoint, both axes logarithmic.

Written by hand (a few polylines and labels) so the benchmark needs no plotting library.
SQLite's run, at one size, shows as hollow squares beside PostgreSQL's lines.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#000000"]
PANEL_WIDTH, PANEL_HEIGHT, MARGIN = 420, 300, 60
LEGEND_WIDTH = 190


class LogAxis:
    """Maps values to pixels on a logarithmic scale spanning whole decades."""

    def __init__(self, values: list[float], start: float, length: float, flip: bool) -> None:
        positive = [value for value in values if value and value > 0] or [1.0]
        self.low = math.floor(math.log10(min(positive)))
        self.high = max(math.ceil(math.log10(max(positive))), self.low + 1)
        self.start, self.length, self.flip = start, length, flip

    def __call__(self, value: float) -> float:
        share = (math.log10(max(value, 10.0 ** self.low)) - self.low) / (self.high - self.low)
        return self.start + (1 - share if self.flip else share) * self.length

    def ticks(self) -> list[float]:
        return [10.0 ** power for power in range(self.low, self.high + 1)]


def _label(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _panel(report: dict, metric: str, title: str, left: float) -> list[str]:
    runs = report["sizes"]
    sqlite = report.get("sqlite")
    names = ["ceiling", *runs[-1]["endpoints"]]

    def value(run: dict, name: str) -> float | None:
        entry = run["ceiling"] if name == "ceiling" else run["endpoints"].get(name)
        return entry.get(metric) if entry else None

    everything = [value(run, name) for run in [*runs, *([sqlite] if sqlite else [])]
                  for name in names]
    sizes = [run["posts"] for run in runs] + ([sqlite["posts"]] if sqlite else [])
    x = LogAxis(sizes, left, PANEL_WIDTH, flip=False)
    y = LogAxis([v for v in everything if v], MARGIN, PANEL_HEIGHT, flip=True)
    bottom = MARGIN + PANEL_HEIGHT
    parts = [f'<text x="{left + PANEL_WIDTH / 2}" y="{MARGIN - 20}" text-anchor="middle" '
             f'font-weight="bold">{escape(title)}</text>',
             f'<rect x="{left}" y="{MARGIN}" width="{PANEL_WIDTH}" height="{PANEL_HEIGHT}" '
             'fill="none" stroke="#999"/>']
    for tick in x.ticks():
        parts.append(f'<line x1="{x(tick):.1f}" y1="{MARGIN}" x2="{x(tick):.1f}" y2="{bottom}" '
                     'stroke="#eee"/>')
        parts.append(f'<text x="{x(tick):.1f}" y="{bottom + 16}" text-anchor="middle">'
                     f'{_label(tick)}</text>')
    for tick in y.ticks():
        parts.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + PANEL_WIDTH}" '
                     f'y2="{y(tick):.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
                     f'{_label(tick)}</text>')
    parts.append(f'<text x="{left + PANEL_WIDTH / 2}" y="{bottom + 36}" text-anchor="middle">'
                 'posts in the database</text>')
    for colour, name in zip(COLOURS, names, strict=False):
        points = [(x(run["posts"]), y(v)) for run in runs if (v := value(run, name))]
        dash = ' stroke-dasharray="6 4"' if name == "ceiling" else ""
        if len(points) > 1:
            line = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"{dash}/>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>'
                  for px, py in points]
        if sqlite and (v := value(sqlite, name)):
            parts.append(f'<rect x="{x(sqlite["posts"]) - 4:.1f}" y="{y(v) - 4:.1f}" width="8" '
                         f'height="8" fill="white" stroke="{colour}" stroke-width="1.5"/>')
    return parts


def write_chart(report: dict, path: Path) -> None:
    names = ["ceiling (/health)", *report["sizes"][-1]["endpoints"]]
    width = 2 * PANEL_WIDTH + 3 * MARGIN + LEGEND_WIDTH
    height = PANEL_HEIGHT + 2 * MARGIN + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>']
    parts += _panel(report, "p99_ms", "p99 latency (ms), lower is better", MARGIN)
    parts += _panel(report, "rps", "requests/s, higher is better", 2 * MARGIN + PANEL_WIDTH)
    legend = 3 * MARGIN + 2 * PANEL_WIDTH - 20
    for row, (colour, name) in enumerate(zip(COLOURS, names, strict=False)):
        top = MARGIN + row * 20
        parts.append(f'<line x1="{legend}" y1="{top}" x2="{legend + 24}" y2="{top}" '
                     f'stroke="{colour}" stroke-width="2"/>')
        parts.append(f'<text x="{legend + 30}" y="{top + 4}">{escape(name)}</text>')
    if report.get("sqlite"):
        top = MARGIN + len(names) * 20 + 10
        parts.append(f'<rect x="{legend + 8}" y="{top - 4}" width="8" height="8" fill="white" '
                     'stroke="#333"/>')
        parts.append(f'<text x="{legend + 30}" y="{top + 4}">SQLite</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")
