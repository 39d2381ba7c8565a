"""Charts of the review pack, drawn by matplotlib as inline SVG (text kept as text), their
title and legend in the current language."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from scop_ledger.i18n import _

if TYPE_CHECKING:
    from scop_ledger.audit.report import Series


def share_chart(series: Series, as_of: date) -> str:
    """A step line of the employee share against its threshold, breaches shaded red and
    waivers grey; the ``<svg>`` element alone, ready to inline."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"
    plt.rcParams["svg.hashsalt"] = "scop-ledger"  # the same pack twice gives the same file
    fig, ax = plt.subplots(figsize=(9, 3.2))
    try:
        _draw(ax, series, as_of)
        fig.autofmt_xdate()
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    text = out.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)  # RDF boilerplate
    return text[text.index("<svg") :]


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
