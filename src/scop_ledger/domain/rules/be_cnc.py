"""The ``be-cnc`` profile's own rules (AR 8 January 1962, CSA 6:120): pure functions of a
date's :class:`Facts` and the profile's :class:`Params`. The profile also runs ``refunds-due``
and, when the statutes adopt them, the Scop thresholds of :mod:`.fr_scop`; its ids, titles
and order are in :mod:`scop_ledger.domain.rules.registry`."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from scop_ledger.domain.dates import add_months
from scop_ledger.domain.rules.common import not_applicable, ratio, verdict
from scop_ledger.domain.rules.facts import Check, Facts, Params, vote_weight
from scop_ledger.domain.rules.text import Joined, Text, text
from scop_ledger.i18n import N_

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
        return not_applicable(rule, text(N_("no partner")))
    weight = vote_weight(p, f.employees, f.externals)
    total = f.employees + weight * f.externals
    largest = (Fraction(1) if f.employees else weight) / total
    equal = weight == 1 or not f.employees or not f.externals
    ok = equal or largest <= Fraction(1, 10)
    template = (
        N_(
            "the largest member holds {share} of the votes; votes are equal, one person one vote "
            "(AR 8 January 1962 art. 1)"
        )
        if equal
        else N_(
            "the largest member holds {share} of the votes; votes are weighted (AR 8 January "
            "1962 art. 1)"
        )
    )
    return verdict(rule, ok, ratio(largest), "0.1000", text(template, share=largest))


def dividend_limit(f: Facts, p: Params) -> Check:
    """Dividends at most 6% of the nominal value of the paid-up shares (AR 8 January 1962
    art. 1 §1)."""
    rule = DIVIDEND_LIMIT
    a = f.allocation
    if a is None:
        return not_applicable(rule, text(N_("no surplus allocated yet")))
    limit = f.allocation_paid * Decimal("0.06")
    share = Fraction(a.dividends) / Fraction(f.allocation_paid) if f.allocation_paid else None
    return verdict(
        rule,
        a.dividends <= limit,
        None if share is None else ratio(share),
        "0.0600",
        text(
            N_(
                "dividends of {year}: {dividends}, at most 6% of the paid-up capital ({paid}) "
                "allowed (AR 8 January 1962 art. 1)"
            ),
            year=str(a.year),
            dividends=a.dividends,
            paid=f.allocation_paid,
        ),
    )


def resignation_window(f: Facts, p: Params) -> Check:
    """A member resigns or withdraws shares only in the first six months of the financial
    year, and a founder only from the third financial year (CSA 6:120)."""
    first_year = p.financial_year(p.registered_on)
    faults: list[Text] = []
    for e in f.exits:
        start = p.year_start(e.on)
        if e.on >= add_months(start, 6):
            faults.append(
                text(N_("{person} on {on} (after the first six months)"), person=e.person, on=e.on)
            )
        elif e.founder and p.financial_year(e.on) < first_year + 2:
            faults.append(
                text(
                    N_("{person} on {on} (a founder before the third financial year)"),
                    person=e.person,
                    on=e.on,
                )
            )
    if faults:
        detail = text(
            N_(
                "{count} resignations or withdrawals this financial year; out of the window: "
                "{faults} (CSA 6:120)"
            ),
            count=len(f.exits),
            faults=Joined(tuple(faults), comma=True),
        )
    else:
        detail = text(
            N_("{count} resignations or withdrawals this financial year (CSA 6:120)"),
            count=len(f.exits),
        )
    return verdict(RESIGNATION_WINDOW, not faults, str(len(faults)), "0", detail)


def refund_limit(f: Facts, p: Params) -> Check:
    """A refund is at most the amount actually paid in and, with losses, no more than the
    shares' net asset value in the last approved accounts on or before its date (AR 8 January
    1962 art. 1; CSA 6:120 §1): see :func:`~scop_ledger.domain.rules.facts.refund_cap`."""
    return verdict(
        REFUND_LIMIT,
        f.over_refunded == 0,
        str(f.over_refunded),
        "0",
        text(
            N_(
                "{count} refunds above the amount paid in or, with losses, the net asset value "
                "per share of the last approved accounts (AR 8 January 1962; CSA 6:120)"
            ),
            count=f.over_refunded,
        ),
    )
