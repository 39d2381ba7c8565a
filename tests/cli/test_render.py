"""Files written by ``--out``: typed workbook cells, and never half a file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import openpyxl
import pytest

from scop_ledger.cli.render import write_rows


def test_a_workbook_keeps_numbers_dates_and_booleans_typed(tmp_path) -> None:
    path = tmp_path / "t.xlsx"
    paris = timezone(timedelta(hours=1))
    recorded = datetime(2024, 3, 1, 10, 0, tzinfo=paris)
    write_rows(
        path,
        ["person", "amount", "due", "overdue", "recorded_at", "details"],
        [["alice", Decimal("12.50"), date(2024, 3, 1), True, recorded, {"k": 1}]],
        {"command": "refunds", "as_of": date(2024, 3, 1)},
    )
    book = openpyxl.load_workbook(path)
    row = [c.value for c in book["refunds"][2]]
    assert row[0] == "alice" and row[1] == 12.5 and row[3] is True
    assert row[2] == datetime(2024, 3, 1)
    assert row[4] == recorded.astimezone(UTC).replace(tzinfo=None)
    assert row[5] == '{"k": 1}'
    assert dict(book["about"].iter_rows(values_only=True))["as_of"] == "2024-03-01"


def test_a_failure_midway_leaves_no_file_and_an_older_file_intact(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("before\n")

    def rows():
        yield ["a"]
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_rows(path, ["x"], rows(), {})  # type: ignore[arg-type]
    assert path.read_text() == "before\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_a_written_file_gets_the_mode_of_a_new_file(tmp_path) -> None:
    """The temporary file is private while written; the published file is not."""
    import os

    path = tmp_path / "t.csv"
    write_rows(path, ["x"], [["a"]], {})
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_workbook_shows_a_date_time_with_its_time(tmp_path) -> None:
    path = tmp_path / "t.xlsx"
    recorded = datetime(2024, 3, 1, 10, 30, 5, tzinfo=UTC)
    write_rows(path, ["recorded_at", "date"], [[recorded, date(2024, 3, 1)]], {"command": "h"})
    sheet = openpyxl.load_workbook(path)["h"]
    assert sheet["A2"].value == datetime(2024, 3, 1, 10, 30, 5)
    assert sheet["A2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["B2"].number_format == "yyyy-mm-dd"


def test_the_excel_fr_dialect(tmp_path) -> None:
    from scop_ledger.cli.sheets import EXCEL_FR, STANDARD, csv_cell

    recorded = datetime(2024, 3, 1, 11, 0, tzinfo=timezone(timedelta(hours=1)))
    row = ["=1+1", Decimal("12.50"), Decimal("-3"), date(2024, 3, 1), recorded, True, 7, None]
    assert [csv_cell(v, EXCEL_FR) for v in row] == [
        "'=1+1",
        "12,50",
        "-3",
        "01/03/2024",
        "01/03/2024 10:00:00",
        "yes",
        "7",
        "",
    ]
    assert [csv_cell(v, STANDARD) for v in row] == [
        "'=1+1",
        "12.50",
        "-3",
        "2024-03-01",
        "2024-03-01T11:00:00+01:00",
        "yes",
        "7",
        "",
    ]
    path = tmp_path / "t.csv"
    write_rows(path, ["person", "amount"], [["a;b", Decimal("1.5")], ["c", None]], {}, EXCEL_FR)
    assert path.read_bytes() == b'\xef\xbb\xbfperson;amount\r\n"a;b";1,5\r\nc;\r\n'
    write_rows(path, ["person", "amount"], [["a;b", Decimal("1.5")]], {}, STANDARD)
    assert path.read_bytes() == b"person,amount\na;b,1.5\n"


def test_french_headers_and_cells_for_people(tmp_path) -> None:
    from scop_ledger.cli.sheets import EXCEL_FR, label, shown
    from scop_ledger.i18n import speaking

    with speaking("fr"):
        assert [shown(v) for v in (Decimal("2550.00"), date(2024, 12, 31), True)] == [
            "2\u202f550,00",
            "31/12/2024",
            "oui",
        ]
        assert shown(label("employee")) == "salarié" and shown("employee") == "employee"
        path = tmp_path / "t.csv"
        write_rows(path, ["person", "shares"], [["al", 3]], {}, EXCEL_FR)
        assert path.read_text(encoding="utf-8-sig").splitlines()[0] == "personne;parts"
        write_rows(tmp_path / "t.xlsx", ["person", "shares"], [["al", 3]], {"command": "c"})
        book = openpyxl.load_workbook(tmp_path / "t.xlsx")
        assert [c.value for c in book["c"][1]] == ["personne", "parts"]
        assert book["à propos"]["A1"].value == "commande"
    assert shown(label("employee")) == "employee" and shown(True) == "yes"
