"""Charts as inline SVG (no script, nothing fetched): a split bar, and each rule's status
over time as a band, breaches shaded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

COLOURS = {"ok": "#3a7d44", "breach": "#c0392b", "waived": "#b7950b", "not-applicable": "#aaa"}


def split_bar(parts: list[tuple[str, Decimal]], width: int = 400) -> str:
    """One bar split into ``parts`` (label, ratio from 0 to 1), labelled below."""
    x = 0.0
    shapes, labels = [], []
    palette = ["#2e6f9e", "#d9a441", "#888"]
    for i, (label, ratio) in enumerate(parts):
        w = float(ratio) * width
        colour = palette[i % len(palette)]
        shapes.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="18" fill="{colour}">'
            f"<title>{escape(label)}</title></rect>"
        )
        labels.append(
            f'<text x="{x + 2:.1f}" y="32" font-size="11" fill="{colour}">{escape(label)}</text>'
        )
        x += w
    half = width / 2
    marker = f'<line x1="{half}" y1="-2" x2="{half}" y2="20" stroke="#000" stroke-dasharray="2"/>'
    return (
        f'<svg class="chart" role="img" width="{width}" height="36" viewBox="0 -2 {width} 38">'
        + "".join(shapes)
        + marker
        + "".join(labels)
        + "</svg>"
    )


def bands(changes: list[dict[str, Any]], since: date, until: date, width: int = 760) -> str:
    """Each rule a row; each run of one status a segment from its start to its end (or
    ``until``), coloured by status: breaches red."""
    rules = list(dict.fromkeys(c["rule"] for c in changes))
    span = max((until - since).days, 1)
    left, row = 210, 22

    def at(day: date) -> float:
        return left + (min(max(day, since), until) - since).days / span * (width - left)

    shapes = []
    for i, rule in enumerate(rules):
        y = i * row
        shapes.append(f'<text x="0" y="{y + 14}" font-size="11">{escape(rule)}</text>')
        for c in (c for c in changes if c["rule"] == rule):
            x0, x1 = at(c["from"]), at(c["to"] or until)
            colour = COLOURS.get(c["status"], "#555")
            tip = f"{c['status']}: {c['from']} – {c['to'] or until}"
            shapes.append(
                f'<rect class="{escape(c["status"])}" x="{x0:.1f}" y="{y + 3}" '
                f'width="{max(x1 - x0, 1):.1f}" height="{row - 6}" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
    height = max(len(rules), 1) * row + 16
    axis = (
        f'<text x="{left}" y="{height - 2}" font-size="11">{since.isoformat()}</text>'
        f'<text x="{width}" y="{height - 2}" font-size="11" text-anchor="end">'
        f"{until.isoformat()}</text>"
    )
    return (
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">' + "".join(shapes) + axis + "</svg>"
    )
