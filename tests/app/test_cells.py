"""Export cells that carry no formula (OWASP's CSV injection), and the import that undoes it."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scop_ledger.app.cells import TRIGGERS, needs_quote, neutralise, unescape
from scop_ledger.app.importing import read_rows
from scop_ledger.cli.render import write_rows

ATTACKS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\tx",
    "\rx",
    "=1+1",
    "'=1+1",  # a text that begins with our quote: gets one of its own
    "''-2+3",
]
HARMLESS = ["Alice", "", "'", "'quoted'", "a=b", "-3", "-3.00", "+12.5%", "-.5", "1e5", "#N/A"]


@pytest.mark.parametrize("text", ATTACKS)
def test_a_formula_is_quoted_and_comes_back(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert unescape(neutralise(text)) == text


@pytest.mark.parametrize("text", HARMLESS)
def test_a_plain_text_or_number_is_left_alone(text: str) -> None:
    assert neutralise(text) == text
    assert unescape(text) == text


def test_unescape_leaves_other_values_alone() -> None:
    assert unescape(None) is None
    assert unescape(3) == 3
    assert unescape("'plain") == "'plain"
    assert unescape("'-3") == "'-3"


def test_a_long_run_of_quotes_is_no_problem() -> None:
    text = "'" * 100_000 + "=1"
    assert unescape(neutralise(text)) == text


TEXT = st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "1", ".", "%", "a"]))


@given(st.one_of(TEXT, st.text()))
def test_neutralised_text_round_trips_and_carries_no_formula(text: str) -> None:
    out = neutralise(text)
    assert unescape(out) == text
    if out.startswith(TRIGGERS):  # only a plain number may
        assert not needs_quote(out) and out == text


ROWS = [
    ["=1+1", Decimal("-3.00"), -3, "-3.00", date(2024, 1, 2), "+cmd|' /C calc'!A0", "ok"],
    ["a\r=2+2", Decimal("12.50"), 0, "@SUM(1)", None, {"note": "=x"}, "\tx"],
]
HEADERS = ["name", "amount", "shares", "value", "date", "ref", "note"]


def test_a_csv_file_has_every_text_quoted_and_numbers_as_they_are(tmp_path) -> None:
    path = tmp_path / "t.csv"
    write_rows(path, HEADERS, ROWS, {"command": "x"})
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[1] == [
        "'=1+1",
        "-3.00",
        "-3",
        "-3.00",
        "2024-01-02",
        "'+cmd|' /C calc'!A0",
        "ok",
    ]
    # The carriage return stays inside its (quoted) field: the row is not split there.
    assert rows[2] == ["a\r=2+2", "12.50", "0", "'@SUM(1)", "", '{"note": "=x"}', "'\tx"]
    assert len(rows) == 3


def test_a_workbook_has_text_cells_and_no_formula(tmp_path) -> None:
    path = tmp_path / "t.xlsx"
    write_rows(path, HEADERS, ROWS, {"command": "x", "coop": "=evil()"})
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name
    book = openpyxl.load_workbook(path)
    cells = {c.coordinate: c for row in book["x"].iter_rows() for c in row}
    assert cells["A2"].value == "=1+1" and cells["A2"].data_type == "s"
    assert cells["A2"].quotePrefix
    assert cells["B2"].value == -3 and cells["B2"].data_type == "n"
    assert cells["C2"].value == -3 and cells["C2"].data_type == "n"
    assert cells["D2"].value == "-3.00" and not cells["D2"].quotePrefix
    assert cells["F2"].value == "+cmd|' /C calc'!A0" and cells["F2"].data_type == "s"
    assert cells["G3"].value == "\tx"
    assert all(c.data_type != "f" for c in cells.values())
    about = {r[0].value: r[1] for r in book["about"].iter_rows()}
    assert about["coop"].value == "=evil()" and about["coop"].data_type == "s"


def test_import_reads_back_the_text_a_csv_export_quoted(tmp_path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["action", "date", "person", "name", "ref", "note"])
    writer.writerow(["hire", "2024-01-02", "al", "'=1+1", "'-2+3", "'plain"])
    path = tmp_path / "in.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    _digest, found = read_rows(path)
    rows = list(found)
    assert rows[0].fields == {
        "action": "hire",
        "date": "2024-01-02",
        "person": "al",
        "name": "=1+1",
        "ref": "-2+3",
        "note": "'plain",
    }


def test_import_reads_back_a_quoted_text_kept_in_a_workbook(tmp_path) -> None:
    """A CSV export opened in a spreadsheet and saved as a workbook may keep our quote."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["action", "date", "person", "name", "note"])
    sheet.append(["hire", "2024-01-02", "al", "'=1+1", "'@x"])
    path = tmp_path / "in.xlsx"
    book.save(path)
    _digest, found = read_rows(path)
    rows = list(found)
    assert rows[0].fields["name"] == "=1+1" and rows[0].fields["note"] == "@x"


def test_a_workbook_export_imports_back_a_text_that_begins_with_a_quote(tmp_path) -> None:
    from scop_ledger.cli.render import write_rows

    path = tmp_path / "out.xlsx"
    names = ["=1+1", "'=1+1", "''@x", "'plain"]
    write_rows(
        path,
        ["action", "date", "person", "name"],
        [["hire", "2024-01-02", f"p{i}", n] for i, n in enumerate(names)],
        {"command": "data"},
    )
    _digest, found = read_rows(path, "data")
    assert [row.fields["name"] for row in found] == names
