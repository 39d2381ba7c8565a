"""Rule profiles: parameters plus pure check functions over a date's facts.

``fr-scop`` (default) checks every rule id of RULES.md; ``be-cnc`` the Belgian accredited
cooperative's rules, with the Scop thresholds as a statutes opt-in.
"""

from __future__ import annotations

from scop_ledger.domain.rules import checks
from scop_ledger.domain.rules.checks import Rule
from scop_ledger.domain.rules.facts import (
    Check,
    Exit,
    Facts,
    Holding,
    MandateFact,
    Params,
    RefundFact,
    Status,
    vote_weight,
)
from scop_ledger.domain.values import Profile
from scop_ledger.domain.votes import external_weight

PROFILES: dict[Profile, tuple[Rule, ...]] = {
    Profile.FR_SCOP: (
        checks.employee_capital_majority,
        checks.employee_vote_share,
        checks.minimum_employee_partners,
        checks.minimum_capital,
        checks.capital_floor,
        checks.external_mandates,
        checks.mandate_terms,
        checks.supervisory_board,
        checks.cooperative_review,
        checks.surplus_allocation,
        checks.refunds_due,
    ),
    Profile.BE_CNC: (
        checks.member_vote_limit,
        checks.dividend_limit,
        checks.resignation_window,
        checks.refund_limit,
        checks.refunds_due,
        checks.employee_capital_majority,
        checks.employee_vote_share,
    ),
}


def evaluate(facts: Facts, params: Params) -> list[Check]:
    """Every rule of the profile on one date."""
    return [rule(facts, params) for rule in PROFILES[params.profile]]


__all__ = [
    "PROFILES",
    "Check",
    "Exit",
    "Facts",
    "Holding",
    "MandateFact",
    "Params",
    "RefundFact",
    "Status",
    "evaluate",
    "external_weight",
    "vote_weight",
]
