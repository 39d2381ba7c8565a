"""Charts of the review pack, drawn by matplotlib as inline SVG (text kept as text), their
title and legend in the current language."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from scop_ledger.i18n import _

# pyplot keeps global state: one figure drawn at a time (the web server answers in threads).
_DRAWING = threading.Lock()

if TYPE_CHECKING:
    from scop_ledger.audit.report import Series
    from scop_ledger.audit.report.governance import Gap, Representative


def share_chart(series: Series, as_of: date) -> str:
    """A step line of the employee share against its threshold, breaches shaded red and
    waivers grey; the ``<svg>`` element alone, ready to inline."""

    def draw(ax: Any) -> None:
        _draw(ax, series, as_of)
        ax.figure.autofmt_xdate()

    return _svg(draw, 3.2)


def _draw(ax: Any, series: Series, as_of: date) -> None:
    """The share's steps, its threshold, the shaded spans and the legend, on ``ax``."""
    from matplotlib import dates as mdates

    num: Callable[[date], float] = mdates.date2num  # untyped in matplotlib

    if series.dates:
        xs = [*series.dates, as_of]
        ys = [*series.values, series.values[-1]]
        ax.step(
            [num(x) for x in xs],
            [y * 100 for y in ys],
            where="post",
            color="#1f5fa8",
            linewidth=1.6,
            label=_("employee share"),
        )
    ax.axhline(
        series.threshold * 100,
        color="#333333",
        linestyle="--",
        linewidth=1,
        label=_("{percent}% minimum").format(percent=f"{series.threshold * 100:.0f}"),
    )
    for spans, color, alpha, label in (
        (series.breaches, "#d62728", 0.22, _("breach")),
        (series.waived, "#999999", 0.25, _("waived")),
    ):
        for start, end in spans:
            ax.axvspan(
                num(start),
                num(end + timedelta(days=1)),
                color=color,
                alpha=alpha,
                linewidth=0,
                label=label,
            )
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.set_title(_(series.title), fontsize=11)  # a rule's title, marked where it is defined
    ax.grid(axis="y", alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), loc="lower left", fontsize=8, frameon=False)
    ax.xaxis_date()


def _svg(draw: Callable[[Any], None], height: float) -> str:
    """The figure ``draw`` fills, as an ``<svg>`` element alone (text kept as text, the same
    bytes for the same figure)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    with _DRAWING:
        plt.rcParams["svg.fonttype"] = "none"
        plt.rcParams["svg.hashsalt"] = "scop-ledger"
        fig, ax = plt.subplots(figsize=(9, height))
        try:
            draw(ax)
            fig.tight_layout()
            out = io.StringIO()
            fig.savefig(out, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", out.getvalue(), flags=re.S)
    return text[text.index("<svg") :]


def representatives_chart(
    mandates: list[Representative], gaps: list[Gap], since: date, as_of: date
) -> str:
    """One band per officer: their mandates of a representing office (blue), the periods with
    nobody in office shaded red; the ``<svg>`` element alone."""
    from matplotlib import dates as mdates

    num: Callable[[date], float] = mdates.date2num
    persons = sorted({m.person for m in mandates})
    end = as_of + timedelta(days=1)

    def draw(ax: Any) -> None:
        for row, person in enumerate(persons):
            spans = [
                (num(m.start), num(min(m.end, end)) - num(m.start))
                for m in mandates
                if m.person == person and m.start < end
            ]
            ax.broken_barh(
                spans,
                (row - 0.35, 0.7),
                facecolor="#1f5fa8",
                edgecolor="white",
                linewidth=1,
                label=_("in office"),
            )
        for gap in gaps:
            ax.axvspan(
                num(gap.start),
                num(gap.end + timedelta(days=1)),
                color="#d62728",
                alpha=0.25,
                linewidth=0,
                label=_("nobody in office"),
            )
        ax.set_yticks(range(len(persons)), persons)
        ax.set_ylim(-0.7, max(len(persons), 1) - 0.3)
        ax.set_xlim(num(since), num(end))
        ax.set_title(_("Legal representatives in office"), fontsize=11)
        ax.grid(axis="x", alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))
        ax.legend(
            unique.values(),
            unique.keys(),
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
            fontsize=8,
            frameon=False,
        )
        ax.xaxis_date()
        ax.figure.autofmt_xdate()

    return _svg(draw, 1.2 + 0.35 * max(len(persons), 1))
