"""Store safety on both back ends: append-only events, read-only mode, concurrent writers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import text

from scop_ledger.readmodel.history import history_from_events
from scop_ledger.settings import EVENTS_TABLE, Settings
from scop_ledger.store.engine import ReadOnlyStore, StoreUnavailable, open_engine
from tests.helpers import acme, do, event_count, open_ledger


def test_update_and_delete_of_events_fail_at_the_database(store_url: str) -> None:
    ledger = open_ledger(store_url)
    acme(ledger)
    ledger.close()
    engine = open_engine(Settings(url=store_url), must_exist=True)
    for statement in (
        f"UPDATE {EVENTS_TABLE} SET topic = 'forged'",
        f"DELETE FROM {EVENTS_TABLE}",
    ):
        with (
            pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"),
            engine.begin() as conn,
        ):
            conn.execute(text(statement))
    if engine.dialect.name == "postgresql":
        with (
            pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"),
            engine.begin() as conn,
        ):
            conn.execute(text(f"TRUNCATE {EVENTS_TABLE}"))
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {EVENTS_TABLE}")).scalar() == 1
    engine.dispose()


def test_read_only_store_refuses_every_write(store_url: str) -> None:
    ledger = open_ledger(store_url)
    acme(ledger)
    ledger.close()
    reader = open_ledger(store_url, read_only=True, create=False)
    with pytest.raises(ReadOnlyStore):
        do(reader, "hire", "2016-01-01", person="alice")
    assert [h["action"] for h in history_from_events(reader, "acme")] == ["init"]
    # Even a write that bypasses the application cannot reach the database.
    with pytest.raises(sqlalchemy.exc.DatabaseError), reader.engine.begin() as conn:
        conn.execute(
            text(
                f"INSERT INTO {EVENTS_TABLE} (originator_id, originator_version, topic, state) "
                "VALUES ('x', 1, 't', 'x')"
            )
        )
    reader.close()


def test_a_missing_sqlite_file_is_an_unavailable_store(tmp_path) -> None:
    with pytest.raises(StoreUnavailable, match="no ledger at"):
        open_ledger(f"sqlite:///{tmp_path / 'absent.db'}", create=False)
    with pytest.raises(StoreUnavailable, match="no ledger at"):
        open_ledger(f"sqlite:///{tmp_path / 'absent.db'}", read_only=True, create=False)
    assert not (tmp_path / "absent.db").exists()


def run_at_once(script: str, argvs: list[list[str]]) -> None:
    """``script`` in one Python process per argument list, all started at once; each must
    succeed."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, *argv],
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[2],
        )
        for argv in argvs
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err


WRITER = textwrap.dedent(
    """
    import sys
    from tests.helpers import do, open_ledger
    url, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ledger = open_ledger(url, user=tag, create=False)
    for i in range(n):
        do(ledger, "subscribe", "2017-01-01", person="alice", shares="1", note=f"{tag}-{i}")
    ledger.close()
    """
)


def test_two_processes_writing_to_the_same_member_lose_nothing(store_url: str) -> None:
    ledger = open_ledger(store_url)
    acme(ledger)
    do(ledger, "hire", "2016-01-01", person="alice")
    do(ledger, "admit", "2016-02-01", person="alice")
    do(ledger, "subscribe", "2016-02-01", person="alice", shares="1")
    start = event_count(ledger)
    n = 15
    run_at_once(WRITER, [[store_url, tag, str(n)] for tag in ("w1", "w2")])
    terms = ledger.cooperative("acme").terms
    state = ledger.member("acme", "alice").state(terms)
    assert state.shares == 1 + 2 * n
    notes = [h["note"] for h in history_from_events(ledger, "acme", "alice") if h["note"]]
    assert sorted(notes) == sorted(f"{t}-{i}" for t in ("w1", "w2") for i in range(n))
    assert event_count(ledger) >= start + 2 * n
    ledger.close()


OPENER = textwrap.dedent(
    """
    import sys
    from scop_ledger.readmodel.access import catch_up
    from tests.helpers import open_ledger
    ledger = open_ledger(sys.argv[1], user=sys.argv[2], create=False)
    catch_up(ledger)
    ledger.close()
    """
)


def test_processes_opening_a_store_at_once_all_succeed(store_url: str) -> None:
    """Each process opening a store makes sure of its guards and view tables: on PostgreSQL,
    two creating or replacing the same object at once failed ("tuple concurrently updated")."""
    ledger = open_ledger(store_url)
    acme(ledger)
    do(ledger, "hire", "2016-01-01", person="alice")
    ledger.close()
    for _round in range(2):  # a new store, then one with everything in place
        run_at_once(OPENER, [[store_url, f"p{i}"] for i in range(4)])
    engine = open_engine(Settings(url=store_url), must_exist=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT person FROM rm_members")).scalars().all() == ["alice"]
    engine.dispose()
