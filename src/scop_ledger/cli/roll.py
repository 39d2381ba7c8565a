"""The general meeting's roll: every partner with their college, their vote weight (the 35%
cap applied) and the law's limits on proxies, ready to print as the attendance sheet (a
``.xlsx`` or ``.csv`` with ``--out``)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from scop_ledger.app import queries
from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import DATE, DATETIME, format_option, out_option
from scop_ledger.cli.render import emit_result, headline
from scop_ledger.i18n import _, ngettext, number


@click.command()
@click.option(
    "--date",
    "on",
    type=DATE,
    default=None,
    help=_("The meeting's date (YYYY-MM-DD). Default: today."),
)
@click.option(
    "--known-at",
    type=DATETIME,
    default=None,
    help=_("The roll as known at this moment (ISO 8601)."),
)
@format_option("table", "json", "csv")
@out_option
@click.pass_context
def roll(
    ctx: click.Context, /, on: date | None, known_at: datetime | None, fmt: str, out: Path | None
) -> None:
    """The general meeting's roll on the date: every partner, their college, their vote (the
    external partners' weighted under the cap) and the limits on proxies.

    \b
    Example:
      scop-ledger roll --date 2025-06-15 --out roll.xlsx
    """
    result = queries.roll(get_app(ctx), on, known_at)
    # Column names and colleges are the answer's field names and values, as in `capital`.
    headers = ["person", "name", "college", "shares", "votes", "signature"]
    rows = [[m.person, m.name, m.college, m.shares, m.votes, ""] for m in result.members]
    limit = ngettext(
        "a partner may hold at most {count} proxy besides their own vote, only from another "
        "partner ({source})",
        "a partner may hold at most {count} proxies besides their own vote, only from another "
        "partner ({source})",
        result.max_proxies,
    ).format(count=result.max_proxies, source=result.proxy_source)
    title = _("{head}: meeting roll of {partners} partners, external weight {weight}").format(
        head=headline(result), partners=result.partners, weight=number(result.external_weight)
    )
    emit_result(result, fmt, headers, rows, f"{title}\n{limit}", out)


COMMANDS = (roll,)
