"""``coops`` keeps each cooperative's row as of a date and reuses it until that cooperative
records another entry: the kept answer is always the one computed afresh."""

from __future__ import annotations

from datetime import UTC, date, datetime

from scop_ledger.app import queries
from scop_ledger.app.ledger import Ledger
from scop_ledger.app.session import Session
from scop_ledger.readmodel.headlines import TABLE
from scop_ledger.settings import Settings
from tests.helpers import do, kept_rows, open_ledger

AS_OF = date(2020, 12, 31)


def _coop(url: str, slug: str, people: tuple[str, ...]) -> None:
    ledger = open_ledger(url)
    try:
        do(
            ledger,
            "init",
            "2016-01-01",
            slug=slug,
            name=slug.title(),
            legal_form="sas",
            share_value="25",
        )
    finally:
        ledger.close()
    ledger = _ledger(url, slug)
    try:
        for person in people:
            do(ledger, "hire", "2016-01-04", person=person)
            do(ledger, "admit", "2016-02-01", person=person)
            do(ledger, "subscribe", "2016-02-01", person=person, shares="10")
    finally:
        ledger.close()


def _ledger(url: str, slug: str) -> Ledger:
    return Ledger(Settings(url=url, user="tester", coop=slug))


def _rows(url: str, *, read_only: bool = False, known_at: datetime | None = None) -> list[dict]:
    session = Session(Settings(url=url, user="tester", read_only=read_only), note=lambda _: None)
    try:
        return queries.coops(session, AS_OF, known_at).coops
    finally:
        session.close()


def _afresh(url: str) -> list[dict]:
    """The rows as known at this moment: never kept, never reused."""
    return _rows(url, known_at=datetime.now(UTC))


def test_a_kept_row_is_reused_until_its_cooperative_records_again(store_url: str) -> None:
    _coop(store_url, "acme", ("ann", "bob"))
    _coop(store_url, "beta", ("eve",))
    assert (
        _rows(store_url, read_only=True) == _afresh(store_url) and kept_rows(store_url, TABLE) == 0
    )
    first = _rows(store_url)
    assert kept_rows(store_url, TABLE) == 2 and _rows(store_url) == first == _afresh(store_url)
    # A back-dated entry of acme's changes its row as of AS_OF; beta's row stands.
    ledger = _ledger(store_url, "acme")
    try:
        do(ledger, "terminate", "2019-06-30", person="bob", reason="resignation")
        reversal = do(ledger, "subscribe", "2018-01-01", person="ann", shares="5")
        assert _rows(store_url) == _afresh(store_url) != first
        do(ledger, "reverse", "2020-01-02", event=str(reversal.event), reason="typed twice")
    finally:
        ledger.close()
    now = _rows(store_url)
    assert now == _afresh(store_url)
    assert [r["partners"] for r in now] == [1, 1] and now[1] == first[1]
    assert now[0]["capital"] == first[0]["capital"] / 2
