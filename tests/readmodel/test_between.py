"""The entries recorded between two moments (``diff``'s list), read from the view by the entries
in between alone, are the difference of the two whole histories, with the date of each entry
a reversal among them reverses (recorded before the first moment or after it); the oracle's
agree. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scop_ledger.readmodel.access import catch_up
from scop_ledger.readmodel.between import between_from_view, difference
from scop_ledger.readmodel.history import history_from_view
from scop_ledger.readmodel.sources import EventReader, ViewReader
from scop_ledger.store.db import connect
from tests.helpers import acme, do, open_ledger
from tests.readmodel.test_view import _drop, build_history


def assert_between_is_the_difference(ledger, db, t1: datetime, t2: datetime) -> None:
    found = between_from_view(db, "acme", t1, t2)
    whole = difference(
        history_from_view(db, "acme", None, t2), history_from_view(db, "acme", None, t1)
    )
    assert found == whole
    assert ViewReader(db, lambda: ledger).recorded_between("acme", t1, t2) == whole
    oracle = EventReader(ledger).recorded_between("acme", t1, t2)
    assert [e["id"] for e in oracle.entries] == [e["id"] for e in found.entries]
    assert [e["details"].get("target") for e in oracle.entries] == [
        e["details"].get("target") for e in found.entries
    ]
    assert oracle.dated == found.dated


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000))
def test_recorded_between_is_the_difference_of_the_histories(store_url: str, seed: int) -> None:
    """Random histories with back-dated entries and reversals, random moments t1 < t2."""
    ledger = open_ledger(store_url)
    db = connect(store_url)
    try:
        acme(ledger)
        start = datetime.now(UTC)
        moments = [start, *build_history(ledger, seed, steps=20), datetime.now(UTC)]
        rng = random.Random(seed + 3)
        for _ in range(4):
            t1, t2 = sorted(rng.sample(moments, 2))
            if t1 < t2:
                assert_between_is_the_difference(ledger, db, t1, t2)
    finally:
        db.close()
        _drop(ledger)


def test_a_reversal_in_between_brings_its_targets_date_recorded_before_or_after(
    store_url: str,
) -> None:
    ledger = open_ledger(store_url)
    db = connect(store_url)
    try:
        acme(ledger)
        do(ledger, "hire", "2016-01-01", person="ann")
        do(ledger, "admit", "2016-02-01", person="ann")
        early = do(ledger, "subscribe", "2016-02-01", person="ann", shares="30").event
        t1 = datetime.now(UTC)
        late = do(ledger, "subscribe", "2016-03-01", person="ann", shares="5").event
        do(ledger, "reverse", "2026-01-01", event=str(early), reason="never happened")
        do(ledger, "reverse", "2026-01-02", event=str(late), reason="never happened")
        t2 = datetime.now(UTC)
        do(ledger, "subscribe", "2017-01-01", person="ann", shares="1")
        catch_up(ledger)
        found = between_from_view(db, "acme", t1, t2)
        reversals = [e for e in found.entries if e["action"] == "reverse"]
        assert [e["details"]["target"] for e in reversals] == [early, late]
        assert found.dated == {early: date(2016, 2, 1), late: date(2016, 3, 1)}
        assert [e["id"] for e in found.entries] == [late, *(e["id"] for e in reversals)]
        assert_between_is_the_difference(ledger, db, t1, t2)
        assert between_from_view(db, "acme", t2, datetime.now(UTC)).dated == {}
        assert between_from_view(db, "acme", datetime.now(UTC), datetime.now(UTC)).entries == []
    finally:
        db.close()
        _drop(ledger)
