"""End to end: a transfer of shares (cession de parts) with the installed ``scop-ledger``; the
categories and the 51% threshold move with the shares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import init_args

pytestmark = pytest.mark.e2e

CSV = """action,date,person,shares,legal_person
hire,2016-01-01,alice,,
admit,2016-02-01,alice,,
subscribe,2016-02-01,alice,30,
admit,2016-03-01,fund,,yes
subscribe,2016-03-01,fund,20,
"""


def test_a_transfer_to_an_external_partner_breaks_the_majority(
    run_cli, sqlite_url: str, tmp_path: Path
) -> None:
    db = sqlite_url
    assert run_cli(db, *init_args("2016-01-01")).code == 0
    path = tmp_path / "partners.csv"
    path.write_text(CSV)
    assert run_cli(db, "import", str(path)).code == 0
    done = run_cli(
        db, "transfer", "alice", "--to", "fund", "--shares", "10", "--price", "300",
        "--date", "2020-01-01", "--format", "json",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert json.loads(done.out)["action"] == "transfer"
    assert "employee-capital-majority" in done.err  # the warning of the breach, on stderr
    answer = run_cli(db, "compliance", "--as-of", "2020-01-01", "--format", "json")
    checks = {c["rule"]: c for c in json.loads(answer.out)["checks"]}
    majority = checks["employee-capital-majority"]
    assert (majority["status"], majority["value"], majority["since"]) == (
        "breach",
        "0.4000",
        "2020-01-01",
    )
    refused = run_cli(db, "transfer", "alice", "--to", "fund", "--shares", "21")
    assert refused.code == 1 and refused.out == ""
    assert len(refused.err.strip().splitlines()) == 1 and "cannot transfer 21" in refused.err
    again = run_cli(
        db, "transfer", "alice", "--to", "fund", "--shares", "1", "--date", "2020-02-01"
    )
    assert again.code == 0, again.err
    said = again.out.splitlines()
    assert said[0].startswith("recorded entry") and "transfer alice on 2020-02-01" in said[0]
    assert said[1].endswith("transfer (the receiver's side of the transfer)"), said
