"""Report commands: the rules over time (compliance, timeline), the annual fact sheet, and the
ledger's upkeep (export, rebuild of the view); each asks the application one question and
renders its answer."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from scop_ledger.app import queries
from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import (
    DATE,
    DATETIME,
    WholeNumber,
    format_option,
    query_options,
)
from scop_ledger.cli.render import (
    dialect_option,
    emit_result,
    file_options,
    headline,
    label,
    moment,
    written,
)
from scop_ledger.i18n import N_, _, day, language, money, number

COMPLIANCE_COLUMNS = [
    N_("rule"),
    N_("status"),
    N_("value"),
    N_("threshold"),
    N_("since"),
    N_("detail"),
]
TIMELINE_COLUMNS = [
    N_("rule"),
    N_("from"),
    N_("to"),
    N_("status"),
    N_("value"),
    N_("threshold"),
    N_("detail"),
]
FACTSHEET_COLUMNS = [N_("person"), N_("name"), N_("category"), N_("shares"), N_("votes")]
# The fact sheet as a file: one row per item of the sheet the treasurer sends.
FACTSHEET_FILE_COLUMNS = [
    N_("item"),
    N_("person"),
    N_("name"),
    N_("shares"),
    N_("votes"),
    N_("value"),
]
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _figure(text: str | None) -> Any:
    """A rule's value or threshold (a text in the answer) as a number where it is one, so that
    a workbook sums it and excel-fr writes its decimal comma; the same text in standard CSV."""
    return Decimal(text) if text is not None and _NUMBER.fullmatch(text) else text


@click.command()
@query_options
@click.option("--check", is_flag=True, help="Exit 1 when any rule is in breach.")
@file_options
@click.pass_context
def compliance(
    ctx: click.Context,
    /,
    as_of: date | None,
    known_at: datetime | None,
    fmt: str,
    check: bool,
    out: Path | None,
) -> None:
    """Every rule of the cooperative's profile as of the date: status, value, threshold, the
    date the current status began, and the legal source.

    \b
    Example:
      scop-ledger compliance --as-of 2024-12-31 --check
    """
    result = queries.compliance(get_app(ctx), as_of, known_at)
    rows = [
        [c.rule, label(c.status), _figure(c.value), _figure(c.threshold), c.since, c.detail]
        for c in result.checks
    ]
    verdict = _("{profile}: compliant") if result.compliant else _("{profile}: NOT compliant")
    breach = check and not result.compliant
    if not (breach and out is not None):  # a command that exits 1 writes no file
        title = f"{headline(result)}\n{verdict.format(profile=result.profile)}"
        emit_result(result, fmt, COMPLIANCE_COLUMNS, rows, title, out)
    if breach:
        breaches = ", ".join(c.rule for c in result.checks if c.status == "breach")
        line = _("breach of {rules} as of {date}").format(rules=breaches, date=day(result.as_of))
        click.echo(_("error: {line}").format(line=line), err=True)
        ctx.exit(1)


@click.command()
@query_options
@click.option(
    "--from",
    "since",
    type=DATE,
    default=None,
    help="First day of the period. Default: the registration.",
)
@click.option("--rule", "rules", multiple=True, help="Only this rule (repeatable).")
@file_options
@click.pass_context
def timeline(
    ctx: click.Context,
    /,
    as_of: date | None,
    known_at: datetime | None,
    fmt: str,
    since: date | None,
    rules: tuple[str, ...],
    out: Path | None,
) -> None:
    """Each rule's status over a period (--from to --as-of): from, to, status, and the value
    on the last day of each period (JSON also gives it when the status began).

    \b
    Example:
      scop-ledger timeline --from 2016-01-01 --as-of 2024-12-31 --rule employee-capital-majority
    """
    result = queries.timeline(get_app(ctx), as_of, known_at, since, rules)
    rows = [
        [
            c["rule"],
            c["from"],
            c["to"],
            label(c["status"]),
            _figure(c["end_value"]),
            _figure(c["end_threshold"]),
            c["end_detail"],
        ]
        for c in result.changes
    ]
    title = _("{coop} from {since} to {as_of}, as known at {known_at}").format(
        coop=result.coop,
        since=day(result.since),
        as_of=day(result.as_of),
        known_at=moment(result.known_at),
    )
    emit_result(result, fmt, TIMELINE_COLUMNS, rows, title, out)


@click.command()
@click.option(
    "--year", type=WholeNumber(1900, 2199), required=True, help="Financial year (1900 to 2199)."
)
@click.option("--known-at", type=DATETIME, default=None, help="As known at this moment (ISO 8601).")
@format_option("table", "json", "csv")
@file_options
@click.pass_context
def factsheet(
    ctx: click.Context, /, year: int, known_at: datetime | None, fmt: str, out: Path | None
) -> None:
    """The annual fact sheet for the Ministry of Labour, as of the financial year's end:
    shares, employee partners, the largest holder, non-employee partners with their votes.

    \b
    Example:
      scop-ledger factsheet --year 2024 --format json
      scop-ledger factsheet --year 2024 --out fiche-2024.xlsx
    """
    result = queries.factsheet(get_app(ctx), year, known_at)
    if out is not None:
        about = {k: getattr(result, k) for k in ("coop", "year", "as_of", "known_at")}
        written(out, FACTSHEET_FILE_COLUMNS, _factsheet_items(result, out), about, fmt)
        return
    rows = [[h.person, h.name, label("external"), h.shares, h.votes] for h in result.externals]
    emit_result(result, fmt, FACTSHEET_COLUMNS, rows, _factsheet_title(result))


def _factsheet_title(result: Any) -> str:
    largest = result.largest_holder
    holder = (
        _("{person} ({shares} shares)").format(person=largest.person, shares=largest.shares)
        if largest
        else _("none")
    )
    first = _("{headline}: fact sheet of {year} (file by {due})").format(
        headline=headline(result), year=result.year, due=day(result.filing_due)
    )
    second = _(
        "{shares} shares of {share_value}, capital {capital}; {employees} employee partners "
        "hold {employee_shares} shares; largest holder: {holder}; {externals} non-employee "
        "partners:"
    ).format(
        shares=number(result.shares),
        share_value=money(result.share_value),
        capital=money(result.capital),
        employees=result.employee_partners.count,
        employee_shares=number(result.employee_partners.shares),
        holder=holder,
        externals=len(result.externals),
    )
    return f"{first}\n{second}"


def _factsheet_items(result: Any, out: Path) -> list[list[Any]]:
    """The fact sheet as rows (item, person, name, shares, votes, value): the figures, the
    largest holder, then each non-employee partner. The items are in the language of the file
    (a workbook, an excel-fr CSV), else the English words."""
    from scop_ledger.cli.sheets import dialect

    word = _ if out.suffix.lower() == ".xlsx" or dialect().french else str
    largest = result.largest_holder
    rows: list[list[Any]] = [
        [word(N_("financial year")), None, None, None, None, result.year],
        [word(N_("filing due")), None, None, None, None, result.filing_due],
        [word(N_("share value")), None, None, None, None, result.share_value],
        [word(N_("shares")), None, None, result.shares, None, None],
        [word(N_("capital")), None, None, None, None, result.capital],
        [word(N_("partners")), None, None, None, None, result.partners],
        [
            word(N_("employee partners")),
            None,
            None,
            result.employee_partners.shares,
            None,
            result.employee_partners.count,
        ],
    ]
    if largest is not None:
        rows.append([word(N_("largest holder")), largest.person, largest.name, largest.shares])
        rows[-1] += [None, None]
    for h in result.externals:
        rows.append([word(N_("non-employee partner")), h.person, h.name, h.shares, h.votes, None])
    return rows


EXPORT_SUFFIXES = (".jsonl", ".csv", ".xlsx")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--known-at", type=DATETIME, default=None, help="As known at this moment (ISO 8601).")
@dialect_option
@click.pass_context
def export(ctx: click.Context, /, file: Path, known_at: datetime | None) -> None:
    """Write the whole history in the import format (JSON Lines): into an empty store, 'init'
    with the same statutes then 'import FILE' reproduces every answer. A FILE ending in .csv
    or .xlsx gets the same rows as a table (with --csv-dialect excel-fr, for French Excel).

    \b
    Example:
      scop-ledger export fabrique.jsonl
      scop-ledger export fabrique.csv --csv-dialect excel-fr
    """
    from scop_ledger.app.exporting import export as write
    from scop_ledger.app.exporting import export_table
    from scop_ledger.cli.render import write_rows
    from scop_ledger.domain.errors import InvalidValue

    suffix = file.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise InvalidValue(
            _("{file}: export writes JSON Lines (.jsonl), CSV (.csv) or a workbook (.xlsx)").format(
                file=file
            )
        )
    if suffix == ".jsonl":
        rows = write(get_app(ctx), file, known_at)
    else:
        if not file.parent.is_dir():
            raise InvalidValue(
                _("{file}: no such folder {folder}").format(file=file, folder=file.parent)
            )
        columns, table = export_table(get_app(ctx), known_at)
        # The import format's column names, whatever the language.
        write_rows(file, columns, table, {"command": "export"}, translate=False)
        rows = len(table)
    click.echo(_("{file}: {rows} rows").format(file=file, rows=rows))


@click.command()
@click.option(
    "--workers",
    type=WholeNumber(1, 1024),
    default=None,
    help="Processes to rebuild with (default: one per core for a ledger of 50,000 events or "
    "more, SQLite or PostgreSQL, else 1; at most 1024).",
)
@click.pass_context
def rebuild(ctx: click.Context, /, workers: int | None) -> None:
    """Rebuild the view tables from the events (a progress bar on a terminal).

    \b
    Example:
      scop-ledger rebuild
      scop-ledger rebuild --workers 1
    """
    from scop_ledger.app.maintenance import rebuild as rebuild_view

    done = rebuild_view(get_app(ctx), workers)
    english = language() == "en"
    click.echo(
        _("rebuilt the view from {events} events in {seconds} s ({rate} events/s)").format(
            events=done.events,
            seconds=f"{done.seconds:.1f}" if english else number(Decimal(f"{done.seconds:.1f}")),
            rate=f"{done.rate:,.0f}" if english else number(round(done.rate)),
        )
    )
    if done.unviewable:
        click.echo(done.unviewable, err=True)


COMMANDS = (compliance, timeline, factsheet, export, rebuild)
