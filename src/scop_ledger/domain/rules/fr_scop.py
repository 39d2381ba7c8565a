"""The ``fr-scop`` profile's rules (loi 47-1775, loi 78-763, seed 003): pure functions of a
date's :class:`Facts` and the profile's :class:`Params`, each naming its legal source in its
docstring and in its ``detail`` (see ``docs/rules.md``). Their ids, titles and order are in
:mod:`scop_ledger.domain.rules.registry`."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

from scop_ledger.domain.dates import add_years
from scop_ledger.domain.rules.common import money, not_applicable, pct, ratio, verdict
from scop_ledger.domain.rules.facts import Check, Facts, Params, Status, vote_weight
from scop_ledger.domain.values import Category, LegalForm, Office

# The rule ids (each written once; the registry pairs them with their titles and profiles).
EMPLOYEE_CAPITAL_MAJORITY = "employee-capital-majority"
EMPLOYEE_VOTE_SHARE = "employee-vote-share"
MINIMUM_EMPLOYEE_PARTNERS = "minimum-employee-partners"
MINIMUM_CAPITAL = "minimum-capital"
CAPITAL_FLOOR = "capital-floor"
EXTERNAL_MANDATES = "external-mandates"
MANDATE_TERMS = "mandate-terms"
SUPERVISORY_BOARD = "supervisory-board"
COOPERATIVE_REVIEW = "cooperative-review"
SURPLUS_ALLOCATION = "surplus-allocation"
REFUNDS_DUE = "refunds-due"

MANAGEMENT = frozenset(Office) - {Office.SUPERVISORY_BOARD_MEMBER}


# ------------------------------------------------------------------ capital and votes


def employee_capital_majority(f: Facts, p: Params) -> Check:
    """Employee partners hold at least 51% of the capital (seed 003; loi 78-763 art. 5 says
    "more than half": 0.51 is the fr-scop parameter). Waived for a Scop d'amorçage until
    ``boot_until`` (loi ESS 2014 art. 49 ter)."""
    rule = EMPLOYEE_CAPITAL_MAJORITY
    source = "loi 78-763 art. 5; seed 003"
    if not p.scop_thresholds:
        return not_applicable(rule, "the statutes do not adopt the Scop thresholds")
    share = Fraction(f.employee_shares, f.shares) if f.shares else Fraction(0)
    detail = (
        f"employee partners hold {pct(share)} of the capital ({f.employee_shares} of "
        f"{f.shares} shares), at least {pct(p.employee_capital_min)} required ({source})"
    )
    if share >= p.employee_capital_min:
        return Check(rule, Status.OK, ratio(share), ratio(p.employee_capital_min), detail)
    if p.boot_until is not None and f.on <= p.boot_until:
        return Check(
            rule,
            Status.WAIVED,
            ratio(share),
            ratio(p.employee_capital_min),
            f"{detail}; waived: Scop d'amorçage until {p.boot_until} (loi ESS 2014 art. 49 ter)",
        )
    return Check(rule, Status.BREACH, ratio(share), ratio(p.employee_capital_min), detail)


def employee_vote_share(f: Facts, p: Params) -> Check:
    """Employee partners hold at least 65% of the votes, one person one vote, external votes
    weighted down to the cap (seed 003; loi 47-1775 art. 3 bis). With no employee partner
    external votes keep weight 1 and this is a breach."""
    rule = EMPLOYEE_VOTE_SHARE
    if not p.scop_thresholds:
        return not_applicable(rule, "the statutes do not adopt the Scop thresholds")
    weight = vote_weight(p, f.employees, f.externals)
    total = f.employees + weight * f.externals
    share = Fraction(f.employees) / total if total else Fraction(0)
    return verdict(
        rule,
        share >= p.employee_vote_min,
        ratio(share),
        ratio(p.employee_vote_min),
        f"{f.employees} employee and {f.externals} external partners (external weight "
        f"{ratio(weight)}): employees hold {pct(share)} of the votes, at least "
        f"{pct(p.employee_vote_min)} required (seed 003; loi 47-1775 art. 3 bis)",
    )


def minimum_employee_partners(f: Facts, p: Params) -> Check:
    """At least 2 employee partners in a SARL or SAS, 7 in an SA (loi 78-763 art. 5; seed 003).
    Below the minimum for more than a year, the court may dissolve the company: ``since``
    gives the date the shortfall began."""
    minimum = 7 if f.form is LegalForm.SA else 2
    ok = f.employees >= minimum
    detail = (
        f"{f.employees} employee partners, at least {minimum} required in a "
        f"{f.form.value.upper()} (loi 78-763 art. 5)"
    )
    if not ok:
        detail += "; after a year below it the court may dissolve the company"
    return verdict(MINIMUM_EMPLOYEE_PARTNERS, ok, str(f.employees), str(minimum), detail)


def minimum_capital(f: Facts, p: Params) -> Check:
    """Minimum share capital: €30 for a SARL or SAS, €18,500 for an SA (seed 003)."""
    minimum = Decimal(18500) if f.form is LegalForm.SA else Decimal(30)
    amount = p.share_value * f.shares
    return verdict(
        MINIMUM_CAPITAL,
        amount >= minimum,
        money(amount),
        money(minimum),
        f"capital {money(amount)}, at least {money(minimum)} required in a "
        f"{f.form.value.upper()} (seed 003)",
    )


def capital_floor(f: Facts, p: Params) -> Check:
    """Withdrawals and exits may not bring the capital below a quarter of the highest capital
    ever reached (loi 47-1775 art. 13)."""
    amount = p.share_value * f.shares
    highest = p.share_value * f.highest_shares
    floor = highest / 4
    return verdict(
        CAPITAL_FLOOR,
        amount >= floor,
        money(amount),
        money(floor, ROUND_CEILING),
        f"capital {money(amount)}, at least a quarter of the highest ever reached "
        f"({money(highest)}) required (loi 47-1775 art. 13)",
    )


# ------------------------------------------------------------------ governance


def external_mandates(f: Facts, p: Params) -> Check:
    """External partners hold at most a third of the management mandates (loi 78-763
    art. 15-16; seed 003). Supervisory board seats are not management mandates."""
    rule = EXTERNAL_MANDATES
    running = [m for m in f.mandates if m.office in MANAGEMENT]
    if not running:
        return not_applicable(rule, "no management mandate is running")
    external = sum(1 for m in running if m.category is Category.EXTERNAL)
    share = Fraction(external, len(running))
    return verdict(
        rule,
        share <= Fraction(1, 3),
        ratio(share),
        ratio(Fraction(1, 3)),
        f"external partners hold {external} of {len(running)} management mandates, at most "
        "a third allowed (loi 78-763 art. 15-16)",
    )


def mandate_terms(f: Facts, p: Params) -> Check:
    """Mandates last at most 4 years in a SARL or SAS, 6 in an SA (seed 003), by the legal
    form in force on the date."""
    rule = MANDATE_TERMS
    if not f.mandates:
        return not_applicable(rule, "no mandate is running")
    limit = 6 if f.form is LegalForm.SA else 4
    longest = max(f.mandates, key=lambda m: (m.term_years, m.start))
    too_long = [m for m in f.mandates if m.term_years > limit]
    detail = (
        f"the longest running mandate is {longest.person}'s {longest.office.value}, "
        f"{longest.term_years} years from {longest.start}; at most {limit} in a "
        f"{f.form.value.upper()} (seed 003)"
    )
    if too_long:
        detail += f"; {len(too_long)} over the limit"
    return verdict(rule, not too_long, str(longest.term_years), str(limit), detail)


def supervisory_board(f: Facts, p: Params) -> Check:
    """A SARL with at least ``supervisory_board_from`` partners (seed: "from 20"; the law:
    more than 20, hence a statutes parameter) needs a supervisory board of 3 to 9 members
    (loi 78-763 art. 16; seed 003)."""
    rule = SUPERVISORY_BOARD
    if f.form is not LegalForm.SARL:
        return not_applicable(rule, f"a {f.form.value.upper()} has no SARL supervisory board rule")
    if f.partners < p.supervisory_board_from:
        return not_applicable(
            rule, f"{f.partners} partners, fewer than {p.supervisory_board_from} (seed 003)"
        )
    board = sum(1 for m in f.mandates if m.office is Office.SUPERVISORY_BOARD_MEMBER)
    return verdict(
        rule,
        3 <= board <= 9,
        str(board),
        "3",
        f"a SARL of {f.partners} partners has {board} supervisory board members, 3 to 9 "
        "required (loi 78-763 art. 16; seed 003)",
    )


def review_due(f: Facts, p: Params) -> date:
    """The date by which the next cooperative review is due on ``f.on``."""
    base = f.last_review or p.registered_on
    due = add_years(base, p.review_every_years)
    if f.review_trigger is not None and f.review_trigger >= base:
        due = min(due, add_years(f.review_trigger, 1))
    return due


def cooperative_review(f: Facts, p: Params) -> Check:
    """A cooperative review at least every ``review_every_years`` (5 by law; statutes may
    shorten it; annual for a SARL or SAS without an auditor), and within a year of a third
    loss-making year in a row or of losses reaching half the highest capital (loi 47-1775
    art. 25-1; décret 2015-800; seed 003)."""
    due = review_due(f, p)
    last = f"the last review was on {f.last_review}" if f.last_review else "no review yet"
    return verdict(
        COOPERATIVE_REVIEW,
        f.on <= due,
        None if f.last_review is None else f.last_review.isoformat(),
        due.isoformat(),
        f"{last}; the next is due by {due} (loi 47-1775 art. 25-1)",
    )


def surplus_allocation(f: Facts, p: Params) -> Check:
    """The latest financial year's surplus: legal reserve at least 15%, development fund at
    least 1%, employee share at least 25%, dividends lower than the employee share and than
    the reserves, parts adding up to at most the surplus (loi 78-763 art. 33; seed 003)."""
    rule = SURPLUS_ALLOCATION
    a = f.allocation
    if a is None:
        return not_applicable(rule, "no surplus allocated yet")
    parts = a.legal_reserve + a.development_fund + a.employees + a.dividends
    faults = []
    if parts > max(a.surplus, Decimal(0)):
        faults.append(f"the parts ({money(parts)}) exceed the surplus ({money(a.surplus)})")
    if a.surplus > 0:
        for name, part, least in (
            ("legal reserve", a.legal_reserve, Fraction(15, 100)),
            ("development fund", a.development_fund, Fraction(1, 100)),
            ("employee share", a.employees, Fraction(25, 100)),
        ):
            if Fraction(part) < least * Fraction(a.surplus):
                faults.append(f"{name} {pct(Fraction(part) / Fraction(a.surplus))} < {pct(least)}")
    reserves = a.legal_reserve + a.development_fund
    if a.dividends > 0 and a.dividends >= a.employees:
        faults.append(f"dividends {money(a.dividends)} not below the employee share")
    if a.dividends > 0 and a.dividends >= reserves:
        faults.append(f"dividends {money(a.dividends)} not below the reserves")
    share = Fraction(a.employees) / Fraction(a.surplus) if a.surplus > 0 else None
    head = f"surplus of {a.year} ({money(a.surplus)}) allocated on {a.on}"
    return verdict(
        rule,
        not faults,
        None if share is None else ratio(share),
        "0.2500",
        f"{head}: {'; '.join(faults) if faults else 'as the law requires'} (loi 78-763 art. 33)",
    )


def refunds_due(f: Facts, p: Params) -> Check:
    """No refund past its due date (the exit plus the statutes' refund delay) with money
    still outstanding (the statutes' refund delay; RULES.md, confidence L)."""
    return verdict(
        REFUNDS_DUE,
        f.overdue_refunds == 0,
        money(f.overdue),
        "0.00",
        f"{f.overdue_refunds} refunds overdue, {money(f.overdue)} outstanding past their due "
        f"date ({p.refund_delay_years}-year refund delay of the statutes)",
    )
