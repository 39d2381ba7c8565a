"""The sweeps of the rules kept after writes (app/kept.py): at the end of ``import`` and on
demand; never on a read-only store."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from scop_ledger.app.kept import keep_sweeps
from scop_ledger.app.session import Session
from scop_ledger.cli.main import main
from scop_ledger.readmodel.kept import holds
from scop_ledger.readmodel.sweeps import TABLE
from scop_ledger.settings import Settings
from scop_ledger.store.db import connect
from tests.app.test_import import CSV
from tests.helpers import acme, do, open_ledger


def holding(url: str) -> int:
    """How many kept sweeps still hold."""
    db = connect(url)
    try:
        if not db.has_table(TABLE):
            return 0
        return sum(
            holds(db, int(cid), int(at))
            for cid, at in db.rows(f"SELECT cid, position FROM {TABLE}")
        )
    finally:
        db.close()


def _keep(url: str, *, read_only: bool = False) -> None:
    session = Session(Settings(url=url, user="t", read_only=read_only), note=lambda _: None)
    try:
        keep_sweeps(session)
    finally:
        session.close()


def test_keep_sweeps_keeps_one_that_holds_until_the_next_entry(store_url: str) -> None:
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        do(ledger, "hire", "2020-01-01", person="ann")
        _keep(store_url, read_only=True)
        assert holding(store_url) == 0
        _keep(store_url)
        assert holding(store_url) == 1
        do(ledger, "admit", "2020-02-01", person="ann")
        assert holding(store_url) == 0
        _keep(store_url)
        assert holding(store_url) == 1
    finally:
        ledger.close()


def test_import_keeps_the_sweep_after_its_commit(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    env = {"SCOP_LEDGER_DB": db, "SCOP_LEDGER_USER": "t"}
    runner = CliRunner()
    init = ["init", "acme", "--name", "A", "--legal-form", "sarl", "--share-value", "25"]
    assert runner.invoke(main, [*init, "--date", "2016-01-01"], env=env).exit_code == 0
    path = tmp_path / "moves.csv"
    path.write_text(CSV)
    done = runner.invoke(main, ["import", str(path)], env=env)
    assert done.exit_code == 0, done.stderr
    assert holding(db) == 1
