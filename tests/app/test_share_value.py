"""A change of the share's nominal value (change-share-value): both back ends, the view
against the oracle before and after, refusals, reversal, back-dating."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scop_ledger.domain.errors import Refused
from scop_ledger.readmodel import queries
from scop_ledger.readmodel.snapshot import snapshot_from_events
from tests.helpers import D, acme, do, open_ledger
from tests.readmodel.test_view import assert_view_matches_oracle

NOW = datetime(2100, 1, 1, tzinfo=UTC)


@pytest.fixture
def ledger(store_url: str):
    ledger = open_ledger(store_url)
    acme(ledger)
    do(ledger, "hire", "2016-01-04", person="alice", name="Alice Martin")
    do(ledger, "admit", "2017-01-10", person="alice")
    do(ledger, "subscribe", "2017-01-10", person="alice", shares="40")
    do(ledger, "admit", "2017-01-10", person="bob", name="Bob")
    do(ledger, "subscribe", "2017-01-10", person="bob", shares="4", paid="50")
    yield ledger
    ledger.close()


def capital(ledger, as_of: str) -> dict:
    return queries.capital(snapshot_from_events(ledger, "acme", D(as_of), NOW)).model_dump(
        mode="json"
    )


def test_regrouping_converts_every_holding_from_its_date(ledger, store_url) -> None:
    do(ledger, "change-share-value", "2020-01-01", share_value="50")
    before, after = capital(ledger, "2019-12-31"), capital(ledger, "2020-01-01")
    assert (before["share_value"], before["shares"], before["amount"]) == ("25.00", 44, "1100.00")
    assert (after["share_value"], after["shares"], after["amount"]) == ("50.00", 22, "1100.00")
    do(ledger, "subscribe", "2021-01-01", person="bob", shares="1")  # one share of 50
    assert capital(ledger, "2021-01-01")["amount"] == "1150.00"
    for as_of in ("2019-12-31", "2020-01-01", "2021-06-30"):
        assert_view_matches_oracle(ledger, store_url, D(as_of), NOW)


def test_a_remainder_or_the_same_value_is_refused(ledger) -> None:
    do(ledger, "subscribe", "2018-01-10", person="bob", shares="1")  # bob: 5 shares of 25
    with pytest.raises(Refused, match="bob holds 5 shares of 25.00 euros on 2020-01-01"):
        do(ledger, "change-share-value", "2020-01-01", share_value="50")
    with pytest.raises(Refused, match="already 25"):
        do(ledger, "change-share-value", "2020-01-01", share_value="25.00")
    assert capital(ledger, "2020-06-30")["share_value"] == "25.00"


def test_a_split_then_a_reversal(ledger, store_url) -> None:
    split = do(ledger, "change-share-value", "2020-01-01", share_value="12.5")
    assert capital(ledger, "2020-01-01")["shares"] == 88
    do(ledger, "reverse", "2022-01-01", event=str(split.event), reason="entered by mistake")
    assert capital(ledger, "2022-01-01")["shares"] == 44
    assert_view_matches_oracle(ledger, store_url, D("2021-01-01"), NOW)


def test_the_reversal_is_refused_when_a_later_entry_needs_the_change(ledger) -> None:
    split = do(ledger, "change-share-value", "2020-01-01", share_value="12.5")
    do(ledger, "withdraw", "2021-01-01", person="alice", shares="79")  # 80 -> 1 of 12.5
    with pytest.raises(Refused, match="withdraw of alice on 2021-01-01"):
        do(ledger, "reverse", "2022-01-01", event=str(split.event), reason="mistake")


def test_a_back_dated_change_reinterprets_later_entries_or_is_refused(ledger, store_url) -> None:
    do(ledger, "withdraw", "2021-01-01", person="alice", shares="38")  # 2 shares of 25 left
    with pytest.raises(Refused, match="withdraw of alice on 2021-01-01"):
        do(ledger, "change-share-value", "2020-01-01", share_value="50")  # 20 shares: 38?
    known_before = datetime.now(UTC)
    do(ledger, "change-share-value", "2019-01-01", share_value="12.5")  # 80, then 80 - 38
    assert capital(ledger, "2021-12-31")["partners"][0]["shares"] == 42
    for as_of in ("2018-12-31", "2019-01-01", "2021-01-01", "2021-12-31"):
        assert_view_matches_oracle(ledger, store_url, D(as_of), NOW)
    assert_view_matches_oracle(ledger, store_url, D("2021-12-31"), known_before)


def test_the_register_shows_the_conversion(ledger) -> None:
    from scop_ledger.readmodel.register import register_from_events

    do(ledger, "change-share-value", "2020-01-01", share_value="50")
    found = register_from_events(ledger, "acme", D("2020-12-31"), NOW)
    conversions = [m for m in found.movements if m.nature == "share-value"]
    assert [(m.person, m.shares, m.shares_after, m.amount) for m in conversions] == [
        ("alice", -20, 20, Decimal("0.00")),
        ("bob", -2, 2, Decimal("0.00")),
    ]
    assert found.share_value == Decimal("50.00")


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    holdings=st.lists(st.integers(1, 12), min_size=1, max_size=4),
    factor=st.sampled_from([Decimal("0.2"), Decimal("0.5"), Decimal(2), Decimal(4)]),
)
def test_the_capital_in_euros_does_not_change(sqlite_url, holdings, factor) -> None:
    ledger = open_ledger(sqlite_url.replace(".db", f"-{len(holdings)}-{factor}-{id(holdings)}.db"))
    try:
        acme(ledger)
        for n, shares in enumerate(holdings):
            person = f"p{n}"
            do(ledger, "admit", "2017-01-10", person=person)
            do(ledger, "subscribe", "2017-01-10", person=person, shares=str(shares * 4))
        before = capital(ledger, "2019-12-31")
        do(ledger, "change-share-value", "2020-01-01", share_value=str(25 * factor))
        after = capital(ledger, "2020-01-01")
        assert after["amount"] == before["amount"]
        assert after["paid_up"] == before["paid_up"]
        assert after["shares"] * Decimal(after["share_value"]) == Decimal(before["amount"])
    finally:
        ledger.close()


def test_dates_before_registration_and_bad_values_are_refused(ledger) -> None:
    from scop_ledger.domain.errors import InvalidValue

    with pytest.raises(InvalidValue):
        do(ledger, "change-share-value", "2020-01-01", share_value="0")
    with pytest.raises(Refused, match="before the cooperative's registration"):
        do(ledger, "change-share-value", "2015-01-01", share_value="50")
    assert date(2016, 1, 1)


VALUES = ["5", "10", "12.5", "25", "50", "100"]


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000))
def test_view_and_oracle_agree_on_random_histories_with_changes(store_url, seed) -> None:
    """Random member entries, changes of the share value (back-dated too) and reversals; the
    view caught up at random moments: the view and the oracle agree before and after."""
    import random
    from datetime import timedelta

    from scop_ledger.app import commands as cmd
    from scop_ledger.domain.errors import LedgerError
    from scop_ledger.readmodel.access import catch_up
    from tests.readmodel.test_view import START, _drop, random_command

    rng = random.Random(seed)
    ledger = open_ledger(store_url, view=False)
    try:
        acme(ledger)
        recorded, moments = [], []
        for person in ("ann", "ben"):
            do(ledger, "hire", "2016-01-01", person=person)
            do(ledger, "admit", "2016-02-01", person=person)
            recorded.append(do(ledger, "subscribe", "2016-02-01", person=person, shares="40").event)
        for _ in range(30):
            if rng.random() < 0.25:
                on = START + timedelta(days=rng.randint(0, 3650))
                command = cmd.build(cmd.ChangeShareValue, on=on, share_value=rng.choice(VALUES))
            else:
                command = random_command(rng, recorded)
            try:
                recorded.append(ledger.execute(command).event)
            except LedgerError:
                continue
            moments.append(datetime.now(UTC))
            if rng.random() < 0.3:
                catch_up(ledger)
        catch_up(ledger)
        for _ in range(4):
            as_of = START + timedelta(days=rng.randint(0, 4000))
            known_at = rng.choice(moments) if moments else NOW
            assert_view_matches_oracle(ledger, store_url, as_of, known_at)
        assert_view_matches_oracle(ledger, store_url, date(2030, 1, 1), NOW)
    finally:
        _drop(ledger)


def test_a_back_dated_subscription_that_leaves_a_remainder_is_refused(ledger) -> None:
    do(ledger, "change-share-value", "2020-01-01", share_value="50")
    with pytest.raises(Refused, match="later change-share-value of bob on 2020-01-01"):
        do(ledger, "subscribe", "2019-06-01", person="bob", shares="1")
    do(ledger, "subscribe", "2019-06-01", person="bob", shares="2")  # 6 of 25: 3 of 50
    do(ledger, "pay-up", "2020-02-01", person="bob", amount="50")  # 3 x 50 worth, 100 paid
    assert capital(ledger, "2020-02-01")["partners"][1]["shares"] == 3
    with pytest.raises(Refused, match="owes only 0"):
        do(ledger, "pay-up", "2020-03-01", person="bob", amount="1")


def test_the_certificate_and_the_votes_before_and_after(ledger, store_url) -> None:
    from scop_ledger.app import certificates
    from scop_ledger.app import queries as app_queries
    from scop_ledger.app.session import Session
    from scop_ledger.settings import Settings

    do(ledger, "change-share-value", "2020-01-01", share_value="50")
    session = Session(Settings(url=store_url, user="tester"))
    try:
        before = certificates.certificate(session, "alice", D("2019-12-31"), None)
        after = certificates.certificate(session, "alice", D("2020-12-31"), None)
        votes = app_queries.votes(session, D("2020-12-31"), None).model_dump(mode="json")
    finally:
        session.close()
    assert (before.shares, before.share_value, before.amount) == (40, Decimal(25), Decimal(1000))
    assert (after.shares, after.share_value, after.amount) == (20, Decimal(50), Decimal(1000))
    assert [m.nature for m in after.movements] == ["share-value"]
    assert votes["partners"] == 2
