"""End to end: the installed ``scop-ledger`` in a subprocess, on a real SQLite file and a real
PostgreSQL database. Exit codes, one-line errors on stderr, parseable JSON on stdout."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

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


def test_every_invalid_input_gets_one_line_and_writes_nothing(
    run_cli, run_here, store_url: str
) -> None:
    """Each invalid input through the installed script (the set-up and the history compared
    run in this process)."""
    db = store_url
    assert (
        run_here(
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
    assert run_here(db, "hire", "alice", "--date", "2016-01-01").code == 0
    before = entries(run_here, db)
    for args, code, fragment in ERRORS:
        result = run_cli(db, *args)
        assert result.code == code, (args, result.err)
        assert fragment in result.err, (args, result.err)
        assert "Traceback" not in result.err and result.out == ""
        if code != 2:
            assert len(result.err.strip().splitlines()) == 1, result.err
    assert run_cli(db, "hire", "bob", env={"SCOP_LEDGER_READ_ONLY": "1"}).code == 3
    assert entries(run_here, db) == before


def test_a_missing_store_is_exit_3_and_is_not_created(run_cli, tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'nothing.db'}"
    result = run_cli(db, "history")
    assert result.code == 3 and "no ledger at" in result.err
    assert not (tmp_path / "nothing.db").exists()
    down = run_cli("postgresql://nobody@127.0.0.1:1/none", "history")
    assert down.code == 3 and down.err.startswith("error: store unavailable")


def test_point_in_time_queries_through_the_installed_script(
    run_cli, run_here, store_url: str, tmp_path
) -> None:
    """Point-in-time queries and their files: ``capital`` (JSON, CSV, read-only, ``--out``
    .csv), ``refunds --out`` .xlsx and a refused ``--out`` through the installed script; the
    set-up and the other queries (the same CLI, answers checked alike) in this process."""
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
        assert run_here(db, *step).code == 0, step

    def query(*args: str, run=run_here) -> dict:  # type: ignore[no-untyped-def]
        result = run(db, *args, "--format", "json")
        assert result.code == 0 and result.err == "", result.err
        return json.loads(result.out)

    capital = query("capital", "--as-of", "2017-12-31", run=run_cli)
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
    # bob's exit: his partnership ends, and his paid-in capital is cancelled (a refund is owed).
    assert [(m["person"], m["nature"], m["amount"]) for m in register["movements"]][-2:] == [
        ("bob", "loss of status", "-1000.00"),
        ("bob", "paid", "-500.00"),
    ]
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

    # --out: the same rows to a .csv or .xlsx file; the screen gets one line.
    sheet = tmp_path / "capital.csv"
    written = run_cli(db, "capital", "--as-of", "2017-12-31", "--out", str(sheet))
    assert written.code == 0 and written.out == f"4 rows written to {sheet}\n"
    assert sheet.read_text().splitlines() == csv_out
    book_path = tmp_path / "refunds.xlsx"
    written = run_cli(
        db, "refunds", "--as-of", "2023-06-30", "--out", str(book_path), "--format", "json"
    )
    assert json.loads(written.out) == {"file": str(book_path), "rows": 1}
    import openpyxl

    book = openpyxl.load_workbook(book_path)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][:4] == ["person", "since", "cause", "amount"]
    assert rows[1][0] == "bob" and rows[1][3] == 500 and rows[1][7] is True
    assert rows[1][1].date().isoformat() == "2018-03-31"
    about = dict(book["about"].iter_rows(values_only=True))
    assert about["command"] == "refunds" and about["as_of"] == "2023-06-30"
    assert about["coop"] == "acme"
    for command in ("register", "members", "history"):
        target = tmp_path / f"{command}.xlsx"
        assert run_here(db, command, "--out", str(target)).code == 0
        assert openpyxl.load_workbook(target).worksheets[0].max_row > 1
    refused = run_cli(db, "capital", "--out", str(tmp_path / "capital.txt"))
    assert refused.code == 2 and ".csv or .xlsx" in refused.err
    assert not (tmp_path / "capital.txt").exists()


def test_compliance_timeline_factsheet_and_warnings(run_cli, run_here, store_url: str) -> None:
    """The warning, the exit codes and the error lines through the installed script; the
    set-up and the answers on stdout (the same CLI) in this process."""
    db = store_url
    init = ["init", "acme", "--name", "Acme", "--legal-form", "sarl", "--share-value", "25"]
    assert run_here(db, *init, "--date", "2016-01-01").code == 0
    for person in ("ann", "ben"):
        for step in (
            ["hire", person],
            ["admit", person],
            ["subscribe", person, "--shares", "10"],
        ):
            result = run_here(db, *step, "--date", "2016-01-01")
            assert result.code == 0 and result.err == "", result.err
    # An investor takes the capital majority: recorded, with a warning on stderr only.
    assert run_here(db, "admit", "fund", "--legal-person", "--date", "2017-03-01").code == 0
    big = run_cli(
        db, "subscribe", "fund", "--shares", "30", "--date", "2017-03-01", "--format", "json"
    )
    assert big.code == 0
    assert json.loads(big.out)["action"] == "subscribe"
    assert big.err.splitlines() == [
        "warning: after this, employee-capital-majority is in breach as of 2017-03-01: "
        "employee partners hold 40.00% of the capital (20 of 50 shares), at least 51.00% "
        "required (loi 78-763 art. 5; seed 003)"
    ]

    checked = run_cli(db, "compliance", "--as-of", "2017-06-30", "--format", "json", "--check")
    assert checked.code == 1
    assert checked.err.strip() == "error: breach of employee-capital-majority as of 2017-06-30"
    found = json.loads(checked.out)
    assert set(found) == {"coop", "as_of", "known_at", "profile", "compliant", "checks"}
    assert found["profile"] == "fr-scop" and found["compliant"] is False
    first = found["checks"][0]
    assert first == {
        "rule": "employee-capital-majority",
        "status": "breach",
        "value": "0.4000",
        "threshold": "0.5100",
        "since": "2017-03-01",
        "detail": first["detail"],
    }
    assert [c["rule"] for c in found["checks"]][-1] == "refunds-due"
    fine = run_here(db, "compliance", "--as-of", "2016-06-30", "--check", "--format", "csv")
    assert fine.code == 0 and fine.out.startswith("rule,status,value,threshold,since,detail")

    line = run_here(
        db,
        "timeline",
        "--as-of",
        "2018-12-31",
        "--rule",
        "employee-capital-majority",
        "--format",
        "json",
    )
    assert line.code == 0, line.err
    runs = [(c["from"], c["to"], c["status"]) for c in json.loads(line.out)["changes"]]
    assert runs == [("2016-01-01", "2017-02-28", "ok"), ("2017-03-01", "2018-12-31", "breach")]
    bad = run_cli(db, "timeline", "--rule", "no-such-rule")
    assert bad.code == 2 and bad.err.startswith("error: unknown rule 'no-such-rule'")

    sheet = run_here(db, "factsheet", "--year", "2017", "--format", "json")
    assert sheet.code == 0, sheet.err
    fact = json.loads(sheet.out)
    assert (fact["as_of"], fact["filing_due"], fact["shares"], fact["capital"]) == (
        "2017-12-31",
        "2018-06-30",
        50,
        "1250.00",
    )
    assert fact["employee_partners"] == {"count": 2, "shares": 20}
    assert fact["largest_holder"]["person"] == "fund"
    assert fact["externals"] == [{"person": "fund", "name": None, "shares": 30, "votes": "1.0000"}]
    coops = json.loads(run_here(db, "coops", "--as-of", "2017-06-30", "--format", "json").out)
    assert coops["coops"][0]["compliant"] is False
    assert coops["coops"][0]["breaches"] == ["employee-capital-majority"]
    early = run_cli(db, "compliance", "--as-of", "2015-12-31")
    assert early.code == 1 and "before the cooperative's registration" in early.err


def test_be_cnc_with_statutes_options(run_cli, run_here, store_url: str) -> None:
    db = store_url
    init = ["init", "coop-be", "--name", "Coop BE", "--legal-form", "sa", "--share-value", "50"]
    done = run_cli(db, *init, "--profile", "be-cnc", "--scop-thresholds", "--date", "2019-01-01")
    assert done.code == 0, done.err
    assert run_here(db, "admit", "ann", "--date", "2019-01-01").code == 0
    result = run_cli(db, "compliance", "--as-of", "2019-06-30", "--format", "json")
    rules = {c["rule"]: c["status"] for c in json.loads(result.out)["checks"]}
    assert rules["member-vote-limit"] == "ok"
    assert rules["employee-vote-share"] == "breach"  # ann is not employed: an external
    bad = run_cli(db, "init", "other", *init[2:], "--external-vote-cap", "1.5")
    assert bad.code == 2 and "external vote cap" in bad.err


def _answers(run_cli, db: str, days: list[str]) -> dict:
    out = {}
    for day in days:
        for query in ("capital", "votes", "refunds", "members", "register", "compliance"):
            result = run_cli(db, query, "--as-of", day, "--format", "json")
            assert result.code == 0, result.err
            found = json.loads(result.out)
            found.pop("known_at")
            if query == "register":
                # Positions differ between two stores, and the cooperative's own entry
                # numbers too: the export leaves reversed entries and their reversals out.
                for movement in found["movements"]:
                    movement.pop("sequence")
                    movement.pop("entry")
            out[f"{query}@{day}"] = found
    return out


def test_export_then_import_into_an_empty_store_reproduces_every_answer(
    run_cli, run_here, store_url: str, tmp_path
) -> None:
    """``export`` and ``import`` through the installed script; the set-up and the answers
    compared (the same CLI) in this process."""
    from pathlib import Path

    sample = Path(__file__).parents[2] / "examples" / "fabrique.csv"
    init = [
        "init",
        "fabrique",
        "--name",
        "La Fabrique",
        "--legal-form",
        "sarl",
        "--share-value",
        "25",
        "--date",
        "2014-01-06",
    ]
    source = store_url
    assert run_here(source, *init).code == 0
    assert run_here(source, "import", str(sample)).code == 0
    entries_before = entries(run_here, source)
    twice = next(e for e in entries_before if e["note"] == "entered twice by mistake")
    assert run_here(source, "reverse", str(twice["id"]), "--reason", "twice").code == 0
    exported = tmp_path / "fabrique.jsonl"
    done = run_cli(source, "export", str(exported))
    assert done.code == 0, done.err
    rows = [json.loads(line) for line in exported.read_text().splitlines()]
    assert all(row["action"] != "reverse" for row in rows)
    assert f"fabrique:{twice['id']}" not in {row["id"] for row in rows}

    target = f"sqlite:///{tmp_path / 'copy.db'}"
    assert run_here(target, *init).code == 0
    loaded = run_cli(target, "import", str(exported))
    assert loaded.code == 0, loaded.err
    again = run_cli(target, "import", str(exported))
    assert again.code == 0 and ", 0 recorded" in again.out
    days = ["2016-12-31", "2019-06-30", "2030-01-01"]
    assert _answers(run_here, target, days) == _answers(run_here, source, days)
    assert run_cli(target, "export", str(tmp_path / "bad.txt")).code == 2


# The real CLI, with one SQLAlchemy listener added: the transaction that appends to the event
# table says so on stdout and waits before its COMMIT, so the test kills it at the worst moment,
# every row inserted and none committed (a sleep-and-hope kill would be a race).
PAUSED_IMPORT = """
import sys, time
from sqlalchemy import event
from sqlalchemy.engine import Engine

appended = set()

@event.listens_for(Engine, "before_cursor_execute")
def seen(conn, cursor, statement, parameters, context, executemany):
    text = statement.lstrip().lower()
    if text.startswith("insert") and "ledger_events" in text.split("(", 1)[0]:
        appended.add(id(conn))

@event.listens_for(Engine, "commit")
def pause(conn):
    if id(conn) in appended:
        print("committing", flush=True)
        time.sleep(600)

@event.listens_for(Engine, "rollback")
def forget(conn):
    appended.discard(id(conn))

from scop_ledger.cli.main import main
main(["import", sys.argv[1]], prog_name="scop-ledger")
"""


def test_an_import_killed_midway_leaves_the_store_as_it_was(run_cli, run_here, store_url, tmp_path):
    """SIGKILL during a long import, after its last row is inserted and before it commits:
    nothing is half written, and the same import then runs to the end."""
    import os
    import signal
    import subprocess
    import sys

    from bench.generate import generate, write

    history = generate(300, 8)
    rows_file, _journal = write(history, tmp_path)
    db = store_url
    init = ["init", "acme", "--name", "Bench", "--legal-form", "sa", "--share-value", "25"]
    assert run_here(db, *init, "--date", history.start.isoformat()).code == 0
    assert run_here(db, "hire", "zoe", "--date", history.start.isoformat()).code == 0
    before = entries(run_here, db)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOP_LEDGER_")}
    env.update({"SCOP_LEDGER_DB": db, "SCOP_LEDGER_USER": "e2e"})
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSED_IMPORT, str(rows_file)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line != "committing\n":
        proc.kill()
        pytest.fail(f"the import ended before its commit: {proc.communicate()[1][-500:]}")
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    proc.communicate()
    if db.startswith("sqlite"):
        # The import keeps its pages in memory until the commit (a 64 MiB cache for the
        # insert), so the killed writer left the file untouched: even a read-only open sees
        # the store as it was. (A writer killed after it had spilled pages leaves a hot
        # journal: test_a_writer_killed_with_a_hot_journal.)
        ro = run_cli(db, "history", "--format", "json", env={"SCOP_LEDGER_READ_ONLY": "1"})
        assert ro.code == 0, ro.err
        assert json.loads(ro.out)["entries"] == before
    assert entries(run_cli, db) == before
    done = run_cli(db, "import", str(rows_file), "--format", "json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["recorded"] == len(history.rows)


SPILLING_WRITER = """
import os, signal, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 10")  # ten pages: the writer must spill to the file
conn.execute("BEGIN IMMEDIATE")
conn.execute("CREATE TABLE interrupted (x BLOB)")
conn.executemany("INSERT INTO interrupted VALUES (?)", [(b"x" * 1000,)] * 2000)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_writer_killed_with_a_hot_journal(run_cli, run_here, sqlite_url, tmp_path) -> None:
    """A writer killed after it wrote pages to the file leaves a hot journal: a read-only open
    cannot roll it back and says so in one line (exit 3); the next ordinary open rolls it
    back, and the store is as it was."""
    import subprocess
    import sys

    init = ["init", "acme", "--name", "Acme", "--legal-form", "sas", "--share-value", "25"]
    assert run_here(sqlite_url, *init, "--date", "2020-01-06").code == 0
    assert run_here(sqlite_url, "hire", "zoe", "--date", "2020-01-06").code == 0
    before = entries(run_here, sqlite_url)
    path = sqlite_url.removeprefix("sqlite:///")
    killed = subprocess.run([sys.executable, "-c", SPILLING_WRITER, path], check=False)
    assert killed.returncode == -9
    journal = Path(f"{path}-journal")
    assert journal.exists() and journal.stat().st_size > 0
    ro = run_cli(sqlite_url, "capital", env={"SCOP_LEDGER_READ_ONLY": "1"})
    assert ro.code == 3 and "a write was interrupted" in ro.err, ro.err
    assert len(ro.err.strip().splitlines()) == 1
    assert entries(run_cli, sqlite_url) == before
    assert run_cli(sqlite_url, "capital", env={"SCOP_LEDGER_READ_ONLY": "1"}).code == 0


def test_a_reader_that_goes_away_ends_the_command_quietly(run_here, sqlite_url, tmp_path) -> None:
    """``scop-ledger history | head``: once the pipe is closed, no 'unexpected failure'."""
    import os
    import subprocess

    from tests.conftest import console_script

    init = ["init", "acme", "--name", "Acme", "--legal-form", "sarl", "--share-value", "25"]
    assert run_here(sqlite_url, *init, "--date", "2020-01-06").code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOP_LEDGER_")}
    env["SCOP_LEDGER_DB"] = sqlite_url
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the command writes a byte
    proc = subprocess.run(
        [*console_script(), "history"],
        stdout=write,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    os.close(write)
    assert proc.returncode == 1
    assert proc.stderr == ""


def test_rebuild_gives_the_same_answers_in_one_process_or_several(
    run_cli, run_here, store_url
) -> None:
    """``rebuild`` through the installed script: the answers before and after are the same,
    whether one process applies the events or two, on either back end (the set-up and the
    answers, the same CLI, in this process)."""
    db = store_url
    steps = [
        ["init", "acme", "--name", "Acme", "--legal-form", "sarl", "--share-value", "25"],
        ["hire", "ann", "--date", "2016-01-04"],
        ["admit", "ann", "--date", "2016-02-01"],
        ["subscribe", "ann", "--shares", "40", "--date", "2016-02-01"],
        ["hire", "ben", "--date", "2016-03-01"],
        ["admit", "ben", "--date", "2016-04-01"],
        ["subscribe", "ben", "--shares", "10", "--date", "2016-04-01"],
        ["leave", "ben", "--reason", "resignation", "--date", "2018-01-01"],
        ["withdraw", "ann", "--shares", "5", "--date", "2017-01-01"],  # back-dated
    ]
    for step in steps:
        if step[0] == "init":
            step = [*step, "--date", "2016-01-01"]
        result = run_here(db, *step)
        assert result.code == 0, result.err

    now = datetime.now(UTC).isoformat()

    def answers() -> list[str]:
        out = []
        for command in ("capital", "votes", "refunds", "register"):
            result = run_here(
                db, command, "--as-of", "2019-01-01", "--known-at", now, "--format", "json"
            )
            assert result.code == 0, result.err
            out.append(result.out)
        return out

    before = answers()
    for workers in ("1", "2"):
        result = run_cli(db, "rebuild", "--workers", workers)
        assert result.code == 0, result.err
        assert result.out.startswith("rebuilt the view from 12 events"), result.out
        assert answers() == before
    refused = run_cli(db, "rebuild", "--workers", "0")
    assert refused.code == 2 and "--workers" in refused.err
