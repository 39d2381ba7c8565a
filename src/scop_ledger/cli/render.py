"""Rendering: one result, three forms (table for people, json and csv for scripts)."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


def emit_json(payload: Any) -> None:
    click.echo(json.dumps(jsonable(payload), ensure_ascii=False))


def cell(value: Any) -> str:
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def emit_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None
) -> None:
    """A plain aligned table (for people; its layout may change at will)."""
    texts = [[cell(v) for v in row] for row in rows]
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
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    click.echo(buffer.getvalue(), nl=False)


OUT_SUFFIXES = (".csv", ".xlsx")


def _xlsx_value(value: Any) -> Any:
    """A cell value openpyxl stores with its type: numbers, dates and booleans stay what they are,
    so a treasurer can sum a column; a date-time loses its zone (Excel has none) after being
    put in UTC; everything else is text."""
    if isinstance(value, bool | int | Decimal | date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if value is None:
        return None
    return cell(value)


def _publish(tmp: Path, path: Path) -> None:
    """Give the temporary file the mode a new file would get, then rename it into place."""
    mask = os.umask(0)
    os.umask(mask)
    tmp.chmod(0o666 & ~mask)
    tmp.replace(path)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        _publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_rows(
    path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]], about: dict[str, Any]
) -> None:
    """Write a table to ``path`` (``.csv`` or ``.xlsx``) through a temporary file renamed into
    place, so a failure never leaves half a file. In a workbook, a second sheet ``about`` says
    what the table is (cooperative, as of, known at, command)."""
    suffix = path.suffix.lower()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if suffix == ".csv":
            with tmp.open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out, lineterminator="\n")
                writer.writerow(headers)
                writer.writerows([cell(v) for v in row] for row in rows)
        else:
            from openpyxl import Workbook
            from openpyxl.styles import Font

            book = Workbook()
            sheet = book.active
            assert sheet is not None
            sheet.title = str(about.get("command", "data"))[:31]
            sheet.append(list(headers))
            for header_cell in sheet[1]:
                header_cell.font = Font(bold=True)
            sheet.freeze_panes = "A2"
            for row in rows:
                sheet.append([_xlsx_value(v) for v in row])
            for column in sheet.iter_cols(min_row=2):
                for value_cell in column:
                    if isinstance(value_cell.value, Decimal):
                        value_cell.number_format = "0.00##"
                    elif isinstance(value_cell.value, date):
                        value_cell.number_format = "yyyy-mm-dd"
            facts = book.create_sheet("about")
            for key, value in about.items():
                facts.append([key, cell(value)])
            book.save(tmp)
        _publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
