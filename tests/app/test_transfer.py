"""``transfer``: shares moved between two partners (cession de parts), on both back ends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from scop_ledger.app import queries
from scop_ledger.app.importing.exporting import export_rows
from scop_ledger.app.session import Session
from scop_ledger.domain.errors import InvalidValue, NotFound, Refused
from scop_ledger.readmodel.history import history_from_events
from scop_ledger.readmodel.register import register_from_events
from scop_ledger.settings import Settings
from tests.helpers import acme, do, event_count, open_ledger

LATER = date(2030, 1, 1)


@pytest.fixture
def ledger(store_url: str):
    ledger = open_ledger(store_url)
    acme(ledger)
    do(ledger, "hire", "2016-01-04", person="ann", name="Ann")
    do(ledger, "admit", "2016-02-01", person="ann")
    do(ledger, "subscribe", "2016-02-01", person="ann", shares="40", paid="500")
    do(ledger, "hire", "2016-01-04", person="bea")
    do(ledger, "admit", "2016-02-01", person="bea")
    do(ledger, "subscribe", "2016-02-01", person="bea", shares="10")
    do(ledger, "admit", "2016-03-01", person="fund", name="Fund", legal_person=True)
    do(ledger, "subscribe", "2016-03-01", person="fund", shares="10")
    yield ledger
    ledger.close()


def _session(ledger) -> Session:
    return Session(Settings(url=ledger.settings.url, user="tester"))


def _capital(ledger, on: date = LATER):
    session = _session(ledger)
    try:
        return queries.capital(session, on, None)
    finally:
        session.close()


def test_a_transfer_moves_shares_between_categories_not_the_capital(ledger) -> None:
    before = _capital(ledger)
    recorded = do(
        ledger, "transfer", "2020-01-01", person="ann", to="fund", shares="25", price="700"
    )
    assert (recorded.action, recorded.person) == ("transfer", "ann")
    assert [a for _e, a in recorded.consequences] == ["transfer"]  # the receiver's side
    after = _capital(ledger)
    assert (before.shares, before.amount, before.paid_up) == (
        after.shares,
        after.amount,
        after.paid_up,
    )
    assert (before.employees.shares, before.externals.shares) == (50, 10)
    assert (after.employees.shares, after.externals.shares) == (25, 35)
    holdings = {p.person: (p.shares, p.paid) for p in after.partners}
    # 25 of ann's 40 shares carry 25/40 of her 500 euros paid up.
    assert holdings["ann"] == (15, Decimal("187.50")) and holdings["fund"] == (
        35,
        Decimal("562.50"),
    )
    session = _session(ledger)
    try:
        refunds = queries.refunds(session, LATER, None)
        register = queries.register(session, LATER, None)
        compliance = queries.compliance(session, LATER, None)
        history = queries.history(session, None, None)
    finally:
        session.close()
    assert refunds.refunds == []
    moves = [m for m in register.movements if m.nature == "transfer"]
    assert [(m.person, m.shares, m.counterparty, m.category) for m in moves] == [
        ("ann", -25, "fund", "employee"),
        ("fund", 25, "ann", "external"),
    ]
    assert moves[0].amount == Decimal("-625.00") and moves[0].entry == moves[1].entry - 1
    paid = [
        (m.person, m.amount, m.counterparty)
        for m in register.movements
        if m.entry in {moves[0].entry, moves[1].entry} and m.nature == "paid"
    ]
    assert paid == [("ann", Decimal("-312.50"), "fund"), ("fund", Decimal("312.50"), "ann")]
    others = [m for m in register.movements if m.nature not in ("transfer", "paid")]
    assert others and all(m.counterparty is None for m in others)
    # The view's register is the oracle's.
    oracle = register_from_events(ledger, "acme", LATER, register.known_at)
    assert oracle.model_dump() == register.model_dump()
    checks = {c.rule: c.status for c in compliance.checks}
    assert checks["employee-capital-majority"] == "breach"  # 25 of 60 shares
    assert [(h["action"], h["person"]) for h in history.entries[-2:]] == [
        ("transfer", "ann"),
        ("transfer", "fund"),
    ]
    out, inward = history.entries[-2:]
    assert (out["details"]["counterpart"], inward["details"]["counterpart"]) == (
        inward["id"],
        out["id"],
    )
    assert out["details"]["direction"] == "out" and inward["details"]["counterparty"] == "ann"
    oracle_history = history_from_events(ledger, "acme", "fund")
    assert oracle_history[-1]["details"]["counterpart"] == out["id"]


def test_transferring_every_share_ends_the_partnership_without_a_refund(ledger) -> None:
    recorded = do(ledger, "transfer", "2020-01-01", person="bea", to="ann", shares="10")
    assert [a for _e, a in recorded.consequences] == ["leave", "terminate", "transfer"]
    session = _session(ledger)
    try:
        members = {m.person: m for m in queries.members(session, LATER, None).members}
        refunds = queries.refunds(session, LATER, None)
        register = queries.register(session, LATER, None)
    finally:
        session.close()
    assert (members["bea"].partner, members["bea"].employed, members["bea"].shares) == (
        False,
        False,
        0,
    )
    assert members["ann"].shares == 50
    assert refunds.refunds == [] and refunds.outstanding == Decimal("0.00")
    bea = [(m.nature, m.shares, m.cause) for m in register.movements if m.person == "bea"]
    assert bea[-3:] == [
        ("transfer", -10, None),
        ("paid", 0, None),  # the paid-up euros that moved with the shares
        ("loss of status", 0, "transferred"),
    ]
    assert _capital(ledger).shares == 60


def test_reversing_either_side_reverses_both(ledger) -> None:
    recorded = do(ledger, "transfer", "2020-01-01", person="bea", to="fund", shares="10")
    receiving = recorded.consequences[-1][0]
    reversal = do(ledger, "reverse", "2020-02-01", event=str(receiving), reason="wrong receiver")
    assert [a for _e, a in reversal.consequences] == ["reverse"]
    history = history_from_events(ledger, "acme")
    reversed_ids = {h["id"] for h in history if h["reversed_by"] is not None}
    assert reversed_ids == {recorded.event, *(e for e, _a in recorded.consequences)}
    after = _capital(ledger)
    assert {p.person: p.shares for p in after.partners} == {"ann": 40, "bea": 10, "fund": 10}
    with pytest.raises(Refused, match="already reversed"):
        do(ledger, "reverse", "2020-02-02", event=str(recorded.event), reason="again")


def test_a_reversal_that_breaks_the_receivers_later_entry_writes_nothing(ledger) -> None:
    recorded = do(ledger, "transfer", "2020-01-01", person="ann", to="bea", shares="20")
    do(ledger, "withdraw", "2021-01-01", person="bea", shares="25")
    before = event_count(ledger)
    with pytest.raises(Refused, match="without it, the withdraw of bea"):
        do(ledger, "reverse", "2021-02-01", event=str(recorded.event), reason="oops")
    assert event_count(ledger) == before


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"shares": "41"}, Refused, "ann holds 40 shares on"),
        ({"to": "carl"}, Refused, "carl is not a partner on"),
        ({"to": "ann"}, Refused, "to themselves"),
        ({"to": "ghost"}, NotFound, "no person 'ghost'"),
        ({"person": "ghost"}, NotFound, "no person 'ghost'"),
        ({"shares": "0"}, InvalidValue, "at least 1"),
        ({"shares": "-3"}, InvalidValue, "shares"),
        ({"price": "-1"}, InvalidValue, "price may not be negative"),
        ({"price": "1000000000001"}, InvalidValue, "price"),
        ({"on": "2016-01-15"}, Refused, "ann is not a partner on"),
    ],
)
def test_refusals_write_nothing(ledger, fields, error, message) -> None:
    do(ledger, "hire", "2016-01-04", person="carl")
    before = event_count(ledger)
    fields = {"person": "ann", "to": "fund", "shares": "5", **fields}
    on = fields.pop("on", "2020-01-01")
    with pytest.raises(error, match=message):
        do(ledger, "transfer", on, **fields)
    assert event_count(ledger) == before


def test_the_export_has_one_row_per_transfer_and_imports_back(ledger, store_url: str) -> None:
    do(ledger, "transfer", "2020-01-01", person="ann", to="fund", shares="5", price="130.5")
    rows = [r for r in export_rows(ledger, "acme", datetime.now(UTC)) if r["action"] == "transfer"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["person"], row["to"], row["shares"], Decimal(str(row["price"]))) == (
        "ann",
        "fund",
        5,
        Decimal("130.5"),
    )
