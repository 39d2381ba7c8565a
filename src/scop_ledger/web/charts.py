"""Charts as inline SVG (no script, nothing fetched): a split bar, each rule's status over time
as a band, breaches shaded, the employees' share over time against its threshold, and a
holding over time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from scop_ledger.i18n import _

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


def steps(points: list[tuple[date, int]], until: date, width: int = 760, height: int = 130) -> str:
    """A holding over time: the shares held after each movement (``points``, in order), as
    at the end of its day, a step from there to the next change (the last to ``until``); none
    before the first movement."""
    days: dict[date, int] = {}
    for day, shares in points:  # the holding at the end of each day
        days[day] = shares
    points = []
    for day, shares in days.items():
        if not points or shares != points[-1][1]:
            points.append((day, shares))
    if not points:
        return ""
    since = points[0][0]
    span = max((max(until, since) - since).days, 1)
    top = max(max(shares for _day, shares in points), 1)
    left, floor = 56, height - 20

    def x(day: date) -> float:
        return left + (min(max(day, since), until) - since).days / span * (width - left - 6)

    def y(shares: int) -> float:
        return floor - shares / top * (floor - 8)

    line = [f"M{x(since):.1f},{y(0):.1f}"]
    marks = []
    for day, shares in points:
        line.append(f"H{x(day):.1f}V{y(shares):.1f}")
        marks.append(
            f'<circle cx="{x(day):.1f}" cy="{y(shares):.1f}" r="3" fill="#2e6f9e">'
            f"<title>{day.isoformat()}: {shares}</title></circle>"
        )
    line.append(f"H{x(until):.1f}")
    axis = (
        f'<line x1="{left}" y1="{floor}" x2="{width - 6}" y2="{floor}" stroke="#999"/>'
        f'<text x="{left - 4}" y="{y(top) + 4:.1f}" font-size="11" text-anchor="end">{top}</text>'
        f'<text x="{left - 4}" y="{floor + 4}" font-size="11" text-anchor="end">0</text>'
        f'<text x="{left}" y="{height - 2}" font-size="11">{since.isoformat()}</text>'
        f'<text x="{width - 6}" y="{height - 2}" font-size="11" text-anchor="end">'
        f"{until.isoformat()}</text>"
    )
    return (
        f'<svg class="chart holdings" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{axis}'
        f'<path d="{"".join(line)}" fill="none" stroke="#2e6f9e" stroke-width="2"/>'
        + "".join(marks)
        + "</svg>"
    )


def share(series: Any, until: date, width: int = 760, height: int = 170) -> str:
    """The employees' share (``series``: dates, values from 0 to 1, threshold, breaches: the
    spans in breach) over time as a step line from 0% to 100%, the threshold dashed, the spans
    in breach shaded red."""
    if not series.dates:
        return ""
    since: date = series.dates[0]
    span = max((max(until, since) - since).days, 1)
    left, floor, top = 44, height - 36, 8

    def x(day: date) -> float:
        return left + (min(max(day, since), until) - since).days / span * (width - left - 6)

    def y(value: float) -> float:
        return floor - min(max(value, 0.0), 1.0) * (floor - top)

    shaded = [
        f'<rect class="breach" x="{x(a):.1f}" y="{top}" width="{max(x(b) - x(a), 1):.1f}" '
        f'height="{floor - top}" fill="#c0392b" fill-opacity="0.2"><title>{a.isoformat()} – '
        f"{b.isoformat()}</title></rect>"
        for a, b in series.breaches
    ]
    line = [f"M{x(since):.1f},{y(series.values[0]):.1f}"]
    for day, value in zip(series.dates[1:], series.values[1:], strict=True):
        line.append(f"H{x(day):.1f}V{y(value):.1f}")
    line.append(f"H{x(until):.1f}")
    limit = y(series.threshold)
    minimum = _("{percent}% minimum").format(percent=f"{series.threshold * 100:.0f}")
    axis = (
        f'<line x1="{left}" y1="{floor}" x2="{width - 6}" y2="{floor}" stroke="#999"/>'
        f'<line x1="{left}" y1="{limit:.1f}" x2="{width - 6}" y2="{limit:.1f}" stroke="#555" '
        f'stroke-dasharray="5,3"/>'
        f'<text x="{width - 8}" y="{limit - 4:.1f}" font-size="11" text-anchor="end">'
        f"{escape(minimum)}</text>"
        f'<text x="{left - 4}" y="{top + 8}" font-size="11" text-anchor="end">100%</text>'
        f'<text x="{left - 4}" y="{floor + 4}" font-size="11" text-anchor="end">0%</text>'
        f'<text x="{left}" y="{floor + 16}" font-size="11">{since.isoformat()}</text>'
        f'<text x="{width - 6}" y="{floor + 16}" font-size="11" text-anchor="end">'
        f"{until.isoformat()}</text>"
        f'<text x="{left}" y="{height - 2}" font-size="12" font-weight="bold">'
        f"{escape(_(series.title))}</text>"
    )
    return (
        f'<svg class="chart share" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(shaded)}{axis}'
        f'<path d="{"".join(line)}" fill="none" stroke="#2e6f9e" stroke-width="2"/></svg>'
    )
