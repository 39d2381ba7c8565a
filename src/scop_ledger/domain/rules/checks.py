"""The rules: pure functions of a date's :class:`Facts` and the profile's :class:`Params`, each
naming its legal source in its docstring and in its ``detail`` (see ``docs/rules.md``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from fractions import Fraction

from scop_ledger.domain.cooperative import add_years
from scop_ledger.domain.rules.facts import Check, Facts, Params, Status, vote_weight
from scop_ledger.domain.values import Category, LegalForm, Office

Rule = Callable[[Facts, Params], Check]

RATIO = Decimal("0.0001")
CENT = Decimal("0.01")
MANAGEMENT = frozenset(Office) - {Office.SUPERVISORY_BOARD_MEMBER}


def ratio(value: Fraction) -> str:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(RATIO, rounding=ROUND_HALF_UP))


def pct(value: Fraction) -> str:
    exact = Decimal(value.numerator) * 100 / Decimal(value.denominator)
    return f"{exact.quantize(CENT, rounding=ROUND_HALF_UP)}%"


def money(value: Decimal, rounding: str = ROUND_HALF_UP) -> str:
    return str(value.quantize(CENT, rounding=rounding))


def _check(rule: str, ok: bool, value: str | None, threshold: str | None, detail: str) -> Check:
    return Check(rule, Status.OK if ok else Status.BREACH, value, threshold, detail)


def _na(rule: str, detail: str) -> Check:
    return Check(rule, Status.NOT_APPLICABLE, None, None, detail)


# ------------------------------------------------------------------ capital and votes


def employee_capital_majority(f: Facts, p: Params) -> Check:
    """Employee partners hold at least 51% of the capital (seed 003; loi 78-763 art. 5 says
    "more than half": 0.51 is the fr-scop parameter). Waived for a Scop d'amorçage until
    ``boot_until`` (loi ESS 2014 art. 49 ter)."""
    rule = "employee-capital-majority"
    source = "loi 78-763 art. 5; seed 003"
    if not p.scop_thresholds:
        return _na(rule, "the statutes do not adopt the Scop thresholds")
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
    rule = "employee-vote-share"
    if not p.scop_thresholds:
        return _na(rule, "the statutes do not adopt the Scop thresholds")
    weight = vote_weight(p, f.employees, f.externals)
    total = f.employees + weight * f.externals
    share = Fraction(f.employees) / total if total else Fraction(0)
    return _check(
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
    return _check("minimum-employee-partners", ok, str(f.employees), str(minimum), detail)


def minimum_capital(f: Facts, p: Params) -> Check:
    """Minimum share capital: €30 for a SARL or SAS, €18,500 for an SA (seed 003)."""
    minimum = Decimal(18500) if f.form is LegalForm.SA else Decimal(30)
    amount = p.share_value * f.shares
    return _check(
        "minimum-capital",
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
    return _check(
        "capital-floor",
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
    rule = "external-mandates"
    running = [m for m in f.mandates if m.office in MANAGEMENT]
    if not running:
        return _na(rule, "no management mandate is running")
    external = sum(1 for m in running if m.category is Category.EXTERNAL)
    share = Fraction(external, len(running))
    return _check(
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
    rule = "mandate-terms"
    if not f.mandates:
        return _na(rule, "no mandate is running")
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
    return _check(rule, not too_long, str(longest.term_years), str(limit), detail)


def supervisory_board(f: Facts, p: Params) -> Check:
    """A SARL with at least ``supervisory_board_from`` partners (seed: "from 20"; the law:
    more than 20, hence a statutes parameter) needs a supervisory board of 3 to 9 members
    (loi 78-763 art. 16; seed 003)."""
    rule = "supervisory-board"
    if f.form is not LegalForm.SARL:
        return _na(rule, f"a {f.form.value.upper()} has no SARL supervisory board rule")
    if f.partners < p.supervisory_board_from:
        return _na(rule, f"{f.partners} partners, fewer than {p.supervisory_board_from} (seed 003)")
    board = sum(1 for m in f.mandates if m.office is Office.SUPERVISORY_BOARD_MEMBER)
    return _check(
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
    return _check(
        "cooperative-review",
        f.on <= due,
        None if f.last_review is None else f.last_review.isoformat(),
        due.isoformat(),
        f"{last}; the next is due by {due} (loi 47-1775 art. 25-1)",
    )


def surplus_allocation(f: Facts, p: Params) -> Check:
    """The latest financial year's surplus: legal reserve at least 15%, development fund at
    least 1%, employee share at least 25%, dividends lower than the employee share and than
    the reserves, parts adding up to at most the surplus (loi 78-763 art. 33; seed 003)."""
    rule = "surplus-allocation"
    a = f.allocation
    if a is None:
        return _na(rule, "no surplus allocated yet")
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
    return _check(
        rule,
        not faults,
        None if share is None else ratio(share),
        "0.2500",
        f"{head}: {'; '.join(faults) if faults else 'as the law requires'} (loi 78-763 art. 33)",
    )


def refunds_due(f: Facts, p: Params) -> Check:
    """No refund past its due date (the exit plus the statutes' refund delay) with money
    still outstanding (the statutes' refund delay; RULES.md, confidence L)."""
    return _check(
        "refunds-due",
        f.overdue_refunds == 0,
        money(f.overdue),
        "0.00",
        f"{f.overdue_refunds} refunds overdue, {money(f.overdue)} outstanding past their due "
        f"date ({p.refund_delay_years}-year refund delay of the statutes)",
    )


# ------------------------------------------------------------------ be-cnc


def member_vote_limit(f: Facts, p: Params) -> Check:
    """No member votes for more than a tenth of the votes present or represented, unless every
    member has an equal vote (AR 8 January 1962 art. 1 §1, accreditation of cooperatives)."""
    rule = "member-vote-limit"
    if not f.partners:
        return _na(rule, "no partner")
    weight = vote_weight(p, f.employees, f.externals)
    total = f.employees + weight * f.externals
    largest = (Fraction(1) if f.employees else weight) / total
    equal = weight == 1 or not f.employees or not f.externals
    ok = equal or largest <= Fraction(1, 10)
    how = "votes are equal, one person one vote" if equal else "votes are weighted"
    return _check(
        rule,
        ok,
        ratio(largest),
        "0.1000",
        f"the largest member holds {pct(largest)} of the votes; {how} (AR 8 January 1962 art. 1)",
    )


def dividend_limit(f: Facts, p: Params) -> Check:
    """Dividends at most 6% of the nominal value of the paid-up shares (AR 8 January 1962
    art. 1 §1)."""
    rule = "dividend-limit"
    a = f.allocation
    if a is None:
        return _na(rule, "no surplus allocated yet")
    limit = f.allocation_paid * Decimal("0.06")
    share = Fraction(a.dividends) / Fraction(f.allocation_paid) if f.allocation_paid else None
    return _check(
        rule,
        a.dividends <= limit,
        None if share is None else ratio(share),
        "0.0600",
        f"dividends of {a.year}: {money(a.dividends)}, at most 6% of the paid-up capital "
        f"({money(f.allocation_paid)}) allowed (AR 8 January 1962 art. 1)",
    )


def resignation_window(f: Facts, p: Params) -> Check:
    """A member resigns or withdraws shares only in the first six months of the financial
    year, and a founder only from the third financial year (CSA 6:120)."""
    first_year = p.financial_year(p.registered_on)
    faults = []
    for e in f.exits:
        start = p.year_start(e.on)
        if e.on >= add_months(start, 6):
            faults.append(f"{e.person} on {e.on} (after the first six months)")
        elif e.founder and p.financial_year(e.on) < first_year + 2:
            faults.append(f"{e.person} on {e.on} (a founder before the third financial year)")
    detail = (
        f"{len(f.exits)} resignations or withdrawals this financial year"
        + (f"; out of the window: {', '.join(faults)}" if faults else "")
        + " (CSA 6:120)"
    )
    return _check("resignation-window", not faults, str(len(faults)), "0", detail)


def refund_limit(f: Facts, p: Params) -> Check:
    """A refund is at most the amount actually paid in (AR 8 January 1962 art. 1; CSA
    6:120)."""
    return _check(
        "refund-limit",
        f.over_refunded == 0,
        str(f.over_refunded),
        "0",
        f"{f.over_refunded} refunds above the amount paid in (AR 8 January 1962; CSA 6:120)",
    )


def add_months(start: date, months: int) -> date:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = start.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1
