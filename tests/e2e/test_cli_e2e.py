"""End to end: the installed ``scop-ledger`` in a subprocess, on a real SQLite file and a real
PostgreSQL database. Exit codes, one-line errors on stderr, parseable JSON on stdout."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e


def entries(run_cli, db: str, *args: str) -> list[dict]:
    result = run_cli(db, "history", *args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)["entries"]


def test_a_treasurer_records_and_corrects(run_cli, store_url: str) -> None:
    db = store_url
    steps = [
        [
            "init",
            "acme",
            "--name",
            "Acme Scop",
            "--legal-form",
            "sarl",
            "--share-value",
            "25",
            "--date",
            "2016-01-01",
        ],
        ["hire", "alice", "--name", "Alice Martin", "--date", "2016-01-01", "--ref", "contract 1"],
        ["admit", "alice", "--date", "2016-02-01"],
        ["subscribe", "alice", "--shares", "40", "--paid", "500", "--date", "2016-02-01"],
        ["pay-up", "alice", "--amount", "500.00", "--date", "2016-03-01"],
    ]
    for step in steps:
        result = run_cli(db, *step, "--format", "json")
        assert result.code == 0, result.err
        assert isinstance(json.loads(result.out)["event"], int)
        assert result.err == ""
    fired = run_cli(
        db,
        "terminate",
        "alice",
        "--reason",
        "dismissal",
        "--date",
        "2018-03-31",
        "--format",
        "json",
    )
    assert fired.code == 0, fired.err
    payload = json.loads(fired.out)
    assert payload["action"] == "terminate" and payload["date"] == "2018-03-31"
    assert [c["action"] for c in payload["consequences"]] == ["leave"]
    undo = run_cli(
        db, "reverse", str(payload["event"]), "--reason", "wrong person", "--format", "json"
    )
    assert undo.code == 0, undo.err
    history = entries(run_cli, db)
    by_id = {e["id"]: e for e in history}
    assert by_id[payload["event"]]["reversed_by"] == json.loads(undo.out)["event"]
    assert (
        by_id[payload["consequences"][0]["event"]]["reversed_by"] == json.loads(undo.out)["event"]
    )
    assert [e["action"] for e in history] == [
        "init",
        "hire",
        "admit",
        "subscribe",
        "pay-up",
        "terminate",
        "leave",
        "reverse",
    ]
    first = history[1]
    assert first["recorded_by"] == "e2e" and first["ref"] == "contract 1"
    assert first["recorded_at"].endswith("+00:00")
    assert [
        e["action"] for e in entries(run_cli, db, "alice", "--known-at", first["recorded_at"])
    ] == ["hire"]
    table = run_cli(db, "history")
    assert table.code == 0 and "terminate" in table.out


ERRORS = [
    (
        ["subscribe", "alice", "--shares", "40", "--date", "2016-02-01"],
        1,
        "not a partner on 2016-02-01",
    ),
    (["hire", "bob", "--date", "2015-12-31"], 1, "before the cooperative's registration"),
    (["terminate", "ghost", "--reason", "dismissal"], 1, "no person 'ghost'"),
    (["reverse", "1", "--reason", "x"], 1, "cannot be reversed"),
    (["reverse", "77", "--reason", "x"], 1, "no entry 77"),
    (["hire", "bob", "--date", "2016-02-30"], 2, "'2016-02-30' is not a date"),
    (["subscribe", "alice", "--shares", "2", "--paid", "1.005"], 2, "more than two decimal places"),
    (["subscribe", "alice", "--shares", "two"], 2, "not a whole number"),
    (["terminate", "alice", "--reason", "holiday"], 2, "holiday"),
    (["hire", "bob", "--colour", "red"], 2, "No such option"),
    (["hire", "b b"], 2, "not a valid reference"),
    (["--read-only", "hire", "bob"], 3, "read-only"),
]


def test_every_invalid_input_gets_one_line_and_writes_nothing(run_cli, store_url: str) -> None:
    db = store_url
    assert (
        run_cli(
            db,
            "init",
            "acme",
            "--name",
            "Acme",
            "--legal-form",
            "sa",
            "--share-value",
            "25",
            "--date",
            "2016-01-01",
        ).code
        == 0
    )
    assert run_cli(db, "hire", "alice", "--date", "2016-01-01").code == 0
    before = entries(run_cli, db)
    for args, code, fragment in ERRORS:
        result = run_cli(db, *args)
        assert result.code == code, (args, result.err)
        assert fragment in result.err, (args, result.err)
        assert "Traceback" not in result.err and result.out == ""
        if code != 2:
            assert len(result.err.strip().splitlines()) == 1, result.err
    assert run_cli(db, "hire", "bob", env={"SCOP_LEDGER_READ_ONLY": "1"}).code == 3
    assert entries(run_cli, db) == before


def test_a_missing_store_is_exit_3_and_is_not_created(run_cli, tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'nothing.db'}"
    result = run_cli(db, "history")
    assert result.code == 3 and "no ledger at" in result.err
    assert not (tmp_path / "nothing.db").exists()
    down = run_cli("postgresql://nobody@127.0.0.1:1/none", "history")
    assert down.code == 3 and down.err.startswith("error: store unavailable")


def test_point_in_time_queries_through_the_installed_script(run_cli, store_url: str) -> None:
    db = store_url
    for step in [
        [
            "init",
            "acme",
            "--name",
            "Acme",
            "--legal-form",
            "sarl",
            "--share-value",
            "25",
            "--date",
            "2016-01-01",
        ],
        ["hire", "alice", "--name", "Alice", "--date", "2016-01-01"],
        ["hire", "bob", "--date", "2016-01-01"],
        ["admit", "alice", "--date", "2017-01-10"],
        ["subscribe", "alice", "--shares", "40", "--date", "2017-01-10"],
        ["admit", "bob", "--date", "2017-01-10"],
        ["subscribe", "bob", "--shares", "40", "--paid", "500", "--date", "2017-01-10"],
        ["admit", "fund", "--legal-person", "--date", "2017-06-01"],
        ["subscribe", "fund", "--shares", "100", "--date", "2017-06-01"],
        ["admit", "gus", "--date", "2017-06-01"],
        ["terminate", "bob", "--reason", "dismissal", "--date", "2018-03-31"],
        ["pay-refund", "bob", "--amount", "200", "--date", "2019-01-15"],
    ]:
        assert run_cli(db, *step).code == 0, step

    def query(*args: str) -> dict:
        result = run_cli(db, *args, "--format", "json")
        assert result.code == 0 and result.err == "", result.err
        return json.loads(result.out)

    capital = query("capital", "--as-of", "2017-12-31")
    assert (capital["shares"], capital["amount"]) == (180, "4500.00")
    assert capital["employees"] == {
        "count": 2,
        "shares": 80,
        "amount": "2000.00",
        "ratio": "0.4444",
    }
    assert capital["externals"] == {
        "count": 2,
        "shares": 100,
        "amount": "2500.00",
        "ratio": "0.5556",
    }
    assert [p["person"] for p in capital["partners"]] == ["alice", "bob", "fund", "gus"]
    votes = query("votes", "--as-of", "2017-12-31")
    assert votes["externals"] == {
        "count": 2,
        "votes": "1.0769",
        "ratio": "0.3500",
        "weight": "0.5385",
    }
    assert votes["employees"] == {"count": 2, "votes": "2.0000", "ratio": "0.6500"}
    refunds = query("refunds", "--as-of", "2023-06-30")
    assert refunds["outstanding"] == "300.00"
    assert refunds["refunds"] == [
        {
            "person": "bob",
            "since": "2018-03-31",
            "cause": "terminated:dismissal",
            "amount": "500.00",
            "paid": "200.00",
            "outstanding": "300.00",
            "due": "2023-03-31",
            "overdue": True,
            "liable_until": "2023-03-31",
        }
    ]
    eligible = query("members", "--eligible", "--as-of", "2017-01-05")
    assert [m["person"] for m in eligible["members"]] == ["alice", "bob"]
    register = query("register", "--as-of", "2018-12-31")
    assert [(m["person"], m["nature"]) for m in register["movements"]][-1] == (
        "bob",
        "loss of status",
    )
    csv_out = run_cli(db, "capital", "--as-of", "2017-12-31", "--format", "csv").out.splitlines()
    assert csv_out[0] == "person,name,category,shares,amount,paid" and len(csv_out) == 5
    coops = query("coops", "--as-of", "2017-12-31")
    assert coops["coops"][0]["capital"] == "4500.00"
    ro = run_cli(
        db,
        "capital",
        "--as-of",
        "2017-12-31",
        "--format",
        "json",
        env={"SCOP_LEDGER_READ_ONLY": "1"},
    )
    assert ro.code == 0 and json.loads(ro.out)["shares"] == 180
