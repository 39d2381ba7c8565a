"""Compliance scenarios from the seeds, on SQLite and PostgreSQL, through the application and
the view (the same path the CLI takes)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scop_ledger.domain.errors import Refused
from scop_ledger.readmodel.access import catch_up
from scop_ledger.readmodel.compliance import compliance, new_breaches, timeline
from scop_ledger.readmodel.sources import ViewReader
from scop_ledger.store.db import connect
from tests.helpers import acme, do, open_ledger

D = date.fromisoformat


@pytest.fixture
def ledger(store_url: str):
    from tests.readmodel.test_view import _drop

    ledger = open_ledger(store_url)
    yield ledger
    _drop(ledger)


def verdicts(ledger, url: str, on: str, known_at: datetime | None = None) -> dict[str, tuple]:
    catch_up(ledger)
    db = connect(url)
    try:
        result = compliance(
            ViewReader(db, lambda: ledger).rules("acme"), D(on), known_at or datetime.now(UTC)
        )
    finally:
        db.close()
    return {c.rule: (c.status, c.value, c.since.isoformat()) for c in result.checks}


def status(ledger, url: str, on: str, rule: str) -> str:
    return verdicts(ledger, url, on)[rule][0]


def partners(ledger, on: str, *people: str, shares: int = 10, employed: bool = True) -> None:
    for person in people:
        if employed:
            do(ledger, "hire", on, person=person)
        do(ledger, "admit", on, person=person)
        do(ledger, "subscribe", on, person=person, shares=str(shares))


def test_a_boot_scop_across_its_seven_years(ledger, store_url) -> None:
    acme(ledger, on="2016-03-01", boot_until=D("2023-12-31"))
    partners(ledger, "2016-03-01", "ann", "ben", shares=10)
    do(ledger, "admit", "2016-03-01", person="fund", legal_person=True)
    do(ledger, "subscribe", "2016-03-01", person="fund", shares="80")
    for year in range(2016, 2024):
        assert status(ledger, store_url, f"{year}-06-30", "employee-capital-majority") == "waived"
    assert verdicts(ledger, store_url, "2024-01-01")["employee-capital-majority"] == (
        "breach",
        "0.2000",
        "2024-01-01",
    )
    # The employees buy the majority back in 2025: the breach ends.
    do(ledger, "subscribe", "2025-02-01", person="ann", shares="50")
    do(ledger, "subscribe", "2025-02-01", person="ben", shares="50")
    assert verdicts(ledger, store_url, "2025-06-30")["employee-capital-majority"] == (
        "ok",
        "0.6000",
        "2025-02-01",
    )


def test_a_retiring_partner_stays_as_an_external_partner(ledger, store_url) -> None:
    acme(ledger)
    partners(ledger, "2016-01-01", "ann", "ben", "cat")
    do(ledger, "terminate", "2020-06-30", person="cat", reason="retirement")
    before, after = (
        verdicts(ledger, store_url, "2020-06-29"),
        verdicts(ledger, store_url, "2020-06-30"),
    )
    assert before["employee-capital-majority"][1] == "1.0000"
    assert after["employee-capital-majority"] == ("ok", "0.6667", "2016-01-01")
    assert after["refunds-due"][0] == "ok"  # she stays a partner: nothing to refund
    do(ledger, "terminate", "2021-01-31", person="ben", reason="retirement")
    assert verdicts(ledger, store_url, "2021-01-31")["employee-capital-majority"] == (
        "breach",
        "0.3333",
        "2021-01-31",
    )
    assert status(ledger, store_url, "2021-01-31", "minimum-employee-partners") == "breach"


def test_an_investors_votes_are_weighted_down(ledger, store_url) -> None:
    acme(ledger)
    partners(ledger, "2016-01-01", "ann", "ben")
    for fund in ("f1", "f2", "f3", "f4"):
        do(ledger, "admit", "2016-01-01", person=fund, legal_person=True)
        do(ledger, "subscribe", "2016-01-01", person=fund, shares="1")
    # 2 employees, 4 externals: one person one vote would give the externals 67%.
    assert verdicts(ledger, store_url, "2016-06-30")["employee-vote-share"] == (
        "ok",
        "0.6500",
        "2016-01-01",
    )


def test_a_sarl_growing_past_20_partners_without_a_supervisory_board(ledger, store_url) -> None:
    acme(ledger)
    partners(ledger, "2016-01-01", *[f"p{i:02}" for i in range(19)])
    assert status(ledger, store_url, "2017-01-01", "supervisory-board") == "not-applicable"
    partners(ledger, "2017-03-01", "p19")
    assert verdicts(ledger, store_url, "2017-03-01")["supervisory-board"] == (
        "breach",
        "0",
        "2017-03-01",
    )
    for person in ("p01", "p02", "p03"):
        do(
            ledger,
            "appoint",
            "2017-06-01",
            person=person,
            office="supervisory-board-member",
            term_years=4,
        )
    assert verdicts(ledger, store_url, "2017-06-01")["supervisory-board"][0] == "ok"
    # Their terms run out on 2021-06-01: in breach again from that day.
    assert verdicts(ledger, store_url, "2021-06-01")["supervisory-board"] == (
        "breach",
        "0",
        "2021-06-01",
    )


def test_dividends_above_the_employee_share_break_the_allocation_rule(ledger, store_url) -> None:
    acme(ledger)
    partners(ledger, "2016-01-01", "ann", "ben")
    fields = {"surplus": "10000", "legal_reserve": "3100", "development_fund": "100"}
    do(ledger, "allocate", "2017-06-30", year=2016, employees="3500", dividends="3000", **fields)
    assert status(ledger, store_url, "2017-06-30", "surplus-allocation") == "ok"
    do(ledger, "allocate", "2018-06-30", year=2017, employees="2500", dividends="2600", **fields)
    found = verdicts(ledger, store_url, "2018-07-01")["surplus-allocation"]
    assert found == ("breach", "0.2500", "2018-06-30")


def test_a_review_overdue_and_review_after_three_loss_years(ledger, store_url) -> None:
    acme(ledger)
    partners(ledger, "2016-01-01", "ann", "ben")
    assert status(ledger, store_url, "2021-01-01", "cooperative-review") == "ok"
    assert verdicts(ledger, store_url, "2021-01-02")["cooperative-review"][::2] == (
        "breach",
        "2021-01-02",
    )
    do(ledger, "review", "2021-03-01", reviewer="Union régionale des Scop")
    assert status(ledger, store_url, "2021-03-01", "cooperative-review") == "ok"
    zero = {"legal_reserve": "0", "development_fund": "0", "employees": "0", "dividends": "0"}
    for year in (2021, 2022, 2023):
        do(ledger, "allocate", f"{year + 1}-05-31", year=year, surplus="-100", **zero)
    # The third loss-making year in a row (recorded 2024-05-31) makes a review due within a
    # year, before the five-year term of 2026-03-01.
    assert status(ledger, store_url, "2025-05-31", "cooperative-review") == "ok"
    assert status(ledger, store_url, "2025-06-01", "cooperative-review") == "breach"


def test_a_withdrawal_that_crosses_the_capital_floor_warns(ledger, store_url) -> None:
    acme(ledger)
    partners(ledger, "2016-01-01", "ann", "ben", shares=50)
    first = do(ledger, "withdraw", "2018-01-01", person="ann", shares="40").event
    catch_up(ledger)
    db = connect(store_url)
    try:
        assert new_breaches(ledger, db, "acme", first, first) == []
        second = do(ledger, "withdraw", "2019-01-01", person="ben", shares="45").event
        catch_up(ledger)
        warnings = new_breaches(ledger, db, "acme", second, second)
    finally:
        db.close()
    # 100 shares at most, 15 left: 375.00 < 625.00.
    assert warnings == [
        "warning: after this, capital-floor is in breach as of 2019-01-01: capital 375.00, at "
        "least a quarter of the highest ever reached (2500.00) required (loi 47-1775 art. 13)"
    ]
    assert verdicts(ledger, store_url, "2019-01-01")["capital-floor"] == (
        "breach",
        "375.00",
        "2019-01-01",
    )


def test_overdue_refunds_and_knowledge_at_a_moment(ledger, store_url) -> None:
    acme(ledger)
    partners(ledger, "2016-01-01", "ann", "ben", "cat")
    do(ledger, "leave", "2017-03-31", person="cat", reason="exclusion")
    assert status(ledger, store_url, "2022-03-31", "refunds-due") == "ok"
    assert verdicts(ledger, store_url, "2022-04-01")["refunds-due"] == (
        "breach",
        "250.00",
        "2022-04-01",
    )
    before_payment = datetime.now(UTC)
    do(ledger, "pay-refund", "2022-03-01", person="cat", amount="250")
    assert status(ledger, store_url, "2022-04-01", "refunds-due") == "ok"
    assert verdicts(ledger, store_url, "2022-04-01", before_payment)["refunds-due"][0] == "breach"


def test_be_cnc_profile(ledger, store_url) -> None:
    acme(ledger, profile="be-cnc")
    partners(ledger, "2016-01-01", "ann", "ben", "cat")
    do(ledger, "leave", "2016-09-30", person="cat", reason="resignation")
    found = verdicts(ledger, store_url, "2016-10-01")
    assert list(found) == [
        "member-vote-limit",
        "dividend-limit",
        "resignation-window",
        "refund-limit",
        "refunds-due",
        "employee-capital-majority",
        "employee-vote-share",
    ]
    # A founder resigning in the first year, and after June: two faults, one finding.
    assert found["resignation-window"] == ("breach", "1", "2016-09-30")
    assert found["employee-capital-majority"][0] == "not-applicable"
    # The next financial year starts clean.
    assert status(ledger, store_url, "2017-01-01", "resignation-window") == "ok"
    do(
        ledger,
        "allocate",
        "2017-06-30",
        year=2016,
        surplus="1000",
        legal_reserve="100",
        development_fund="0",
        employees="0",
        dividends="31",
    )
    assert verdicts(ledger, store_url, "2017-06-30")["dividend-limit"] == (
        "breach",
        "0.0620",
        "2017-06-30",
    )


def test_be_cnc_with_the_scop_thresholds_opted_in(ledger, store_url) -> None:
    acme(ledger, profile="be-cnc", scop_thresholds=True)
    partners(ledger, "2016-01-01", "ann")
    do(ledger, "admit", "2016-01-01", person="fund", legal_person=True)
    do(ledger, "subscribe", "2016-01-01", person="fund", shares="20")
    found = verdicts(ledger, store_url, "2016-06-30")
    assert found["employee-capital-majority"][:2] == ("breach", "0.3333")
    assert found["employee-vote-share"][:2] == ("ok", "0.6500")


def test_timeline_and_a_date_before_registration(ledger, store_url) -> None:
    acme(ledger)
    partners(ledger, "2016-01-01", "ann", "ben")
    do(ledger, "terminate", "2018-05-01", person="ben", reason="dismissal")
    partners(ledger, "2019-02-01", "cat")
    catch_up(ledger)
    db = connect(store_url)
    try:
        source = ViewReader(db, lambda: ledger).rules("acme")
        result = timeline(source, D("2020-12-31"), datetime.now(UTC), D("2017-01-01"))
        with pytest.raises(Refused, match="before the cooperative's registration"):
            compliance(source, D("2015-12-31"), datetime.now(UTC))
    finally:
        db.close()
    runs = [
        (c["from"].isoformat(), c["to"].isoformat(), c["status"])
        for c in result.changes
        if c["rule"] == "minimum-employee-partners"
    ]
    assert runs == [
        ("2017-01-01", "2018-04-30", "ok"),
        ("2018-05-01", "2019-01-31", "breach"),
        ("2019-02-01", "2020-12-31", "ok"),
    ]
