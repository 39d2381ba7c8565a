"""Query commands: each asks the application (``app.queries``) a point-in-time question and
renders the answer as a table for people, or json / csv for scripts."""

from __future__ import annotations

from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

import click

from scop_ledger.app import queries
from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import DATETIME, format_option, out_option, query_options
from scop_ledger.cli.render import (
    cell,
    emit_csv,
    emit_json,
    emit_result,
    emit_table,
    headline,
    written,
)


def _pct(value: Any) -> str:
    return f"{value * 100:.2f}%"


@click.command()
@query_options
@out_option
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
    headers = ["person", "name", "category", "shares", "amount", "paid"]
    rows = [[p.person, p.name, p.category, p.shares, p.amount, p.paid] for p in result.partners]
    title = (
        f"{headline(result)}\n"
        f"capital {result.amount} ({result.shares} shares of {result.share_value}; "
        f"paid up {result.paid_up}, uncalled {result.uncalled}); "
        f"employees {_pct(result.employees.ratio)} ({result.employees.count}), "
        f"externals {_pct(result.externals.ratio)} ({result.externals.count})"
    )
    emit_result(result, fmt, headers, rows, title, out)


@click.command()
@query_options
@click.pass_context
def votes(ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str) -> None:
    """Votes: one person, one vote; external partners capped at 35% by proportional weighting.

    \b
    Example:
      scop-ledger votes --as-of 2024-12-31
    """
    result = queries.votes(get_app(ctx), as_of, known_at)
    headers = ["group", "count", "votes", "ratio", "weight"]
    rows = [
        [
            "employees",
            result.employees.count,
            result.employees.votes,
            result.employees.ratio,
            "1.0000",
        ],
        [
            "externals",
            result.externals.count,
            result.externals.votes,
            result.externals.ratio,
            result.externals.weight,
        ],
    ]
    emit_result(result, fmt, headers, rows, f"{headline(result)}\n{result.partners} partners")


@click.command()
@query_options
@out_option
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
    headers = [
        "person",
        "since",
        "cause",
        "amount",
        "paid",
        "outstanding",
        "due",
        "overdue",
        "liable_until",
    ]
    rows = [
        [
            r.person,
            r.since,
            r.cause,
            r.amount,
            r.paid,
            r.outstanding,
            r.due,
            r.overdue,
            r.liable_until,
        ]
        for r in result.refunds
    ]
    title = f"{headline(result)}\noutstanding {result.outstanding}"
    emit_result(result, fmt, headers, rows, title, out)


@click.command()
@query_options
@click.option("--eligible", is_flag=True, help="Only employees eligible for admission (1 year).")
@out_option
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
    headers = ["person", "name", "employed", "partner", "category", "shares"]
    headers += ["register_number", "partner_since", "former_partner"]
    rows: list[list[Any]] = [
        [
            m.person,
            m.name,
            m.employed,
            m.partner,
            m.category,
            m.shares,
            m.register_number,
            m.partner_since,
            m.former_partner,
        ]
        for m in result.members
    ]
    emit_result(result, fmt, headers, rows, headline(result), out)


@click.command("register")
@query_options
@out_option
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
    headers = [
        "date",
        "sequence",
        "person",
        "name",
        "nature",
        "cause",
        "shares",
        "shares_after",
        "amount",
        "category",
        "entry",
    ]
    rows = [
        [
            m.date,
            m.sequence,
            m.person,
            m.name,
            m.nature,
            m.cause,
            m.shares,
            m.shares_after,
            m.amount,
            m.category,
            m.entry,
        ]
        for m in result.movements
    ]
    emit_result(result, fmt, headers, rows, headline(result), out)


HISTORY_COLUMNS = [
    "id",
    "sequence",
    "action",
    "person",
    "date",
    "recorded_at",
    "recorded_by",
    "ref",
    "note",
    "reversed_by",
]


@click.command()
@click.argument("person", required=False)
@click.option("--known-at", type=DATETIME, default=None, help="As known at this moment (ISO 8601).")
@format_option("table", "json", "csv")
@out_option
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
    columns = [*HISTORY_COLUMNS, "details"]
    pick = itemgetter(*columns)
    if out is not None:
        about = {"cooperative": result.coop, "person": person, "known_at": result.known_at}
        written(out, columns, [list(pick(r)) for r in rows], about, fmt)
    elif fmt == "json":
        emit_json({"coop": result.coop, "known_at": result.known_at, "entries": rows})
    elif fmt == "csv":
        emit_csv(columns, [list(pick(r)) for r in rows])
    else:
        emit_table(
            ["id", "date", "action", "person", "details", "recorded_by", "reversed_by"],
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
            title=f"{result.coop}: {len(rows)} entries",
        )


def _short(details: dict[str, object]) -> str:
    return " ".join(f"{k}={cell(v)}" for k, v in details.items() if v not in (None, False))


@click.command()
@query_options
@click.pass_context
def coops(ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str) -> None:
    """Every cooperative in the store with its headline figures as of the date.

    \b
    Example:
      scop-ledger coops --as-of 2024-12-31 --format json
    """
    result = queries.coops(get_app(ctx), as_of, known_at)
    out = result.coops
    headers = [
        "coop",
        "name",
        "legal_form",
        "profile",
        "jobs",
        "partners",
        "capital",
        "employee_capital_ratio",
        "employee_vote_ratio",
        "compliant",
    ]
    if fmt == "json":
        emit_json({"as_of": result.as_of, "known_at": result.known_at, "coops": out})
    elif fmt == "csv":
        emit_csv(headers, [[row[h] for h in headers] for row in out])
    else:
        emit_table(
            headers, [[row[h] for h in headers] for row in out], title=f"as of {result.as_of}"
        )
