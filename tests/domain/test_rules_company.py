"""The rules on what the company must have on record (issue 18): every year's surplus
allocated in time, a legal representative in office, partners holding shares; each at, just
before and just after its threshold, on hand-built facts and through the sweep."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from scop_ledger.domain.cooperative_fold import Allocation, CoopState, Mandate
from scop_ledger.domain.rules import Holding, MandateFact, Status, fr_company
from scop_ledger.domain.rules.sweep import facts_over, runs
from scop_ledger.domain.statutes import Statutes
from scop_ledger.domain.values import LegalForm, Office, Profile
from tests.domain.test_rules import FACTS, PARAMS

D = date.fromisoformat


def allocated(year: int, on: str, *parts: int) -> Allocation:
    surplus, reserve, fund, employees, dividends = parts or (1000, 150, 10, 250, 100)
    return Allocation(
        year, D(on), year, *(Decimal(x) for x in (surplus, reserve, fund, employees, dividends))
    )


def surplus(on: str, *allocations: Allocation, params=PARAMS):
    facts = replace(FACTS, on=D(on), allocations=tuple(sorted(allocations, key=lambda a: a.year)))
    return fr_company.surplus_allocation(facts, params)


# ------------------------------------------------------------------ surplus-allocation


def test_no_allocation_recorded_is_not_applicable():
    check = surplus("2030-01-01")
    assert check.status is Status.NOT_APPLICABLE
    assert check.detail == "no surplus allocated yet"


@pytest.mark.parametrize(
    ("on", "expected"),
    [("2021-06-29", Status.OK), ("2021-06-30", Status.OK), ("2021-07-01", Status.BREACH)],
)
def test_the_next_year_is_due_six_months_after_its_end(on, expected):
    check = surplus(on, allocated(2019, "2020-06-30"))
    assert check.status is expected
    if expected is Status.BREACH:
        assert check.detail.startswith(
            "no allocation of the surplus of 2020, due by 2021-06-30 (Code de commerce L223-26"
        )


def test_a_missing_year_between_two_allocations_is_named_first():
    check = surplus("2024-07-01", allocated(2019, "2020-06-30"), allocated(2022, "2023-06-01"))
    assert check.status is Status.BREACH
    assert "surplus of 2020, due by 2021-06-30" in check.detail
    complete = [allocated(y, f"{y + 1}-06-01") for y in range(2019, 2024)]
    assert surplus("2024-07-01", *complete).status is Status.OK
    assert surplus("2025-07-01", *complete).status is Status.BREACH  # 2024 now late


def test_a_year_ending_on_30_june_is_allocated_by_31_december():
    june = replace(PARAMS, fiscal_year_end="06-30")
    first = allocated(2019, "2019-12-01")
    assert surplus("2020-12-31", first, params=june).status is Status.OK
    assert surplus("2021-01-01", first, params=june).status is Status.BREACH


def test_every_recorded_year_is_checked_not_only_the_latest():
    bad = allocated(2019, "2020-06-01", 1000, 149, 10, 250, 100)  # reserve below 15%
    good = allocated(2020, "2021-06-01")
    check = surplus("2021-06-02", bad, good)
    assert check.status is Status.BREACH
    assert check.detail.startswith("surplus of 2019 (1000.00) allocated on 2020-06-01: legal")
    assert check.value == "0.2500"  # the latest year's employee share
    assert surplus("2021-06-02", allocated(2019, "2020-06-01"), good).detail == (
        "surplus of 2020 (1000.00) allocated on 2021-06-01: as the law requires "
        "(loi 78-763 art. 33)"
    )


def test_a_year_without_surplus_is_recorded_as_zero():
    nothing = allocated(2020, "2021-06-01", 0, 0, 0, 0, 0)
    assert surplus("2021-07-01", allocated(2019, "2020-06-01"), nothing).status is Status.OK
    too_much = allocated(2020, "2021-06-01", 0, 1, 0, 0, 0)
    assert surplus("2021-07-01", allocated(2019, "2020-06-01"), too_much).status is Status.BREACH


# ------------------------------------------------------------------ legal-representative


def running(*offices: Office) -> tuple[MandateFact, ...]:
    return tuple(
        MandateFact(f"p{i}", office, D("2020-01-01"), 4, None) for i, office in enumerate(offices)
    )


def representative(form: LegalForm, *offices: Office, **facts):
    first = {"first_mandate": D("2020-01-01")} if offices or facts else {}
    f = replace(FACTS, form=form, mandates=running(*offices), **first, **facts)
    return fr_company.legal_representative(f, PARAMS)


def test_before_any_mandate_it_is_not_applicable():
    check = representative(LegalForm.SARL)
    assert (check.status, check.detail) == (Status.NOT_APPLICABLE, "no mandate recorded")


@pytest.mark.parametrize(
    ("form", "offices", "expected"),
    [
        (LegalForm.SARL, (Office.MANAGER,), Status.OK),
        (LegalForm.SARL, (Office.CHAIR,), Status.BREACH),
        (LegalForm.SAS, (Office.CHAIR,), Status.OK),
        (LegalForm.SAS, (Office.MANAGER, Office.CEO), Status.BREACH),
        (LegalForm.SA, (Office.CEO,), Status.OK),
        (LegalForm.SA, (Office.CHAIR,), Status.OK),
        (LegalForm.SA, (Office.DIRECTOR, Office.BOARD_MEMBER), Status.BREACH),
    ],
)
def test_the_representative_the_form_requires(form, offices, expected):
    assert representative(form, *offices).status is expected


def test_a_breach_names_the_day_the_last_one_ended():
    check = representative(LegalForm.SARL, representative_ended=D("2024-01-01"))
    assert check.status is Status.BREACH
    assert "since 2024-01-01" in check.detail and "a manager" in check.detail


# ------------------------------------------------------------------ partners-hold-shares


def test_a_partner_without_shares_is_named():
    assert fr_company.partners_hold_shares(FACTS, PARAMS).status is Status.OK
    check = fr_company.partners_hold_shares(replace(FACTS, shareless=("Zoe", "ann")), PARAMS)
    assert (check.status, check.value) == (Status.BREACH, "2")
    assert "Zoe, ann" in check.detail


# ------------------------------------------------------------------ through the sweep

START = D("2016-01-01")


def world(mandates=(), forms=(), rows=()):
    statutes = Statutes(share_value=Decimal(25), profile=Profile.FR_SCOP)
    all_forms = [(START, LegalForm.SARL), *forms]
    coop = CoopState(
        "acme", "Acme", START, statutes, all_forms[-1][1], all_forms, list(mandates), [], {}
    )
    from scop_ledger.domain.rules import Params

    return Params.of(coop), coop, list(rows)


def statuses(rule: str, params, coop, rows, until: str):
    found = runs(params, facts_over(params, coop, rows, D(until)), D(until))
    return [(r.start.isoformat(), r.status.value) for r in found if r.rule == rule]


def test_a_manager_whose_term_ends_leaves_a_breach_from_that_day():
    manager = Mandate(1, "ann", Office.MANAGER, D("2020-01-01"), 4)  # ends 2024-01-01
    params, coop, rows = world([manager])
    assert statuses("legal-representative", params, coop, rows, "2024-06-01") == [
        ("2016-01-01", "not-applicable"),
        ("2020-01-01", "ok"),
        ("2024-01-01", "breach"),
    ]
    # A change of form with no chair appointed: a breach from the change on.
    params, coop, rows = world([manager], [(D("2021-03-01"), LegalForm.SAS)])
    assert statuses("legal-representative", params, coop, rows, "2022-01-01") == [
        ("2016-01-01", "not-applicable"),
        ("2020-01-01", "ok"),
        ("2021-03-01", "breach"),
    ]


def test_a_partner_down_to_no_share_is_a_breach_that_day():
    one = Holding(employed=True, partner=True, shares=1, paid=Decimal(25))
    rows = [(D("2017-01-01"), "zoe", one), (D("2018-01-01"), "zoe", one._replace(shares=0))]
    params, coop, _ = world()
    assert statuses("partners-hold-shares", params, coop, rows, "2018-06-01") == [
        ("2016-01-01", "ok"),
        ("2018-01-01", "breach"),
    ]
