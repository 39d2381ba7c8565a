"""Cells and files for spreadsheets: a value as text (for scripts, for people), the CSV
dialects (``standard``, ``excel-fr``), and the ``.csv`` / ``.xlsx`` files of ``--out``, written
through a temporary file renamed into place.

The ``standard`` dialect is the CSV every script reads: ``,``, ``\\n``, ISO dates, decimal
points, English headers. ``excel-fr`` is what French Excel opens as a table by a double click:
UTF-8 with a BOM, ``;``, CRLF, decimal commas, dates ``DD/MM/YYYY`` (date-times
``DD/MM/YYYY HH:MM:SS`` in UTC), headers in the language of ``--lang``; ``import`` reads it back.
In both, a text a spreadsheet would run as a formula is neutralised (:mod:`scop_ledger.app.cells`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click

from scop_ledger.app.cells import QUOTE, needs_quote, neutralise
from scop_ledger.i18n import N_, _, day, language, number, yes_no

F = TypeVar("F", bound=Callable[..., Any])


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


def cell(value: Any) -> str:
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class Label(str):
    """A value out of a fixed list (a category, a status, a nature of movement): data in CSV
    and JSON, a word of the current language in a table for people (the words are listed in
    ``domain.words.LEDGER_WORDS``)."""

    __slots__ = ()


def label(value: Any) -> Label | None:
    """``value`` (a text or a string enumeration) as a :class:`Label`; None stays None."""
    return None if value is None else Label(jsonable(value))


def moment(value: datetime) -> str:
    """A date-time for people: ``2025-01-05 10:00:00+0000``; French ``05/01/2025 10:00:00+0000``."""
    return f"{day(value.date())} {value:%H:%M:%S%z}"


def shown(value: Any) -> str:
    """A cell of a table for people: :func:`cell` in English (unchanged); in French, numbers
    with a decimal comma, dates ``DD/MM/YYYY``, oui/non and the labels in French."""
    if language() == "en" or value is None:
        return cell(value)
    if isinstance(value, Label):
        return _(value)
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, date):
        return day(value)
    if isinstance(value, Decimal):
        return number(value)
    return cell(value)


@dataclass(frozen=True)
class Dialect:
    """How a CSV file is written: separator, line end, byte-order mark, numbers and dates."""

    name: str
    delimiter: str
    lineterminator: str
    bom: bool
    french: bool  # decimal commas, DD/MM/YYYY, headers in the language asked for


STANDARD = Dialect("standard", ",", "\n", bom=False, french=False)
EXCEL_FR = Dialect("excel-fr", ";", "\r\n", bom=True, french=True)
DIALECTS = {d.name: d for d in (STANDARD, EXCEL_FR)}
_DIALECT_KEY = "scop_ledger.csv_dialect"


def dialect() -> Dialect:
    """The dialect of the running command's ``--csv-dialect`` (standard outside a command)."""
    ctx = click.get_current_context(silent=True)
    name = ctx.meta.get(_DIALECT_KEY, STANDARD.name) if ctx is not None else STANDARD.name
    return DIALECTS[name]


def _keep_dialect(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    ctx.meta[_DIALECT_KEY] = value or STANDARD.name


def dialect_option(func: F) -> F:
    """``--csv-dialect standard|excel-fr`` (``SCOP_LEDGER_CSV_DIALECT``) of a command that
    writes CSV; read back with :func:`dialect`."""
    return click.option(
        "--csv-dialect",
        type=click.Choice(list(DIALECTS)),
        envvar="SCOP_LEDGER_CSV_DIALECT",
        default=STANDARD.name,
        metavar="DIALECT",
        expose_value=False,
        callback=_keep_dialect,
        help=_(
            "How CSV is written (--format csv, --out FILE.csv): standard (',', ISO dates, "
            "decimal points; the default) or excel-fr (UTF-8 with BOM, ';', decimal commas, "
            "DD/MM/YYYY, CRLF, headers in the --lang language), which French Excel opens as a "
            "table."
        ),
    )(func)


_TYPED = (bool, int, float, Decimal, date)


def csv_cell(value: Any, how: Dialect = STANDARD) -> str:
    """:func:`cell` for a CSV file: numbers, dates and booleans as they are (in ``excel-fr``,
    decimal commas and ``DD/MM/YYYY``), any text neutralised so that no spreadsheet reads it
    as a formula (:mod:`scop_ledger.app.cells`)."""
    if how.french and not isinstance(value, bool):
        if isinstance(value, Decimal):
            return format(value, "f").replace(".", ",")
        if isinstance(value, datetime):
            moment_utc = value.astimezone(UTC) if value.tzinfo else value
            return f"{moment_utc:%d/%m/%Y %H:%M:%S}"
        if isinstance(value, date):
            return f"{value:%d/%m/%Y}"
    text = cell(value)
    return text if isinstance(value, _TYPED) else neutralise(text)


def headers_for(headers: Sequence[str], how: Dialect) -> list[str]:
    """The header row of a CSV: the column names for scripts (``standard``), the words of the
    current language for a spreadsheet (``excel-fr``)."""
    return [_(h) for h in headers] if how.french else list(headers)


class _CsvWriter:
    """``csv.writer`` in ``how``'s dialect, except that a row with a carriage return in a field
    has every field quoted: Python 3.11's writer leaves such a field unquoted (it quotes only
    the line terminator's characters), and every reader, spreadsheets and our import alike,
    would end the row at the carriage return and start a new one with the rest."""

    def __init__(self, out: Any, how: Dialect = STANDARD) -> None:
        sep, end = how.delimiter, how.lineterminator
        self._plain = csv.writer(out, delimiter=sep, lineterminator=end)
        self._quoted = csv.writer(out, delimiter=sep, lineterminator=end, quoting=csv.QUOTE_ALL)

    def writerow(self, fields: Sequence[str]) -> None:
        quote = any("\r" in field for field in fields)
        (self._quoted if quote else self._plain).writerow(fields)


def write_csv(
    out: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    how: Dialect,
    translate: bool = True,
) -> None:
    """The header and the rows to the text stream ``out`` in the dialect ``how`` (the BOM
    first where it has one); ``translate=False`` keeps the column names (an import file's)."""
    if how.bom:
        out.write("\ufeff")
    writer = _CsvWriter(out, how)
    writer.writerow(headers_for(headers, how) if translate else list(headers))
    for row in rows:
        writer.writerow([csv_cell(v, how) for v in row])


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Any]], how: Dialect) -> str:
    buffer = io.StringIO()
    write_csv(buffer, headers, rows, how)
    return buffer.getvalue()


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


# The keys of a workbook's ``about`` sheet.
ABOUT = (
    N_("command"),
    N_("coop"),
    N_("cooperative"),
    N_("person"),
    N_("as_of"),
    N_("known_at"),
    N_("from_known_at"),
    N_("to_known_at"),
    N_("year"),
    N_("since"),
)


def write_rows(
    path: Path,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    about: dict[str, Any],
    how: Dialect | None = None,
    translate: bool = True,
) -> None:
    """Write a table to ``path`` (``.csv`` in the dialect ``how``, default the command's, or
    ``.xlsx``) through a temporary file renamed into place, so a failure never leaves half a
    file. In a workbook, the headers are in the current language (unless ``translate`` is
    False: an import file's columns) and a second sheet ``about`` says what the table is
    (cooperative, as of, known at, command)."""
    fd, tmp_name = _temporary(path)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if path.suffix.lower() == ".csv":
            how = how or dialect()
            with tmp.open("w", newline="", encoding="utf-8") as out:
                write_csv(out, headers, rows, how, translate)
        else:
            names = [_(h) for h in headers] if translate else list(headers)
            _workbook(tmp, names, rows, about)
        _publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _workbook(
    tmp: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]], about: dict[str, Any]
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    french = language() == "fr"
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
            elif isinstance(value_cell.value, datetime):
                value_cell.number_format = (
                    "dd/mm/yyyy hh:mm:ss" if french else "yyyy-mm-dd hh:mm:ss"
                )
            elif isinstance(value_cell.value, date):
                value_cell.number_format = "dd/mm/yyyy" if french else "yyyy-mm-dd"
            elif isinstance(value_cell.value, str):
                _as_text(value_cell)
    facts = book.create_sheet(_("about"))
    for key, value in about.items():
        facts.append([_(key), shown(value)])
        _as_text(facts.cell(facts.max_row, 2))
    book.save(tmp)


def wording(out: Path) -> Callable[[str], str]:
    """How a file written to ``out`` words its texts: in the current language for people (a
    workbook, an excel-fr CSV), else as the English words scripts read."""
    return _ if out.suffix.lower() == ".xlsx" or dialect().french else str
