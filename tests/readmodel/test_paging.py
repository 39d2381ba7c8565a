"""A page of the register or of the history read from the view is exactly the slice of the
whole one at those positions (same order, entry numbers, running holdings), on SQLite and
PostgreSQL; one person's register is what the whole register has of them."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scop_ledger.readmodel.access import catch_up
from scop_ledger.readmodel.history import (
    cut,
    history_from_events,
    history_from_view,
    history_page_from_view,
)
from scop_ledger.readmodel.paging import register_page_from_view
from scop_ledger.readmodel.register import register_from_view
from scop_ledger.readmodel.sources import EventReader
from scop_ledger.store.db import connect
from tests.helpers import acme, do, open_ledger
from tests.readmodel.test_view import PERSONS, START, _drop, build_history

FILTERS = [
    (None, None),
    (("pay-up", "subscribe"), None),
    (None, date(2019, 6, 30)),
    (("admit", "leave", "reverse"), date(2021, 1, 1)),
    ((), None),
]


def assert_pages_are_slices(ledger, db, as_of: date, known_at: datetime, rng) -> None:
    whole = register_from_view(db, "acme", as_of, known_at).movements
    oracle = EventReader(ledger)
    for size in (1, rng.randint(2, 7)):
        starts = sorted({0, *rng.sample(range(len(whole) + 2), min(4, len(whole) + 2))})
        starts += [max(len(whole) - size, 0), max(len(whole) - 1, 0)]  # the last pages
        for start in starts:
            page = register_page_from_view(db, "acme", as_of, known_at, (start, size))
            assert page.total == len(whole)
            assert page.movements == whole[start : start + size], (start, size)
        cut_page = oracle.register_page("acme", as_of, known_at, (starts[-1], size))
        assert cut_page.movements == whole[starts[-1] : starts[-1] + size]
    size = rng.randint(3, 12)  # pages at every position, one after the other: the whole
    pages = [
        register_page_from_view(db, "acme", as_of, known_at, (start, size)).movements
        for start in range(0, len(whole), size)
    ]
    assert [m for page in pages for m in page] == whole
    start = rng.randint(0, len(whole))
    rest = register_page_from_view(db, "acme", as_of, known_at, (start, None))
    assert (rest.total, rest.movements) == (len(whole), whole[start:])
    for person in PERSONS:
        theirs = [m for m in whole if m.person == person]
        page = register_page_from_view(db, "acme", as_of, known_at, (0, None), person)
        assert (page.total, page.movements) == (len(theirs), theirs), person
        middle = register_page_from_view(db, "acme", as_of, known_at, (1, 2), person)
        assert middle.movements == theirs[1:3]
    entries = history_from_view(db, "acme", None, known_at)
    oracle_entries = history_from_events(ledger, "acme", None, known_at)
    assert [(e["id"], e["details"].get("counterpart")) for e in entries] == [
        (e["id"], e["details"].get("counterpart")) for e in oracle_entries
    ]  # a transfer's counterpart, linked by the member index
    for actions, until in FILTERS:
        size = rng.randint(1, 7)
        total = cut(entries, (0, 0), actions, until)[0]
        for start in (0, rng.randint(0, total + 1), max(total - size, 0)):
            expected = cut(entries, (start, size), actions, until)
            window = (start, size)
            assert history_page_from_view(db, "acme", None, known_at, window, actions, until) == (
                expected
            )
    person = rng.choice(PERSONS[:2])  # ann and ben are always there
    theirs = history_from_view(db, "acme", person, known_at)
    assert history_page_from_view(db, "acme", person, known_at, (2, 3)) == (
        len(theirs),
        theirs[2:5],
    )


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000))
def test_a_page_is_the_slice_of_the_whole_on_random_histories(store_url: str, seed: int) -> None:
    """Random histories with back-dated entries and reversals, pages of 1 to 7 rows."""
    ledger = open_ledger(store_url)
    db = connect(store_url)
    try:
        acme(ledger)
        moments = build_history(ledger, seed, steps=35)
        rng = random.Random(seed + 2)
        for _ in range(2):
            as_of = START + timedelta(days=rng.randint(0, 4000))
            known_at = rng.choice(moments) if moments else datetime.now(UTC)
            assert_pages_are_slices(ledger, db, as_of, known_at, rng)
        assert_pages_are_slices(ledger, db, date(2030, 1, 1), datetime.now(UTC), rng)
    finally:
        db.close()
        _drop(ledger)


def test_one_persons_end_of_contract_and_exit_are_one_movement_only_when_adjacent(
    store_url: str,
) -> None:
    """An end of contract that ends the partnership is one movement when nothing comes between
    it and the exit in the whole register: a person's own register, read alone, says so too."""
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        for person in ("ann", "ben", "cat"):
            do(ledger, "hire", "2016-01-04", person=person)
            do(ledger, "admit", "2016-02-01", person=person)
            do(ledger, "subscribe", "2016-02-01", person=person, shares="10")
        do(ledger, "terminate", "2018-03-01", person="ann", reason="retirement")
        do(ledger, "subscribe", "2018-03-01", person="ben", shares="5")  # between ann's two
        do(ledger, "leave", "2018-03-01", person="ann", reason="resignation")
        do(ledger, "terminate", "2018-03-01", person="cat", reason="retirement")
        do(ledger, "hire", "2018-03-01", person="dan")  # between cat's two, no movement
        do(ledger, "leave", "2018-03-01", person="cat", reason="resignation")
        do(ledger, "subscribe", "2018-03-01", person="ben", shares="1")  # after, not between
        catch_up(ledger)
        db = connect(store_url)
        try:
            now, as_of = datetime.now(UTC), date(2019, 1, 1)
            whole = register_from_view(db, "acme", as_of, now).movements
            natures = {
                person: [m.nature for m in whole if m.person == person and m.date.year == 2018]
                for person in ("ann", "cat")
            }
            assert natures == {
                "ann": ["category change", "loss of status", "paid"],
                "cat": ["loss of status", "paid"],
            }
            for person in ("ann", "ben", "cat", "dan"):
                page = register_page_from_view(db, "acme", as_of, now, (0, None), person)
                assert page.movements == [m for m in whole if m.person == person], person
            for on, size in ((as_of, 1), (as_of, 2), (date(2018, 3, 1), 3)):
                whole = register_from_view(db, "acme", on, now).movements
                for start in range(len(whole) + 1):
                    page = register_page_from_view(db, "acme", on, now, (start, size))
                    assert (page.total, page.movements) == (len(whole), whole[start:][:size])
        finally:
            db.close()
    finally:
        ledger.close()


def test_an_exit_merges_with_the_end_of_contract_however_the_view_came_to_write_it(
    store_url: str,
) -> None:
    """The exit recorded by another process than the end of contract (the view reads what it
    needs back from its rows), or back-dated under a later entry of the person (their rows
    from it written anew): one movement, and every page says so."""
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        for person in ("eve", "fay"):
            do(ledger, "hire", "2016-01-04", person=person)
            do(ledger, "admit", "2016-02-01", person=person)
            do(ledger, "subscribe", "2016-02-01", person=person, shares="10")
        do(ledger, "terminate", "2018-03-01", person="eve", reason="retirement")
        do(ledger, "terminate", "2018-06-01", person="fay", reason="retirement")
        do(ledger, "hire", "2019-01-01", person="fay")
        catch_up(ledger)
    finally:
        ledger.close()
    ledger = open_ledger(store_url)
    db = connect(store_url)
    try:
        do(ledger, "leave", "2018-03-01", person="eve", reason="resignation")
        do(ledger, "leave", "2018-06-01", person="fay", reason="resignation")  # back-dated
        catch_up(ledger)
        now, as_of = datetime.now(UTC), date(2020, 1, 1)
        whole = register_from_view(db, "acme", as_of, now).movements
        exits = [m.nature for m in whole if m.date in (date(2018, 3, 1), date(2018, 6, 1))]
        assert exits == ["loss of status", "paid", "loss of status", "paid"]
        for size in (1, 2):
            for start in range(len(whole) + 1):
                page = register_page_from_view(db, "acme", as_of, now, (start, size))
                assert (page.total, page.movements) == (len(whole), whole[start:][:size])
    finally:
        db.close()
        ledger.close()
