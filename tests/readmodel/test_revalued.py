"""The view and changes of the share value: rebuilt in one process or on several, the same
rows; caught up page by page or in one go, the oracle's answers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from scop_ledger.readmodel.access import catch_up
from scop_ledger.readmodel.projector import Projector
from scop_ledger.readmodel.rebuild import rebuild
from tests.helpers import acme, do, open_ledger
from tests.readmodel.test_parallel import view_rows
from tests.readmodel.test_view import assert_view_matches_oracle


def history(ledger) -> None:
    acme(ledger)
    for person, shares in (("ann", "40"), ("ben", "8"), ("cat", "4")):
        do(ledger, "admit", "2016-02-01", person=person)
        do(ledger, "subscribe", "2016-02-01", person=person, shares=shares)
    do(ledger, "change-share-value", "2018-01-01", share_value="50")  # in date order
    do(ledger, "subscribe", "2019-01-01", person="cat", shares="1")
    split = do(ledger, "change-share-value", "2020-01-01", share_value="10")
    do(ledger, "withdraw", "2021-01-01", person="ann", shares="5")
    do(ledger, "change-share-value", "2017-01-01", share_value="12.5")  # back-dated
    do(ledger, "admit", "2016-06-01", person="dan")  # a newcomer before the changes
    do(ledger, "subscribe", "2016-06-01", person="dan", shares="2")
    do(ledger, "reverse", "2022-01-01", event=str(split.event), reason="not voted")


def test_rebuilds_on_one_or_several_processes_agree(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = open_ledger(url)
    try:
        history(ledger)
        rebuild(Projector(ledger), workers=1)
        one = view_rows(url)
        rebuild(Projector(ledger), workers=2)
        assert view_rows(url) == one
        for as_of in ("2016-12-31", "2017-01-01", "2018-01-01", "2020-06-30", "2023-01-01"):
            assert_view_matches_oracle(ledger, url, date.fromisoformat(as_of), datetime.now(UTC))
    finally:
        ledger.close()


def test_a_view_caught_up_later_agrees(store_url: str) -> None:
    ledger = open_ledger(store_url, view=False)
    try:
        history(ledger)
        catch_up(ledger)
        for as_of in ("2016-12-31", "2017-01-01", "2019-06-30", "2021-06-30", "2023-01-01"):
            assert_view_matches_oracle(
                ledger, store_url, date.fromisoformat(as_of), datetime.now(UTC)
            )
    finally:
        ledger.close()


def test_a_projector_that_forgot_its_folds_writes_each_conversion_once(store_url: str) -> None:
    """Another process (a fresh projector) records the next change: the members' folds are
    rebuilt from their streams, through the conversions the view already holds."""
    from scop_ledger.store.db import connect

    first = open_ledger(store_url)
    try:
        acme(first)
        do(first, "admit", "2016-02-01", person="ann")
        do(first, "subscribe", "2016-02-01", person="ann", shares="40")
        do(first, "change-share-value", "2018-01-01", share_value="50")
    finally:
        first.close()
    second = open_ledger(store_url)
    try:
        do(second, "change-share-value", "2020-01-01", share_value="100")
        do(second, "subscribe", "2021-01-01", person="ann", shares="1")
        db = connect(store_url)
        try:
            rows = db.rows(
                "SELECT on_date, shares FROM rm_states WHERE known_to IS NULL "
                "AND action = 'change-share-value' ORDER BY on_date"
            )
        finally:
            db.close()
        assert [(str(on)[:10], shares) for on, shares in rows] == [
            ("2018-01-01", 20),
            ("2020-01-01", 10),
        ]
        assert_view_matches_oracle(second, store_url, date(2022, 1, 1), datetime.now(UTC))
    finally:
        second.close()
