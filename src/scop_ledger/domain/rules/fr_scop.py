"""The ``fr-scop`` profile's rules (loi 47-1775, loi 78-763, seed 003): pure functions of a
date's :class:`Facts` and the profile's :class:`Params`, each naming its legal source in its
docstring and in its ``detail`` (see ``docs/rules.md``). Their ids, titles and order are in
:mod:`scop_ledger.domain.rules.registry`."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

from scop_ledger.domain.dates import add_years
from scop_ledger.domain.rules.common import money, not_applicable, ratio, verdict
from scop_ledger.domain.rules.facts import Check, Facts, Params, Status, vote_weight
from scop_ledger.domain.rules.text import Num, Word, text
from scop_ledger.domain.values import Category, LegalForm, Office
from scop_ledger.i18n import N_

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
LEGAL_REPRESENTATIVE = "legal-representative"
PARTNERS_HOLD_SHARES = "partners-hold-shares"

MANAGEMENT = frozenset(Office) - {Office.SUPERVISORY_BOARD_MEMBER}

#: Each office as a detail names it (its value in English).
OFFICES = {
    Office.MANAGER: N_("manager"),
    Office.CHAIR: N_("chair"),
    Office.CEO: N_("ceo"),
    Office.DIRECTOR: N_("director"),
    Office.BOARD_MEMBER: N_("board-member"),
    Office.SUPERVISORY_BOARD_MEMBER: N_("supervisory-board-member"),
}
THRESHOLDS_NOT_ADOPTED = N_("the statutes do not adopt the Scop thresholds")


# ------------------------------------------------------------------ capital and votes


def employee_capital_majority(f: Facts, p: Params) -> Check:
    """Employee partners hold at least 51% of the capital (seed 003; loi 78-763 art. 5 says
    "more than half": 0.51 is the fr-scop parameter). Waived for a Scop d'amorçage until
    ``boot_until`` (loi ESS 2014 art. 49 ter)."""
    rule = EMPLOYEE_CAPITAL_MAJORITY
    if not p.scop_thresholds:
        return not_applicable(rule, text(THRESHOLDS_NOT_ADOPTED))
    share = Fraction(f.employee_shares, f.shares) if f.shares else Fraction(0)
    detail = text(
        N_(
            "employee partners hold {share} of the capital ({held} of {shares} shares), at "
            "least {minimum} required (loi 78-763 art. 5; seed 003)"
        ),
        share=share,
        held=f.employee_shares,
        shares=f.shares,
        minimum=p.employee_capital_min,
    )
    value, least = ratio(share), ratio(p.employee_capital_min)
    if share >= p.employee_capital_min:
        return Check(rule, Status.OK, value, least, detail)
    if p.boot_until is not None and f.on <= p.boot_until:
        waived = text(
            N_("{detail}; waived: Scop d'amorçage until {until} (loi ESS 2014 art. 49 ter)"),
            detail=detail,
            until=p.boot_until,
        )
        return Check(rule, Status.WAIVED, value, least, waived)
    return Check(rule, Status.BREACH, value, least, detail)


def boot_waiver_holds(f: Facts, p: Params) -> date | None:
    """The last date :func:`employee_capital_majority` holds on unchanged shares: the end of
    a Scop d'amorçage's waiver, until it has passed."""
    return p.boot_until if p.boot_until is not None and f.on <= p.boot_until else None


def employee_vote_share(f: Facts, p: Params) -> Check:
    """Employee partners hold at least 65% of the votes, one person one vote, external votes
    weighted down to the cap (seed 003; loi 47-1775 art. 3 bis). With no employee partner
    external votes keep weight 1 and this is a breach."""
    rule = EMPLOYEE_VOTE_SHARE
    if not p.scop_thresholds:
        return not_applicable(rule, text(THRESHOLDS_NOT_ADOPTED))
    weight = vote_weight(p, f.employees, f.externals)
    # I / (I + k·E) for k = n/d is I·d / (I·d + n·E): one fraction (the sweep asks on every date).
    held = f.employees * weight.denominator
    total = held + weight.numerator * f.externals
    share = Fraction(held, total) if total else Fraction(0)
    return verdict(
        rule,
        share >= p.employee_vote_min,
        ratio(share),
        ratio(p.employee_vote_min),
        text(
            N_(
                "{employees} employee and {externals} external partners (external weight "
                "{weight}): employees hold {share} of the votes, at least {minimum} required "
                "(seed 003; loi 47-1775 art. 3 bis)"
            ),
            employees=f.employees,
            externals=f.externals,
            weight=Num(Decimal(ratio(weight))),
            share=share,
            minimum=p.employee_vote_min,
        ),
    )


def minimum_employee_partners(f: Facts, p: Params) -> Check:
    """At least 2 employee partners in a SARL or SAS, 7 in an SA (loi 78-763 art. 5; seed 003).
    Below the minimum for more than a year, the court may dissolve the company: ``since``
    gives the date the shortfall began."""
    minimum = 7 if f.form is LegalForm.SA else 2
    ok = f.employees >= minimum
    template = (
        N_(
            "{employees} employee partners, at least {minimum} required in a {form} (loi 78-763 "
            "art. 5)"
        )
        if ok
        else N_(
            "{employees} employee partners, at least {minimum} required in a {form} (loi 78-763 "
            "art. 5); after a year below it the court may dissolve the company"
        )
    )
    detail = text(template, employees=f.employees, minimum=minimum, form=f.form.value.upper())
    return verdict(MINIMUM_EMPLOYEE_PARTNERS, ok, str(f.employees), str(minimum), detail)


def minimum_capital(f: Facts, p: Params) -> Check:
    """Minimum share capital: €30 for a SARL or SAS, €18,500 for an SA (seed 003)."""
    minimum = Decimal(18500) if f.form is LegalForm.SA else Decimal(30)
    amount = p.value_on(f.on) * f.shares
    return verdict(
        MINIMUM_CAPITAL,
        amount >= minimum,
        money(amount),
        money(minimum),
        text(
            N_("capital {amount}, at least {minimum} required in a {form} (seed 003)"),
            amount=amount,
            minimum=minimum,
            form=f.form.value.upper(),
        ),
    )


def capital_floor(f: Facts, p: Params) -> Check:
    """Withdrawals and exits may not bring the capital below a quarter of the highest capital
    ever reached (loi 47-1775 art. 13)."""
    amount = p.value_on(f.on) * f.shares
    highest = p.value_on(f.on) * f.highest_shares
    floor = highest / 4
    return verdict(
        CAPITAL_FLOOR,
        amount >= floor,
        money(amount),
        money(floor, ROUND_CEILING),
        text(
            N_(
                "capital {amount}, at least a quarter of the highest ever reached ({highest}) "
                "required (loi 47-1775 art. 13)"
            ),
            amount=amount,
            highest=highest,
        ),
    )


# ------------------------------------------------------------------ governance


def external_mandates(f: Facts, p: Params) -> Check:
    """External partners hold at most a third of the management mandates (loi 78-763
    art. 15-16; seed 003). Supervisory board seats are not management mandates."""
    rule = EXTERNAL_MANDATES
    running = [m for m in f.mandates if m.office in MANAGEMENT]
    if not running:
        return not_applicable(rule, text(N_("no management mandate is running")))
    external = sum(1 for m in running if m.category is Category.EXTERNAL)
    share = Fraction(external, len(running))
    return verdict(
        rule,
        share <= Fraction(1, 3),
        ratio(share),
        ratio(Fraction(1, 3)),
        text(
            N_(
                "external partners hold {external} of {running} management mandates, at most "
                "a third allowed (loi 78-763 art. 15-16)"
            ),
            external=external,
            running=len(running),
        ),
    )


def mandate_terms(f: Facts, p: Params) -> Check:
    """Mandates last at most 4 years in a SARL or SAS, 6 in an SA (seed 003), by the legal
    form in force on the date."""
    rule = MANDATE_TERMS
    if not f.mandates:
        return not_applicable(rule, text(N_("no mandate is running")))
    limit = 6 if f.form is LegalForm.SA else 4
    longest = max(f.mandates, key=lambda m: (m.term_years, m.start))
    too_long = [m for m in f.mandates if m.term_years > limit]
    values = {
        "person": longest.person,
        "office": Word(OFFICES[longest.office]),
        "years": longest.term_years,
        "start": longest.start,
        "limit": limit,
        "form": f.form.value.upper(),
    }
    if too_long:
        detail = text(
            N_(
                "the longest running mandate is {person}'s {office}, {years} years from "
                "{start}; at most {limit} in a {form} (seed 003); {over} over the limit"
            ),
            over=len(too_long),
            **values,
        )
    else:
        detail = text(
            N_(
                "the longest running mandate is {person}'s {office}, {years} years from "
                "{start}; at most {limit} in a {form} (seed 003)"
            ),
            **values,
        )
    return verdict(rule, not too_long, str(longest.term_years), str(limit), detail)


def supervisory_board(f: Facts, p: Params) -> Check:
    """A SARL with at least ``supervisory_board_from`` partners (seed: "from 20"; the law:
    more than 20, hence a statutes parameter) needs a supervisory board of 3 to 9 members
    (loi 78-763 art. 16; seed 003)."""
    rule = SUPERVISORY_BOARD
    if f.form is not LegalForm.SARL:
        return not_applicable(
            rule, text(N_("a {form} has no SARL supervisory board rule"), form=f.form.value.upper())
        )
    if f.partners < p.supervisory_board_from:
        return not_applicable(
            rule,
            text(
                N_("{partners} partners, fewer than {minimum} (seed 003)"),
                partners=f.partners,
                minimum=p.supervisory_board_from,
            ),
        )
    board = sum(1 for m in f.mandates if m.office is Office.SUPERVISORY_BOARD_MEMBER)
    return verdict(
        rule,
        3 <= board <= 9,
        str(board),
        "3",
        text(
            N_(
                "a SARL of {partners} partners has {board} supervisory board members, 3 to 9 "
                "required (loi 78-763 art. 16; seed 003)"
            ),
            partners=f.partners,
            board=board,
        ),
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
    if f.last_review is None:
        detail = text(
            N_("no review yet; the next is due by {due} (loi 47-1775 art. 25-1)"), due=due
        )
    else:
        detail = text(
            N_("the last review was on {last}; the next is due by {due} (loi 47-1775 art. 25-1)"),
            last=f.last_review,
            due=due,
        )
    return verdict(
        COOPERATIVE_REVIEW,
        f.on <= due,
        None if f.last_review is None else f.last_review.isoformat(),
        due.isoformat(),
        detail,
    )


def review_holds(f: Facts, p: Params) -> date | None:
    """The last date :func:`cooperative_review` holds on unchanged reviews: the due date,
    until it has passed."""
    due = review_due(f, p)
    return due if f.on <= due else None


def refunds_due(f: Facts, p: Params) -> Check:
    """No refund past its due date (the exit plus the statutes' refund delay) with money
    still outstanding (the statutes' refund delay; RULES.md, confidence L)."""
    return verdict(
        REFUNDS_DUE,
        f.overdue_refunds == 0,
        money(f.overdue),
        "0.00",
        text(
            N_(
                "{count} refunds overdue, {amount} outstanding past their due date ({years}-year "
                "refund delay of the statutes)"
            ),
            count=f.overdue_refunds,
            amount=f.overdue,
            years=p.refund_delay_years,
        ),
    )
