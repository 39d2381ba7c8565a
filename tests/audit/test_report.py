"""The review pack, in-process on both back ends: every financial year's surplus allocation
with its status, the legal representatives over time with the periods nobody was in office,
and the new rules' findings linked to the sections showing the entries behind them."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from scop_ledger.app import audit
from scop_ledger.app.session import Session
from scop_ledger.i18n import speaking
from scop_ledger.settings import Settings
from tests.helpers import acme, do, open_ledger

AS_OF = date(2020, 12, 31)
SPLIT = {"legal_reserve": "1500", "development_fund": "100", "employees": "4000"}


def _ledger(url: str) -> None:
    ledger = open_ledger(url)
    try:
        acme(ledger)
        do(ledger, "hire", "2016-01-01", person="ann")
        do(ledger, "admit", "2016-01-01", person="ann")
        do(ledger, "subscribe", "2016-01-01", person="ann", shares="40")
        do(ledger, "admit", "2016-02-01", person="zoe")  # a partner holding no share
        # ann manages for a year; nobody from 2017-01-01 until bob, on 2017-03-01.
        do(ledger, "appoint", "2016-01-01", person="ann", office="manager", term_years="1")
        do(ledger, "hire", "2017-03-01", person="bob")
        do(ledger, "appoint", "2017-03-01", person="bob", office="manager", term_years="4")
        # 2016 on time, 2017 late, 2018's dividends above the employees' share, 2019 never.
        do(ledger, "allocate", "2017-06-30", year=2016, surplus="10000", dividends="0", **SPLIT)
        do(ledger, "allocate", "2018-09-03", year=2017, surplus="10000", dividends="0", **SPLIT)
        wrong = {**SPLIT, "employees": "2500"}
        do(ledger, "allocate", "2019-06-28", year=2018, surplus="10000", dividends="3000", **wrong)
    finally:
        ledger.close()


def _text(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def _section(markup: str, start: str, end: str) -> str:
    return _text(markup[markup.index(f'id="{start}"') : markup.index(f'id="{end}"')])


@pytest.fixture
def pack(store_url: str) -> audit.ReviewPack:
    _ledger(store_url)
    session = Session(Settings(url=store_url, user="tester", read_only=True), note=lambda _: None)
    try:
        made = audit.report(session, AS_OF, None, 30)
        with speaking("fr"):
            french = audit.report(session, AS_OF, None, 30)
    finally:
        session.close()
    return made, french


def test_the_pack_shows_every_years_allocation_and_the_representatives(pack) -> None:
    made, french = pack
    page = made.html
    years = _section(page, "allocations", "representatives")
    # Year, deadline, allocated on, recorded at (entry), surplus, split, status.
    recorded = r"\d{4}-\d\d-\d\d \(\d+\)"
    for row in (
        "2016 2017-06-30 2017-06-30 {} 10000.00 1500.00 100.00 4000.00 0.00 ok",
        "2017 2018-06-30 2018-09-03 {} 10000.00 1500.00 100.00 4000.00 0.00 late",
        "2018 2019-06-30 2019-06-28 {} 10000.00 1500.00 100.00 2500.00 3000.00 split breach:",
    ):
        assert re.search(re.escape(row).replace(r"\{\}", recorded), years), row
    assert "dividends 3000.00 not below the employee share" in years
    assert "2019 2020-06-30 missing" in years
    assert "2020 2021-06-30 not yet due" in years
    officers = _section(page, "representatives", "late")
    assert "ann manager 2016-01-01 2017-01-01 no" in officers
    assert "bob manager 2017-03-01 2021-03-01 yes" in officers
    assert "Periods with nobody in office to represent the company" in officers
    assert "2017-01-01 2017-02-28 59 SARL" in officers
    chart = page[page.index('id="representatives-chart"') :]
    assert chart.index("<svg") < chart.index("</figure>")
    assert "Legal representatives in office" in chart and "nobody in office" in chart
    # The new rules' breaches are findings, each linked to the section behind it.
    links = dict(re.findall(r'<a class="finding" href="#([a-z]+)">([a-z-]+)</a>', page))
    links = {rule: section for section, rule in links.items()}
    assert links["surplus-allocation"] == "allocations"
    assert links["legal-representative"] == "representatives"
    assert links["partners-hold-shares"] == "register"
    breaches = _section(page, "findings", "register")
    assert "legal-representative 2017-01-01 2017-02-28 59 nobody in office" in breaches
    assert "partners-hold-shares 2016-02-01 2020-12-31" in breaches and "zoe" in breaches
    assert (
        "surplus-allocation 2018-07-01 2018-09-02 64 no allocation of the surplus of 2017"
        in breaches
    )
    assert "surplus-allocation 2019-06-28" in breaches  # the split, then 2019 never allocated
    # French: the new sections' words, in the register's language.
    fr = _text(french.html)
    for words in (
        "Affectation des excédents par exercice",
        "hors délai",
        "manquant",
        "répartition non conforme",
        "Représentants légaux au fil du temps",
        "Périodes sans représentant légal en fonction",
        "01/01/2017 28/02/2017 59 SARL",
    ):
        assert words in fr, words
    assert "Surplus allocations per financial year" not in fr


def test_representatives_follow_the_form_in_force_and_years_their_own_end() -> None:
    """Without a store: a manager while the SARL lasts, then a chair of the SAS; a director
    represents neither; the gap is the rule's breach, with the form then in force. A
    financial year ending on 30 June is allocated by 31 December."""
    from dataclasses import replace
    from decimal import Decimal

    from scop_ledger.audit.report.charts import representatives_chart
    from scop_ledger.audit.report.governance import Gap, allocations, representatives
    from scop_ledger.domain.cooperative_fold import Allocation, Mandate
    from scop_ledger.domain.rules import Params
    from scop_ledger.domain.rules.sweep import facts_over, runs
    from scop_ledger.domain.values import LegalForm, Office
    from tests.domain.test_rules_company import world

    mandates = [
        Mandate(1, "ann", Office.MANAGER, date(2020, 1, 1), 4),
        Mandate(2, "carl", Office.DIRECTOR, date(2019, 1, 1), 4),
        Mandate(3, "bob", Office.CHAIR, date(2021, 6, 1), 3),
    ]
    params, coop, rows = world(mandates, [(date(2021, 3, 1), LegalForm.SAS)])
    until = date(2022, 12, 31)
    found = runs(params, facts_over(params, coop, rows, until), until)
    officers, gaps = representatives(coop, found, until)
    assert [(m.person, m.office, m.running) for m in officers] == [
        ("ann", Office.MANAGER, False),
        ("bob", Office.CHAIR, True),
    ]
    # From the first mandate (the director's) to the manager's, then from the change of form.
    assert gaps == [
        Gap(date(2019, 1, 1), date(2019, 12, 31), LegalForm.SARL),
        Gap(date(2021, 3, 1), date(2021, 5, 31), LegalForm.SAS),
    ]
    assert "<svg" in representatives_chart([], gaps, date(2016, 1, 1), until)  # nobody at all

    coop = replace(coop, statutes=replace(coop.statutes, fiscal_year_end="06-30"))
    zero = {"legal_reserve": Decimal(0), "development_fund": Decimal(0)}
    loss = {"employees": Decimal(0), "dividends": Decimal(0), **zero}
    coop.allocations = {
        2017: Allocation(1, date(2018, 1, 15), 2017, Decimal(-50), **loss),
        2019: Allocation(2, date(2019, 12, 20), 2019, Decimal(-10), **loss),
    }
    years = allocations(Params.of(coop), coop, date(2020, 8, 1))
    assert [(y.year, y.due, y.statuses) for y in years] == [
        (2017, date(2017, 12, 31), ("late",)),
        (2018, date(2018, 12, 31), ("missing",)),
        (2019, date(2019, 12, 31), ("ok",)),
        (2020, date(2020, 12, 31), ("not yet due",)),
    ]
