"""Trust in the store (issue 13): a command that fails has written nothing, one that succeeds
has written everything, and no entry, however it got into the store, stops it working."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent

from tests.helpers import open_ledger


def setup_alice(run_cli, db: str) -> None:
    for args in (
        ["init", "acme", "--name", "Acme", "--legal-form", "sarl", "--share-value", "25"],
        ["hire", "alice", "--date", "2020-01-01"],
        ["admit", "alice", "--date", "2020-02-01"],
        ["subscribe", "alice", "--shares", "4", "--date", "2020-02-01"],
    ):
        if args[0] == "init":
            args = [*args, "--date", "2020-01-01"]
        result = run_cli(db, *args)
        assert result.code == 0, result.err


def state_of(run_cli, db: str) -> tuple[str, str]:
    """What a failed command must leave as it was: the history and the chain's head."""
    history = run_cli(db, "history", "--format", "json")
    verify = run_cli(db, "verify")
    assert history.code == 0, history.err
    assert verify.code == 0, verify.err
    return json.dumps(json.loads(history.out)["entries"]), verify.out


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


# ------------------------------------------------------------------ atomic writes


@pytest.mark.parametrize(
    "args",
    [
        ["subscribe", "alice", "--shares", "1000000000000000000000", "--date", "2020-03-01"],
        ["subscribe", "alice", "--shares", "3689348814741911", "--date", "2020-03-01"],
        ["subscribe", "alice", "--shares", "2", "--date", "9999-12-31"],
    ],
    ids=["shares-1e21", "shares-paid-overflow", "date-9999"],
)
def test_a_command_that_fails_after_its_checks_records_nothing(run_cli, store_url, args) -> None:
    """It used to be stored, then reported as a failure (an OverflowError from the view, or
    from the rules' sweep after the commit): the treasurer's retry recorded it twice."""
    setup_alice(run_cli, store_url)
    before = state_of(run_cli, store_url)
    for _ in range(2):  # and the retry
        result = run_cli(store_url, *args)
        assert result.code in (1, 2), result.err
        assert len(error_lines(result.err)) == 1, result.err
        assert "unexpected failure" not in result.err
    assert state_of(run_cli, store_url) == before
    result = run_cli(store_url, "subscribe", "alice", "--shares", "3", "--date", "2020-03-01")
    assert result.code == 0, result.err
    capital = run_cli(store_url, "capital", "--format", "json")
    assert json.loads(capital.out)["shares"] == 7


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A folder on a filesystem of a few hundred kB (tmpfs, mounted as root), to fill up."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_records_nothing_and_a_retry_records_once(run_cli, tiny_disk, tmp_path):
    db = f"sqlite:///{tiny_disk / 'ledger.db'}"
    setup_alice(run_cli, db)
    rows = tmp_path / "rows.csv"
    lines = ["action,date,person,shares"]
    lines += [f"subscribe,2020-03-01,alice,{1 + i % 3}" for i in range(4000)]
    rows.write_text("\n".join(lines) + "\n")
    before = state_of(run_cli, db)
    result = run_cli(db, "import", str(rows))
    assert result.code == 3, (result.out, result.err)
    assert len(error_lines(result.err)) == 1, result.err
    assert "full" in result.err
    assert state_of(run_cli, db) == before
    # Fill what is left of the disk, so that even one entry does not fit.
    filler = tiny_disk / "filler"
    try:
        with filler.open("wb") as out:
            while True:
                out.write(b"\0" * 4096)
                out.flush()
    except OSError:
        pass  # the disk is full
    for _ in range(3):
        result = run_cli(db, "subscribe", "alice", "--shares", "1", "--date", "2020-04-01")
        assert result.code == 3, (result.out, result.err)
        assert len(error_lines(result.err)) == 1, result.err
    filler.unlink()
    assert state_of(run_cli, db) == before
    subprocess.run(["mount", "-o", "remount,size=20m", str(tiny_disk)], check=True)
    result = run_cli(db, "import", str(rows), "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["recorded"] == 4000
    result = run_cli(db, "subscribe", "alice", "--shares", "1", "--date", "2020-04-01")
    assert result.code == 0, result.err
    history = json.loads(run_cli(db, "history", "--format", "json").out)
    entries = history["entries"] if isinstance(history, dict) else history
    assert sum(1 for e in entries if e["action"] == "subscribe") == 1 + 4000 + 1
    assert run_cli(db, "verify").code == 0


# ------------------------------------------------------------------ no entry bricks a store


def store_by_hand(url: str, **changes: object) -> int:
    """Append, below the CLI and its checks (as an older release or a hand might), a copy of
    the newest subscription with ``changes`` to its stored fields; its entry id."""
    ledger = open_ledger(url, create=False)
    try:
        found = ledger.recorder.select_notifications(start=1, limit=10_000)
        model = [n for n in found if n.topic.endswith("SharesSubscribed")][-1]
        state = json.loads(model.state)
        state.update(changes)
        version = max(n.originator_version for n in found if n.originator_id == model.originator_id)
        stored = StoredEvent(model.originator_id, version + 1, model.topic, json.dumps(state).encode())
        (seq,) = ledger.recorder.insert_events([stored]) or []
        return int(seq)
    finally:
        ledger.close()


@pytest.mark.parametrize(
    "changes",
    [{"shares": 10**21}, {"shares": 3689348814741911, "paid": {"_type_": "decimal_str", "_data_": "92233720368547775.00"}}, {"note": "a\u0000b"}],
    ids=["shares-1e21", "paid-overflow", "nul-in-note"],
)
def test_an_entry_the_view_cannot_hold_is_named_and_can_be_reversed(
    run_cli, store_url, changes
) -> None:
    setup_alice(run_cli, store_url)
    if "note" in changes and store_url.startswith("sqlite"):
        pytest.skip("SQLite holds a NUL character; PostgreSQL's text cannot")
    seq = store_by_hand(store_url, **changes)
    for args in (
        ["capital", "--format", "json"],
        ["history", "--format", "json"],
        ["subscribe", "alice", "--shares", "1", "--date", "2020-03-01"],
        ["rebuild"],
        ["rebuild", "--workers", "2"],
        ["verify"],
    ):
        if args[-1] == "2" and not store_url.startswith("sqlite"):
            continue  # a rebuild on several processes is SQLite's
        result = run_cli(store_url, *args)
        assert result.code == 0, (args, result.err)
        if args[0] != "verify":
            lines = error_lines(result.err)
            assert lines == [
                f"warning: entry {seq} (subscribe alice 2020-02-01) cannot be shown: "
                f"{'a NUL character in its text' if 'note' in changes else 'a number out of range'}"
                f"; reverse it (scop-ledger reverse {seq} --reason ...)"
            ], (args, result.err)
    capital = json.loads(run_cli(store_url, "capital", "--format", "json").out)
    assert capital["shares"] == 5  # the entry set aside counts for nothing in the view
    result = run_cli(store_url, "reverse", str(seq), "--reason", "typed by hand")
    assert result.code == 0, result.err
    for args in (["capital", "--format", "json"], ["rebuild"]):
        result = run_cli(store_url, *args)
        assert result.code == 0 and not error_lines(result.err), (args, result.err)
    capital = json.loads(run_cli(store_url, "capital", "--format", "json").out)
    assert capital["shares"] == 5
    history = json.loads(run_cli(store_url, "history", "--format", "json").out)
    entries = history["entries"] if isinstance(history, dict) else history
    listed = [e["reversed_by"] for e in entries if e["id"] == seq]
    # Listed, marked reversed, when the view can hold its history row (not a NUL character).
    assert listed == ([] if "note" in changes else [seq + 2])
