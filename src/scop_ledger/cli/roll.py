"""The general meeting's roll: every partner with their college, their vote weight (the 35%
cap applied) and the law's limits on proxies, ready to print as the attendance sheet (a
``.xlsx`` or ``.csv`` with ``--out``)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from scop_ledger.app import queries
from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import DATE, DATETIME, OutFile, format_option
from scop_ledger.cli.render import emit_json, emit_result, headline
from scop_ledger.i18n import _, day, ngettext, number


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
@click.option(
    "--out",
    type=OutFile(".csv", ".xlsx", ".html", ".pdf"),
    default=None,
    help=_(
        "Write the rows to this .csv or .xlsx file, or the attendance sheet to sign to this "
        ".html or .pdf file (the screen gets one line)."
    ),
)
@click.pass_context
def roll(
    ctx: click.Context, /, on: date | None, known_at: datetime | None, fmt: str, out: Path | None
) -> None:
    """The general meeting's roll on the date: every partner, their college, their vote (the
    external partners' weighted under the cap) and the limits on proxies.

    \b
    Example:
      scop-ledger roll --date 2025-06-15 --out roll.xlsx
      scop-ledger roll --date 2025-06-15 --out attendance.pdf
    """
    if out is not None and out.suffix.lower() in (".html", ".pdf"):
        _sheet(ctx, on, known_at, fmt, out)
        return
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


def _sheet(
    ctx: click.Context, on: date | None, known_at: datetime | None, fmt: str, out: Path
) -> None:
    """The attendance sheet written to ``out`` (``.html`` or ``.pdf``), one line said."""
    from scop_ledger.app import attendance
    from scop_ledger.cli.render import write_bytes

    sheet = attendance.attendance_sheet(get_app(ctx), on, known_at)
    write_bytes(out, attendance.rendered(sheet, out.suffix.lower().lstrip(".")))
    if fmt == "json":
        emit_json({"file": str(out), "rows": len(sheet.attendees)})
    else:
        click.echo(
            _("attendance sheet of the meeting of {date} written to {file}").format(
                date=day(sheet.as_of), file=out
            )
        )


COMMANDS = (roll,)
