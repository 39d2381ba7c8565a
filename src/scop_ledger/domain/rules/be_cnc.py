"""The ``be-cnc`` profile's own rules (AR 8 January 1962, CSA 6:120): pure functions of a
date's :class:`Facts` and the profile's :class:`Params`. The profile also runs ``refunds-due``
and, when the statutes adopt them, the Scop thresholds of :mod:`.fr_scop`; its ids, titles
and order are in :mod:`scop_ledger.domain.rules.registry`."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from scop_ledger.domain.dates import add_months
from scop_ledger.domain.rules.common import money, not_applicable, pct, ratio, verdict
from scop_ledger.domain.rules.facts import Check, Facts, Params, vote_weight

# The rule ids (each written once; the registry pairs them with their titles and profiles).
MEMBER_VOTE_LIMIT = "member-vote-limit"
DIVIDEND_LIMIT = "dividend-limit"
RESIGNATION_WINDOW = "resignation-window"
REFUND_LIMIT = "refund-limit"


def member_vote_limit(f: Facts, p: Params) -> Check:
    """No member votes for more than a tenth of the votes present or represented, unless every
    member has an equal vote (AR 8 January 1962 art. 1 §1, accreditation of cooperatives)."""
    rule = MEMBER_VOTE_LIMIT
    if not f.partners:
        return not_applicable(rule, "no partner")
    weight = vote_weight(p, f.employees, f.externals)
    total = f.employees + weight * f.externals
    largest = (Fraction(1) if f.employees else weight) / total
    equal = weight == 1 or not f.employees or not f.externals
    ok = equal or largest <= Fraction(1, 10)
    how = "votes are equal, one person one vote" if equal else "votes are weighted"
    return verdict(
        rule,
        ok,
        ratio(largest),
        "0.1000",
        f"the largest member holds {pct(largest)} of the votes; {how} (AR 8 January 1962 art. 1)",
    )


def dividend_limit(f: Facts, p: Params) -> Check:
    """Dividends at most 6% of the nominal value of the paid-up shares (AR 8 January 1962
    art. 1 §1)."""
    rule = DIVIDEND_LIMIT
    a = f.allocation
    if a is None:
        return not_applicable(rule, "no surplus allocated yet")
    limit = f.allocation_paid * Decimal("0.06")
    share = Fraction(a.dividends) / Fraction(f.allocation_paid) if f.allocation_paid else None
    return verdict(
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
    return verdict(RESIGNATION_WINDOW, not faults, str(len(faults)), "0", detail)


def refund_limit(f: Facts, p: Params) -> Check:
    """A refund is at most the amount actually paid in (AR 8 January 1962 art. 1; CSA
    6:120)."""
    return verdict(
        REFUND_LIMIT,
        f.over_refunded == 0,
        str(f.over_refunded),
        "0",
        f"{f.over_refunded} refunds above the amount paid in (AR 8 January 1962; CSA 6:120)",
    )
