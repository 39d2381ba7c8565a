"""Import files: ``.csv``, ``.jsonl`` or ``.xlsx``, one row per action (CONTRACT.md).

Every row is validated first (pydantic, through the same command models as the CLI) and every
invalid row is reported as ``line N: …``; then all rows run as one batch, all or none. A row's
identity is its ``id`` column, else the file's content hash and the row's line; identities
already recorded are skipped, so running an import twice records nothing new.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from scop_ledger import commands as cmd
from scop_ledger.bulk import collector_paused
from scop_ledger.cells import unescape
from scop_ledger.domain.errors import InvalidValue, LedgerError

if TYPE_CHECKING:
    from scop_ledger.application import Ledger

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


class InvalidRows(InvalidValue):
    """Rows that cannot be read; ``lines`` holds one ``line N: …`` message each (exit 2)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class RefusedRow(LedgerError):
    """A row refused by a rule (exit 1); nothing was written."""

    def __init__(self, line: int, error: LedgerError) -> None:
        super().__init__(f"line {line}: {error.message}", person=error.person, on=error.on)
        self.exit_code = error.exit_code


class Row(NamedTuple):
    line: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class ImportResult:
    rows: int
    recorded: int
    skipped: int
    first_event: int | None
    last_event: int | None


def read_rows(path: Path) -> tuple[str, list[Row]]:
    """The file's content hash and its rows, each with the line a person would look at."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".xlsx"):
        raise InvalidValue(f"{path.name}: import reads .csv, .jsonl or .xlsx files")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidValue(f"{path}: {error.strerror or error}") from None
    digest = hashlib.sha256(data).hexdigest()
    if suffix == ".csv":
        return digest, list(_csv_rows(data))
    if suffix == ".jsonl":
        return digest, list(_jsonl_rows(data))
    return digest, list(_xlsx_rows(data, path.name))


def _csv_rows(data: bytes) -> Iterator[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidRows(["line 1: the file is not UTF-8 text"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return
    names = [h.strip() for h in header]
    _check_columns(names, 1)
    start = reader.line_num + 1
    for values in reader:
        if not any(v.strip() for v in values):
            start = reader.line_num + 1
            continue
        if len(values) > len(names):
            raise InvalidRows([f"line {start}: {len(values)} values for {len(names)} columns"])
        yield Row(start, dict(zip(names, map(unescape, values), strict=False)))
        start = reader.line_num + 1


_JSON = json.JSONDecoder(parse_float=Decimal)  # one decoder for every line, not one each


def _jsonl_rows(data: bytes) -> Iterator[Row]:
    errors = []
    rows = []
    for number, raw in enumerate(data.decode("utf-8-sig", errors="replace").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            value = _JSON.decode(raw)
        except json.JSONDecodeError as error:
            errors.append(f"line {number}: not JSON ({error.msg})")
            continue
        if not isinstance(value, dict):
            errors.append(f"line {number}: a row must be a JSON object")
            continue
        unknown = sorted(set(value) - set(COLUMNS))
        if unknown:
            errors.append(f"line {number}: unknown column(s) {', '.join(unknown)}")
            continue
        rows.append(Row(number, value))
    if errors:
        raise InvalidRows(errors)
    yield from rows


def _xlsx_rows(data: bytes, name: str) -> Iterator[Row]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency
        raise InvalidValue("reading .xlsx needs openpyxl") from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise InvalidValue(f"{name}: not a readable .xlsx file ({type(error).__name__})") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return
    names = ["" if h is None else str(h).strip() for h in header]
    _check_columns([n for n in names if n], 1)
    for number, values in enumerate(rows, 2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        fields = {n: _cell(unescape(v)) for n, v in zip(names, values, strict=False) if n}
        yield Row(number, fields)
    book.close()


def _cell(value: Any) -> Any:
    from datetime import date, datetime

    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Spreadsheets store numbers as floats: keep their shortest exact decimal form.
        return repr(value) if value != int(value) else str(int(value))
    return value


def _check_columns(names: list[str], line: int) -> None:
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise InvalidRows([f"line {line}: unknown column(s) {', '.join(unknown)}"])
    if "action" not in names:
        raise InvalidRows([f"line {line}: the header has no 'action' column"])


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


def plan(path: Path) -> tuple[str, list[tuple[int, cmd.Command]]]:
    """The file's hash prefix and its commands; raise :class:`InvalidRows` naming each
    invalid row."""
    with collector_paused():
        return _plan(path)


def _plan(path: Path) -> tuple[str, list[tuple[int, cmd.Command]]]:
    digest, rows = read_rows(path)
    out: list[tuple[int, cmd.Command]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for row in rows:
        given = row.fields.get("id")
        source = f"id:{given}" if given not in (None, "") else f"{digest[:16]}:{row.line}"
        if source in seen:
            errors.append(f"line {row.line}: id {given!r} already used on line {seen[source]}")
            continue
        seen[source] = row.line
        try:
            out.append((row.line, to_command(row, source)))
        except InvalidValue as error:
            errors.append(f"line {row.line}: {error.message}")
    if errors:
        raise InvalidRows(errors)
    return digest[:16], out


def recorded_sources(db: Any, slug: str, digest_prefix: str) -> set[str]:
    """Row identities of this file (or with an ``id``) already recorded in the cooperative."""
    rows = db.rows(
        "SELECT e.source FROM rm_entries e JOIN rm_coops c ON c.cid = e.cid "
        "WHERE c.slug = :slug AND (e.source LIKE :prefix OR e.source LIKE 'id:%')",
        {"slug": slug, "prefix": f"{digest_prefix}:%"},
    )
    return {r[0] for r in rows}


def run_import(
    ledger: Ledger,
    planned: list[tuple[int, cmd.Command]],
    recorded_sources: set[str],
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Record every planned row not already recorded, in one transaction."""
    from scop_ledger.application import BatchError

    todo = [(line, c) for line, c in planned if c.source not in recorded_sources]
    if not todo:
        return ImportResult(len(planned), 0, len(planned), None, None)
    try:
        done = ledger.execute_batch([c for _, c in todo], progress=progress)
    except BatchError as error:
        raise RefusedRow(todo[error.index][0], error.error) from None
    return ImportResult(
        rows=len(planned),
        recorded=len(done),
        skipped=len(planned) - len(todo),
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
    for e in ledger.history(slug, None, known_at):
        if e.action not in _EXPORT_FIELDS or e.reversed_by is not None:
            continue
        if e.details.get("consequence_of") is not None:
            continue
        row: dict[str, Any] = {"id": f"{slug}:{e.id}", "action": e.action, "date": e.on}
        if e.person is not None:
            row["person"] = e.person
        for key in _EXPORT_FIELDS[e.action]:
            value = e.details.get(key)
            if value is not None and value is not False:
                row[key] = value
        if e.action == "leave":
            row["reason"] = str(e.details["cause"]).split(":", 1)[1]
        for key in ("ref", "note"):
            if getattr(e, key) is not None:
                row[key] = getattr(e, key)
        rows.append(row)
    return rows
