"""``import``: CSV, JSON Lines and XLSX; one line per invalid row; all or nothing; idempotent."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from scop_ledger.app import importing
from scop_ledger.app.importing.forms import amount_text, date_text
from scop_ledger.cli.main import main
from scop_ledger.domain.errors import InvalidValue
from scop_ledger.store.engine import ReadOnlyStore
from tests.helpers import acme, open_ledger

CSV = """action,date,person,name,shares,paid,amount,reason,ref
hire,2016-01-01,alice,Alice Martin,,,,,contract 1
admit,2016-02-01,alice,,,,,,AGM
subscribe,2016-02-01,alice,,40,500,,,
pay-up,2016-03-01,alice,,,,500,,
hire,2016-01-01,bob,,,,,,
terminate,2017-03-31,bob,,,,,dismissal,
"""


@pytest.fixture
def cli(tmp_path: Path):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'ledger.db'}"

    def invoke(*args: str):
        return runner.invoke(main, list(args), env={"SCOP_LEDGER_DB": db, "SCOP_LEDGER_USER": "t"})

    init = invoke(
        "init",
        "acme",
        "--name",
        "A",
        "--legal-form",
        "sarl",
        "--share-value",
        "25",
        "--date",
        "2016-01-01",
    )
    assert init.exit_code == 0, init.stderr
    return invoke


def entries(cli) -> list[dict]:
    return json.loads(cli("history", "--format", "json").stdout)["entries"]


def test_csv_import_then_a_second_run_records_nothing(cli, tmp_path: Path) -> None:
    path = tmp_path / "moves.csv"
    path.write_text(CSV)
    first = cli("import", str(path), "--format", "json")
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout)["recorded"] == 6
    history = entries(cli)
    assert [e["action"] for e in history][1:] == [
        "hire",
        "admit",
        "subscribe",
        "pay-up",
        "hire",
        "terminate",
    ]
    assert history[1]["ref"] == "contract 1"
    again = cli("import", str(path), "--format", "json")
    assert again.exit_code == 0
    assert json.loads(again.stdout) | {"file": None} == {
        "file": None,
        "rows": 6,
        "recorded": 0,
        "skipped": 6,
        "first_event": None,
        "last_event": None,
    }
    assert entries(cli) == history
    capital = json.loads(cli("capital", "--as-of", "2016-12-31", "--format", "json").stdout)
    assert capital["shares"] == 40 and capital["partners"][0]["paid"] == "1000.00"


def test_every_invalid_row_is_reported_and_nothing_is_written(cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "action,date,person,shares,amount\n"
        "hire,2016-01-01,alice,,\n"
        "subscribe,2016-02-30,alice,4,\n"
        "dance,2016-03-01,alice,,\n"
        "pay-up,2016-03-01,alice,,12.345\n"
    )
    result = cli("import", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["line 3", "line 4", "line 5"]
    assert "2016-02-30" in lines[0] and "dance" in lines[1] and "decimal places" in lines[2]
    assert len(entries(cli)) == 1


def test_a_row_refused_by_a_rule_names_its_line_and_nothing_is_written(cli, tmp_path: Path) -> None:
    path = tmp_path / "refused.csv"
    path.write_text(
        "action,date,person,shares\nhire,2016-01-01,alice,\nsubscribe,2016-02-01,alice,4\n"
    )
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: line 3: alice is not a partner on 2016-02-01"
    assert len(entries(cli)) == 1


def test_unknown_columns_are_an_error(cli, tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("action,date,person,colour\nhire,2016-01-01,alice,red\n")
    result = cli("import", str(path))
    assert result.exit_code == 2 and "line 1: unknown column(s) colour" in result.stderr


def test_jsonl_with_ids(cli, tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    rows = [
        {"id": "h1", "action": "hire", "date": "2016-01-01", "person": "carol"},
        {"id": "a1", "action": "admit", "date": "2016-02-01", "person": "carol"},
        {
            "id": "s1",
            "action": "subscribe",
            "date": "2016-02-01",
            "person": "carol",
            "shares": 3,
            "paid": 75.0,
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert cli("import", str(path)).exit_code == 0
    # The same ids in another file are the same rows: nothing new.
    other = tmp_path / "again.jsonl"
    other.write_text("\n".join(json.dumps(r) for r in reversed(rows)) + "\n")
    result = cli("import", str(other), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["recorded"] == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"action": "hire", "date": "2016-01-01", "person": "dan"}\nnot json\n[1]\n')
    result = cli("import", str(bad))
    assert result.exit_code == 2
    assert [line.split(":")[1].strip() for line in result.stderr.splitlines()] == [
        "line 2",
        "line 3",
    ]


def test_xlsx(cli, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["action", "date", "person", "shares", "legal_person"])
    sheet.append(["admit", "2016-02-01", "fund", None, "yes"])
    sheet.append(["subscribe", "2016-02-01", "fund", 100, None])
    sheet.append(["withdraw", "2016-03-01", "fund", 100, None])
    path = tmp_path / "rows.xlsx"
    book.save(path)
    refused = cli("import", str(path))
    assert refused.exit_code == 1 and refused.stderr.startswith(
        "error: line 4: fund holds 100 shares"
    )
    sheet.delete_rows(4)
    book.save(path)
    assert cli("import", str(path)).exit_code == 0
    members = json.loads(cli("members", "--format", "json").stdout)["members"]
    assert members == [
        {
            "person": "fund",
            "name": None,
            "employed": False,
            "partner": True,
            "category": "external",
            "shares": 100,
            "register_number": 1,
            "partner_since": "2016-02-01",
            "former_partner": False,
        }
    ]


# ---------------------------------------------------------------------------- the app's import


@pytest.fixture
def acme_ledger(sqlite_url: str):
    ledger = open_ledger(sqlite_url)
    acme(ledger)
    yield ledger
    ledger.close()


def test_a_dry_run_then_an_import_as_typed_results(acme_ledger, tmp_path: Path) -> None:
    settings = acme_ledger.settings
    path = tmp_path / "moves.csv"
    path.write_text(CSV + "hire,2099-01-01,zoe,,,,,,\n")
    dry = importing.dry_run_file(lambda: acme_ledger, settings, path)
    assert [(r.line, r.entry, r.action, r.person) for r in dry.rows[:2]] == [
        (2, None, "hire", "alice"),
        (3, None, "admit", "alice"),
    ]
    assert dry.new == 7 and dry.rows[0].on == date(2016, 1, 1)
    seen: list[int] = []
    done = importing.import_file(
        lambda: acme_ledger, settings, path, progress=lambda n, total: seen.append(total)
    )
    assert (done.result.rows, done.result.recorded, done.result.skipped) == (7, 7, 0)
    assert seen == [7] * 7
    assert len(done.warnings) == 1 and done.warnings[0].startswith("line 8: warning: the date")
    again = importing.dry_run_file(lambda: acme_ledger, settings, path)
    assert again.new == 0 and again.rows[0].entry == done.result.first_event
    assert importing.import_file(lambda: acme_ledger, settings, path).result.recorded == 0


def test_the_breach_check_warns_first_and_notes_come_before_a_refusal(
    acme_ledger, tmp_path: Path
) -> None:
    import openpyxl

    settings = acme_ledger.settings
    book = openpyxl.Workbook()
    book.active.append(["action", "date", "person"])
    book.active.append(["hire", "2099-01-01", "zoe"])
    book.create_sheet("other")
    path = tmp_path / "two.xlsx"
    book.save(path)

    done = importing.import_file(lambda: acme_ledger, settings, path)
    assert done.result.recorded and done.warnings[-1].startswith("line 2: warning")
    notes: list[str] = []
    read_only = replace(settings, read_only=True)
    with pytest.raises(ReadOnlyStore):
        importing.import_file(lambda: acme_ledger, read_only, path, notes=notes.append)
    assert len(notes) == 1 and "2 sheets" in notes[0]
    assert importing.dry_run_file(lambda: acme_ledger, read_only, path).new == 0


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("12,50", "12.50"),
        ("12.50", "12.50"),
        ("1 234,50", "1234.50"),
        ("1\u00a0234,5", "1234.5"),
        ("1\u202f234\u202f567", "1234567"),
        (" 25 ", " 25 "),  # left as it is for the domain parser
        ("12 34", "12 34"),  # not thousands: refused there
    ],
)
def test_french_amounts_are_rewritten_for_the_money_parser(text: str, read: str) -> None:
    assert amount_text(text, "paid") == read


@pytest.mark.parametrize("text", ["1,234.50", "1.234,50", "1 234.5,0"])
def test_an_amount_with_a_dot_and_a_comma_is_refused_with_a_hint(text: str) -> None:
    with pytest.raises(InvalidValue, match="use a dot or a comma, not both"):
        amount_text(text, "paid")


@pytest.mark.parametrize(
    ("text", "read"),
    [("30/10/2015", "2015-10-30"), ("1/2/2016", "2016-02-01"), ("2016-02-01", "2016-02-01")],
)
def test_day_first_dates_are_rewritten_for_the_date_parser(text: str, read: str) -> None:
    assert date_text(text) == read


def test_french_amounts_and_dates_import(cli, tmp_path: Path) -> None:
    path = tmp_path / "fr.csv"
    path.write_text(
        "action;date;person;shares;paid;amount\n"
        "hire;01/01/2016;alice;;;\n"
        "admit;01/02/2016;alice;;;\n"
        "subscribe;01/02/2016;alice;100;1\u202f234,50;\n"
        "pay-up;15/03/2016;alice;;;265,50\n"
    )
    result = cli("import", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [e["date"] for e in entries(cli)][1:] == [
        "2016-01-01",
        "2016-02-01",
        "2016-02-01",
        "2016-03-15",
    ]
    capital = json.loads(cli("capital", "--format", "json").stdout)
    assert capital["partners"][0]["paid"] == "1500.00"


def test_french_amounts_and_dates_keep_their_bounds(cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "action;date;person;shares;paid;amount\n"
        "hire;31/02/2016;alice;;;\n"
        "pay-up;01/03/2016;alice;;;1,234.50\n"
        "pay-up;01/03/2016;alice;;;12,345\n"
        "pay-up;01/03/2016;alice;;;1 000 000 000 000,01\n"
        "pay-up;2016/03/01;alice;;;10\n"
    )
    result = cli("import", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[:2] == [
        "error: line 2: date '31/02/2016' is not a date (DD/MM/YYYY)",
        "error: line 3: amount '1,234.50': use a dot or a comma, not both",
    ]
    assert "line 4" in lines[2] and "decimal places" in lines[2]
    assert lines[3] == (
        "error: line 5: amount '1 000 000 000 000,01' is more than 1,000,000,000,000 euros"
    )
    assert lines[4] == "error: line 6: date '2016/03/01' is not a date (YYYY-MM-DD)"
    assert len(entries(cli)) == 1
