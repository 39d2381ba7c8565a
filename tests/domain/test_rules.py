"""Each rule at, just below and just above its threshold, on hand-built facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from scop_ledger.domain.cooperative_fold import Allocation
from scop_ledger.domain.rules import (
    PROFILES,
    Exit,
    Facts,
    MandateFact,
    Params,
    Status,
    be_cnc,
    evaluate,
    fr_company,
    fr_scop,
)
from scop_ledger.domain.values import Category, LegalForm, Office, Profile

D = date.fromisoformat
PARAMS = Params(
    profile=Profile.FR_SCOP,
    share_value=Decimal("25"),
    registered_on=D("2016-01-01"),
    boot_until=None,
    review_every_years=5,
    refund_delay_years=5,
    fiscal_year_end="12-31",
    scop_thresholds=True,
    external_vote_cap=Fraction(35, 100),
    supervisory_board_from=20,
)
FACTS = Facts(
    on=D("2020-06-30"),
    form=LegalForm.SARL,
    employees=5,
    externals=1,
    employee_shares=60,
    external_shares=40,
    paid=Decimal("2500"),
    highest_shares=100,
    overdue=Decimal(0),
    overdue_refunds=0,
    over_refunded=0,
    mandates=(),
    last_review=None,
    review_trigger=None,
    allocation=None,
    allocation_paid=Decimal(0),
    exits=(),
)


def status(rule, **changes) -> Status:
    params = changes.pop("params", PARAMS)
    return rule(replace(FACTS, **changes), params).status


@pytest.mark.parametrize(
    ("employee_shares", "external_shares", "expected"),
    [(51, 49, Status.OK), (5099, 4901, Status.BREACH), (5101, 4899, Status.OK)],
)
def test_employee_capital_majority_at_51_percent(employee_shares, external_shares, expected):
    assert (
        status(
            fr_scop.employee_capital_majority,
            employee_shares=employee_shares,
            external_shares=external_shares,
        )
        is expected
    )


def test_a_boot_scop_is_waived_until_boot_until_then_in_breach():
    boot = replace(PARAMS, boot_until=D("2022-12-31"))
    low = {"employee_shares": 40, "external_shares": 60, "params": boot}
    assert status(fr_scop.employee_capital_majority, on=D("2022-12-31"), **low) is Status.WAIVED
    assert status(fr_scop.employee_capital_majority, on=D("2023-01-01"), **low) is Status.BREACH
    check = fr_scop.employee_capital_majority(
        replace(FACTS, employee_shares=40, external_shares=60), boot
    )
    assert "49 ter" in check.detail and check.value == "0.4000"


def test_no_capital_at_all_is_a_breach_and_be_cnc_without_opt_in_is_not_applicable():
    assert status(fr_scop.employee_capital_majority, employee_shares=0, external_shares=0) is (
        Status.BREACH
    )
    be = replace(PARAMS, profile=Profile.BE_CNC, scop_thresholds=False)
    assert status(fr_scop.employee_capital_majority, params=be) is Status.NOT_APPLICABLE
    assert status(fr_scop.employee_vote_share, params=be) is Status.NOT_APPLICABLE


def test_employee_vote_share_with_weighting_and_at_65_percent():
    # 13 employees, 7 externals: 65% exactly, weight 1 -> ok (on the threshold meets it).
    check = fr_scop.employee_vote_share(replace(FACTS, employees=13, externals=7), PARAMS)
    assert (check.status, check.value) == (Status.OK, "0.6500")
    # 2 employees, 10 externals: weighted down to 35% -> employees keep 65%.
    check = fr_scop.employee_vote_share(replace(FACTS, employees=2, externals=10), PARAMS)
    assert (check.status, check.value) == (Status.OK, "0.6500")
    # A 0.49 ceiling (cooperative societies among the externals): 51% < 65%.
    cap = replace(PARAMS, external_vote_cap=Fraction(49, 100))
    check = fr_scop.employee_vote_share(replace(FACTS, employees=2, externals=10), cap)
    assert (check.status, check.value) == (Status.BREACH, "0.5100")
    assert status(fr_scop.employee_vote_share, employees=0, externals=3) is Status.BREACH


@pytest.mark.parametrize(
    ("form", "employees", "expected"),
    [
        (LegalForm.SARL, 2, Status.OK),
        (LegalForm.SARL, 1, Status.BREACH),
        (LegalForm.SAS, 3, Status.OK),
        (LegalForm.SA, 7, Status.OK),
        (LegalForm.SA, 6, Status.BREACH),
        (LegalForm.SA, 8, Status.OK),
    ],
)
def test_minimum_employee_partners_by_form(form, employees, expected):
    assert status(fr_scop.minimum_employee_partners, form=form, employees=employees) is expected


@pytest.mark.parametrize(
    ("form", "shares", "expected"),
    [
        (LegalForm.SARL, 1, Status.BREACH),  # 25 < 30
        (LegalForm.SAS, 2, Status.OK),  # 50
        (LegalForm.SA, 740, Status.OK),  # 18,500 exactly
        (LegalForm.SA, 739, Status.BREACH),
        (LegalForm.SA, 741, Status.OK),
    ],
)
def test_minimum_capital_by_form(form, shares, expected):
    facts = {"form": form, "employee_shares": shares, "external_shares": 0}
    assert status(fr_scop.minimum_capital, **facts) is expected


@pytest.mark.parametrize(
    ("shares", "expected"), [(25, Status.OK), (24, Status.BREACH), (26, Status.OK)]
)
def test_capital_floor_is_a_quarter_of_the_highest_capital(shares, expected):
    facts = {"employee_shares": shares, "external_shares": 0, "highest_shares": 100}
    assert status(fr_scop.capital_floor, **facts) is expected


def mandates(*categories, office=Office.MANAGER, term=4) -> tuple[MandateFact, ...]:
    return tuple(
        MandateFact(f"p{i}", office, D("2020-01-01"), term, cat) for i, cat in enumerate(categories)
    )


def test_external_mandates_at_most_a_third():
    e, x = Category.EMPLOYEE, Category.EXTERNAL
    assert status(fr_scop.external_mandates, mandates=mandates(e, e, x)) is Status.OK
    assert status(fr_scop.external_mandates, mandates=mandates(e, x, x)) is Status.BREACH
    assert status(fr_scop.external_mandates, mandates=mandates(e, e, e, x)) is Status.OK
    assert status(fr_scop.external_mandates) is Status.NOT_APPLICABLE
    # A non-partner manager is not an external partner; supervisory seats do not count.
    board = mandates(x, x, x, office=Office.SUPERVISORY_BOARD_MEMBER)
    assert status(fr_scop.external_mandates, mandates=(*mandates(None, e, x), *board)) is Status.OK


@pytest.mark.parametrize(
    ("form", "term", "expected"),
    [
        (LegalForm.SARL, 4, Status.OK),
        (LegalForm.SAS, 5, Status.BREACH),
        (LegalForm.SA, 6, Status.OK),
        (LegalForm.SA, 7, Status.BREACH),
    ],
)
def test_mandate_terms_by_form(form, term, expected):
    e = Category.EMPLOYEE
    assert status(fr_scop.mandate_terms, form=form, mandates=mandates(e, term=term)) is expected


def test_supervisory_board_from_20_partners_in_a_sarl():
    board = mandates(*[None] * 3, office=Office.SUPERVISORY_BOARD_MEMBER)
    assert status(fr_scop.supervisory_board, employees=19, externals=0) is Status.NOT_APPLICABLE
    assert status(fr_scop.supervisory_board, employees=20, externals=0) is Status.BREACH
    assert status(fr_scop.supervisory_board, employees=20, externals=0, mandates=board) is Status.OK
    assert status(fr_scop.supervisory_board, employees=21, externals=0, mandates=board[:2]) is (
        Status.BREACH
    )
    ten = mandates(*[None] * 10, office=Office.SUPERVISORY_BOARD_MEMBER)
    assert (
        status(fr_scop.supervisory_board, employees=30, externals=0, mandates=ten) is Status.BREACH
    )
    assert (
        status(fr_scop.supervisory_board, form=LegalForm.SAS, employees=30) is Status.NOT_APPLICABLE
    )
    stricter = replace(PARAMS, supervisory_board_from=21)
    assert status(fr_scop.supervisory_board, employees=20, externals=0, params=stricter) is (
        Status.NOT_APPLICABLE
    )


def test_cooperative_review_every_five_years_and_after_losses():
    assert status(fr_scop.cooperative_review, on=D("2021-01-01")) is Status.OK
    assert status(fr_scop.cooperative_review, on=D("2021-01-02")) is Status.BREACH
    reviewed = {"last_review": D("2020-06-30")}
    assert status(fr_scop.cooperative_review, on=D("2025-06-30"), **reviewed) is Status.OK
    assert status(fr_scop.cooperative_review, on=D("2025-07-01"), **reviewed) is Status.BREACH
    annual = replace(PARAMS, review_every_years=1)
    assert status(fr_scop.cooperative_review, on=D("2021-07-01"), params=annual, **reviewed) is (
        Status.BREACH
    )
    losses = {"review_trigger": D("2022-05-01"), **reviewed}
    assert status(fr_scop.cooperative_review, on=D("2023-05-01"), **losses) is Status.OK
    assert status(fr_scop.cooperative_review, on=D("2023-05-02"), **losses) is Status.BREACH


def allocation(surplus, reserve, fund, employees, dividends) -> Allocation:
    return Allocation(
        1,
        D("2020-06-30"),
        2019,
        *(Decimal(x) for x in (surplus, reserve, fund, employees, dividends)),
    )


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ((1000, 150, 10, 250, 100), Status.OK),  # exactly on every minimum
        ((1000, 149, 10, 250, 100), Status.BREACH),  # legal reserve below 15%
        ((1000, 150, 9, 250, 100), Status.BREACH),  # development fund below 1%
        ((1000, 150, 10, 249, 100), Status.BREACH),  # employee share below 25%
        ((1000, 400, 10, 250, 300), Status.BREACH),  # dividends above the employee share
        ((1000, 150, 10, 400, 160), Status.BREACH),  # dividends equal to the reserves
        ((1000, 500, 10, 500, 0), Status.BREACH),  # parts above the surplus
        ((-500, 0, 0, 0, 0), Status.OK),  # a loss: nothing allocated
    ],
)
def test_surplus_allocation(parts, expected):
    assert status(fr_company.surplus_allocation, allocations=(allocation(*parts),)) is expected


def test_refunds_due():
    assert status(fr_scop.refunds_due) is Status.OK
    late = {"overdue": Decimal("0.01"), "overdue_refunds": 1}
    check = fr_scop.refunds_due(replace(FACTS, **late), PARAMS)
    assert (check.status, check.value) == (Status.BREACH, "0.01")


BE = replace(PARAMS, profile=Profile.BE_CNC, scop_thresholds=False)


def test_be_cnc_vote_limit_equality_or_a_tenth():
    assert status(be_cnc.member_vote_limit, employees=3, externals=2, params=BE) is Status.OK
    weighted = replace(BE, scop_thresholds=True)
    # 2 employees, 10 externals weighted down: an employee holds 1/(2 + 10k) > 1/10.
    assert status(be_cnc.member_vote_limit, employees=2, externals=10, params=weighted) is (
        Status.BREACH
    )
    # 20 employees, 12 externals: k = 0.35*20/(0.65*12) < 1, an employee holds < 1/10.
    assert (
        status(be_cnc.member_vote_limit, employees=20, externals=12, params=weighted) is Status.OK
    )


@pytest.mark.parametrize(
    ("dividends", "expected"),
    [("60", Status.OK), ("60.01", Status.BREACH), ("59.99", Status.OK)],
)
def test_be_cnc_dividend_at_most_six_percent_of_paid_up_capital(dividends, expected):
    alloc = allocation(1000, 150, 10, 250, dividends)
    facts = {"allocation": alloc, "allocation_paid": Decimal(1000)}
    assert status(be_cnc.dividend_limit, params=BE, **facts) is expected


def test_be_cnc_resignation_window_and_founders():
    ok = Exit("ann", D("2020-06-30"), "left:resignation", False)
    late = Exit("ben", D("2020-07-01"), "withdrawal", False)
    founder_early = Exit("cat", D("2017-03-01"), "left:resignation", True)  # 2nd year
    founder_ok = Exit("cat", D("2018-03-01"), "left:resignation", True)  # 3rd year
    assert status(be_cnc.resignation_window, exits=(ok,), params=BE) is Status.OK
    assert status(be_cnc.resignation_window, exits=(ok, late), params=BE) is Status.BREACH
    assert status(be_cnc.resignation_window, exits=(founder_early,), params=BE) is Status.BREACH
    assert status(be_cnc.resignation_window, exits=(founder_ok,), params=BE) is Status.OK
    # A financial year ending 06-30: its first six months run July to December.
    mid = replace(BE, fiscal_year_end="06-30")
    assert status(be_cnc.resignation_window, exits=(ok,), params=mid) is Status.BREACH
    assert status(be_cnc.resignation_window, exits=(late,), params=mid) is Status.OK


def test_be_cnc_refund_limit():
    assert status(be_cnc.refund_limit, params=BE) is Status.OK
    assert status(be_cnc.refund_limit, over_refunded=1, params=BE) is Status.BREACH


def test_every_fr_scop_rule_of_rules_md_and_every_check_names_a_source():
    ids = [check.rule for check in evaluate(FACTS, PARAMS)]
    assert ids == [
        "employee-capital-majority",
        "employee-vote-share",
        "minimum-employee-partners",
        "minimum-capital",
        "capital-floor",
        "external-mandates",
        "mandate-terms",
        "supervisory-board",
        "cooperative-review",
        "surplus-allocation",
        "legal-representative",
        "partners-hold-shares",
        "refunds-due",
    ]
    for rules in PROFILES.values():
        for rule in rules:
            assert rule.__doc__ and any(
                word in rule.__doc__ for word in ("loi", "seed", "AR 8", "CSA", "statutes", "Code ")
            ), rule.__name__
