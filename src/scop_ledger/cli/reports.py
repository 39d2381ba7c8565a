"""Report commands: the rules over time (compliance, timeline), the annual fact sheet, and the
ledger's upkeep (export, rebuild of the view); each asks the application one question and
renders its answer."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

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
from scop_ledger.cli.render import emit_result, headline


@click.command()
@query_options
@click.option("--check", is_flag=True, help="Exit 1 when any rule is in breach.")
@click.pass_context
def compliance(
    ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str, check: bool
) -> None:
    """Every rule of the cooperative's profile as of the date: status, value, threshold, the
    date the current status began, and the legal source.

    \b
    Example:
      scop-ledger compliance --as-of 2024-12-31 --check
    """
    result = queries.compliance(get_app(ctx), as_of, known_at)
    headers = ["rule", "status", "value", "threshold", "since", "detail"]
    rows = [[c.rule, c.status, c.value, c.threshold, c.since, c.detail] for c in result.checks]
    verdict = "compliant" if result.compliant else "NOT compliant"
    emit_result(result, fmt, headers, rows, f"{headline(result)}\n{result.profile}: {verdict}")
    if check and not result.compliant:
        breaches = ", ".join(c.rule for c in result.checks if c.status == "breach")
        click.echo(f"error: breach of {breaches} as of {result.as_of}", err=True)
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
@click.pass_context
def timeline(
    ctx: click.Context,
    /,
    as_of: date | None,
    known_at: datetime | None,
    fmt: str,
    since: date | None,
    rules: tuple[str, ...],
) -> None:
    """Each rule's status over a period (--from to --as-of): from, to, status, and the value
    on the last day of each period (JSON also gives it when the status began).

    \b
    Example:
      scop-ledger timeline --from 2016-01-01 --as-of 2024-12-31 --rule employee-capital-majority
    """
    result = queries.timeline(get_app(ctx), as_of, known_at, since, rules)
    headers = ["rule", "from", "to", "status", "value", "threshold", "detail"]
    ends = {"value": "end_value", "threshold": "end_threshold", "detail": "end_detail"}
    rows = [[c[ends.get(h, h)] for h in headers] for c in result.changes]
    title = (
        f"{result.coop} from {result.since} to {result.as_of}, "
        f"as known at {result.known_at:%Y-%m-%d %H:%M:%S%z}"
    )
    emit_result(result, fmt, headers, rows, title)


@click.command()
@click.option(
    "--year", type=WholeNumber(1900, 2199), required=True, help="Financial year (1900 to 2199)."
)
@click.option("--known-at", type=DATETIME, default=None, help="As known at this moment (ISO 8601).")
@format_option("table", "json", "csv")
@click.pass_context
def factsheet(ctx: click.Context, /, year: int, known_at: datetime | None, fmt: str) -> None:
    """The annual fact sheet for the Ministry of Labour, as of the financial year's end:
    shares, employee partners, the largest holder, non-employee partners with their votes.

    \b
    Example:
      scop-ledger factsheet --year 2024 --format json
    """
    result = queries.factsheet(get_app(ctx), year, known_at)
    headers = ["person", "name", "category", "shares", "votes"]
    rows = [[h.person, h.name, "external", h.shares, h.votes] for h in result.externals]
    largest = result.largest_holder
    title = (
        f"{headline(result)}: fact sheet of {result.year} (file by {result.filing_due})\n"
        f"{result.shares} shares of {result.share_value}, capital {result.capital}; "
        f"{result.employee_partners.count} employee partners hold "
        f"{result.employee_partners.shares} shares; largest holder: "
        + (f"{largest.person} ({largest.shares} shares)" if largest else "none")
        + f"; {len(result.externals)} non-employee partners:"
    )
    emit_result(result, fmt, headers, rows, title)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--known-at", type=DATETIME, default=None, help="As known at this moment (ISO 8601).")
@click.pass_context
def export(ctx: click.Context, /, file: Path, known_at: datetime | None) -> None:
    """Write the whole history in the import format (JSON Lines): into an empty store, 'init'
    with the same statutes then 'import FILE' reproduces every answer.

    \b
    Example:
      scop-ledger export fabrique.jsonl
    """
    from scop_ledger.app.exporting import export as write

    rows = write(get_app(ctx), file, known_at)
    click.echo(f"{file}: {rows} rows")


@click.command()
@click.option(
    "--workers",
    type=WholeNumber(1, 1024),
    default=None,
    help="Processes to rebuild with (default: one per core for a SQLite ledger of 50,000 "
    "events or more, else 1; PostgreSQL: always 1; at most 1024).",
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
    click.echo(
        f"rebuilt the view from {done.events} events in {done.seconds:.1f} s "
        f"({done.rate:,.0f} events/s)"
    )
    if done.unviewable:
        click.echo(done.unviewable, err=True)


COMMANDS = (compliance, timeline, factsheet, export, rebuild)
