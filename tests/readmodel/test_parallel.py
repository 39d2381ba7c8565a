"""A rebuild on several processes writes the view a rebuild in one process writes."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scop_ledger.audit.verify import verify
from scop_ledger.readmodel import parallel, scratch
from scop_ledger.readmodel.hooks import Hooks
from scop_ledger.readmodel.projector import Projector
from scop_ledger.readmodel.rebuild import ensure_view, rebuild
from scop_ledger.readmodel.schema import (
    ENTRY_COLUMNS,
    MEMBER_COLUMNS,
    REFUND_COLUMNS,
    STATE_COLUMNS,
)
from scop_ledger.settings import Settings
from scop_ledger.store.db import connect
from scop_ledger.store.engine import sqlite_path
from tests.helpers import acme, do, event_count, open_ledger
from tests.readmodel.test_view import assert_view_matches_oracle, build_history

TABLES = {
    "rm_coops": ("*", "cid"),
    "rm_members": (", ".join(MEMBER_COLUMNS), "mid"),
    "rm_entries": (", ".join(ENTRY_COLUMNS), "seq"),
    # Row ids aside (nothing reads them), in any order.
    "rm_states": (", ".join(STATE_COLUMNS), ", ".join(STATE_COLUMNS)),
    "rm_refunds": (", ".join(REFUND_COLUMNS), ", ".join(REFUND_COLUMNS)),
    "rm_tracking": ("*", "name"),
}


def view_rows(url: str) -> dict[str, list[tuple]]:
    db = connect(url)
    try:
        return {
            table: [tuple(r) for r in db.rows(f"SELECT {columns} FROM {table} ORDER BY {order}")]
            for table, (columns, order) in TABLES.items()
        }
    finally:
        db.close()


def two_cooperatives(url: str) -> None:
    """A second cooperative in the same store, its members among the first's."""
    beta = open_ledger(url)
    try:
        do(
            beta,
            "init",
            "2016-01-01",
            slug="beta",
            name="Beta Scop",
            legal_form="sa",
            share_value="50",
        )
    finally:
        beta.close()
    beta = open_ledger_for(url, "beta")
    try:
        for person in ("eve", "ann"):
            do(beta, "hire", "2016-03-01", person=person)
            do(beta, "admit", "2016-04-01", person=person)
            do(beta, "subscribe", "2016-04-01", person=person, shares="3")
        do(beta, "withdraw", "2017-04-01", person="eve", shares="1")
        review = do(beta, "review", "2019-01-01", reviewer="Union régionale")
        do(beta, "reverse", "2019-02-01", event=str(review.event), reason="wrong year")
        do(beta, "subscribe", "2016-06-01", person="ann", shares="2")  # back-dated
    finally:
        beta.close()


def open_ledger_for(url: str, coop: str):
    from scop_ledger.app.ledger import Ledger

    return Ledger(Settings(url=url, user="tester", coop=coop))


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000), workers=st.sampled_from([2, 3]))
def test_a_rebuild_on_several_processes_writes_the_same_view(
    tmp_path: Path, seed: int, workers: int
) -> None:
    url = f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}"
    ledger = open_ledger(url)
    try:
        acme(ledger)
        two_cooperatives(url)
        build_history(open_ledger_for(url, "acme"), seed, steps=40)
        live = view_rows(url)["rm_states"]  # caught up entry by entry, now and then
        rebuild(Projector(ledger), workers=1)
        one = view_rows(url)
        assert one["rm_states"] == live  # the deltas and moves of the catch-up's cache misses
        assert rebuild(Projector(ledger), workers=workers) == ledger.recorder.max_notification_id()
        assert view_rows(url) == one
        assert_view_matches_oracle(ledger, url, date(2030, 1, 1), datetime.now(UTC))
        # No scratch file is left beside the ledger.
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".scop")] == []
    finally:
        ledger.close()


def two_partners(url: str):
    """A ledger of two partners, ann and ben."""
    ledger = open_ledger(url, view=False)  # the catch-ups here are what is tested
    acme(ledger)
    for person in ("ann", "ben"):
        do(ledger, "hire", "2016-01-04", person=person)
        do(ledger, "admit", "2016-02-01", person=person)
        do(ledger, "subscribe", "2016-02-01", person=person, shares="10")
    return ledger


def once(action):
    """A progress callback that runs ``action`` the first time it is called: in the rebuilding
    process, while the workers read the log and before their rows replace the view."""
    done = []

    def progress(_read: int) -> None:
        if not done:
            done.append(True)
            action()

    return progress


def test_entries_recorded_during_the_rebuild_are_applied_after_it(sqlite_url):
    ledger = two_partners(sqlite_url)

    def meanwhile() -> None:
        do(ledger, "subscribe", "2017-01-01", person="ann", shares="5")
        do(ledger, "withdraw", "2016-06-01", person="ben", shares="2")  # back-dated

    head = event_count(ledger)
    assert rebuild(Projector(ledger), once(meanwhile), workers=2) == head + 2
    assert event_count(ledger) == head + 2
    assert_view_matches_oracle(ledger, sqlite_url, date(2030, 1, 1), datetime.now(UTC))
    ledger.close()


def test_another_process_catching_up_during_the_rebuild_does_not_break_it(sqlite_url):
    """A query or a write in another process catches the view up while the workers run: the
    rebuild still completes, and the view is right."""
    ledger = two_partners(sqlite_url)
    projector = Projector(ledger)
    ensure_view(projector)
    projector.catch_up()

    def meanwhile() -> None:
        do(ledger, "subscribe", "2017-01-01", person="ann", shares="5")
        other = open_ledger(sqlite_url, create=False)
        try:
            assert Projector(other).catch_up() > 0
        finally:
            other.close()

    head = event_count(ledger)
    assert rebuild(Projector(ledger), once(meanwhile), workers=2) == head + 1
    assert event_count(ledger) == head + 1
    assert Projector(ledger).lag() == 0
    assert_view_matches_oracle(ledger, sqlite_url, date(2030, 1, 1), datetime.now(UTC))
    ledger.close()


def test_a_failing_worker_leaves_the_view_as_it_was(store_url, scratches):
    sqlite_url = store_url  # on each back end
    ledger = open_ledger(sqlite_url)
    acme(ledger)
    do(ledger, "hire", "2016-01-04", person="ann")
    do(ledger, "admit", "2016-02-01", person="ann")
    projector = Projector(ledger)
    ensure_view(projector)
    projector.catch_up()

    def broken(notifications) -> None:  # in the workers, which run the projector's hooks
        raise RuntimeError("disk full")

    before = view_rows(sqlite_url)
    with pytest.raises(RuntimeError, match="disk full"):
        rebuild(Projector(ledger, Hooks(on_page=broken)), workers=2)
    assert projector.position() == event_count(ledger)
    assert view_rows(sqlite_url) == before
    assert scratch_left(sqlite_url, scratches) == []
    assert_view_matches_oracle(ledger, sqlite_url, date(2030, 1, 1), datetime.now(UTC))
    ledger.close()


def test_workers_by_default(store_url) -> None:
    """One per core for a large ledger, on either back end."""
    ledger = open_ledger(store_url)
    assert parallel.can_split(ledger)
    assert parallel.workers_for(ledger, parallel.SPLIT_FROM - 1) == 1
    several = parallel.workers_for(ledger, parallel.SPLIT_FROM)
    assert several == len(os.sched_getaffinity(0))
    ledger.close()


def test_a_rebuild_asked_for_two_workers_on_each_back_end(store_url) -> None:
    ledger = open_ledger(store_url)
    acme(ledger)
    do(ledger, "hire", "2016-01-04", person="ann")
    do(ledger, "admit", "2016-02-01", person="ann")
    do(ledger, "subscribe", "2016-02-01", person="ann", shares="4")
    # Never caught up before: the rebuild also links every event into the kept chain.
    assert rebuild(Projector(ledger), workers=2) == event_count(ledger)
    assert_view_matches_oracle(ledger, store_url, date(2030, 1, 1), datetime.now(UTC))
    db = connect(store_url)
    verdict = verify(db)
    db.close()
    assert verdict.ok and verdict.kept == verdict.entries == event_count(ledger)
    ledger.close()


@pytest.fixture
def scratches(monkeypatch) -> list[str]:
    """The scratch files or schemas the rebuilds of the test make."""
    made: list[str] = []
    real = scratch.scratch_space

    @contextmanager
    def recording(url, conn, workers):
        with real(url, conn, workers) as targets:
            made.extend(targets)
            yield targets

    monkeypatch.setattr(scratch, "scratch_space", recording)
    return made


def scratch_left(url: str, made: list[str]) -> list[str]:
    """Those of the scratch files or schemas ``made`` still there."""
    assert made
    if sqlite_path(url) is not None:
        return [m for m in made if Path(m).parent.exists()]
    db = connect(url)
    try:
        found = db.rows("SELECT nspname FROM pg_namespace")
        return sorted({str(r[0]) for r in found} & set(made))
    finally:
        db.close()


def test_several_workers_write_the_view_one_process_writes_on_each_back_end(
    store_url, tmp_path: Path, scratches
) -> None:
    """On PostgreSQL too: the workers write scratch schemas, merged in one transaction."""
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        two_cooperatives(store_url)
        build_history(open_ledger_for(store_url, "acme"), seed=7, steps=30)
        rebuild(Projector(ledger), workers=1)
        one = view_rows(store_url)
        marks = tmp_path / "workers"
        marks.mkdir()

        def mark(_notifications) -> None:  # run by each worker, in its own process
            (marks / str(os.getpid())).touch()

        hooks = Hooks(on_page=mark)
        head = ledger.recorder.max_notification_id()
        assert rebuild(Projector(ledger, hooks), workers=3) == head
        assert len({p.name for p in marks.iterdir()} - {str(os.getpid())}) == 3
        assert view_rows(store_url) == one
        assert_view_matches_oracle(ledger, store_url, date(2030, 1, 1), datetime.now(UTC))
        assert scratch_left(store_url, scratches) == []
    finally:
        ledger.close()


def test_a_role_that_may_not_create_schemas_is_rebuilt_in_one_process(pg_url) -> None:
    """The workers' scratch schemas need the right to create schemas in the database: without
    it, the rebuild runs in one process, as before there were workers on PostgreSQL."""
    import sqlalchemy
    from sqlalchemy.engine import make_url

    from scop_ledger.store.engine import normalise_url

    role = f"r_{uuid.uuid4().hex[:12]}"
    schema = make_url(normalise_url(pg_url)).query["options"].split("=", 1)[1]
    admin = sqlalchemy.create_engine(normalise_url(pg_url))
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        conn.exec_driver_sql(f"GRANT ALL ON SCHEMA {schema} TO {role}")
    url = pg_url.replace("postgresql://postgres@", f"postgresql://{role}@", 1)
    assert url != pg_url
    ledger = open_ledger(url)
    acme(ledger)
    do(ledger, "hire", "2016-01-04", person="ann")
    try:
        assert not parallel.can_split(ledger)
        assert parallel.workers_for(ledger, parallel.SPLIT_FROM) == 1
        assert rebuild(Projector(ledger), workers=2) == event_count(ledger)
        assert Projector(ledger).lag() == 0
    finally:
        ledger.close()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role} CASCADE")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


def test_a_sigterm_where_python_cannot_raise_stops_without_a_traceback(monkeypatch) -> None:
    """A rebuild's SIGTERM landing in a finaliser (as in logging's lock released around a
    fork) reaches no ``Exception ignored`` report (a traceback on the screen), and the
    rebuild still stops when it can."""
    import os
    import signal
    import sys

    from scop_ledger.readmodel.parallel import _terminated_as_interrupted

    reported: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)

    class Finalised:
        def __del__(self) -> None:
            os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(KeyboardInterrupt, match="signal 15"), _terminated_as_interrupted():
        Finalised()
    assert reported == []


@contextmanager
def fresh_store(backend: str, folder: Path):
    """The URL of an empty store on ``backend``: a new SQLite file, or a new schema of the
    test PostgreSQL database (dropped after)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}"
        return
    from tests.conftest import fresh_pg_schema

    with fresh_pg_schema() as url:
        yield url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000), steps=st.integers(5, 40))
def test_each_worker_reading_its_share_writes_the_view_caught_up_entry_by_entry(
    tmp_path: Path, backend: str, seed: int, steps: int
) -> None:
    """Each worker reads its members' records and the cooperatives' only (a range of ids):
    with 1, 2 or 3 workers the rebuilt view is the one caught up entry by entry, row for
    row (row ids aside), on each back end."""
    with fresh_store(backend, tmp_path) as url:
        ledger = open_ledger(url)
        try:
            acme(ledger)
            two_cooperatives(url)
            build_history(open_ledger_for(url, "acme"), seed, steps=steps)
            live = view_rows(url)
            for workers in (1, 2, 3):
                rebuild(Projector(ledger), workers=workers)
                assert view_rows(url) == live, workers
        finally:
            ledger.close()


def test_a_registration_after_its_records_first_entry_fails_as_in_one_process(
    store_url, scratches
) -> None:
    """The workers number the members by their records' first entries: a registration stored
    below the ledger as a later entry of a record goes to one process, which refuses it as a
    rebuild in one process does (a second row for the member)."""
    import sqlalchemy.exc
    from eventsourcing.persistence import StoredEvent

    from tests.e2e.test_trust_store import stamped_now

    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        for person in ("ann", "ben", "cat"):
            do(ledger, "hire", "2016-01-04", person=person)
        found = ledger.recorder.select_notifications(start=1, limit=100)
        registration = next(n for n in found if n.topic.endswith("Member.Registered"))
        newest = max(
            n.originator_version for n in found if n.originator_id == registration.originator_id
        )
        again = StoredEvent(
            registration.originator_id,
            newest + 1,
            registration.topic,
            stamped_now(registration.state),
        )
        ledger.recorder.insert_events([again])
        for workers in (1, 2):
            with pytest.raises(sqlalchemy.exc.IntegrityError, match="uuid"):
                rebuild(Projector(ledger), workers=workers)
        assert scratch_left(store_url, scratches) == []
    finally:
        ledger.close()
