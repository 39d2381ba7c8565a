"""The cooperative's acts: its legal form, its share value, mandates, reviews and the allocation
of a surplus (each records one entry, see write.record)."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from scop_ledger.cli.options import choice, write_options
from scop_ledger.cli.write import record
from scop_ledger.domain.values import MAX_TERM_YEARS, LegalForm, Office
from scop_ledger.i18n import _


@click.command(
    "change-form",
    help=_(
        "The cooperative changed its legal form.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  scop-ledger change-form --legal-form sas --date 2022-07-01 --ref "EGM minutes '
        '2022-06-30"'
    ),
)
@click.option("--legal-form", type=choice(LegalForm), required=True)
@write_options
@click.pass_context
def change_form(
    ctx: click.Context,
    /,
    legal_form: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(ctx, "change-form", fmt, on, legal_form=legal_form, ref=ref, note=note)


@click.command(
    "change-share-value",
    help=_(
        "The share's nominal value changed: every holding is regrouped or split into shares "
        "of the new value, keeping its amount; refused when a holding would leave a remainder "
        "or the value does not change.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  scop-ledger change-share-value --share-value 50 --date 2024-07-01 --ref "EGM '
        'minutes 2024-06-28"'
    ),
)
@click.option(
    "--share-value",
    required=True,
    help=_("The new nominal value of one share in euros (more than 0, at most 1,000,000)."),
)
@write_options
@click.pass_context
def change_share_value(
    ctx: click.Context,
    /,
    share_value: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(ctx, "change-share-value", fmt, on, share_value=share_value, ref=ref, note=note)


@click.command(
    help=_(
        "A management mandate starts.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  scop-ledger appoint alice --office manager --term-years 4 --date 2020-01-01"
    ),
)
@click.argument("person")
@click.option("--office", type=choice(Office), required=True)
@click.option(
    "--term-years",
    required=True,
    help=_("Length of the mandate in years (1 to {maximum}).").format(maximum=MAX_TERM_YEARS),
)
@write_options
@click.pass_context
def appoint(
    ctx: click.Context,
    /,
    person: str,
    office: str,
    term_years: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(
        ctx,
        "appoint",
        fmt,
        on,
        person=person,
        office=office,
        term_years=term_years,
        ref=ref,
        note=note,
    )


@click.command(
    "end-mandate",
    help=_(
        "A mandate ends before its term.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  scop-ledger end-mandate alice --office manager --date 2022-06-30"
    ),
)
@click.argument("person")
@click.option("--office", type=choice(Office), required=True)
@write_options
@click.pass_context
def end_mandate(
    ctx: click.Context,
    /,
    person: str,
    office: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(ctx, "end-mandate", fmt, on, person=person, office=office, ref=ref, note=note)


@click.command(
    help=_(
        "A cooperative review was completed.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  scop-ledger review --reviewer "URSCOP Ouest" --date 2021-06-30'
    ),
)
@click.option(
    "--reviewer",
    required=True,
    help=_("The approved reviewer (one line, at most 200 characters)."),
)
@click.option(
    "--reservations",
    default=None,
    help=_("The reviewer's reservations, if any (at most 2,000 characters)."),
)
@write_options
@click.pass_context
def review(
    ctx: click.Context,
    /,
    reviewer: str,
    reservations: str | None,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(ctx, "review", fmt, on, reviewer=reviewer, reservations=reservations, ref=ref, note=note)


@click.command(
    help=_(
        "The general meeting allocated a year's net surplus.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  scop-ledger allocate --year 2023 --surplus 100000 --legal-reserve 16000 \\\n"
        "    --development-fund 24000 --employees 45000 --dividends 15000 --date 2024-06-15"
    ),
)
@click.option("--year", required=True, help=_("Financial year (1900 to 2199)."))
@click.option(
    "--surplus",
    required=True,
    help=_("Net surplus of the year, in euros (at most 10^12 either way, 2 decimals at most)."),
)
@click.option(
    "--legal-reserve",
    required=True,
    help=_("In euros (0 to 10^12, 2 decimals at most)."),
)
@click.option(
    "--development-fund",
    required=True,
    help=_("In euros (0 to 10^12, 2 decimals at most)."),
)
@click.option(
    "--employees",
    required=True,
    help=_("Employee share, in euros (0 to 10^12, 2 decimals at most)."),
)
@click.option("--dividends", required=True, help=_("In euros (0 to 10^12, 2 decimals at most)."))
@click.option(
    "--net-asset-value-per-share",
    default=None,
    help=_(
        "The net asset value per share shown by the approved accounts, in euros (0 to 10^12, "
        "2 decimals at most): with losses, a be-cnc refund is at most this per share."
    ),
)
@write_options
@click.pass_context
def allocate(ctx: click.Context, /, fmt: str, on: date | None, **fields: Any) -> None:
    record(ctx, "allocate", fmt, on, **fields)
