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

from tests.fuzz import values as v
from tests.fuzz.harness import FUZZ, Store

pytestmark = pytest.mark.fuzz

ACTIONS = [
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
]
OPTION_VALUES: dict[str, st.SearchStrategy] = {
    "shares": v.number,
    "paid": v.number,
    "amount": v.number,
    "reason": v.choice([*v.TERMINATIONS, *v.LEAVINGS]),
    "name": v.text,
    "office": v.choice(v.OFFICES),
    "term_years": v.number,
    "reviewer": v.text,
    "reservations": v.text,
    "legal_person": v.choice(["true", "false", "yes", "1", "0", "maybe"]),
    "year": st.one_of(st.sampled_from(["2020", "2021"]), v.number),
    "surplus": v.number,
    "legal_reserve": v.number,
    "development_fund": v.number,
    "employees": v.number,
    "dividends": v.number,
    "legal_form": v.choice(v.FORMS),
    "ref": v.text,
    "note": v.text,
    "id": st.one_of(st.sampled_from(["r1", "r2", "", "r1\n"]), v.text),
}
# A text cell may also hold what no argument can: NUL, a lone surrogate.
CELL_TEXT = st.one_of(v.text, st.sampled_from(v.CELL_EXTRA))


def _plain(value: Any) -> Any:
    return value.decode("latin-1") if isinstance(value, bytes) else value


@st.composite
def rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(1, 5))):
        row: dict[str, Any] = {
            "action": draw(st.one_of(st.sampled_from(ACTIONS), v.choice(["", "HIRE", "init"]))),
        }
        if draw(st.integers(0, 5)):
            row["date"] = draw(v.day)
        if draw(st.integers(0, 5)):
            row["person"] = _plain(draw(st.one_of(v.person, st.sampled_from(v.CELL_EXTRA))))
        for column in draw(st.lists(st.sampled_from(sorted(OPTION_VALUES)), max_size=4)):
            strategy = st.one_of(OPTION_VALUES[column], CELL_TEXT)
            row[column] = _plain(draw(strategy))
        out.append(row)
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
