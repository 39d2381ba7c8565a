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
