"""change-share-value through the installed CLI (one subprocess run per step), and through the
import (French names, in-process with click's runner)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scop_ledger.cli.main import main
from tests.helpers import acme, do, init_args, open_ledger


def test_a_treasurer_regroups_the_shares(run_cli, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = open_ledger(db)
    acme(ledger)
    for person, shares in (("alice", "40"), ("bob", "3")):
        do(ledger, "admit", "2017-01-10", person=person)
        do(ledger, "subscribe", "2017-01-10", person=person, shares=shares)
    ledger.close()
    refused = run_cli(db, "change-share-value", "--share-value", "50", "--date", "2020-01-01")
    assert refused.code == 1 and refused.out == ""
    assert refused.err.strip().splitlines()[-1].startswith("error: bob holds 3 shares of 25")
    ledger = open_ledger(db)
    do(ledger, "subscribe", "2018-01-01", person="bob", shares="1")
    ledger.close()
    done = run_cli(
        db, "change-share-value", "--share-value", "50", "--date", "2020-01-01", "--format", "json"
    )
    assert done.code == 0, done.err
    assert json.loads(done.out)["action"] == "change-share-value"
    runner, env = CliRunner(), {"SCOP_LEDGER_DB": db, "SCOP_LEDGER_USER": "t"}
    same = runner.invoke(main, ["change-share-value", "--share-value", "50"], env=env)
    assert same.exit_code == 1 and "already 50" in same.stderr
    for as_of, expected in (("2020-01-01", ("50.00", 22)), ("2019-12-31", ("25.00", 44))):
        answer = runner.invoke(main, ["capital", "--as-of", as_of, "--format", "json"], env=env)
        capital = json.loads(answer.stdout)
        assert (capital["share_value"], capital["shares"], capital["amount"]) == (
            *expected,
            "1100.00",
        )


def test_the_import_takes_the_french_names_and_runs_twice_the_same(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"SCOP_LEDGER_DB": f"sqlite:///{tmp_path / 'l.db'}", "SCOP_LEDGER_USER": "t"}
    assert runner.invoke(main, init_args("2016-01-01"), env=env).exit_code == 0
    path = tmp_path / "mouvements.csv"
    path.write_text(
        "Opération;Date;Personne;Parts;Valeur nominale\n"
        "admission;10/01/2017;alice;;\n"
        "souscription;10/01/2017;alice;40;\n"
        "Changement de valeur nominale;01/01/2020;;;50,00\n"
        "souscription;01/02/2020;alice;2;\n",
        encoding="utf-8",
    )
    for recorded in (4, 0):
        done = runner.invoke(main, ["import", str(path), "--format", "json"], env=env)
        assert done.exit_code == 0, done.stderr
        assert json.loads(done.stdout)["recorded"] == recorded
    capital = runner.invoke(main, ["capital", "--as-of", "2020-12-31", "--format", "json"], env=env)
    found = json.loads(capital.stdout)
    assert (found["shares"], found["amount"]) == (22, "1100.00")
    out = tmp_path / "copy.jsonl"
    assert runner.invoke(main, ["export", str(out)], env=env).exit_code == 0
    assert '"action": "change-share-value"' in out.read_text(encoding="utf-8")
    copy = {**env, "SCOP_LEDGER_DB": f"sqlite:///{tmp_path / 'copy.db'}"}
    assert runner.invoke(main, init_args("2016-01-01"), env=copy).exit_code == 0
    assert runner.invoke(main, ["import", str(out)], env=copy).exit_code == 0
    again = runner.invoke(main, ["capital", "--as-of", "2020-12-31", "--format", "json"], env=copy)
    assert json.loads(again.stdout)["shares"] == 22
