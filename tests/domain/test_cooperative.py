"""The Cooperative aggregate: statutes, legal form, mandates, reviews, allocations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from scop_ledger.domain.cooperative import Cooperative, cooperative_id
from scop_ledger.domain.dates import add_years
from scop_ledger.domain.entries import EntryMeta
from scop_ledger.domain.errors import InvalidValue, Refused
from scop_ledger.domain.statutes import Statutes
from scop_ledger.domain.values import LegalForm, Office

D = date.fromisoformat
META = EntryMeta(recorded_by="tester")


def coop(**statutes: object) -> Cooperative:
    return Cooperative.register(
        "acme",
        "Acme Scop",
        LegalForm.SARL,
        Statutes(share_value=Decimal("25.00"), **statutes),  # type: ignore[arg-type]
        D("2016-01-01"),
        META,
    )


def test_registration_carries_the_statutes() -> None:
    c = coop(
        refund_delay_years=2,
        boot_until=D("2023-12-31"),
        review_every_years=1,
        fiscal_year_end="06-30",
    )
    assert c.id == cooperative_id("acme")
    reg = c.registration
    assert (reg.ACTION, reg.slug, reg.legal_form, reg.share_value) == (
        "init",
        "acme",
        "sarl",
        Decimal("25.00"),
    )
    s = c.state()
    assert s.statutes.refund_delay_years == 2 and s.statutes.fiscal_year_end == "06-30"
    assert c.terms.registered_on == D("2016-01-01")


@pytest.mark.parametrize(
    "statutes",
    [
        {"share_value": Decimal("0")},
        {"fiscal_year_end": "02-30"},
        {"fiscal_year_end": "1231"},
        {"boot_until": D("2015-01-01")},
        {"review_every_years": 0},
        {"refund_delay_years": -1},
    ],
)
def test_registration_refuses_impossible_statutes(statutes: dict[str, object]) -> None:
    values: dict[str, object] = {"share_value": Decimal("25")}
    values.update(statutes)
    with pytest.raises(InvalidValue):
        Cooperative.register(
            "acme", "Acme", LegalForm.SA, Statutes(**values), D("2016-01-01"), META
        )  # type: ignore[arg-type]


def test_legal_form_in_force_on_each_date() -> None:
    c = coop()
    c.change_form(D("2020-01-01"), LegalForm.SAS, META)
    assert c.state(until=D("2019-12-31")).legal_form is LegalForm.SARL
    assert c.state(until=D("2020-01-01")).legal_form is LegalForm.SAS
    with pytest.raises(Refused, match="already a SAS"):
        c.change_form(D("2021-01-01"), LegalForm.SAS, META)
    with pytest.raises(Refused, match="invalidate the later change-form"):
        c.change_form(D("2019-01-01"), LegalForm.SAS, META)


def test_mandates_run_until_their_term_or_their_end() -> None:
    c = coop()
    c.appoint(D("2016-01-01"), "alice", Office.MANAGER, 4, META)
    with pytest.raises(Refused, match="already holds a running manager mandate"):
        c.appoint(D("2018-01-01"), "alice", Office.MANAGER, 4, META)
    assert [m.person for m in c.state().running_mandates(D("2019-12-31"))] == ["alice"]
    assert c.state().running_mandates(D("2020-01-01")) == []
    c.appoint(D("2020-01-01"), "alice", Office.MANAGER, 4, META)  # re-elected at term
    c.end_mandate(D("2021-06-30"), "alice", Office.MANAGER, META)
    assert c.state().running_mandates(D("2021-06-30")) == []
    with pytest.raises(Refused, match="holds no running manager mandate"):
        c.end_mandate(D("2022-01-01"), "alice", Office.MANAGER, META)
    with pytest.raises(InvalidValue):
        c.appoint(D("2022-01-01"), "bob", Office.CHAIR, 0, META)


def test_one_allocation_a_year_and_none_before_registration() -> None:
    c = coop()
    parts = [Decimal(x) for x in ("100000", "16000", "24000", "45000", "15000")]
    c.allocate(D("2017-06-15"), 2016, *parts, META)
    with pytest.raises(Refused, match="surplus of 2016 is already allocated"):
        c.allocate(D("2017-07-01"), 2016, *parts, META)
    with pytest.raises(Refused, match="before the cooperative's registration"):
        c.allocate(D("2017-07-01"), 2015, *parts, META)
    with pytest.raises(InvalidValue, match="dividends may not be negative"):
        c.allocate(D("2018-07-01"), 2017, *parts[:4], Decimal("-1"), META)


def test_reversal_of_cooperative_entries() -> None:
    c = coop()
    parts = [Decimal(x) for x in ("100", "16", "24", "45", "15")]
    c.allocate(D("2017-06-15"), 2016, *parts, META)
    c.reverse(D("2017-06-16"), 2, "wrong figures", META)
    c.allocate(D("2017-06-16"), 2016, *parts, META)
    assert len(c.state().allocations) == 1
    with pytest.raises(Refused, match="registration \\(init\\) cannot be reversed"):
        c.reverse(D("2017-06-16"), 1, "x", META)
    with pytest.raises(Refused, match="already reversed"):
        c.reverse(D("2017-06-16"), 2, "x", META)
    with pytest.raises(Refused, match="a reversal cannot be reversed"):
        c.reverse(D("2017-06-16"), 3, "x", META)
    c.appoint(D("2016-01-01"), "alice", Office.MANAGER, 4, META)
    c.end_mandate(D("2017-01-01"), "alice", Office.MANAGER, META)
    with pytest.raises(Refused, match="without it, the end-mandate of 2017-01-01 would be invalid"):
        c.reverse(D("2018-01-01"), 5, "x", META)


def test_add_years_on_29_february() -> None:
    assert add_years(D("2020-02-29"), 1) == D("2021-02-28")
    assert add_years(D("2020-02-29"), 4) == D("2024-02-29")
