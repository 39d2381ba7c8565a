"""The kept sweep of the rules (readmodel/sweeps.py): over random histories (back-dated
entries, reversals, refunds falling due, mandates, share value changes dated later) and random
dates, the answers from the sweep kept are those of a sweep afresh; a kept sweep is not used
after a new entry, a reversal, as known at a past moment or by other code; the checks' JSON
gives back the same checks."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scop_ledger.app import queries
from scop_ledger.app.session import Session
from scop_ledger.domain.rules.facts import Check, Status
from scop_ledger.domain.rules.text import Joined, Num, Text, Word
from scop_ledger.readmodel import sweeps
from scop_ledger.readmodel.checkjson import check_data, check_of, decoded, encoded
from scop_ledger.readmodel.compliance import compliance_of, timeline_of
from scop_ledger.readmodel.snapshot import coop_from_view
from scop_ledger.readmodel.sources import ViewReader
from scop_ledger.settings import Settings
from scop_ledger.store.db import connect
from tests.helpers import acme, do, open_ledger
from tests.readmodel.test_tallies import _history
from tests.readmodel.test_view import START, _drop

# ------------------------------------------------------------------ the checks' JSON

plain = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.text(max_size=8),
    st.decimals(allow_nan=False, allow_infinity=False, places=None),
    st.fractions(),
    st.dates(),
    st.builds(Num, st.decimals(allow_nan=False, allow_infinity=False)),
    st.builds(Word, st.text(max_size=8)),
)
said = st.recursive(
    plain,
    lambda inner: st.one_of(
        st.builds(
            Text,
            st.text(max_size=12),
            st.lists(st.tuples(st.text(max_size=4), inner), max_size=3).map(tuple),
        ),
        st.builds(Joined, st.lists(inner, max_size=3).map(tuple), st.booleans()),
    ),
    max_leaves=8,
)


def _same(a: object, b: object) -> bool:
    """Equal, of one type, and Decimals written alike (``1.0`` is not shown as ``1.00``)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Decimal):
        return str(a) == str(b)
    if isinstance(a, Text):
        return a.template == b.template and all(  # type: ignore[union-attr]
            k == j and _same(v, w)
            for (k, v), (j, w) in zip(a.values, b.values, strict=True)  # type: ignore[union-attr]
        )
    if isinstance(a, Joined):
        return a.comma == b.comma and all(  # type: ignore[union-attr]
            _same(x, y)
            for x, y in zip(a.items, b.items, strict=True)  # type: ignore[union-attr]
        )
    if isinstance(a, Num):
        return str(a.value) == str(b.value)  # type: ignore[union-attr]
    return a == b


@settings(max_examples=60, deadline=None)
@given(value=said, status=st.sampled_from(Status))
def test_a_check_written_as_json_reads_back_the_same(value: object, status: Status) -> None:
    assert _same(decoded(json.loads(json.dumps(encoded(value)))), value)
    check = Check("some-rule", status, "0.5100", None, Text("{x}", (("x", value),)))
    back = check_of(json.loads(json.dumps(check_data(check))))
    assert back == check and _same(back.text, check.text)


def test_a_value_json_cannot_hold_is_refused() -> None:
    for value in (datetime.now(UTC), 1.5, object()):
        try:
            encoded(value)
        except TypeError:
            continue
        raise AssertionError(f"{value!r} was written")
    assert isinstance(decoded({"F": [1, 3]}), Fraction)


# ------------------------------------------------------------------ kept against afresh


def _kept_rows(db) -> int:
    return (
        int(db.scalar(f"SELECT count(*) FROM {sweeps.TABLE}")) if db.has_table(sweeps.TABLE) else 0
    )


def _shown(found: sweeps.Sweep, slug: str, until: date, known_at: datetime) -> tuple:
    """What the answers show of a sweep: compliance, the timeline and the share charts."""
    verdict = compliance_of(slug, found.params, found.runs, until, known_at)
    timeline = timeline_of(slug, found.params, found.runs, until, known_at)
    details = [(r.first.detail, r.last.detail) for r in found.runs]
    return verdict.model_dump_json(), timeline.model_dump_json(), details, found.points


def _afresh(view: ViewReader, until: date, known_at: datetime) -> sweeps.Sweep:
    params, coop, facts = view.rules("acme").facts(until, known_at)
    return sweeps.swept(params, coop, facts, until)


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000))
def test_the_kept_sweep_answers_as_a_sweep_afresh(store_url: str, seed: int) -> None:
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        _history(ledger, seed)
        rng = random.Random(seed + 3)
        db = connect(store_url)
        try:
            keeping = ViewReader(db, lambda: ledger, store_url)
            now = datetime.now(UTC)
            dates = [START + timedelta(days=rng.randint(0, 6000)) for _ in range(3)]
            for until in [*dates, date(2032, 12, 31)]:
                try:
                    expected = _afresh(keeping, until, now)
                except Exception:  # before the registration: refused either way
                    continue
                for _ in range(2):  # the first computes and keeps, the second reads it
                    found = keeping.rules("acme").sweep(until, now)
                    assert found.runs == expected.runs
                    assert _shown(found, "acme", until, now) == _shown(expected, "acme", until, now)
            assert _kept_rows(db) == 1  # 2032 is after every entry of the cooperative
        finally:
            _drop_kept(db, store_url)
    finally:
        _drop(ledger)


def _drop_kept(db, url: str) -> None:
    """Close ``db`` and drop the kept sweeps (not a view table: ``_drop`` leaves them)."""
    if db.has_table(sweeps.TABLE):
        db.close()
        writable = connect(url, read_only=False)
        writable.write(f"DROP TABLE {sweeps.TABLE}", [])
        writable.close()
    else:
        db.close()


# ------------------------------------------------------------------ when it is not used

AS_OF = date(2030, 12, 31)


def _stored(url: str, known_at: datetime | None = None) -> bool:
    db = connect(url)
    try:
        moment = known_at or datetime.now(UTC)
        cid = coop_from_view(db, "acme", moment)[0]
        return sweeps.stored(db, cid, AS_OF, moment) is not None
    finally:
        db.close()


def _compliance(url: str, *, read_only: bool = False) -> str:
    session = Session(Settings(url=url, user="tester", read_only=read_only), note=lambda _: None)
    try:
        answer = json.loads(queries.compliance(session, AS_OF, None).model_dump_json())
        del answer["known_at"]
        return json.dumps(answer)
    finally:
        session.close()


def test_a_kept_sweep_is_used_only_while_it_holds(store_url: str) -> None:
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        do(ledger, "hire", "2020-01-01", person="ann")
        do(ledger, "admit", "2020-02-01", person="ann")
        between = datetime.now(UTC)
        do(ledger, "subscribe", "2020-02-01", person="ann", shares="10")
        # A read-only store reads, and keeps nothing.
        first = _compliance(store_url, read_only=True)
        assert not _stored(store_url)
        assert _compliance(store_url) == first and _stored(store_url)
        # Not as known at a moment before the last entry's recording.
        assert not _stored(store_url, between)
        # A new entry, back-dated: not used; the next read keeps another.
        do(ledger, "subscribe", "2020-03-01", person="ann", shares="40")
        assert not _stored(store_url)
        second = _compliance(store_url)
        assert second != first and _stored(store_url)
        # A reversal: idem.
        added = do(ledger, "hire", "2021-01-01", person="bob")
        assert _compliance(store_url) and _stored(store_url) is True
        do(ledger, "reverse", "2021-02-01", event=str(added.event), reason="test")
        assert not _stored(store_url)
        assert _compliance(store_url) == second and _stored(store_url)
        # Kept by other code: not used.
        db = connect(store_url, read_only=False)
        try:
            db.write(f"UPDATE {sweeps.TABLE} SET code = 'other'", [])
        finally:
            db.close()
        assert not _stored(store_url)
    finally:
        ledger.close()


def _founded(url: str, *partners: str) -> None:
    ledger = open_ledger(url)
    try:
        acme(ledger)
        for person in partners:
            do(ledger, "hire", "2020-01-01", person=person)
            do(ledger, "admit", "2020-02-01", person=person)
            do(ledger, "subscribe", "2020-02-01", person=person, shares="10")
    finally:
        ledger.close()


def test_a_read_only_store_holds_its_sweep_in_the_process_only_while_it_holds(tmp_path) -> None:
    """A read-only store keeps nothing in the store; the process holds the sweep it made, and
    not after a new entry, nor for another store made again at the same address."""
    url, other = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    _founded(url, "ann", "bob")
    first = _compliance(url, read_only=True)
    assert _compliance(url, read_only=True) == first and not _stored(url)
    ledger = open_ledger(url)
    try:
        do(ledger, "terminate", "2021-03-01", person="ann", reason="dismissal")
    finally:
        ledger.close()
    assert _compliance(url, read_only=True) != first
    # The same address, another store with fewer entries: its own answer, not the one held.
    _founded(other, "cy")
    expected = _compliance(other, read_only=True)
    (tmp_path / "a.db").unlink()
    _founded(url, "cy")
    assert _compliance(url, read_only=True) == expected


def test_a_row_kept_by_a_store_dropped_is_not_taken_by_the_one_made_again(store_url) -> None:
    """The tables of a store dropped but its kept sweeps (not a view table), and a store made
    again at the same address with fewer entries: its own answer, not the row kept."""
    _founded(store_url, "ann", "bob", "cy")
    ledger = open_ledger(store_url)
    try:
        do(ledger, "terminate", "2021-03-01", person="ann", reason="dismissal")
    finally:
        ledger.close()
    _compliance(store_url)
    assert _stored(store_url)
    _drop(open_ledger(store_url))
    _founded(store_url, "ann")
    assert not _stored(store_url)
    expected = _compliance(store_url, read_only=True)
    db = connect(store_url, read_only=False)
    try:
        db.write(f"DROP TABLE {sweeps.TABLE}", [])
    finally:
        db.close()
    assert _compliance(store_url, read_only=True) == expected
