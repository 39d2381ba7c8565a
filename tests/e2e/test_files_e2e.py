"""Files for spreadsheets (issue 16): ``--out FILE.csv|.xlsx`` and ``--csv-dialect excel-fr`` on
every query command, tables and workbooks in French under ``--lang fr``, and an export in the
excel-fr dialect that imports back into an empty store with the same answers. The installed
command, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from scop_ledger.cli.diffs import FILE_COLUMNS as DIFF_COLUMNS
from scop_ledger.cli.query import (
    CAPITAL_COLUMNS,
    COOPS_COLUMNS,
    HISTORY_COLUMNS,
    HISTORY_TABLE,
    MEMBERS_COLUMNS,
    REFUNDS_COLUMNS,
    REGISTER_COLUMNS,
    VOTES_COLUMNS,
)
from scop_ledger.cli.reports import (
    COMPLIANCE_COLUMNS,
    FACTSHEET_COLUMNS,
    FACTSHEET_FILE_COLUMNS,
    TIMELINE_COLUMNS,
)
from scop_ledger.i18n import _, speaking
from tests.conftest import console_script
from tests.helpers import init_args

AS_OF = "2021-12-31"
HISTORY_FILE = [*HISTORY_COLUMNS, "details"]


def _scenario(run_cli, db: str) -> str:
    """A cooperative with employee and external partners, a refund owed and a reversal; returns
    a moment after its registration and before everything else (for ``diff``)."""
    assert run_cli(db, *init_args("2020-01-06", "Acme")).code == 0
    time.sleep(0.05)
    moment = datetime.now(UTC).isoformat()
    time.sleep(0.05)
    steps = [
        ["hire", "alice", "--name", "Alice Martin", "--date", "2020-01-06"],
        ["hire", "bob", "--name", "Bob Durand", "--date", "2020-01-06"],
        ["admit", "alice", "--date", "2020-02-01"],
        ["subscribe", "alice", "--shares", "40", "--date", "2020-02-01"],
        ["admit", "bob", "--date", "2020-02-01"],
        ["subscribe", "bob", "--shares", "20", "--paid", "250.50", "--date", "2020-02-01"],
        ["admit", "fonds", "--name", "Fonds Coop", "--legal-person", "--date", "2020-03-01"],
        ["subscribe", "fonds", "--shares", "10", "--date", "2020-03-01"],
        ["terminate", "bob", "--reason", "resignation", "--date", "2021-06-30"],
    ]
    for step in steps:
        done = run_cli(db, *step)
        assert done.code == 0, (step, done.err)
    twice = run_cli(db, "subscribe", "alice", "--shares", "4", "--date", "2021-03-01")
    entry = re.search(r"\d+", twice.out)
    assert twice.code == 0 and entry is not None
    assert run_cli(db, "reverse", entry.group(), "--reason", "typed twice").code == 0
    return moment


def _commands(moment: str) -> dict[str, tuple[list[str], list[str], list[str]]]:
    """Each query command: its arguments, the columns of its file, the columns of its table."""
    as_of = ["--as-of", AS_OF]
    diff_table = ["figure", "before", "after"]
    return {
        "capital": (["capital", *as_of], CAPITAL_COLUMNS, CAPITAL_COLUMNS),
        "votes": (["votes", *as_of], VOTES_COLUMNS, VOTES_COLUMNS),
        "refunds": (["refunds", *as_of], REFUNDS_COLUMNS, REFUNDS_COLUMNS),
        "members": (["members", *as_of], MEMBERS_COLUMNS, MEMBERS_COLUMNS),
        "register": (["register", *as_of], REGISTER_COLUMNS, REGISTER_COLUMNS),
        "history": (["history"], HISTORY_FILE, HISTORY_TABLE),
        "compliance": (["compliance", *as_of], COMPLIANCE_COLUMNS, COMPLIANCE_COLUMNS),
        "timeline": (["timeline", *as_of], TIMELINE_COLUMNS, TIMELINE_COLUMNS),
        "factsheet": (["factsheet", "--year", "2021"], FACTSHEET_FILE_COLUMNS, FACTSHEET_COLUMNS),
        "coops": (["coops", *as_of], COOPS_COLUMNS, COOPS_COLUMNS),
        "diff": (["diff", "--from-known-at", moment, *as_of], DIFF_COLUMNS, diff_table),
    }


def _french(columns: list[str]) -> list[str]:
    with speaking("fr"):
        return [_(c) for c in columns]


def _raw(db: str, tmp_path: Path, *args: str) -> tuple[int, bytes, str]:
    """The command's stdout as bytes (``run_cli`` reads text, which folds CRLF)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOP_LEDGER_")}
    env.update({"SCOP_LEDGER_DB": db, "SCOP_LEDGER_USER": "e2e", "SCOP_LEDGER_LANG": "en"})
    proc = subprocess.run(
        [*console_script(), *args], capture_output=True, env=env, cwd=tmp_path, timeout=120
    )
    return proc.returncode, proc.stdout, proc.stderr.decode()


def _excel_fr_rows(data: bytes) -> list[list[str]]:
    """An excel-fr CSV read as French Excel and Python's csv module read it: BOM, CRLF, ';'."""
    assert data.startswith(b"\xef\xbb\xbf"), data[:20]
    text = data.decode("utf-8-sig")
    assert text.count("\n") == text.count("\r\n") > 0
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len({len(r) for r in rows}) == 1, rows
    return rows


@pytest.fixture
def store(run_here, store_url: str) -> tuple[str, str]:
    """The scenario, recorded in-process (what is tested is the installed script's files)."""
    return store_url, _scenario(run_here, store_url)


def test_every_query_command_writes_csv_and_xlsx_files(run_cli, store, tmp_path) -> None:
    db, moment = store
    for name, (args, columns, _table) in _commands(moment).items():
        sheet = tmp_path / f"{name}.csv"
        done = run_cli(db, *args, "--out", str(sheet))
        assert done.code == 0, (name, done.err)
        with sheet.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == columns, name
        assert len(rows) > 1, name
        assert done.out == f"{len(rows) - 1} rows written to {sheet}\n", name

        book_path = tmp_path / f"{name}.xlsx"
        done = run_cli(db, *args, "--out", str(book_path), "--format", "json")
        assert done.code == 0, (name, done.err)
        assert json.loads(done.out) == {"file": str(book_path), "rows": len(rows) - 1}, name
        book = openpyxl.load_workbook(book_path)
        lines = list(book.worksheets[0].iter_rows(values_only=True))
        assert list(lines[0]) == columns and len(lines) == len(rows), name
        assert dict(book["about"].iter_rows(values_only=True))["command"] == name
        # An unknown suffix: one line, exit 2, nothing written.
        target = tmp_path / f"{name}.txt"
        refused = run_cli(db, *args, "--out", str(target))
        assert refused.code == 2 and refused.out == "", name
        assert refused.err.count("\n") == 1 and ".csv or .xlsx" in refused.err, name
        assert not target.exists()
    # Typed cells: numbers, dates, and date-times with their time.
    history = openpyxl.load_workbook(tmp_path / "history.xlsx").worksheets[0]
    header = [c.value for c in history[1]]
    recorded = [r[header.index("recorded_at")] for r in history.iter_rows(min_row=2)]
    assert all(isinstance(c.value, datetime) for c in recorded)
    assert all(c.number_format == "yyyy-mm-dd hh:mm:ss" for c in recorded)
    assert any(c.value.time() != datetime.min.time() for c in recorded)
    diff = openpyxl.load_workbook(tmp_path / "diff.xlsx").worksheets[0]
    entries = [r for r in diff.iter_rows(min_row=2, values_only=True) if r[0] == "entry"]
    assert entries and all(
        isinstance(r[DIFF_COLUMNS.index("recorded_at")], datetime) for r in entries
    )
    capital = openpyxl.load_workbook(tmp_path / "capital.xlsx").worksheets[0]
    alice = next(r for r in capital.iter_rows(min_row=2, values_only=True) if r[0] == "alice")
    assert alice[3] == 40 and alice[5] == 1000
    items = {
        r[0]: r
        for r in openpyxl.load_workbook(tmp_path / "factsheet.xlsx").active.iter_rows(
            values_only=True
        )
    }
    assert items["capital"][5] == 1250 and items["financial year"][5] == 2021


def test_every_query_command_writes_excel_fr_csv(run_cli, store, tmp_path) -> None:
    db, moment = store
    for name, (args, columns, _table) in _commands(moment).items():
        sheet = tmp_path / f"{name}.csv"
        done = run_cli(db, "--lang", "fr", *args, "--out", str(sheet), "--csv-dialect", "excel-fr")
        assert done.code == 0, (name, done.err)
        rows = _excel_fr_rows(sheet.read_bytes())
        assert rows[0] == _french(columns), name
    register = _excel_fr_rows((tmp_path / "register.csv").read_bytes())
    assert [register[1][0], register[1][2]] == ["01/02/2020", "alice"]
    amount = REGISTER_COLUMNS.index("amount")
    # admission, subscription, and the money paid in with it
    assert [r[amount] for r in register if r[2] == "alice"] == ["0,00", "1000,00", "1000,00"]
    refunds = _excel_fr_rows((tmp_path / "refunds.csv").read_bytes())
    assert [r[3] for r in refunds if r[0] == "bob"] == ["250,50"]
    history = _excel_fr_rows((tmp_path / "history.csv").read_bytes())
    recorded = history[1][HISTORY_COLUMNS.index("recorded_at")]
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", recorded), recorded
    # --format csv to stdout: the same dialect, from the environment variable too.
    code, out, err = _raw(db, tmp_path, "capital", "--as-of", AS_OF, "--format", "csv")
    assert code == 0 and out.startswith(b"person,name,") and b"\r" not in out, err
    shown = subprocess.run(
        [*console_script(), "votes", "--as-of", AS_OF, "--format", "csv"],
        capture_output=True,
        env={**os.environ, "SCOP_LEDGER_DB": db, "SCOP_LEDGER_CSV_DIALECT": "excel-fr"},
        timeout=120,
    )
    votes = _excel_fr_rows(shown.stdout)
    assert votes[0] == VOTES_COLUMNS and votes[1][4] == "1,0000"


def test_every_query_command_speaks_french(run_cli, store, tmp_path) -> None:
    db, moment = store
    for name, (args, _columns, table) in _commands(moment).items():
        done = run_cli(db, "--lang", "fr", *args)
        assert done.code == 0, (name, done.err)
        lines = done.out.splitlines()
        rule = next(i for i, line in enumerate(lines) if re.fullmatch(r"-+(  -+)*", line))
        header = lines[rule - 1]
        french = _french(table)
        assert header.split("  ")[0] == french[0], (name, header)
        for english, word in zip(table, french, strict=True):
            assert word in header, (name, word)
            if english != word:
                assert not re.search(rf"(?<![\w-]){re.escape(english)}(?![\w-])", header), (
                    name,
                    english,
                )
    capital = run_cli(db, "--lang", "fr", "capital", "--as-of", AS_OF).out
    assert "au 31/12/2021, tel que connu le" in capital and "1\u202f250,00\u00a0€" in capital
    assert "associé salarié" in capital or "salarié" in capital
    members = run_cli(db, "--lang", "fr", "members", "--as-of", AS_OF).out
    assert "oui" in members and "non" in members and " yes" not in members
    # The workbook under --lang fr: French headers and dates.
    book_path = tmp_path / "register.xlsx"
    assert (
        run_cli(db, "--lang", "fr", "register", "--as-of", AS_OF, "--out", str(book_path)).code == 0
    )
    sheet = openpyxl.load_workbook(book_path).worksheets[0]
    assert [c.value for c in sheet[1]] == _french(REGISTER_COLUMNS)
    assert sheet["A2"].number_format == "dd/mm/yyyy"


def _answers(run, db: str) -> list[object]:
    out = []
    for query in ("capital", "register", "refunds", "members", "votes"):
        shown = json.loads(run(db, query, "--as-of", "2030-01-01", "--format", "json").out)
        shown.pop("known_at")
        out.append(shown)
    return out


def test_an_excel_fr_export_imports_back_with_the_same_answers(
    run_cli, run_here, store, tmp_path
) -> None:
    """The export and the imports through the installed script; the empty store's set-up and
    the answers compared through the CLI in this process."""
    db, _moment = store
    for suffix in (".csv", ".xlsx"):
        _exports_and_imports_back(run_cli, run_here, db, tmp_path, suffix)


def _exports_and_imports_back(run_cli, run_here, db: str, tmp_path: Path, suffix: str) -> None:
    exported = tmp_path / f"acme{suffix}"
    done = run_cli(db, "--lang", "fr", "export", str(exported), "--csv-dialect", "excel-fr")
    assert done.code == 0, done.err
    if suffix == ".csv":
        rows = _excel_fr_rows(exported.read_bytes())
        assert rows[0][:4] == ["id", "action", "date", "person"]  # the import's columns
        assert "250,50" in {v for r in rows for v in r}
    target = f"sqlite:///{tmp_path / f'copy{suffix}.db'}"
    assert run_here(target, *init_args("2020-01-06", "Acme")).code == 0
    loaded = run_cli(target, "import", str(exported))
    assert loaded.code == 0, loaded.err
    assert _answers(run_here, target) == _answers(run_here, db)
    again = run_cli(target, "import", str(exported))
    assert again.code == 0 and ", 0 recorded" in again.out, again.out


def test_an_unknown_dialect_is_a_usage_error(run_cli, sqlite_url: str) -> None:
    bad = run_cli(sqlite_url, "capital", "--csv-dialect", "excel", "--format", "csv")
    assert bad.code == 2 and bad.out == ""
    bad = run_cli(sqlite_url, "votes", "--format", "csv", env={"SCOP_LEDGER_CSV_DIALECT": "x"})
    assert bad.code == 2 and bad.out == ""
