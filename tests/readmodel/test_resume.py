"""The rules' sweep at another moment than the one kept (readmodel/resume.py): over random
histories (back-dated entries, reversals, refunds falling due, mandates, share value changes,
now and then a review recorded among the members' entries), moments and dates, the sweep as
known at a past moment from the one kept now, and the sweep as known now brought up from the
row kept before the last members' entries, are those of a sweep afresh: compliance, the
timeline, the checks' details and the charts' figures."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scop_ledger.domain.errors import LedgerError
from scop_ledger.readmodel import resume
from scop_ledger.readmodel.access import catch_up
from scop_ledger.readmodel.snapshot import coop_from_view
from scop_ledger.readmodel.sources import ViewReader
from scop_ledger.store.db import connect
from tests.helpers import acme, do, open_ledger
from tests.readmodel.test_sweeps import _afresh, _drop_kept, _shown
from tests.readmodel.test_tallies import _history
from tests.readmodel.test_view import START, _drop, random_command

FAR = date(2032, 12, 31)


def _more(ledger, rng: random.Random, moments: list[datetime]) -> None:
    """Member entries recorded after the cooperative's (back-dated ones and reversals among
    them), and now and then one of the cooperative's own among them."""
    recorded: list[int] = []
    own = rng.randrange(10) if rng.random() < 0.3 else -1
    for k in range(10):
        if k == own:
            on = START + timedelta(days=rng.randint(0, 5000))
            do(ledger, "review", on.isoformat(), reviewer="Union régionale")
            moments.append(datetime.now(UTC))
        try:
            recorded.append(ledger.execute(random_command(rng, recorded)).event)
        except LedgerError:
            continue
        moments.append(datetime.now(UTC))
    catch_up(ledger)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000))
def test_a_past_moment_from_the_kept_sweep_answers_as_a_sweep_afresh(
    store_url: str, seed: int
) -> None:
    """As known at random moments (before and after the cooperative's own entries), on random
    dates: compliance, the timeline, the checks' details and the charts' figures from the
    sweep kept as known now, held in the process or read from the store, are those of a sweep
    afresh as known then."""
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        moments = _history(ledger, seed)
        rng = random.Random(seed + 5)
        _more(ledger, rng, moments)
        db = connect(store_url)
        try:
            now = datetime.now(UTC)
            holding = ViewReader(db, lambda: ledger, store_url, held=store_url)
            holding.rules("acme").sweep(FAR, now)  # kept in the store and held
            reading = ViewReader(db, lambda: ledger)  # reads the row kept
            for known_at in rng.sample(moments, min(5, len(moments))):
                dates = [START + timedelta(days=rng.randint(0, 6000)) for _ in range(2)]
                for until in [*dates, FAR]:
                    try:
                        expected = _afresh(reading, until, known_at)
                    except Exception:  # before the registration: refused either way
                        continue
                    shown = _shown(expected, "acme", until, known_at)
                    for reader in (holding, reading):
                        found = reader.rules("acme").sweep(until, known_at)
                        assert found.runs == expected.runs
                        assert _shown(found, "acme", until, known_at) == shown
        finally:
            _drop_kept(db, store_url)
    finally:
        _drop(ledger)


def test_a_past_moment_resumes_from_the_first_date_changed_since(store_url: str) -> None:
    """Member entries recorded since the moment: the kept sweep answers from the earliest
    date they change (a back-dated entry's, a reversed entry's); one of the cooperative's own
    among them: it does not."""
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        for person in ("ann", "ben"):
            do(ledger, "hire", "2016-01-01", person=person)
            do(ledger, "admit", "2016-02-01", person=person)
            do(ledger, "subscribe", "2016-02-01", person=person, shares="30")
        do(ledger, "appoint", "2016-03-01", person="ann", office="manager", term_years=4)
        paid = do(ledger, "subscribe", "2020-06-01", person="ben", shares="5")
        t1 = datetime.now(UTC)
        do(ledger, "subscribe", "2022-01-01", person="ann", shares="4")
        do(ledger, "reverse", "2023-01-01", event=str(paid.event), reason="test")
        t2 = datetime.now(UTC)
        catch_up(ledger)
        db = connect(store_url)
        try:
            cid = coop_from_view(db, "acme", t1)[0]
            assert resume.changed_from(db, cid, t1) == date(2020, 6, 1)
            assert resume.changed_from(db, cid, t2) == date.max
            reader = ViewReader(db, lambda: ledger, store_url, held=store_url)
            reader.rules("acme").sweep(FAR, datetime.now(UTC))
            coop = (cid, reader.coop_state("acme", FAR, t1), date(2016, 3, 1), 0)
            for until in (date(2019, 12, 31), date(2021, 12, 31), FAR):
                found = resume.resumed(db, coop, until, t1, held=store_url)
                assert found is not None
                assert found.runs == _afresh(reader, until, t1).runs
            do(ledger, "review", "2021-05-01", reviewer="Union régionale")
            catch_up(ledger)
            assert resume.changed_from(db, cid, t1) is None
            assert resume.resumed(db, coop, FAR, t1) is None
        finally:
            _drop_kept(db, store_url)
    finally:
        _drop(ledger)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000))
def test_the_sweep_after_a_few_entries_brought_up_from_the_row_kept_is_a_sweep_afresh(
    store_url: str, seed: int
) -> None:
    """A sweep kept, then members' entries (back-dated ones, reversals; now and then one of
    the cooperative's own): the sweep as known now, brought up from the row kept before them
    and kept again, answers random dates as a sweep afresh, then from the row kept."""
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        _history(ledger, seed)
        rng = random.Random(seed + 11)
        db = connect(store_url)
        try:
            ViewReader(db, lambda: ledger, store_url).rules("acme").sweep(FAR, datetime.now(UTC))
            _more(ledger, rng, [])
            now = datetime.now(UTC)
            dates = [START + timedelta(days=rng.randint(0, 6000)) for _ in range(3)]
            for until in [FAR, *dates]:
                try:
                    expected = _afresh(ViewReader(db, lambda: ledger), until, now)
                except Exception:  # before the registration: refused either way
                    continue
                shown = _shown(expected, "acme", until, now)
                for _ in range(2):  # brought up and kept, then read from the row
                    found = (
                        ViewReader(db, lambda: ledger, store_url).rules("acme").sweep(until, now)
                    )
                    assert found.runs == expected.runs
                    assert _shown(found, "acme", until, now) == shown
        finally:
            _drop_kept(db, store_url)
    finally:
        _drop(ledger)
