"""Issue 18 through the application and the view, on SQLite and PostgreSQL: every year's
surplus allocated in time, a legal representative in office, partners holding shares, the
timeline's end situation and ranges, the fact sheet's tied holders, and details in the
language of a table while JSON stays in English."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from scop_ledger import i18n
from scop_ledger.app import commands as cmd
from scop_ledger.app import queries
from scop_ledger.app.recording import record
from scop_ledger.app.session import Session
from scop_ledger.readmodel.access import catch_up
from scop_ledger.readmodel.compliance import compliance, timeline
from scop_ledger.readmodel.sources import ViewReader
from scop_ledger.settings import Settings
from scop_ledger.store.db import connect
from tests.helpers import acme, do, open_ledger

D = date.fromisoformat
ZERO = {"legal_reserve": "0", "development_fund": "0", "employees": "0", "dividends": "0"}
SPLIT = {"legal_reserve": "150", "development_fund": "10", "employees": "250", "dividends": "100"}


@pytest.fixture
def ledger(store_url: str):
    from tests.readmodel.test_view import _drop

    ledger = open_ledger(store_url)
    yield ledger
    _drop(ledger)


def rows(ledger, url: str, on: str):
    catch_up(ledger)
    db = connect(url)
    try:
        result = compliance(ViewReader(db, lambda: ledger).rules("acme"), D(on), datetime.now(UTC))
    finally:
        db.close()
    return {c.rule: c for c in result.checks}


def verdict(ledger, url: str, on: str, rule: str) -> tuple[str, str]:
    row = rows(ledger, url, on)[rule]
    return row.status, row.since.isoformat()


def partners(ledger, on: str, *people: str, shares: int = 10) -> None:
    for person in people:
        do(ledger, "hire", on, person=person)
        do(ledger, "admit", on, person=person)
        do(ledger, "subscribe", on, person=person, shares=str(shares))


def test_every_year_after_the_first_allocated_within_six_months(ledger, store_url) -> None:
    acme(ledger)
    partners(ledger, "2016-01-01", "ann", "ben")
    rule = "surplus-allocation"
    assert verdict(ledger, store_url, "2018-01-01", rule)[0] == "not-applicable"
    do(ledger, "allocate", "2017-06-30", year=2016, surplus="1000", **SPLIT)
    # 2017 is due by 2018-06-30: fine on that day, a breach the day after.
    assert verdict(ledger, store_url, "2018-06-29", rule) == ("ok", "2017-06-30")
    assert verdict(ledger, store_url, "2018-06-30", rule) == ("ok", "2017-06-30")
    late = rows(ledger, store_url, "2018-07-01")[rule]
    assert (late.status, late.since) == ("breach", D("2018-07-01"))
    assert late.detail.startswith("no allocation of the surplus of 2017, due by 2018-06-30")
    # A year without surplus is recorded as zero; recorded late, the breach ends that day.
    do(ledger, "allocate", "2018-08-01", year=2017, surplus="0", **ZERO)
    assert verdict(ledger, store_url, "2018-08-01", rule) == ("ok", "2018-08-01")
    assert verdict(ledger, store_url, "2018-07-31", rule) == ("breach", "2018-07-01")


def test_a_legal_representative_in_office_every_day(ledger, store_url) -> None:
    acme(ledger)
    partners(ledger, "2016-01-01", "ann", "ben")
    rule = "legal-representative"
    first = rows(ledger, store_url, "2016-06-01")[rule]
    assert (first.status, first.detail) == ("not-applicable", "no mandate recorded")
    do(ledger, "appoint", "2017-01-01", person="ann", office="manager", term_years=4)
    assert verdict(ledger, store_url, "2020-12-31", rule) == ("ok", "2017-01-01")
    ended = rows(ledger, store_url, "2021-01-01")[rule]
    assert (ended.status, ended.since) == ("breach", D("2021-01-01"))
    assert "since 2021-01-01" in ended.detail
    do(ledger, "appoint", "2021-01-02", person="ben", office="manager", term_years=4)
    assert verdict(ledger, store_url, "2021-01-02", rule) == ("ok", "2021-01-02")
    # The partners make the SARL a SAS: a manager no longer represents it.
    do(ledger, "change-form", "2022-03-01", legal_form="sas")
    assert verdict(ledger, store_url, "2022-03-01", rule) == ("breach", "2022-03-01")
    do(ledger, "appoint", "2022-03-02", person="ben", office="chair", term_years=4)
    assert verdict(ledger, store_url, "2022-03-02", rule) == ("ok", "2022-03-02")
    do(ledger, "end-mandate", "2023-05-01", person="ben", office="chair")
    assert verdict(ledger, store_url, "2023-05-01", rule) == ("breach", "2023-05-01")


def test_a_partner_with_no_share_is_named_without_a_warning_on_write(ledger, store_url) -> None:
    acme(ledger)
    partners(ledger, "2016-01-01", "ann", "ben")
    rule = "partners-hold-shares"
    assert verdict(ledger, store_url, "2016-06-01", rule) == ("ok", "2016-01-01")
    session = Session(Settings(url=store_url, user="tester"), note=lambda _: None)
    try:
        admit = cmd.build(cmd.ACTIONS["admit"], on=D("2017-02-01"), person="Zoe")
        assert record(session, admit).warnings == ()
        # Other rules still warn on the write that breaks them.
        fund = cmd.build(cmd.ACTIONS["admit"], on=D("2019-01-01"), person="fund")
        assert record(session, fund).warnings == ()
        big = cmd.build(cmd.ACTIONS["subscribe"], on=D("2019-01-01"), person="fund", shares="90")
        (warning,) = record(session, big).warnings
        assert warning.startswith("warning: after this, employee-capital-majority is in breach")
    finally:
        session.close()
    found = rows(ledger, store_url, "2017-02-01")[rule]
    assert (found.status, found.value, found.since) == ("breach", "1", D("2017-02-01"))
    assert "Zoe" in found.detail
    assert verdict(ledger, store_url, "2017-03-01", rule) == ("breach", "2017-02-01")
    do(ledger, "subscribe", "2017-03-02", person="Zoe", shares="1")
    assert verdict(ledger, store_url, "2017-03-02", rule) == ("ok", "2017-03-02")


def test_the_timeline_gives_the_end_situation_and_the_range(ledger, store_url) -> None:
    acme(ledger)
    partners(ledger, "2016-01-01", "ann", "ben")
    do(ledger, "admit", "2017-01-01", person="fund", legal_person=True)
    do(ledger, "subscribe", "2017-01-01", person="fund", shares="5")  # 20/25: 0.8000
    do(ledger, "subscribe", "2018-01-01", person="fund", shares="3")  # 20/28: 0.7143
    do(ledger, "review", "2019-02-14", reviewer="URSCOP")
    catch_up(ledger)
    db = connect(store_url)
    try:
        source = ViewReader(db, lambda: ledger).rules("acme")
        line = timeline(source, D("2019-12-31"), datetime.now(UTC), D("2016-01-01"))
        with i18n.speaking("fr"):
            french = timeline(source, D("2019-12-31"), datetime.now(UTC), D("2016-01-01"))
    finally:
        db.close()
    capital = [c for c in line.changes if c["rule"] == "employee-capital-majority"]
    assert [(c["status"], c["value"], c["end_value"]) for c in capital] == [
        ("ok", "1.0000", "0.7143")
    ]
    assert (capital[0]["lowest"], capital[0]["highest"]) == ("0.7143", "1.0000")
    assert "71.43%" in capital[0]["end_detail"] and "100.00%" in capital[0]["detail"]
    review = next(c for c in line.changes if c["rule"] == "cooperative-review")
    assert review["detail"].startswith("no review yet")
    assert review["end_detail"].startswith("the last review was on 2019-02-14")
    assert review["lowest"] is None and review["highest"] is None
    # In French the rows speak French; the JSON answer stays in English.
    fr_review = next(c for c in french.changes if c["rule"] == "cooperative-review")
    assert fr_review["end_detail"].startswith("dernière révision coopérative le 14/02/2019")
    assert json.loads(french.model_dump_json()) == json.loads(line.model_dump_json()) | {
        "known_at": json.loads(french.model_dump_json())["known_at"]
    }


def test_compliance_json_is_english_and_its_table_french(ledger, store_url) -> None:
    acme(ledger)
    partners(ledger, "2016-01-01", "ann", "ben")
    catch_up(ledger)
    db = connect(store_url)
    try:
        source = ViewReader(db, lambda: ledger).rules("acme")
        at = datetime.now(UTC)
        english = compliance(source, D("2016-06-30"), at)
        with i18n.speaking("fr"):
            french = compliance(source, D("2016-06-30"), at)
    finally:
        db.close()
    assert french.model_dump_json() == english.model_dump_json()
    capital = {c.rule: c.detail for c in french.checks}["employee-capital-majority"]
    assert capital.startswith("les associés salariés détiennent 100,00 % du capital")


def test_the_factsheet_names_every_partner_tied_for_the_largest_holding(store_url) -> None:
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        partners(ledger, "2016-01-01", "ben", "ann", shares=10)
        partners(ledger, "2016-01-01", "cat", shares=5)
    finally:
        ledger.close()
    session = Session(Settings(url=store_url, user="tester"), note=lambda _: None)
    try:
        sheet = queries.factsheet(session, 2016, None)
        assert [h.person for h in sheet.largest_holders] == ["ann", "ben"]
        assert sheet.largest_holder is not None and sheet.largest_holder.person == "ann"
        answer = json.loads(sheet.model_dump_json())
        assert answer["largest_holders"] == [
            {"person": "ann", "name": None, "shares": 10},
            {"person": "ben", "name": None, "shares": 10},
        ]
    finally:
        session.close()
        from tests.readmodel.test_view import _drop

        _drop(open_ledger(store_url))
