"""Import files (CSV, JSON Lines, XLSX) built from random, often nasty, rows: every case exits
0 to 3 with one ``error: …`` line per problem, a failed import writes nothing, and every query
still answers."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scop_ledger.app.importing import IMPORT_ACTIONS
from tests.fuzz import values as v
from tests.fuzz.harness import FUZZ, Store

pytestmark = pytest.mark.fuzz

ACTIONS = list(IMPORT_ACTIONS)  # every action an import row may name
# A plain row of each action (on the prepared ledger most of them record).
PLAIN: dict[str, dict[str, str]] = {
    "hire": {"person": "dave", "name": "Dave"},
    "terminate": {"person": "bob", "reason": "resignation"},
    "admit": {"person": "bob"},
    "subscribe": {"person": "alice", "shares": "2", "paid": "10"},
    "pay-up": {"person": "alice", "amount": "10"},
    "withdraw": {"person": "carol", "shares": "1"},
    "leave": {"person": "carol", "reason": "resignation"},
    "pay-refund": {"person": "carol", "amount": "10"},
    "appoint": {"person": "bob", "office": "chair", "term_years": "3"},
    "end-mandate": {"person": "alice", "office": "manager"},
    "review": {"reviewer": "Cabinet X", "reservations": "none"},
    "allocate": {
        "year": "2020",
        "surplus": "100",
        "legal_reserve": "15",
        "development_fund": "35",
        "employees": "40",
        "dividends": "10",
    },
    "change-form": {"legal_form": "sas"},
    "transfer": {"person": "alice", "to": "carol", "shares": "1", "price": "30"},
    "change-share-value": {"share_value": "5"},
}
COLUMN_SLOTS: dict[str, v.Slot] = {
    "action": v.Slot(ACTIONS, ["", "HIRE", "init", "reverse", "hire\n"]),
    "date": v.DAY,
    "person": v.PERSON,
    "shares": v.NUMBER,
    "paid": v.NUMBER,
    "amount": v.NUMBER,
    "reason": v.among([*v.TERMINATIONS, *v.LEAVINGS]),
    "name": v.TEXT,
    "office": v.among(v.OFFICES),
    "term_years": v.NUMBER,
    "reviewer": v.TEXT,
    "reservations": v.TEXT,
    "legal_person": v.Slot(["true", "false"], ["yes", "1", "maybe", ""]),
    "year": v.NUMBER,
    "surplus": v.NUMBER,
    "legal_reserve": v.NUMBER,
    "development_fund": v.NUMBER,
    "employees": v.NUMBER,
    "dividends": v.NUMBER,
    "legal_form": v.among(v.FORMS),
    "to": v.PERSON,
    "price": v.NUMBER,
    "share_value": v.NUMBER,
    "net_asset_value_per_share": v.NUMBER,
    "ref": v.TEXT,
    "note": v.TEXT,
    "id": v.Slot(["r1", "r2", "r3"], ["", "r1\n", "r1 "]),
}
# A text cell may also hold what no argument can: NUL, a lone surrogate.
CELL_EXTRA = st.sampled_from(v.CELL_EXTRA)


def _plain(value: Any) -> Any:
    return value.decode("latin-1") if isinstance(value, bytes) else value


@st.composite
def rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Plain rows, one to five, of which one or two cells get a nasty value (or lose it)."""
    out: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 5))):
        action = draw(st.sampled_from(ACTIONS))
        row: dict[str, Any] = {"action": action, "date": draw(v.DAY.ok), **PLAIN[action]}
        if draw(st.integers(0, 3)) == 0:
            row[draw(st.sampled_from(["ref", "note", "id"]))] = draw(
                st.sampled_from(["a", "b", "c"])
            )
        out.append(row)
    for _ in range(draw(st.integers(1, 2))):
        row = out[draw(st.integers(0, len(out) - 1))]
        column = draw(st.sampled_from(sorted({*row, *COLUMN_SLOTS})))
        how = draw(st.integers(0, 9))
        if how == 0:
            row.pop(column, None)
        elif how == 1:
            row[column] = draw(CELL_EXTRA)
        else:
            row[column] = _plain(draw(COLUMN_SLOTS.get(column, v.TEXT).bad))
    return out


class File:
    """An import file, shown by its suffix, size and start (hypothesis prints examples)."""

    def __init__(self, suffix: str, data: bytes) -> None:
        self.suffix = suffix
        self.data = data

    def __repr__(self) -> str:
        return f"File({self.suffix!r}, {len(self.data)} bytes: {self.data[:300]!r})"

    def _repr_pretty_(self, printer, cycle) -> None:  # type: ignore[no-untyped-def]
        printer.text(repr(self))


def _header(table: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(k for row in table for k in row))


@st.composite
def csv_file(draw: st.DrawFn) -> bytes:
    table = draw(rows())
    header = _header(table)
    if draw(st.integers(0, 7)) == 0:
        header.append(header[0])  # a duplicate column
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    for row in table:
        writer.writerow([row.get(h, "") for h in header])
    if draw(st.integers(0, 9)) == 0:
        buffer.write(f'subscribe,2020-06-01,alice,"{"x" * 131_073}"\n')  # over csv's limit
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + buffer.getvalue()).encode("utf-8", errors="surrogatepass")


JSON_EXTRA = st.sampled_from(
    [10**21, 3689348814741911, 1e30, float("inf"), float("nan"), -0.0, True, None, [], {}]
)
GARBAGE_LINES = [
    "{",
    "[]",
    '"text"',
    "[" * 100_000 + "]" * 100_000,
    '{"action": "hire", "date": "2020-06-01", "person": "zed", "shares": 1e999}',
    '{"action": "hire", "action": "admit", "date": "2020-06-01", "person": "zed"}',
    '{"action": "hire", "date": "2020-06-01", "person": "zed", "name": "\\ud800"}',
]


@st.composite
def jsonl_file(draw: st.DrawFn) -> bytes:
    lines = []
    for row in draw(rows()):
        for column in list(row):
            if column not in ("action", "person") and draw(st.integers(0, 4)) == 0:
                row[column] = draw(JSON_EXTRA)
        lines.append(json.dumps(row, ensure_ascii=draw(st.booleans())))
    if draw(st.integers(0, 4)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(GARBAGE_LINES)))
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("?", value.encode("utf-8", "replace").decode())
    return value


XLSX_EXTRA = st.sampled_from(
    [
        "=10*1",
        "=1/0",
        "=A1",
        '=HYPERLINK("http://x","y")',
        10**21,
        3689348814741911,
        1e30,
        -0.0,
        2.5,
        True,
        datetime(2020, 6, 1),
        datetime(9999, 12, 31),
        datetime(1900, 1, 1),
    ]
)


@st.composite
def xlsx_file(draw: st.DrawFn) -> bytes:
    from openpyxl import Workbook

    table = draw(rows())
    header = _header(table)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in table:
        cells = []
        for h in header:
            value = row.get(h)
            if h not in ("action",) and draw(st.integers(0, 4)) == 0:
                value = draw(XLSX_EXTRA)
            cells.append(_xlsx_cell(value))
        sheet.append(cells)
    if draw(st.integers(0, 5)) == 0:
        book.create_sheet("second").append(["action", "date", "person"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FILES = st.one_of(
    csv_file().map(lambda data: File(".csv", data)),
    jsonl_file().map(lambda data: File(".jsonl", data)),
    xlsx_file().map(lambda data: File(".xlsx", data)),
)


def test_import_files_with_nasty_rows(fuzz_store: Store) -> None:
    @FUZZ
    @given(file=FILES)
    def case(file: File) -> None:
        with fuzz_store.copy() as example:
            path = Path(example.cwd) / f"rows{file.suffix}"
            path.write_bytes(file.data)
            example.command(["import", str(path)], many_lines=True)
            example.finish()

    case()
