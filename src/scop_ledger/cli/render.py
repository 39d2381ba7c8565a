"""Rendering: one result, three forms (table for people, json and csv for scripts), or a file
(``--out``); the cells and files themselves are :mod:`scop_ledger.cli.sheets`'."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from scop_ledger.cli.options import F, out_option
from scop_ledger.cli.sheets import (
    Label,
    cell,
    csv_cell,
    csv_text,
    dialect,
    dialect_option,
    jsonable,
    label,
    moment,
    shown,
    write_bytes,
    write_rows,
    write_text,
)
from scop_ledger.i18n import _, day, language, number

__all__ = [
    "Label",
    "cell",
    "csv_cell",
    "dialect_option",
    "emit_csv",
    "emit_json",
    "emit_result",
    "emit_table",
    "file_options",
    "headline",
    "jsonable",
    "label",
    "moment",
    "note",
    "pct",
    "progress",
    "shown",
    "write_bytes",
    "write_rows",
    "write_text",
    "written",
]


def file_options(func: F) -> F:
    """``--out FILE.csv|.xlsx`` and ``--csv-dialect`` of every query command."""
    return out_option(dialect_option(func))


def emit_json(payload: Any) -> None:
    click.echo(json.dumps(jsonable(payload), ensure_ascii=False))


def emit_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None
) -> None:
    """A plain aligned table (for people; its layout may change at will), its headers and
    cells in the current language."""
    headers = [_(h) for h in headers]
    texts = [[shown(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in texts:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], len(text))
    if title:
        click.echo(title)
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for row in texts:
        click.echo("  ".join(t.ljust(w) for t, w in zip(row, widths, strict=True)).rstrip())


def emit_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """The rows as CSV on stdout, in the command's ``--csv-dialect``."""
    how = dialect()
    text = csv_text(headers, rows, how)
    if how.bom:
        click.echo(text.encode("utf-8"), nl=False)
    else:
        click.echo(text, nl=False)


def pct(value: Any) -> str:
    """A ratio as a percentage: ``44.44%``; French ``44,44 %``."""
    if language() == "en":
        return f"{value * 100:.2f}%"
    from decimal import Decimal

    return number(Decimal(value * 100).quantize(Decimal("0.01"))) + " %"


def headline(result: Any) -> str:
    """The first line of a point-in-time answer's table: the cooperative and the two times."""
    return _("{coop} as of {as_of}, as known at {known_at}").format(
        coop=result.coop, as_of=day(result.as_of), known_at=moment(result.known_at)
    )


def emit_result(
    result: Any,
    fmt: str,
    headers: list[str],
    rows: list[list[Any]] | Callable[[], list[list[Any]]],
    title: str,
    out: Path | None = None,
) -> None:
    """A point-in-time answer: written to ``out``, or as json (the whole result), csv (the
    rows) or a table under ``title``. ``rows`` may be a function making them: JSON on the
    screen needs none (thousands of rows at 1M)."""
    if fmt == "json" and out is None:
        click.echo(result.model_dump_json())
        return
    if callable(rows):
        rows = rows()
    if out is not None:
        about = {k: getattr(result, k, None) for k in ("coop", "as_of", "known_at")}
        written(out, headers, rows, about, fmt)
    elif fmt == "json":
        click.echo(result.model_dump_json())
    elif fmt == "csv":
        emit_csv(headers, rows)
    else:
        emit_table(headers, rows, title=title)


def written(
    out: Path, headers: list[str], rows: list[list[Any]], about: dict[str, Any], fmt: str
) -> None:
    """Write the rows to ``out`` (``.csv`` in the command's ``--csv-dialect``, or ``.xlsx``);
    the screen gets one line saying so (json: ``{"file": ..., "rows": N}``)."""
    command = click.get_current_context().info_name or "rows"
    write_rows(out, headers, rows, {"command": command, **about})
    if fmt == "json":
        emit_json({"file": str(out), "rows": len(rows)})
    else:
        # The English says "rows" for one row too (as it always has).
        click.echo(_("{rows} rows written to {file}").format(rows=len(rows), file=out))


def note(line: str) -> None:
    """One line for the user on stderr (a warning, where an answer comes from)."""
    click.echo(line, err=True)


def progress(label: str) -> Callable[[int, int], None] | None:
    """A progress bar on stderr when it is a terminal (never on a pipe)."""
    if not sys.stderr.isatty():
        return None
    bar: Any = None

    def step(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done)
        if bar.pos >= total:
            bar.__exit__(None, None, None)

    return step
