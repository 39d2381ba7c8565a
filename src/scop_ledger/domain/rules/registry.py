"""The rules, each once: its id, the title the report and tables show, its check function, and
the profiles that run it, in the order each profile reports them.

Every consumer (the sweep, the CLI's ``--rule`` choices, the review pack) takes ids and titles
from here; a new rule is a check function in its profile's module plus one entry here, which
names the facts it reads (the sweep evaluates it again only when they change).
"""

from __future__ import annotations

from dataclasses import dataclass

from scop_ledger.domain.rules import be_cnc, fr_company, fr_scop
from scop_ledger.domain.rules.common import Holds, Rule, share_value_holds
from scop_ledger.domain.values import Profile
from scop_ledger.i18n import N_, _


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One rule: ``id`` is the name in every output (``Check.rule``), ``title`` a short heading
    (marked with ``N_``: :func:`title` gives it in the current language).

    What the check reads, so that a sweep over thousands of dates evaluates it only when that
    changes (:func:`~scop_ledger.domain.rules.runs.runs`): ``reads`` names every :class:`Facts`
    field it reads (facts equal in those fields, by ``==``, give the same check); a check that
    also reads the date names in ``holds`` the function giving, from the facts of a date, the
    last date on which that check still holds while those fields stay the same (None: every
    later date); no field named: evaluated on every date. tests/domain/test_rules_runs.py fails on
    a field or a date left out."""

    id: str
    title: str
    check: Rule
    ratio: bool = False  # the value is a ratio (4 places): a timeline gives its range
    reads: tuple[str, ...] = ()
    holds: Holds | None = None


EMPLOYEE_CAPITAL_MAJORITY = RuleSpec(
    fr_scop.EMPLOYEE_CAPITAL_MAJORITY,
    N_("Employee partners' share of the capital"),
    fr_scop.employee_capital_majority,
    ratio=True,
    reads=("employee_shares", "external_shares"),
    holds=fr_scop.boot_waiver_holds,
)
EMPLOYEE_VOTE_SHARE = RuleSpec(
    fr_scop.EMPLOYEE_VOTE_SHARE,
    N_("Employee partners' share of the votes"),
    fr_scop.employee_vote_share,
    ratio=True,
    reads=("employees", "externals"),
)
MINIMUM_EMPLOYEE_PARTNERS = RuleSpec(
    fr_scop.MINIMUM_EMPLOYEE_PARTNERS,
    N_("Number of employee partners"),
    fr_scop.minimum_employee_partners,
    reads=("form", "employees"),
)
MINIMUM_CAPITAL = RuleSpec(
    fr_scop.MINIMUM_CAPITAL,
    N_("Minimum share capital"),
    fr_scop.minimum_capital,
    reads=("form", "employee_shares", "external_shares"),
    holds=share_value_holds,
)
CAPITAL_FLOOR = RuleSpec(
    fr_scop.CAPITAL_FLOOR,
    N_("Capital against its highest ever"),
    fr_scop.capital_floor,
    reads=("employee_shares", "external_shares", "highest_shares"),
    holds=share_value_holds,
)
EXTERNAL_MANDATES = RuleSpec(
    fr_scop.EXTERNAL_MANDATES,
    N_("External partners' share of the management mandates"),
    fr_scop.external_mandates,
    ratio=True,
    reads=("mandates",),
)
MANDATE_TERMS = RuleSpec(
    fr_scop.MANDATE_TERMS,
    N_("Terms of the running mandates"),
    fr_scop.mandate_terms,
    reads=("form", "mandates"),
)
SUPERVISORY_BOARD = RuleSpec(
    fr_scop.SUPERVISORY_BOARD,
    N_("Supervisory board of a large SARL"),
    fr_scop.supervisory_board,
    reads=("form", "employees", "externals", "mandates"),
)
COOPERATIVE_REVIEW = RuleSpec(
    fr_scop.COOPERATIVE_REVIEW,
    N_("Cooperative review due date"),
    fr_scop.cooperative_review,
    reads=("last_review", "review_trigger"),
    holds=fr_scop.review_holds,
)
SURPLUS_ALLOCATION = RuleSpec(
    fr_scop.SURPLUS_ALLOCATION,
    N_("Allocation of every year's surplus"),
    fr_company.surplus_allocation,
    ratio=True,
    reads=("allocations",),
    holds=fr_company.allocation_holds,
)
LEGAL_REPRESENTATIVE = RuleSpec(
    fr_scop.LEGAL_REPRESENTATIVE,
    N_("A legal representative in office"),
    fr_company.legal_representative,
    reads=("form", "mandates", "first_mandate", "representative_ended"),
)
PARTNERS_HOLD_SHARES = RuleSpec(
    fr_scop.PARTNERS_HOLD_SHARES,
    N_("Partners holding shares"),
    fr_company.partners_hold_shares,
    reads=("shareless",),
)
REFUNDS_DUE = RuleSpec(
    fr_scop.REFUNDS_DUE,
    N_("Refunds outstanding past their due date"),
    fr_scop.refunds_due,
    reads=("overdue", "overdue_refunds"),
)
MEMBER_VOTE_LIMIT = RuleSpec(
    be_cnc.MEMBER_VOTE_LIMIT,
    N_("Largest member's share of the votes"),
    be_cnc.member_vote_limit,
    ratio=True,
    reads=("employees", "externals"),
)
DIVIDEND_LIMIT = RuleSpec(
    be_cnc.DIVIDEND_LIMIT,
    N_("Dividends against the paid-up capital"),
    be_cnc.dividend_limit,
    ratio=True,
    reads=("allocation", "allocation_paid"),
)
RESIGNATION_WINDOW = RuleSpec(
    be_cnc.RESIGNATION_WINDOW,
    N_("Resignations within their window"),
    be_cnc.resignation_window,
    reads=("exits",),
)
REFUND_LIMIT = RuleSpec(
    be_cnc.REFUND_LIMIT,
    N_("Refunds above the amount paid in"),
    be_cnc.refund_limit,
    reads=("over_refunded",),
)

#: Each profile's rules, in the order its compliance table, timeline and report list them.
PROFILE_RULES: dict[Profile, tuple[RuleSpec, ...]] = {
    Profile.FR_SCOP: (
        EMPLOYEE_CAPITAL_MAJORITY,
        EMPLOYEE_VOTE_SHARE,
        MINIMUM_EMPLOYEE_PARTNERS,
        MINIMUM_CAPITAL,
        CAPITAL_FLOOR,
        EXTERNAL_MANDATES,
        MANDATE_TERMS,
        SUPERVISORY_BOARD,
        COOPERATIVE_REVIEW,
        SURPLUS_ALLOCATION,
        LEGAL_REPRESENTATIVE,
        PARTNERS_HOLD_SHARES,
        REFUNDS_DUE,
    ),
    Profile.BE_CNC: (
        MEMBER_VOTE_LIMIT,
        DIVIDEND_LIMIT,
        RESIGNATION_WINDOW,
        REFUND_LIMIT,
        REFUNDS_DUE,
        EMPLOYEE_CAPITAL_MAJORITY,
        EMPLOYEE_VOTE_SHARE,
    ),
}

#: Every rule once, by id (the fr-scop rules first, then be-cnc's own).
RULES: dict[str, RuleSpec] = {spec.id: spec for specs in PROFILE_RULES.values() for spec in specs}


def rule_ids() -> list[str]:
    """Every rule id of every profile, sorted (the choices of ``timeline --rule``)."""
    return sorted(RULES)


def profiles_of(rule_id: str) -> list[Profile]:
    """The profiles that run the rule ``rule_id``."""
    return [p for p, specs in PROFILE_RULES.items() if any(s.id == rule_id for s in specs)]


def title(rule_id: str) -> str:
    """The rule's title in the current language."""
    return _(RULES[rule_id].title)
