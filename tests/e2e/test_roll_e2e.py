"""``roll`` from the command line: JSON for scripts, a table whose title speaks the user's
language, and the attendance sheet written to a spreadsheet."""

from __future__ import annotations

import json
from pathlib import Path


def test_roll_json_table_and_sheet(run_cli, store_url: str, tmp_path: Path) -> None:
    db = store_url
    init = ["init", "acme", "--name", "Acme", "--legal-form", "sarl", "--share-value", "25"]
    assert run_cli(db, *init, "--date", "2016-01-01").code == 0
    for step in (["hire", "ann"], ["admit", "ann"], ["subscribe", "ann", "--shares", "4"]):
        assert run_cli(db, *step, "--date", "2016-01-01").code == 0
    assert run_cli(db, "admit", "fund", "--legal-person", "--date", "2016-01-01").code == 0
    answer = run_cli(db, "roll", "--date", "2016-06-30", "--format", "json")
    assert answer.code == 0, answer.err
    found = json.loads(answer.out)
    assert (found["partners"], found["max_proxies"], found["external_weight"]) == (
        2,
        1,
        "0.5385",
    )
    assert [m["person"] for m in found["members"]] == ["ann", "fund"]
    fr = {"SCOP_LEDGER_LANG": "fr"}
    french = run_cli(db, "roll", "--date", "2016-06-30", "--format", "json", env=fr)
    assert french.code == 0, french.err
    assert json.loads(french.out) | {"known_at": ""} == found | {"known_at": ""}
    table = run_cli(db, "roll", "--date", "2016-06-30", env=fr)
    assert table.code == 0, table.err
    assert "au plus 1 procuration" in table.out and "0,5385" in table.out
    sheet = tmp_path / "roll.xlsx"
    written = run_cli(db, "roll", "--date", "2016-06-30", "--out", str(sheet))
    assert written.code == 0 and sheet.stat().st_size > 0
