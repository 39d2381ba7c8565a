"""be-cnc's refund limit with losses (CSA 6:120 §1) and its vote cap over a meeting's votes
(AR 8 January 1962 art. 1), on SQLite and PostgreSQL, through the application and the view, the
events (the oracle) agreeing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from scop_ledger.readmodel.access import catch_up
from scop_ledger.readmodel.compliance import compliance
from scop_ledger.readmodel.sources import EventReader, ViewReader
from scop_ledger.store.db import connect
from tests.helpers import acme, do, open_ledger

D = date.fromisoformat


@pytest.fixture
def ledger(store_url: str):
    from tests.readmodel.test_view import _drop

    ledger = open_ledger(store_url)
    yield ledger
    _drop(ledger)


def refund_limit(ledger, url: str, on: str) -> tuple:
    """The refund-limit check on ``on`` from the view; the events give the same."""
    catch_up(ledger)
    now = datetime.now(UTC)
    db = connect(url)
    try:
        found = [
            {c.rule: (c.status, c.value, c.since.isoformat()) for c in result.checks}
            for result in (
                compliance(ViewReader(db, lambda: ledger).rules("acme"), D(on), now),
                compliance(EventReader(ledger).rules("acme"), D(on), now),
            )
        ]
    finally:
        db.close()
    assert found[0] == found[1]
    return found[0]["refund-limit"]


def allocate(ledger, on: str, year: int, **fields: str) -> None:
    parts = {"legal_reserve": "0", "development_fund": "0", "employees": "0", "dividends": "0"}
    do(ledger, "allocate", on, year=year, surplus="-5000", **parts, **fields)


def losses(ledger, nav: str) -> None:
    """Three partners of 10 shares of 25, paid in; the accounts of 2016, approved on 30 June
    2017, show a net asset value per share of ``nav``; cat resigns on 15 January 2018."""
    acme(ledger, profile="be-cnc")
    for person in ("ann", "ben", "cat"):
        do(ledger, "admit", "2016-01-01", person=person)
        do(ledger, "subscribe", "2016-01-01", person=person, shares="10")
    allocate(ledger, "2017-06-30", 2016, net_asset_value_per_share=nav)
    do(ledger, "leave", "2018-01-15", person="cat", reason="resignation")


def test_with_losses_a_refund_is_at_most_the_net_asset_value_of_its_shares(
    ledger, store_url
) -> None:
    losses(ledger, "20.00")  # cat's cap: 10 shares x 20.00 = 200.00 of the 250.00 paid in
    do(ledger, "pay-refund", "2018-02-01", person="cat", amount="199.99")  # just below
    assert refund_limit(ledger, store_url, "2018-02-01")[:2] == ("ok", "0")
    do(ledger, "pay-refund", "2018-03-01", person="cat", amount="0.01")  # at
    assert refund_limit(ledger, store_url, "2018-03-01")[:2] == ("ok", "0")
    do(ledger, "pay-refund", "2018-04-01", person="cat", amount="0.01")  # just above
    assert refund_limit(ledger, store_url, "2018-04-01") == ("breach", "1", "2018-04-01")
    # Later accounts do not change a refund already owed: its cap is that of its date.
    allocate(ledger, "2018-06-30", 2017, net_asset_value_per_share="30")
    assert refund_limit(ledger, store_url, "2018-07-01")[0] == "breach"


def test_accounts_approved_after_the_exit_do_not_cap_its_refund(ledger, store_url) -> None:
    acme(ledger, profile="be-cnc")
    do(ledger, "admit", "2016-01-01", person="cat")
    do(ledger, "subscribe", "2016-01-01", person="cat", shares="10")
    do(ledger, "leave", "2017-03-01", person="cat", reason="resignation")
    allocate(ledger, "2017-06-30", 2016, net_asset_value_per_share="1")
    do(ledger, "pay-refund", "2017-07-01", person="cat", amount="250")
    assert refund_limit(ledger, store_url, "2017-07-01")[:2] == ("ok", "0")


@pytest.mark.parametrize(
    ("nav", "status"),
    [("24.99", "breach"), ("25", "ok"), ("25.01", "ok")],  # below, at, above the share value
)
def test_the_amount_paid_in_caps_when_there_is_no_loss(ledger, store_url, nav, status) -> None:
    losses(ledger, nav)
    do(ledger, "pay-refund", "2018-02-01", person="cat", amount="250")
    assert refund_limit(ledger, store_url, "2018-02-01")[0] == status


def meeting(store_url: str, on: str, present, proxies=None):
    from scop_ledger.app import queries
    from scop_ledger.app.session import Session
    from scop_ledger.settings import Settings

    session = Session(Settings(url=store_url, user="tester"), note=lambda _: None)
    try:
        return queries.roll(session, D(on), None, present, proxies)
    finally:
        session.close()


@pytest.mark.parametrize(("present", "above"), [(10, False), (11, False), (9, True)])
def test_the_meeting_roll_at_just_below_and_just_above_a_tenth(
    ledger, store_url, present, above
) -> None:
    """Equal votes: each of the n partners present holds 1/n of the votes present."""
    acme(ledger, profile="be-cnc")
    names = [f"p{i:02}" for i in range(11)]
    for person in names:
        do(ledger, "admit", "2016-01-01", person=person)
        do(ledger, "subscribe", "2016-01-01", person=person, shares="1")
    m = meeting(store_url, "2016-06-30", names[:present]).meeting
    assert m.votes_present_or_represented == present
    assert (m.cap, m.cap_applies) == (Decimal("0.1000"), False)
    assert m.above_cap == (names[:present] if above else [])
    assert [v.above_cap for v in m.voters] == [above] * present
    assert all(v.counted_votes == v.votes == 1 for v in m.voters)  # equal votes: no cap


def test_weighted_votes_above_a_tenth_count_for_a_tenth(ledger, store_url) -> None:
    acme(ledger, profile="be-cnc", scop_thresholds=True)
    for person in ("ann", "ben"):
        do(ledger, "hire", "2016-01-01", person=person)
        do(ledger, "admit", "2016-01-01", person=person)
        do(ledger, "subscribe", "2016-01-01", person=person, shares="1")
    externals = [f"x{i}" for i in range(10)]
    for person in externals:
        do(ledger, "admit", "2016-01-01", person=person, legal_person=True)
        do(ledger, "subscribe", "2016-01-01", person=person, shares="1")
    # x9 is represented by x0.
    found = meeting(store_url, "2016-06-30", ["ann", "ben", *externals[:9]], {"x9": "x0"})
    m = found.meeting
    # k = 0.35 x 2 / (0.65 x 10) = 7/65: 2 + 70/65 = 40/13 votes present.
    assert (m.votes_present_or_represented, m.cap_votes) == (Decimal("3.0769"), Decimal("0.3077"))
    assert m.cap_applies and m.above_cap == ["ann", "ben"]
    ann = m.voters[0]
    assert (ann.share, ann.above_cap, ann.counted_votes) == (
        Decimal("0.3250"),
        True,
        Decimal("0.3077"),
    )
    x0 = next(v for v in m.voters if v.person == "x0")
    assert (x0.proxies, x0.votes, x0.share, x0.above_cap) == (
        ["x9"],
        Decimal("0.2154"),
        Decimal("0.0700"),
        False,
    )
    assert x0.counted_votes == x0.votes
    answer = json.loads(found.model_dump_json())
    assert set(answer) - set(json.loads(meeting(store_url, "2016-06-30", None).model_dump_json()))
    assert set(answer["meeting"]) == {
        "present",
        "represented",
        "votes_present_or_represented",
        "cap",
        "cap_votes",
        "cap_applies",
        "voters",
        "above_cap",
        "source",
    }


def test_the_export_keeps_the_net_asset_value_per_share(ledger, store_url) -> None:
    from scop_ledger.app.importing.exporting import export_rows

    acme(ledger, profile="be-cnc")
    allocate(ledger, "2017-06-30", 2016, net_asset_value_per_share="20")
    allocate(ledger, "2018-06-30", 2017)
    rows = [r for r in export_rows(ledger, "acme", datetime.now(UTC)) if r["action"] == "allocate"]
    assert [str(r.get("net_asset_value_per_share")) for r in rows] == ["20.00", "None"]
