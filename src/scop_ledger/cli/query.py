"""Query commands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from scop_ledger.cli.main import get_app
from scop_ledger.cli.options import DATETIME
from scop_ledger.cli.render import cell, emit_csv, emit_json, emit_table

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


def register(group: click.Group) -> None:
    group.add_command(history)
    group.add_command(coops)


@click.command()
@click.argument("person", required=False)
@click.option("--known-at", type=DATETIME, default=None, help="As known at this moment (ISO 8601).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.pass_context
def history(ctx: click.Context, /, person: str | None, known_at: datetime | None, fmt: str) -> None:
    """Every entry (init and reversals included), in the order recorded.

    \b
    Example:
      scop-ledger history alice --format json
    """
    from scop_ledger.store import ReadOnlyStore  # noqa: F401  (keeps import errors early)

    app = get_app(ctx)
    slug = app.coop()
    entries = app.ledger().history(slug, person, known_at)
    now = known_at or datetime.now().astimezone()
    rows: list[dict[str, Any]] = [
        {
            "id": e.id,
            "sequence": e.sequence,
            "action": e.action,
            "person": e.person,
            "date": e.on,
            "recorded_at": e.recorded_at,
            "recorded_by": e.recorded_by,
            "ref": e.ref,
            "note": e.note,
            "reversed_by": e.reversed_by,
            "details": e.details,
        }
        for e in entries
    ]
    if fmt == "json":
        emit_json({"coop": slug, "known_at": now.astimezone(), "entries": rows})
    elif fmt == "csv":
        emit_csv(
            [*HISTORY_COLUMNS, "details"],
            [[r[c] for c in [*HISTORY_COLUMNS, "details"]] for r in rows],
        )
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
            title=f"{slug}: {len(rows)} entries",
        )


def _short(details: dict[str, object]) -> str:
    return " ".join(f"{k}={cell(v)}" for k, v in details.items() if v not in (None, False))


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.pass_context
def coops(ctx: click.Context, /, fmt: str) -> None:
    """Every cooperative in the store.

    \b
    Example:
      scop-ledger coops --format json
    """
    app = get_app(ctx)
    regs = app.ledger().cooperatives()
    rows = [[r.slug, r.name, r.legal_form, r.on, r.share_value, r.profile] for r in regs]
    headers = ["coop", "name", "legal_form", "registered", "share_value", "profile"]
    if fmt == "json":
        emit_json({"coops": [dict(zip(headers, row, strict=True)) for row in rows]})
    elif fmt == "csv":
        emit_csv(headers, rows)
    else:
        emit_table(headers, rows)
