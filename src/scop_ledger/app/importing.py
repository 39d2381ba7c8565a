"""Import files: ``.csv``, ``.jsonl`` or ``.xlsx``, one row per action (CONTRACT.md).

Every row is validated first (pydantic, through the same command models as the CLI) and every
invalid row is reported as ``line N: …`` (the first 100, then a count); then the rows not
recorded yet run as one batch, all or none.

A row's identity is its content: the action, the date, the person and every field, its ``ref``
and ``note`` included (who recorded it and when are not). A row is already recorded when the
ledger holds as many entries with that content as the file has rows with it up to and including
this one; so a file that grew records only its new rows, two identical rows are two entries, and
a row first typed with the CLI is not recorded again. Entries since reversed still count: a
reversal is a decision the ledger keeps, and importing the file again does not undo it. A row
with an ``id`` whose id the ledger knows is that entry (other content: refused, exit 1); a row
recorded by an earlier release from a file with the same bytes (its ``source``, the file's hash
and the row's line) is that entry too.

Files are read as streams, after checks that keep a hostile file from exhausting the machine:
a regular file no larger than ``SCOP_LEDGER_IMPORT_MAX_BYTES`` (512 MiB by default); for
``.xlsx``, a zip whose parts do not expand beyond that limit nor by more than 200 times.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import stat
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from scop_ledger.app import commands as cmd
from scop_ledger.app.cells import unescape
from scop_ledger.domain.errors import InvalidValue, LedgerError
from scop_ledger.readmodel.history import history_from_events
from scop_ledger.settings import EVENTS_TABLE
from scop_ledger.store.gc import collector_paused

if TYPE_CHECKING:
    from scop_ledger.app.ledger import Ledger
    from scop_ledger.store.db import DB

IMPORT_ACTIONS = (
    "hire",
    "terminate",
    "admit",
    "subscribe",
    "pay-up",
    "withdraw",
    "leave",
    "pay-refund",
    "appoint",
    "end-mandate",
    "review",
    "allocate",
    "change-form",
)
ALLOCATION_COLUMNS = (
    "year",
    "surplus",
    "legal_reserve",
    "development_fund",
    "employees",
    "dividends",
)
OPTION_COLUMNS = (
    "shares",
    "paid",
    "amount",
    "reason",
    "name",
    "office",
    "term_years",
    "reviewer",
    "reservations",
    "legal_person",
    *ALLOCATION_COLUMNS,
    "legal_form",
    "ref",
    "note",
)
COLUMNS = ("action", "date", "person", "id", *OPTION_COLUMNS)

MAX_BYTES_ENV = "SCOP_LEDGER_IMPORT_MAX_BYTES"
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
# A part of an .xlsx (over a MiB) that expands more than this many times is not a spreadsheet:
# a sheet's XML compresses some tens of times (15 for a sheet of identical rows), a zip bomb's
# parts as much as deflate can (a thousand times).
MAX_XLSX_RATIO = 200
MAX_XLSX_PARTS = 10_000
MAX_ERRORS = 100
# An error line, "error: " included, stays under 300 characters.
MAX_MESSAGE = 290
MAX_JSONL_LINE = 1024 * 1024
MAX_ID = 200


class InvalidRows(InvalidValue):
    """Rows that cannot be read; ``lines`` holds one ``line N: …`` message each (exit 2)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class RefusedRow(LedgerError):
    """A row refused by a rule (exit 1); nothing was written."""

    def __init__(self, line: int, error: LedgerError) -> None:
        super().__init__(
            one_line(f"line {line}: {error.message}"), person=error.person, on=error.on
        )
        self.exit_code = error.exit_code


class ConflictingRows(LedgerError):
    """Rows whose ``id`` the ledger knows with other content (exit 1); nothing was written."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class Row(NamedTuple):
    line: int
    fields: dict[str, Any]


class Bad(NamedTuple):
    """A row that cannot be read: its line and what is wrong."""

    line: int
    message: str


class Planned(NamedTuple):
    """A valid row: its line, its command (``source`` set), and its ``id`` when it has one."""

    line: int
    command: cmd.Command
    id: str | None


@dataclass
class Plan:
    """A file's valid rows; ``digest`` (16 hex digits) names the file's bytes."""

    digest: str
    rows: list[Planned]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    rows: int
    recorded: int
    skipped: int
    first_event: int | None
    last_event: int | None


# ---------------------------------------------------------------------------- messages

_LONG_QUOTED = re.compile(r"'[^'\n]{80,}'|\"[^\"\n]{80,}\"")


def one_line(text: str) -> str:
    """``text`` as one printable line of at most :data:`MAX_MESSAGE` characters: a long
    quoted value is shortened, line breaks and lone surrogates escaped."""
    text = text[: 4 * MAX_JSONL_LINE].encode("utf-8", "backslashreplace").decode("utf-8")
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    text = _LONG_QUOTED.sub(lambda m: f"{m.group(0)[:50]}...{m.group(0)[-12:]}", text)
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 3] + "..."
    return text


class _Errors:
    """The first :data:`MAX_ERRORS` messages and a count of the rest."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.more = 0

    def add(self, line: int, message: str) -> None:
        if len(self.lines) < MAX_ERRORS:
            self.lines.append(one_line(f"line {line}: {message}"))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.lines)

    def report(self) -> list[str]:
        if self.more:
            return [*self.lines, f"... and {self.more:,} more errors"]
        return list(self.lines)


# ---------------------------------------------------------------------------- reading


def max_bytes() -> int:
    """The largest file an import reads (``SCOP_LEDGER_IMPORT_MAX_BYTES``)."""
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise InvalidValue(f"{MAX_BYTES_ENV}={one_line(raw)!r} is not a positive number of bytes")
    return int(raw)


def open_file(path: Path) -> io.BufferedReader:
    """``path`` opened for reading, once it is known to be a regular file within the limit."""
    limit = max_bytes()
    name = one_line(str(path))
    try:
        found = path.stat()
    except OSError as error:
        raise InvalidValue(f"{name}: {error.strerror or error}") from None
    if not stat.S_ISREG(found.st_mode):
        raise InvalidValue(f"{name}: not a regular file (a device, a pipe or a folder)")
    if found.st_size > limit:
        raise InvalidValue(
            f"{name}: {found.st_size:,} bytes, more than the import limit of {limit:,} "
            f"(set {MAX_BYTES_ENV} to raise it)"
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise InvalidValue(f"{name}: {error.strerror or error}") from None
    opened = os.fstat(fd)  # the file opened, should it have been swapped since
    if not stat.S_ISREG(opened.st_mode) or opened.st_size > limit:
        os.close(fd)
        raise InvalidValue(f"{name}: not a regular file within the import limit")
    return os.fdopen(fd, "rb")


def read_rows(
    path: Path, sheet: str | None = None, notes: list[str] | None = None
) -> tuple[str, Iterator[Row | Bad]]:
    """The file's content hash and its rows as they are read, each with the line a person
    would look at (a row that cannot be read is a :class:`Bad`). Problems with the file as a
    whole (its kind, size, header) raise :class:`InvalidValue`."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".xlsx"):
        raise InvalidValue(f"{one_line(path.name)}: import reads .csv, .jsonl or .xlsx files")
    if sheet is not None and suffix != ".xlsx":
        raise InvalidValue("--sheet applies to .xlsx files")
    f = open_file(path)
    try:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
        f.seek(0)
    except OSError as error:
        f.close()
        raise InvalidValue(f"{one_line(str(path))}: {error.strerror or error}") from None
    if suffix == ".csv":
        return digest, _closing(f, _csv_rows(f))
    if suffix == ".jsonl":
        return digest, _closing(f, _jsonl_rows(f))
    try:
        rows = _xlsx_rows(f, one_line(path.name), sheet, notes if notes is not None else [])
    except BaseException:
        f.close()
        raise
    return digest, _closing(f, rows)


def _closing(f: IO[bytes], rows: Iterator[Row | Bad]) -> Iterator[Row | Bad]:
    try:
        yield from rows
    finally:
        f.close()


def _check_columns(names: list[str], line: int) -> None:
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise InvalidRows([one_line(f"line {line}: unknown column(s) {', '.join(unknown)}")])
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise InvalidRows([f"line {line}: the column {n!r} appears twice in the header"])
        seen.add(n)
    if "action" not in names:
        raise InvalidRows([f"line {line}: the header has no 'action' column"])


def _not_utf8(text: str) -> bool:
    """Whether ``text`` holds bytes that were not UTF-8 (decoded as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_NOT_UTF8 = "not UTF-8 text (save the file as UTF-8, e.g. 'CSV UTF-8')"


def _csv_rows(f: IO[bytes]) -> Iterator[Row | Bad]:
    text = io.TextIOWrapper(f, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(text)
    start = 1
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise InvalidRows([one_line(f"line 1: {_csv_problem(error)}")]) from None
    if header is None:
        return
    if _not_utf8("".join(header)):
        raise InvalidRows([f"line 1: {_NOT_UTF8}"])
    names = [h.strip() for h in header]
    _check_columns(names, 1)
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The reader cannot find the next row reliably after this: the file stops here.
            yield Bad(start, _csv_problem(error))
            return
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if _not_utf8("".join(values)):
            yield Bad(line, _NOT_UTF8)
        elif len(values) > len(names):
            yield Bad(line, f"{len(values)} values for {len(names)} columns")
        else:
            yield Row(line, dict(zip(names, map(unescape, values), strict=False)))


def _csv_problem(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return (
            f"a value longer than {csv.field_size_limit():,} characters "
            "(a quote left open?); the file is read no further"
        )
    return f"not readable as CSV ({error}); the file is read no further"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


# One decoder for every line, not one each. NaN and Infinity are not numbers a ledger holds.
_JSON = json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constant)
_SCALARS = (str, int, Decimal, bool)


def _jsonl_rows(f: IO[bytes]) -> Iterator[Row | Bad]:
    number = 0
    while True:
        raw = f.readline(MAX_JSONL_LINE + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_JSONL_LINE and not raw.endswith(b"\n"):
            while True:  # the rest of the line, without holding it
                rest = f.readline(MAX_JSONL_LINE)
                if not rest or rest.endswith(b"\n"):
                    break
            yield Bad(number, f"longer than {MAX_JSONL_LINE:,} bytes")
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield Bad(number, "not UTF-8 text")
            continue
        if not line.strip():
            continue
        try:
            value = _JSON.decode(line)
        except json.JSONDecodeError as error:
            yield Bad(number, f"not JSON ({error.msg})")
            continue
        except RecursionError:
            yield Bad(number, "not JSON a row can hold (nested too deeply)")
            continue
        except ValueError as error:  # NaN, Infinity, an integer of thousands of digits
            yield Bad(number, f"not JSON a row can hold ({error})")
            continue
        if not isinstance(value, dict):
            yield Bad(number, "a row must be a JSON object")
            continue
        problem = _jsonl_problem(value)
        if problem is not None:
            yield Bad(number, problem)
            continue
        yield Row(number, value)


def _jsonl_problem(value: dict[str, Any]) -> str | None:
    unknown = sorted(set(value) - set(COLUMNS))
    if unknown:
        return f"unknown column(s) {', '.join(unknown)}"
    for key, item in value.items():
        if item is None:
            continue
        if not isinstance(item, _SCALARS):
            kind = "an object" if isinstance(item, dict) else "a list"
            return f"{key}: {kind} where a value is expected"
        if isinstance(item, str) and _not_utf8(item):
            return f"{key}: text with a lone surrogate (\\ud800-\\udfff), which is not Unicode text"
    return None


def _check_zip(f: IO[bytes], name: str) -> None:
    """Refuse a zip whose parts would expand beyond the import limit, or by so much that it
    can only be a zip bomb, before anything is decompressed. (The sizes a zip declares bound
    what Python's zipfile yields: it stops at the declared size.)"""
    import zipfile

    limit = max_bytes()
    try:
        with zipfile.ZipFile(f) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InvalidValue(f"{name}: not a readable .xlsx file (not a zip archive)") from None
    finally:
        f.seek(0)
    if len(parts) > MAX_XLSX_PARTS:
        raise InvalidValue(f"{name}: {len(parts):,} parts in the zip; not a spreadsheet")
    total = sum(p.file_size for p in parts)
    if total > limit:
        raise InvalidValue(
            f"{name}: expands to {total:,} bytes, more than the import limit of {limit:,} "
            f"(set {MAX_BYTES_ENV} to raise it)"
        )
    for part in parts:
        if part.file_size > 1024 * 1024 and part.file_size > MAX_XLSX_RATIO * max(
            part.compress_size, 1
        ):
            ratio = part.file_size // max(part.compress_size, 1)
            raise InvalidValue(
                f"{name}: {one_line(part.filename)} expands {ratio:,} times; "
                "a zip bomb, not a spreadsheet"
            )


def _xlsx_rows(f: IO[bytes], name: str, sheet: str | None, notes: list[str]) -> Iterator[Row | Bad]:
    """The rows of one sheet, read twice side by side in streaming mode: once for the values
    (a formula's value as the spreadsheet program last computed it) and once for the formulas,
    to tell a formula with no stored value from an empty cell."""
    _check_zip(f, name)
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency
        raise InvalidValue("reading .xlsx needs openpyxl") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            values_book = openpyxl.load_workbook(f, read_only=True, data_only=True)
            formula_book = openpyxl.load_workbook(f, read_only=True, data_only=False)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise InvalidValue(
                f"{name}: not a readable .xlsx file ({type(error).__name__})"
            ) from None
    sheets = values_book.sheetnames
    listed = ", ".join(repr(s) for s in sheets)
    if sheet is None:
        if not sheets:
            raise InvalidValue(f"{name}: the workbook has no sheet")
        sheet = sheets[0]
        if len(sheets) > 1:
            notes.append(
                one_line(
                    f"{name} has {len(sheets)} sheets ({listed}): reading the first, {sheet!r} "
                    "(--sheet NAME reads another)"
                )
            )
    elif sheet not in sheets:
        raise InvalidValue(one_line(f"{name} has no sheet {sheet!r}; its sheets: {listed}"))
    values_sheet = values_book[sheet]
    formula_sheet = formula_book[sheet]
    if not hasattr(values_sheet, "iter_rows"):
        raise InvalidValue(one_line(f"{name}: {sheet!r} is a chart, not a sheet of rows"))
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
            names = ["" if c.value is None else str(c.value).strip() for c in header[0]]
            _check_columns([n for n in names if n], 1)
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
            return Bad(number, f"{column}: the cell holds the error {value!r}")
        if value is None and is_formula:
            if cell.data_type == "str":  # a formula whose value is the empty string
                continue
            return Bad(
                number,
                f"{column}: a formula with no stored value ({one_line(str(formula.value))[:60]}); "
                "open and save the file in a spreadsheet program, which stores the values",
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
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if is_date and isinstance(value, int | float) and not isinstance(value, bool):
        # A date stored as a number (a cell without a date format): the spreadsheet's serial.
        from openpyxl.utils.datetime import from_excel

        if not (math.isfinite(value) and 1 <= value < 2_958_466):
            raise ValueError(f"{value!r} is neither a date nor a date's serial number")
        try:
            day = from_excel(math.floor(value), epoch)
        except (OverflowError, ValueError):
            raise ValueError(f"{value!r} is neither a date nor a date's serial number") from None
        return (day.date() if isinstance(day, datetime) else day).isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a number")
        # Spreadsheets store numbers as floats: keep their shortest exact decimal form.
        return repr(value) if value != int(value) else str(int(value))
    return value


# ---------------------------------------------------------------------------- rows to commands

_TRUE = {"1", "true", "yes", "y", "x"}
_FALSE = {"", "0", "false", "no", "n"}


# The columns each action takes (its command's fields; ``date`` has become ``on``).
_FIELDS = {action: {*model.model_fields, "on"} for action, model in cmd.ACTIONS.items()}


def to_command(row: Row, source: str) -> cmd.Command:
    """One row into its command (raises :class:`InvalidValue` with the row's problem)."""
    fields = {k: v for k, v in row.fields.items() if v is not None and v != ""}
    action = str(fields.pop("action", "")).strip()
    if action not in IMPORT_ACTIONS:
        raise InvalidValue(f"action {action!r} is not one of {', '.join(IMPORT_ACTIONS)}")
    fields.pop("id", None)
    if "date" in fields:
        fields["on"] = fields.pop("date")
    else:
        raise InvalidValue("the row has no date")
    if "legal_person" in fields:
        flag = str(fields["legal_person"]).strip().lower()
        if flag not in _TRUE | _FALSE:
            raise InvalidValue(f"legal_person {fields['legal_person']!r} is not true or false")
        fields["legal_person"] = flag in _TRUE
    model = cmd.ACTIONS[action]
    stray = sorted(set(fields) - _FIELDS[action])
    if stray:
        raise InvalidValue(f"{', '.join(stray)} do not apply to {action}")
    return cmd.build(model, source=source, **fields)


def _row_id(value: Any) -> str | None:
    """A row's ``id`` as text, or None; raises :class:`InvalidValue` for an unusable one."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidValue("id: a text or a number is expected")
    text = str(value)
    if not text.strip():
        return None
    if len(text) > MAX_ID or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidValue(f"id {text!r}: at most {MAX_ID} characters, no control characters")
    return text


def plan(path: Path, sheet: str | None = None) -> Plan:
    """The file's rows as commands; raise :class:`InvalidRows` naming each invalid row (the
    first :data:`MAX_ERRORS`, then how many more)."""
    with collector_paused():
        return _plan(path, sheet)


def _plan(path: Path, sheet: str | None) -> Plan:
    notes: list[str] = []
    digest, rows = read_rows(path, sheet, notes)
    prefix = digest[:16]
    out: list[Planned] = []
    errors = _Errors()
    seen: dict[str, int] = {}
    for row in rows:
        if isinstance(row, Bad):
            errors.add(row.line, row.message)
            continue
        try:
            given = _row_id(row.fields.get("id"))
            source = f"id:{given}" if given is not None else f"{prefix}:{row.line}"
            if given is not None and source in seen:
                raise InvalidValue(f"id {given!r} already used on line {seen[source]}")
            command = to_command(row, source)
        except InvalidValue as error:
            errors.add(row.line, error.message)
            continue
        if given is not None:
            seen[source] = row.line
        if not errors:  # once a row is invalid, nothing is recorded: only count the rest
            out.append(Planned(row.line, command, given))
    if errors:
        raise InvalidRows(errors.report())
    return Plan(prefix, out, notes)


# ---------------------------------------------------------------------------- identity

_NOT_CONTENT = {"on", "ref", "note", "source", "person"}
# Each action's own fields, in a fixed order: with the action, the date, the person, the ref
# and the note, an entry's content.
_CONTENT_FIELDS = {
    action: tuple(sorted(set(cmd.ACTIONS[action].model_fields) - _NOT_CONTENT))
    for action in IMPORT_ACTIONS
}
_ENTRY_PAGE = 5000


def _canonical(value: Any) -> str | None:
    """One text per value, whatever its spelling: ``25``, ``25.0`` and ``25.00`` are one
    amount; an enumeration is its contract spelling."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        norm = value.normalize()
        text = str(norm)
        if "E" in text and abs(norm.adjusted()) < 30:
            text = format(norm, "f")  # 1E+2 as 100
        return text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _stored(value: Any) -> str | None:
    """:func:`_canonical` of a value as an event's JSON stores it."""
    if isinstance(value, dict) and "_data_" in value:
        if value.get("_type_") == "decimal_str":
            try:
                return _canonical(Decimal(value["_data_"]))
            except (InvalidOperation, TypeError):
                return str(value["_data_"])
        return str(value["_data_"])
    return _canonical(value)


Content = tuple[Any, ...]


def row_content(command: cmd.Command, share_value: Decimal) -> Content:
    """A row's content, as :func:`entry_content` gives an entry's. A subscription without
    ``paid`` is paid in full: the entry stores what that is."""
    values = []
    for name in _CONTENT_FIELDS[command.action]:
        value = getattr(command, name)
        if name == "paid" and value is None and isinstance(command, cmd.Subscribe):
            value = share_value * command.shares
        values.append(_canonical(value))
    return (
        command.action,
        command.on.isoformat(),
        getattr(command, "person", None),
        command.ref,
        command.note,
        *values,
    )


def entry_content(
    action: str,
    on: str,
    person: str | None,
    ref: str | None,
    note: str | None,
    state: dict[str, Any],
) -> Content:
    """An entry's content from the view's columns and its event's stored JSON."""
    values: list[str | None] = []
    for name in _CONTENT_FIELDS[action]:
        if action == "leave" and name == "reason":
            values.append(str(state.get("cause", "")).split(":", 1)[-1])
        else:
            values.append(_stored(state.get(name)))
    if person is None:
        person = state.get("person")
    return (action, on, person, ref, note, *values)


def _key(content: Content) -> bytes:
    """A short fixed-size key for a content (a million of them fit in little memory)."""
    text = repr(content).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).digest()


def _differences(action: str, row: Content, entry: Content) -> str:
    names = ("action", "date", "person", "ref", "note", *_CONTENT_FIELDS[action])
    parts = [
        f"{name.replace('_', '-')} {there!r} there, {here!r} here"
        for name, here, there in zip(names, row, entry, strict=False)
        if here != there
    ]
    return "; ".join(parts)


def recorded_entries(db: DB, slug: str, planned: Plan) -> list[int | None]:
    """For each planned row, the entry that already records it, or None when it is new.

    A row whose ``source`` (its ``id``, or this file's hash and its line, as an earlier
    release recorded it) the ledger holds is that entry; a row with a known ``id`` whose
    content differs is refused (:class:`ConflictingRows`). Every other row counts by content:
    the n-th row of the file with a given content is recorded when the ledger holds at least n
    entries with that content besides those claimed by source.

    Reads the view's entry table (the view must be level with the events) and the stored JSON
    of the entries dated within the file's dates: one pass, no domain objects."""
    rows = planned.rows
    if not rows:
        return []
    coop = db.rows("SELECT cid, share_value_cents FROM rm_coops WHERE slug = :slug", {"slug": slug})
    if not coop:
        return [None] * len(rows)
    cid, cents = coop[0]
    share_value = Decimal(int(cents)) / 100
    contents = [row_content(p.command, share_value) for p in rows]
    keys = [_key(c) for c in contents]
    # Sources: the entries an id or an earlier release's file hash and line names.
    by_source: dict[str, list[int]] = {}
    for seq, source in db.rows(
        "SELECT seq, source FROM rm_entries WHERE cid = :cid AND source IS NOT NULL "
        "AND (source LIKE :prefix OR source LIKE 'id:%') ORDER BY seq",
        {"cid": cid, "prefix": f"{planned.digest}:%"},
    ):
        by_source.setdefault(source, []).append(seq)
    wanted: dict[int, list[int]] = {}  # row index -> candidate entries, oldest first
    for index, p in enumerate(rows):
        found = by_source.get(p.command.source or "")
        if found:
            wanted[index] = found
    del by_source
    candidates = {seq for seqs in wanted.values() for seq in seqs}
    # Contents: every entry dated within the file's dates, and the candidates.
    prefixes = {(c[0], c[1]) for c in contents}
    wanted_keys = set(keys)
    content_of: dict[int, Content] = {}
    pool: dict[bytes, list[int]] = {}
    days = sorted(c[1] for c in contents)
    actions = ", ".join(f"'{a}'" for a in IMPORT_ACTIONS)
    select = (
        "SELECT e.seq, e.action, m.person, e.on_date, e.ref, e.note, ev.state "
        "FROM rm_entries e LEFT JOIN rm_members m ON m.mid = e.mid "
        f"JOIN {EVENTS_TABLE} ev ON ev.id = e.seq "
        f"WHERE e.cid = :cid AND e.action IN ({actions}) "
    )

    def take(found: list[tuple[Any, ...]]) -> None:
        for seq, action, person, on, ref, note, state in found:
            on = on if isinstance(on, str) else on.isoformat()
            if seq not in candidates and (action, on) not in prefixes:
                continue
            try:
                details = json.loads(bytes(state))
            except ValueError:
                continue  # not an entry this import could have made
            if details.get("consequence_of") is not None:
                continue  # derived by the rules from another entry, never a row
            content = entry_content(action, on, person, ref, note, details)
            if seq in candidates:
                content_of[seq] = content
            key = _key(content)
            if key in wanted_keys:
                pool.setdefault(key, []).append(seq)

    after = 0
    while True:
        page = db.rows(
            select + "AND e.on_date BETWEEN :lo AND :hi AND e.seq > :after "
            f"ORDER BY e.seq LIMIT {_ENTRY_PAGE}",
            {
                "cid": cid,
                "lo": date.fromisoformat(days[0]),
                "hi": date.fromisoformat(days[-1]),
                "after": after,
            },
        )
        take(page)
        if len(page) < _ENTRY_PAGE:
            break
        after = page[-1][0]
    missing = sorted(candidates - content_of.keys())
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        marks = ", ".join(f":s{i}" for i in range(len(chunk)))
        take(
            db.rows(
                select + f"AND e.seq IN ({marks})",
                {"cid": cid, **{f"s{i}": seq for i, seq in enumerate(chunk)}},
            )
        )
    # Claims by source first: those entries are not in the pool for other rows. A file hash
    # and line claims only an entry with the row's content (an .xlsx's other sheets have the
    # same hash and lines; a reader may have read a value otherwise).
    out: list[int | None] = [None] * len(rows)
    conflicts = _Errors()
    claimed: set[int] = set()
    for index, seqs in wanted.items():
        seq = next((s for s in seqs if s in content_of and s not in claimed), None)
        if seq is None:
            continue
        p = rows[index]
        if content_of[seq] != contents[index]:
            if p.id is not None:
                diff = _differences(p.command.action, contents[index], content_of[seq])
                conflicts.add(
                    p.line, f"id {p.id!r} is entry {seq}, recorded with other content ({diff})"
                )
            continue
        out[index] = seq
        claimed.add(seq)
    if conflicts:
        raise ConflictingRows(conflicts.report())
    used: dict[bytes, int] = {}
    for index, key in enumerate(keys):
        if out[index] is not None:
            continue
        pooled = pool.get(key)
        if not pooled:
            continue
        n = used.get(key, 0)
        while n < len(pooled) and pooled[n] in claimed:
            n += 1
        if n < len(pooled):
            out[index] = pooled[n]
            n += 1
        used[key] = n
    return out


def run_import(
    ledger: Ledger,
    rows: Sequence[Planned],
    recorded: Sequence[int | None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Record every row not already recorded (``recorded``, from :func:`recorded_entries`),
    in one transaction."""
    from scop_ledger.app.ledger import BatchError

    if recorded is None:
        recorded = [None] * len(rows)
    todo = [(p.line, p.command) for p, seq in zip(rows, recorded, strict=True) if seq is None]
    if not todo:
        return ImportResult(len(rows), 0, len(rows), None, None)
    try:
        done = ledger.execute_batch([c for _, c in todo], progress=progress)
    except BatchError as error:
        raise RefusedRow(todo[error.index][0], error.error) from None
    return ImportResult(
        rows=len(rows),
        recorded=len(done),
        skipped=len(rows) - len(todo),
        first_event=done[0].event,
        last_event=done[-1].event,
    )


# What each action's history details become as import columns (export's inverse of import).
_EXPORT_FIELDS = {
    "hire": ("name",),
    "terminate": ("reason",),
    "admit": ("name", "legal_person"),
    "subscribe": ("shares", "paid"),
    "pay-up": ("amount",),
    "withdraw": ("shares",),
    "leave": (),
    "pay-refund": ("amount",),
    "appoint": ("office", "term_years"),
    "end-mandate": ("office",),
    "review": ("reviewer", "reservations"),
    "allocate": ALLOCATION_COLUMNS,
    "change-form": ("legal_form",),
}


def export_rows(ledger: Ledger, slug: str, known_at: Any) -> list[dict[str, Any]]:
    """The cooperative's history as import rows: every entry that counts as known at
    ``known_at``, in the order recorded. Left out: the registration (``init`` comes first, by
    hand), entries reversed and the reversals themselves, and consequences (importing their
    cause derives them again). Each row's ``id`` is ``<slug>:<entry id>``, so importing the
    export twice records nothing the second time."""
    rows = []
    for e in history_from_events(ledger, slug, None, known_at):
        action, details = e["action"], e["details"]
        if action not in _EXPORT_FIELDS or e["reversed_by"] is not None:
            continue
        if details.get("consequence_of") is not None:
            continue
        row: dict[str, Any] = {"id": f"{slug}:{e['id']}", "action": action, "date": e["date"]}
        if e["person"] is not None:
            row["person"] = e["person"]
        for key in _EXPORT_FIELDS[action]:
            value = details.get(key)
            if value is not None and value is not False:
                row[key] = value
        if action == "leave":
            row["reason"] = str(details["cause"]).split(":", 1)[1]
        for key, text in (("ref", e["ref"]), ("note", e["note"])):
            if text is not None:
                row[key] = text
        rows.append(row)
    return rows
