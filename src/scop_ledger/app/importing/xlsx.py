"""Reading one sheet of an ``.xlsx`` workbook as rows, in streaming mode (openpyxl)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any

from scop_ledger.app.cells import unescape
from scop_ledger.app.importing.messages import one_line
from scop_ledger.app.importing.rows import Bad, Row, check_columns
from scop_ledger.domain.errors import InvalidValue
from scop_ledger.i18n import _


def xlsx_rows(f: IO[bytes], name: str, sheet: str | None, notes: list[str]) -> Iterator[Row | Bad]:
    """The rows of one sheet, read twice side by side in streaming mode: once for the values
    (a formula's value as the spreadsheet program last computed it) and once for the formulas,
    to tell a formula with no stored value from an empty cell. :func:`.reading.read_rows` has
    checked the zip first."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency
        raise InvalidValue(_("reading .xlsx needs openpyxl")) from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            values_book = openpyxl.load_workbook(f, read_only=True, data_only=True)
            formula_book = openpyxl.load_workbook(f, read_only=True, data_only=False)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise InvalidValue(
                _("{file}: not a readable .xlsx file ({error})").format(
                    file=name, error=type(error).__name__
                )
            ) from None
    sheets = values_book.sheetnames
    listed = ", ".join(repr(s) for s in sheets)
    if sheet is None:
        if not sheets:
            raise InvalidValue(_("{file}: the workbook has no sheet").format(file=name))
        sheet = sheets[0]
        if len(sheets) > 1:
            notes.append(
                one_line(
                    _(
                        "{file} has {count} sheets ({sheets}): reading the first, {sheet!r} "
                        "(--sheet NAME reads another)"
                    ).format(file=name, count=len(sheets), sheets=listed, sheet=sheet)
                )
            )
    elif sheet not in sheets:
        raise InvalidValue(
            one_line(
                _("{file} has no sheet {sheet!r}; its sheets: {sheets}").format(
                    file=name, sheet=sheet, sheets=listed
                )
            )
        )
    values_sheet = values_book[sheet]
    formula_sheet = formula_book[sheet]
    if not hasattr(values_sheet, "iter_rows"):
        raise InvalidValue(
            one_line(
                _("{file}: {sheet!r} is a chart, not a sheet of rows").format(
                    file=name, sheet=sheet
                )
            )
        )
    epoch = values_book.epoch
    return _xlsx_sheet(values_book, formula_book, values_sheet, formula_sheet, epoch)


def _xlsx_sheet(
    values_book: Any, formula_book: Any, values_sheet: Any, formula_sheet: Any, epoch: Any
) -> Iterator[Row | Bad]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # The size a sheet declares can be wrong (rows cut off) or hostile (a million
            # empty rows): read the rows there are.
            values_sheet.reset_dimensions()
            formula_sheet.reset_dimensions()
            pairs = zip(values_sheet.iter_rows(), formula_sheet.iter_rows(), strict=False)
            header = next(pairs, None)
            if header is None:
                return
            written = ["" if c.value is None else str(c.value).strip() for c in header[0]]
            columns = iter(check_columns([n for n in written if n], 1))
            names = [next(columns) if n else "" for n in written]
            for number, (value_cells, formula_cells) in enumerate(pairs, 2):
                found = _xlsx_row(number, names, value_cells, formula_cells, epoch)
                if found is not None:
                    yield found
        finally:
            values_book.close()
            formula_book.close()


def _xlsx_row(
    number: int, names: list[str], value_cells: Any, formula_cells: Any, epoch: Any
) -> Row | Bad | None:
    fields: dict[str, Any] = {}
    blank = True
    for column, cell, formula in zip(names, value_cells, formula_cells, strict=False):
        value = cell.value
        is_formula = formula.data_type == "f"
        if not column:
            continue
        if cell.data_type == "e":
            return Bad(
                number,
                _("{column}: the cell holds the error {value!r}").format(
                    column=column, value=value
                ),
            )
        if value is None and is_formula:
            if cell.data_type == "str":  # a formula whose value is the empty string
                continue
            return Bad(
                number,
                _(
                    "{column}: a formula with no stored value ({formula}); open and save the "
                    "file in a spreadsheet program, which stores the values"
                ).format(column=column, formula=one_line(str(formula.value))[:60]),
            )
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        blank = False
        try:
            fields[column] = _cell(unescape(value), column == "date", epoch)
        except ValueError as error:
            return Bad(number, f"{column}: {error}")
    if blank:
        return None
    return Row(number, fields)


def _cell(value: Any, is_date: bool, epoch: Any) -> Any:
    _NOT_A_DATE = _("{value!r} is neither a date nor a date's serial number")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if is_date and isinstance(value, int | float) and not isinstance(value, bool):
        # A date stored as a number (a cell without a date format): the spreadsheet's serial.
        from openpyxl.utils.datetime import from_excel

        if not (math.isfinite(value) and 1 <= value < 2_958_466):
            raise ValueError(_NOT_A_DATE.format(value=value))
        try:
            day = from_excel(math.floor(value), epoch)
        except (OverflowError, ValueError):
            raise ValueError(_NOT_A_DATE.format(value=value)) from None
        return (day.date() if isinstance(day, datetime) else day).isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(_("{value!r} is not a number").format(value=value))
        # Spreadsheets store numbers as floats: keep their shortest exact decimal form.
        return repr(value) if value != int(value) else str(int(value))
    return value
