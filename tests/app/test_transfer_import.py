"""``import`` of transfers (cession de parts): the ``to`` and ``price`` columns, French names,
idempotence, a refused row; and the CLI command in process (CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scop_ledger.cli.main import main

CSV = """action,date,person,to,shares,price,legal_person
hire,2016-01-01,alice,,,,
admit,2016-02-01,alice,,,,
subscribe,2016-02-01,alice,,40,,
admit,2016-03-01,fund,,,,yes
subscribe,2016-03-01,fund,,10,,
transfer,2020-01-01,alice,fund,15,400.50,
"""

FRENCH = """opération;date;personne;cessionnaire;parts;prix
cession;01/06/2021;fund;alice;5;120,75
"""


@pytest.fixture
def cli(tmp_path: Path):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'ledger.db'}"

    def invoke(*args: str):
        env = {"SCOP_LEDGER_DB": db, "SCOP_LEDGER_USER": "t", "SCOP_LEDGER_LANG": "en"}
        return runner.invoke(main, list(args), env=env)

    init = invoke(
        "init", "acme", "--name", "A", "--legal-form", "sarl", "--share-value", "25",
        "--date", "2016-01-01",
    )  # fmt: skip
    assert init.exit_code == 0, init.stderr
    return invoke


def _json(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_transfer_row_imports_once(cli, tmp_path: Path) -> None:
    path = tmp_path / "moves.csv"
    path.write_text(CSV)
    assert _json(cli("import", str(path), "--format", "json"))["recorded"] == 6
    again = _json(cli("import", str(path), "--format", "json"))
    assert (again["recorded"], again["skipped"]) == (0, 6)
    french = tmp_path / "cessions.csv"
    french.write_text(FRENCH, encoding="utf-8")
    assert _json(cli("import", str(french), "--format", "json"))["recorded"] == 1
    register = _json(cli("register", "--as-of", "2022-01-01", "--format", "json"))
    moves = [
        (m["date"], m["person"], m["shares"], m["counterparty"])
        for m in register["movements"]
        if m["nature"] == "transfer"
    ]
    assert moves == [
        ("2020-01-01", "alice", -15, "fund"),
        ("2020-01-01", "fund", 15, "alice"),
        ("2021-06-01", "fund", -5, "alice"),
        ("2021-06-01", "alice", 5, "fund"),
    ]
    capital = _json(cli("capital", "--as-of", "2022-01-01", "--format", "json"))
    assert capital["shares"] == 50 and capital["externals"]["shares"] == 20
    history = _json(cli("history", "--format", "json"))["entries"]
    transfers = [e for e in history if e["action"] == "transfer"]
    assert [e["details"]["price"] for e in transfers] == ["400.50", "400.50", "120.75", "120.75"]


def test_a_transfer_row_refused_by_a_rule_names_its_line(cli, tmp_path: Path) -> None:
    path = tmp_path / "refused.csv"
    path.write_text(CSV.replace("fund,15,400.50", "fund,41,400.50"))
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: line 7: alice holds 40 shares on 2020-01-01: cannot transfer 41"
    )
    assert len(_json(cli("history", "--format", "json"))["entries"]) == 1


def test_the_cli_transfer_command(cli, tmp_path: Path) -> None:
    path = tmp_path / "moves.csv"
    path.write_text(CSV)
    _json(cli("import", str(path), "--format", "json"))
    args = ["transfer", "alice", "--to", "fund", "--shares", "25", "--date", "2021-01-01"]
    done = _json(cli(*args, "--ref", "AGM 2021", "--format", "json"))
    assert (done["action"], done["person"]) == ("transfer", "alice")
    assert [c["action"] for c in done["consequences"]] == ["leave", "terminate", "transfer"]
    refused = cli("transfer", "fund", "--to", "alice", "--shares", "1", "--date", "2021-02-01")
    assert refused.exit_code == 1
    assert refused.stderr.strip().splitlines() == [
        "error: alice is not a partner on 2021-02-01: admit them first (the approval of a "
        "transfer is the receiver's admission)"
    ]
    bad = cli("transfer", "fund", "--to", "alice", "--shares", "0")
    assert bad.exit_code == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_a_transfer_row_with_an_id_is_known_by_it(cli, tmp_path: Path) -> None:
    path = tmp_path / "moves.csv"
    path.write_text(CSV.replace("transfer,2020-01-01,alice,fund,15,400.50,\n", ""))
    _json(cli("import", str(path), "--format", "json"))
    row = {"id": "c-1", "action": "transfer", "date": "2020-01-01", "person": "alice", "to": "fund"}
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({**row, "shares": 5}) + "\n")
    assert _json(cli("import", str(rows), "--format", "json"))["recorded"] == 1
    assert _json(cli("import", str(rows), "--format", "json"))["recorded"] == 0
    rows.write_text(json.dumps({**row, "shares": 6}) + "\n")
    changed = cli("import", str(rows))
    assert changed.exit_code == 1 and "id 'c-1' is entry" in changed.stderr


def test_the_export_imports_back_into_an_empty_store(cli, tmp_path: Path) -> None:
    path = tmp_path / "moves.csv"
    path.write_text(CSV)
    _json(cli("import", str(path), "--format", "json"))
    assert (
        cli("transfer", "alice", "--to", "fund", "--shares", "25", "--date", "2021-01-01").exit_code
        == 0
    )
    exported = tmp_path / "history.jsonl"
    assert cli("export", str(exported)).exit_code == 0
    rows = [json.loads(line) for line in exported.read_text().splitlines()]
    assert [r["to"] for r in rows if r["action"] == "transfer"] == ["fund", "fund"]
    runner = CliRunner()
    env = {"SCOP_LEDGER_DB": f"sqlite:///{tmp_path / 'copy.db'}", "SCOP_LEDGER_USER": "t"}

    def copy(*args: str):
        return runner.invoke(main, list(args), env=env)

    init = ("init", "acme", "--name", "A", "--legal-form", "sarl", "--share-value", "25")
    assert copy(*init, "--date", "2016-01-01").exit_code == 0
    assert _json(copy("import", str(exported), "--format", "json"))["recorded"] == 7
    for query in ("capital", "register", "refunds"):
        args = (query, "--as-of", "2022-01-01", "--format", "json")
        here, there = _json(cli(*args)), _json(copy(*args))
        assert {k: v for k, v in here.items() if k != "known_at"} == {
            k: v for k, v in there.items() if k != "known_at"
        }, query
