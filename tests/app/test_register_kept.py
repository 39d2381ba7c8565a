"""A page of the register as known now is placed with the movements by date kept in the store
(readmodel/placing.py), reused until the cooperative records another entry: the page is always
the slice of the whole register computed afresh."""

from __future__ import annotations

from datetime import UTC, date, datetime

from scop_ledger.app import queries
from scop_ledger.app.session import Session
from scop_ledger.readmodel.placing import TABLE
from scop_ledger.settings import Settings
from tests.app.test_coops_kept import _coop, _ledger
from tests.helpers import do, kept_rows

AS_OF = date(2020, 12, 31)


def _session(url: str, read_only: bool = False) -> Session:
    return Session(
        Settings(url=url, user="tester", coop="acme", read_only=read_only), note=lambda _: None
    )


def _pages(url: str, size: int, *, read_only: bool = False) -> tuple[int, list]:
    """Every page of ``size`` as known now, one after the other, and the total."""
    session = _session(url, read_only)
    try:
        first = queries.register_page(session, AS_OF, None, (0, size))
        out = list(first.movements)
        for start in range(size, first.total, size):
            out += queries.register_page(session, AS_OF, None, (start, size)).movements
        return first.total, out
    finally:
        session.close()


def _whole(url: str) -> tuple[int, list]:
    session = _session(url)
    try:
        whole = queries.register(session, AS_OF, datetime.now(UTC)).movements
        return len(whole), whole
    finally:
        session.close()


def test_kept_counts_are_reused_until_the_cooperative_records_again(store_url: str) -> None:
    _coop(store_url, "acme", ("ann", "bob", "cat"))
    _coop(store_url, "beta", ("eve",))
    assert (
        _pages(store_url, 2, read_only=True) == _whole(store_url)
        and kept_rows(store_url, TABLE) == 0
    )
    first = _pages(store_url, 2)
    assert kept_rows(store_url, TABLE) == 1 and _pages(store_url, 3) == first == _whole(store_url)
    ledger = _ledger(store_url, "acme")
    try:
        # An end of contract and the exit on one date (one movement), back-dated.
        do(ledger, "terminate", "2019-06-30", person="bob", reason="retirement")
        do(ledger, "leave", "2019-06-30", person="bob", reason="resignation")
        assert _pages(store_url, 2) == _whole(store_url) != first
        mistake = do(ledger, "subscribe", "2018-01-01", person="ann", shares="5")
        assert _pages(store_url, 4) == _whole(store_url)
        do(ledger, "reverse", "2020-01-02", event=str(mistake.event), reason="typed twice")
        assert _pages(store_url, 1) == _whole(store_url)
    finally:
        ledger.close()
    beta = _ledger(store_url, "beta")
    try:
        do(beta, "subscribe", "2019-01-01", person="eve", shares="1")  # not acme's
    finally:
        beta.close()
    assert _pages(store_url, 3) == _whole(store_url) and kept_rows(store_url, TABLE) == 1
