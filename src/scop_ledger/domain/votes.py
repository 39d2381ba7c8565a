"""Votes: one person, one vote, external partners' votes weighted down to a ceiling
(loi 47-1775 art. 3 bis). Kept apart so that the query path imports nothing else."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

ONE = Fraction(1)


def external_weight(employees: int, externals: int, cap: Fraction) -> Fraction:
    """Each external partner's vote: k = min(1, c·I / ((1−c)·E)) for I employee votes, E
    external partners and ceiling c; 1 when there is no employee partner or no external one."""
    if externals == 0 or employees == 0:
        return ONE
    # c·I / ((1−c)·E) for c = n/d is n·I / ((d−n)·E): one fraction (the sweep asks on every date).
    k = Fraction(cap.numerator * employees, (cap.denominator - cap.numerator) * externals)
    return k if k.numerator < k.denominator else ONE


def weight_under(cap: Decimal | Fraction | None, employees: int, externals: int) -> Fraction:
    """The external weight under the ceiling that applies: 1 when votes are not weighted
    (``cap`` None), else :func:`external_weight`."""
    if cap is None:
        return Fraction(1)
    return external_weight(
        employees, externals, cap if isinstance(cap, Fraction) else Fraction(cap)
    )
