"""Bounds at the door, end to end on both back ends: every value out of bounds is one line on
stderr, exit 2, and nothing written; the values that once bricked a store never reach it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

NINES_30 = "9" * 30
NINES_40 = "9" * 40
ALLOCATION = [
    *("--surplus", "10", "--legal-reserve", "2", "--development-fund", "2"),
    *("--employees", "4", "--dividends", "2"),
]

# (arguments, a fragment of the one error line)
OUT_OF_BOUNDS = [
    (["subscribe", "alice", "--shares", "3689348814741911"], "at most 1,000,000,000"),
    (["subscribe", "alice", "--shares", "1" + "0" * 21], "at most 1,000,000,000"),
    (["subscribe", "alice", "--shares", "\uff14"], "is not a whole number from 1"),
    (["subscribe", "alice", "--shares", "\u0664"], "is not a whole number from 1"),
    (["subscribe", "alice", "--shares", "2", "--paid", ""], "paid is empty"),
    (["pay-up", "alice", "--amount", NINES_40], "more than 1,000,000,000,000 euros"),
    (["pay-up", "alice", "--amount", "1e3"], "not a decimal number"),
    (["reverse", NINES_30, "--reason", "x"], "entry id must be at most 9,223,372,036,854,775,807"),
    (["hire", "alice\n"], "not a valid reference"),
    (["hire", "bob", "--date", "20210105"], "--date '20210105' is not a date (YYYY-MM-DD)"),
    (["hire", "bob", "--date", "2021-W01-1"], "is not a date (YYYY-MM-DD)"),
    (["hire", "bob", "--date", "9999-12-31"], "not between 1900-01-01 and 2199-12-31"),
    (["hire", "bob", "--name", "L\udce9vy"], "name 'L\\udce9vy' is not valid UTF-8 text"),
    (["hire", "bob", "--note", "\udcff"], "is not valid UTF-8 text"),
    (["history", "al\udce9"], "not valid UTF-8 text"),
    (["hire", "bob", "--ref", "a\tb"], "holds a control character"),
    (["hire", "bob", "--name", "x" * 201], "name is 201 characters long: at most 200"),
    (["--user", "me\x1b[2J", "hire", "bob"], "--user"),
    (["--coop", "acme\n", "hire", "bob"], "cooperative slug"),
    (
        ["appoint", "alice", "--office", "manager", "--term-years", "100"],
        "term-years must be at most 99",
    ),
    (
        ["allocate", "--year", "\uff12\uff10\uff12\uff10", *ALLOCATION],
        "year '\uff12\uff10\uff12\uff10' is not a whole number",
    ),
    (["history", "--known-at", "0001-01-01T00:00+14:00"], "--known-at"),
    (["capital", "--as-of", "20210105"], "--as-of '20210105' is not a date"),
    (
        ["factsheet", "--year", "\uff12\uff10\uff12\uff10"],
        "--year '\uff12\uff10\uff12\uff10' is not a whole number from 1900 to 2199",
    ),
    (
        ["init", "b", "--name", "B", "--legal-form", "sa", "--share-value", "1e20"],
        "share-value '1e20' is not a decimal number",
    ),
    (
        ["init", "b", "--name", "B", "--legal-form", "sa", "--share-value", "1000001"],
        "share-value '1000001' is more than 1,000,000 euros",
    ),
    (
        [
            "init",
            "b",
            "--name",
            "B",
            "--legal-form",
            "sa",
            "--share-value",
            "1",
            "--refund-delay-years",
            "\uff15",
        ],
        "--refund-delay-years '\uff15' is not a whole number from 0 to 50",
    ),
]


def history(run, db: str) -> list[dict]:
    """What was recorded (an observation: tests read it through the CLI in this process)."""
    result = run(db, "history", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)["entries"]


@pytest.fixture
def acme(run_here, store_url: str) -> str:
    """Set up in-process: the bounds are what the installed script is asked."""
    for args in (
        ["init", "acme", "--name", "Acme", "--legal-form", "sa", "--share-value", "25"],
        ["hire", "alice"],
        ["admit", "alice"],
    ):
        done = run_here(store_url, *args, "--date", "2016-01-01")
        assert done.code == 0, done.err
    return store_url


def test_a_value_out_of_bounds_is_one_line_and_writes_nothing(run_cli, run_here, acme: str) -> None:
    before = history(run_here, acme)
    for args, fragment in OUT_OF_BOUNDS:
        result = run_cli(acme, *args)
        assert result.code == 2, (args, result.err)
        assert result.err.startswith("error: ") and result.err.count("\n") == 1, (args, result.err)
        assert fragment in result.err, (args, result.err)
        assert "unexpected failure" not in result.err and result.out == ""
    assert history(run_here, acme) == before
    for query in ("capital", "members", "compliance"):
        assert run_cli(acme, query).code == 0


def test_a_date_more_than_a_year_ahead_is_recorded_with_a_warning(
    run_cli, run_here, acme: str
) -> None:
    ahead = date(date.today().year + 3, 1, 1).isoformat()
    done = run_cli(acme, "hire", "bob", "--date", ahead, "--format", "json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["date"] == ahead
    assert done.err.startswith(f"warning: the date {ahead} is more than a year ahead of today")
    assert history(run_here, acme)[-1]["date"] == ahead


def test_import_rows_meet_the_same_bounds(run_cli, run_here, acme: str, tmp_path: Path) -> None:
    before = history(run_here, acme)
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        "\n".join(
            json.dumps(row)
            for row in (
                {"action": "hire", "date": "2016-02-01", "person": "bob", "note": "a\u0000b"},
                {"action": "hire", "date": "20160201", "person": "carol"},
                {"action": "subscribe", "date": "2016-02-01", "person": "alice", "shares": 10**21},
                {"action": "pay-up", "date": "2016-02-01", "person": "alice", "amount": "\uff15"},
                {"action": "hire", "date": "2016-02-01", "person": "x" * 64 + "\n"},
                {"action": "hire", "date": "2016-02-01", "person": "dan", "name": "D\ud800"},
            )
        )
        + "\n"
    )
    result = run_cli(acme, "import", str(rows))
    assert result.code == 2, result.err
    lines = result.err.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [f"line {n}" for n in range(1, 7)]
    assert "control character (U+0000)" in lines[0]
    assert "is not a date (YYYY-MM-DD)" in lines[1]
    assert "at most 1,000,000,000" in lines[2]
    assert "not a decimal number" in lines[3]
    assert "not a valid reference" in lines[4]
    assert "lone surrogate" in lines[5]  # the JSON reader says so before the value parser
    assert history(run_here, acme) == before
