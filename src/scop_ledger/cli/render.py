"""Rendering: one result, three forms (table for people, json and csv for scripts)."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel

from scop_ledger.app.cells import QUOTE, needs_quote, neutralise


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


_TYPED = (bool, int, float, Decimal, date)


def csv_cell(value: Any) -> str:
    """:func:`cell` for a CSV file: numbers, dates and booleans as they are, any text
    neutralised so that no spreadsheet reads it as a formula (:mod:`scop_ledger.app.cells`)."""
    text = cell(value)
    return text if isinstance(value, _TYPED) else neutralise(text)


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


class _CsvWriter:
    """``csv.writer`` with lines ending in ``\\n``, except that a row with a carriage return in
    a field has every field quoted: Python 3.11's writer leaves such a field unquoted (it quotes
    only the line terminator's characters), and every reader, spreadsheets and our import
    alike, would end the row at the carriage return and start a new one with the rest."""

    def __init__(self, out: Any) -> None:
        self._plain = csv.writer(out, lineterminator="\n")
        self._quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, fields: Sequence[str]) -> None:
        quote = any("\r" in field for field in fields)
        (self._quoted if quote else self._plain).writerow(fields)


def emit_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    buffer = io.StringIO()
    writer = _CsvWriter(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
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
    text = cell(value)
    # A text cell keeps its text; only one that begins with a quote the import would take
    # for ours gets one more (cells.unescape removes it), so the workbook imports back as is.
    return QUOTE + text if text.startswith(QUOTE) and needs_quote(text) else text


def _as_text(value_cell: Any) -> None:
    """Keep a workbook cell's text a text: openpyxl makes a formula of one that begins with
    ``=`` and an error of ``#N/A``; a text a spreadsheet would read as a formula when typed
    also gets the quote prefix, so that it stays a text when edited."""
    if isinstance(value_cell.value, str):
        value_cell.data_type = "s"
        if needs_quote(value_cell.value):
            value_cell.quotePrefix = True


def _publish(tmp: Path, path: Path) -> None:
    """Give the temporary file the mode a new file would get, then rename it into place."""
    mask = os.umask(0)
    os.umask(mask)
    tmp.chmod(0o666 & ~mask)
    try:
        tmp.replace(path)
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from None


def _temporary(path: Path) -> tuple[int, str]:
    """A temporary file beside ``path``; a folder that takes no file is ``path``'s error."""
    try:
        return tempfile.mkstemp(prefix=f".{path.name[:64]}.", dir=path.parent or Path("."))
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from None


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place."""
    fd, tmp_name = _temporary(path)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
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
    fd, tmp_name = _temporary(path)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if suffix == ".csv":
            with tmp.open("w", newline="", encoding="utf-8") as out:
                writer = _CsvWriter(out)
                writer.writerow(headers)
                for row in rows:
                    writer.writerow([csv_cell(v) for v in row])
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
                    elif isinstance(value_cell.value, str):
                        _as_text(value_cell)
            facts = book.create_sheet("about")
            for key, value in about.items():
                facts.append([key, cell(value)])
                _as_text(facts.cell(facts.max_row, 2))
            book.save(tmp)
        _publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def headline(result: Any) -> str:
    """The first line of a point-in-time answer's table: the cooperative and the two times."""
    return f"{result.coop} as of {result.as_of}, as known at {result.known_at:%Y-%m-%d %H:%M:%S%z}"


def emit_result(
    result: BaseModel,
    fmt: str,
    headers: list[str],
    rows: list[list[Any]],
    title: str,
    out: Path | None = None,
) -> None:
    """A point-in-time answer: written to ``out``, or as json (the whole result), csv (the
    rows) or a table under ``title``."""
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
    """Write the rows to ``out``; the screen gets one line saying so."""
    command = click.get_current_context().info_name or "rows"
    write_rows(out, headers, rows, {"command": command, **about})
    if fmt == "json":
        emit_json({"file": str(out), "rows": len(rows)})
    else:
        click.echo(f"{len(rows)} rows written to {out}")


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
