"""The rule registry: every rule id once, with its title, check and profiles."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from scop_ledger.domain.rules import PROFILES, Facts, Params, evaluate, registry
from scop_ledger.domain.rules.registry import PROFILE_RULES, RULES, RuleSpec
from scop_ledger.domain.values import LegalForm, Profile

# The fr-scop rule ids the public contract promises (CONTRACT.md, `compliance`), in its order.
CONTRACT_FR_SCOP = [
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
    "refunds-due",
]

PARAMS = Params(
    profile=Profile.FR_SCOP,
    share_value=Decimal("25"),
    registered_on=date(2016, 1, 1),
    boot_until=None,
    review_every_years=5,
    refund_delay_years=5,
    fiscal_year_end="12-31",
    scop_thresholds=True,
    external_vote_cap=Fraction(35, 100),
    supervisory_board_from=20,
)
FACTS = Facts(
    on=date(2020, 6, 30),
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


def _specs() -> list[RuleSpec]:
    """Every RuleSpec the registry defines, whether or not a profile lists it."""
    return [v for v in vars(registry).values() if isinstance(v, RuleSpec)]


def test_every_contract_rule_id_is_in_the_fr_scop_profile_in_the_contract_order():
    ids = [spec.id for spec in PROFILE_RULES[Profile.FR_SCOP]]
    assert set(CONTRACT_FR_SCOP) <= set(ids)
    assert [i for i in ids if i in CONTRACT_FR_SCOP] == CONTRACT_FR_SCOP


def test_rule_ids_are_unique_and_each_has_one_spec():
    specs = _specs()
    ids = [spec.id for spec in specs]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == registry.rule_ids() == sorted(RULES)
    for spec in specs:
        assert RULES[spec.id] is spec
        assert registry.profiles_of(spec.id), f"{spec.id} is in no profile"
    for profile, listed in PROFILE_RULES.items():
        assert len({s.id for s in listed}) == len(listed), profile
    titles = [spec.title for spec in specs]
    assert all(titles) and len(titles) == len(set(titles))


def test_shared_rules_name_both_profiles():
    both = [Profile.FR_SCOP, Profile.BE_CNC]
    for rule_id in ("refunds-due", "employee-capital-majority", "employee-vote-share"):
        assert registry.profiles_of(rule_id) == both
    assert registry.profiles_of("member-vote-limit") == [Profile.BE_CNC]
    assert registry.profiles_of("capital-floor") == [Profile.FR_SCOP]


@pytest.mark.parametrize("profile", list(Profile))
def test_each_check_reports_under_its_registered_id_in_the_profile_order(profile):
    params = replace(PARAMS, profile=profile)
    listed = PROFILE_RULES[profile]
    assert PROFILES[profile] == tuple(spec.check for spec in listed)
    for spec in listed:
        assert spec.check(FACTS, params).rule == spec.id
    assert [c.rule for c in evaluate(FACTS, params)] == [spec.id for spec in listed]


def test_the_review_pack_series_titles_come_from_the_registry():
    assert registry.title("employee-capital-majority") == "Employee partners' share of the capital"
    assert registry.title("employee-vote-share") == "Employee partners' share of the votes"
