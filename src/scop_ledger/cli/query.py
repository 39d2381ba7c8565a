"""Query commands: each asks the application (``app.queries``) a point-in-time question and
renders the answer as a table for people, or json / csv for scripts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

import click

from scop_ledger.app import queries
from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import DATETIME, format_option, query_options
from scop_ledger.cli.render import (
    emit_csv,
    emit_json,
    emit_result,
    emit_table,
    file_options,
    headline,
    label,
    pct,
    shown,
    written,
)
from scop_ledger.i18n import N_, _, day, money, number

# The columns of each answer: the CSV header for scripts, translated for people (tables,
# excel-fr files, workbooks) where they are shown.
CAPITAL_COLUMNS = [N_("person"), N_("name"), N_("category"), N_("shares"), N_("amount"), N_("paid")]
VOTES_COLUMNS = [N_("group"), N_("count"), N_("votes"), N_("ratio"), N_("weight")]
REFUNDS_COLUMNS = [
    N_("person"),
    N_("since"),
    N_("cause"),
    N_("amount"),
    N_("paid"),
    N_("outstanding"),
    N_("due"),
    N_("overdue"),
    N_("liable_until"),
]
MEMBERS_COLUMNS = [
    N_("person"),
    N_("name"),
    N_("employed"),
    N_("partner"),
    N_("category"),
    N_("shares"),
    N_("register_number"),
    N_("partner_since"),
    N_("former_partner"),
]
REGISTER_COLUMNS = [
    N_("date"),
    N_("sequence"),
    N_("person"),
    N_("name"),
    N_("nature"),
    N_("cause"),
    N_("shares"),
    N_("shares_after"),
    N_("amount"),
    N_("category"),
    N_("entry"),
    N_("counterparty"),
]


@click.command()
@query_options
@file_options
@click.pass_context
def capital(
    ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str, out: Path | None
) -> None:
    """The share capital and who holds it: employee and external partners, with ratios.

    \b
    Example:
      scop-ledger capital --as-of 2024-12-31 --format json
    """
    result = queries.capital(get_app(ctx), as_of, known_at)

    def rows() -> list[list[Any]]:  # made only for a table, CSV or a file
        return [
            [p.person, p.name, label(p.category), p.shares, p.amount, p.paid]
            for p in result.partners
        ]

    title = _(
        "capital {amount} ({shares} shares of {share_value}; paid up {paid_up}, uncalled "
        "{uncalled}); "
        "employees {employee_ratio} ({employees}), externals {external_ratio} ({externals})"
    ).format(
        amount=money(result.amount),
        shares=number(result.shares),
        share_value=money(result.share_value),
        paid_up=money(result.paid_up),
        uncalled=money(result.uncalled),
        employee_ratio=pct(result.employees.ratio),
        employees=result.employees.count,
        external_ratio=pct(result.externals.ratio),
        externals=result.externals.count,
    )
    emit_result(result, fmt, CAPITAL_COLUMNS, rows, f"{headline(result)}\n{title}", out)


@click.command()
@query_options
@file_options
@click.pass_context
def votes(
    ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str, out: Path | None
) -> None:
    """Votes: one person, one vote; external partners capped at 35% by proportional weighting.

    \b
    Example:
      scop-ledger votes --as-of 2024-12-31
    """
    result = queries.votes(get_app(ctx), as_of, known_at)

    def rows() -> list[list[Any]]:  # made only for a table, CSV or a file
        return [
            [
                label("employees"),
                result.employees.count,
                result.employees.votes,
                result.employees.ratio,
                Decimal("1.0000"),
            ],
            [
                label("externals"),
                result.externals.count,
                result.externals.votes,
                result.externals.ratio,
                result.externals.weight,
            ],
        ]

    partners = _("{count} partners").format(count=result.partners)
    title = f"{headline(result)}\n{partners}"
    emit_result(result, fmt, VOTES_COLUMNS, rows, title, out)


@click.command()
@query_options
@file_options
@click.pass_context
def refunds(
    ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str, out: Path | None
) -> None:
    """Refunds owed after exits and withdrawals: paid, outstanding, due date, liability.

    \b
    Example:
      scop-ledger refunds --as-of 2024-12-31 --format csv
    """
    result = queries.refunds(get_app(ctx), as_of, known_at)

    def rows() -> list[list[Any]]:  # made only for a table, CSV or a file
        return [
            [
                r.person,
                r.since,
                label(r.cause),
                r.amount,
                r.paid,
                r.outstanding,
                r.due,
                r.overdue,
                r.liable_until,
            ]
            for r in result.refunds
        ]

    owed = _("outstanding {amount}").format(amount=money(result.outstanding))
    emit_result(result, fmt, REFUNDS_COLUMNS, rows, f"{headline(result)}\n{owed}", out)


@click.command()
@query_options
@click.option("--eligible", is_flag=True, help="Only employees eligible for admission (1 year).")
@file_options
@click.pass_context
def members(
    ctx: click.Context,
    /,
    as_of: date | None,
    known_at: datetime | None,
    fmt: str,
    eligible: bool,
    out: Path | None,
) -> None:
    """Every person known to the ledger: employed, partner, category, shares, and their number
    in the register of partners (1, 2, 3... in order of first admission, kept when re-admitted).

    \b
    Example:
      scop-ledger members --eligible --as-of 2024-06-30
    """
    result = queries.members(get_app(ctx), as_of, known_at, eligible=eligible)

    def rows() -> list[list[Any]]:  # made only for a table, CSV or a file
        return [
            [
                m.person,
                m.name,
                m.employed,
                m.partner,
                label(m.category),
                m.shares,
                m.register_number,
                m.partner_since,
                m.former_partner,
            ]
            for m in result.members
        ]

    emit_result(result, fmt, MEMBERS_COLUMNS, rows, headline(result), out)


@click.command("register")
@query_options
@file_options
@click.pass_context
def register_cmd(
    ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str, out: Path | None
) -> None:
    """The chronological register of share movements, with cause and category.

    \b
    Example:
      scop-ledger register --as-of 2024-12-31 --format csv
      scop-ledger register --as-of 2024-12-31 --out register-2024.xlsx
    """
    result = queries.register(get_app(ctx), as_of, known_at)

    def rows() -> list[list[Any]]:  # made only for a table, CSV or a file
        return [
            [
                m.date,
                m.sequence,
                m.person,
                m.name,
                label(m.nature),
                label(m.cause),
                m.shares,
                m.shares_after,
                m.amount,
                label(m.category),
                m.entry,
                m.counterparty,
            ]
            for m in result.movements
        ]

    emit_result(result, fmt, REGISTER_COLUMNS, rows, headline(result), out)


HISTORY_COLUMNS = [
    N_("id"),
    N_("sequence"),
    N_("action"),
    N_("person"),
    N_("date"),
    N_("recorded_at"),
    N_("recorded_by"),
    N_("ref"),
    N_("note"),
    N_("reversed_by"),
]
HISTORY_TABLE = [
    N_("id"),
    N_("date"),
    N_("action"),
    N_("person"),
    N_("details"),
    N_("recorded_by"),
    N_("reversed_by"),
]


@click.command()
@click.argument("person", required=False)
@click.option("--known-at", type=DATETIME, default=None, help="As known at this moment (ISO 8601).")
@format_option("table", "json", "csv")
@file_options
@click.pass_context
def history(
    ctx: click.Context, /, person: str | None, known_at: datetime | None, fmt: str, out: Path | None
) -> None:
    """Every entry (init and reversals included) in the order recorded, with who reversed it.

    \b
    Example:
      scop-ledger history alice --format json
      scop-ledger history --out history.csv
    """
    result = queries.history(get_app(ctx), person, known_at)
    rows = result.entries
    columns = [*HISTORY_COLUMNS, N_("details")]
    pick = itemgetter(*columns)
    if out is not None:
        about = {"cooperative": result.coop, "person": person, "known_at": result.known_at}
        written(out, columns, [list(pick(r)) for r in rows], about, fmt)
    elif fmt == "json":
        emit_json({"coop": result.coop, "known_at": result.known_at, "entries": rows})
    elif fmt == "csv":
        emit_csv(columns, [list(pick(r)) for r in rows])
    else:
        entries = _("{coop}: {count} entries")
        emit_table(
            HISTORY_TABLE,
            [
                [
                    r["id"],
                    r["date"],
                    r["action"],
                    r["person"],
                    _short(r["details"]),
                    r["recorded_by"],
                    r["reversed_by"],
                ]
                for r in rows
            ],
            title=entries.format(coop=result.coop, count=len(rows)),
        )


def _short(details: dict[str, object]) -> str:
    return " ".join(f"{k}={shown(v)}" for k, v in details.items() if v not in (None, False))


COOPS_COLUMNS = [
    N_("coop"),
    N_("name"),
    N_("legal_form"),
    N_("profile"),
    N_("jobs"),
    N_("partners"),
    N_("capital"),
    N_("employee_capital_ratio"),
    N_("employee_vote_ratio"),
    N_("compliant"),
]


@click.command()
@query_options
@file_options
@click.pass_context
def coops(
    ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str, out: Path | None
) -> None:
    """Every cooperative in the store with its headline figures as of the date.

    \b
    Example:
      scop-ledger coops --as-of 2024-12-31 --format json
      scop-ledger coops --as-of 2024-12-31 --out coops.xlsx
    """
    result = queries.coops(get_app(ctx), as_of, known_at)
    rows = [[row[h] for h in COOPS_COLUMNS] for row in result.coops]
    if out is not None:
        written(out, COOPS_COLUMNS, rows, {"as_of": result.as_of, "known_at": result.known_at}, fmt)
    elif fmt == "json":
        emit_json({"as_of": result.as_of, "known_at": result.known_at, "coops": result.coops})
    elif fmt == "csv":
        emit_csv(COOPS_COLUMNS, rows)
    else:
        title = _("as of {date}").format(date=day(result.as_of))
        emit_table(COOPS_COLUMNS, rows, title=title)
