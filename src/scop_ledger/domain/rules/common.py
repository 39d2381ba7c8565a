"""What the rules of every profile share: the type of a check function, the formats of values
and thresholds (ratios with 4 places, percentages and money with 2) and the verdicts, whose
details are :class:`~scop_ledger.domain.rules.text.Text` (rendered when shown)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from scop_ledger.domain.rules.facts import Check, Facts, Params, Status
from scop_ledger.domain.rules.text import Said

Rule = Callable[[Facts, Params], Check]
#: Of a check that reads the date: from the facts of a date, the last date on which its check
#: holds while the facts it reads stay the same (None: every later date).
Holds = Callable[[Facts, Params], date | None]

RATIO = Decimal("0.0001")
CENT = Decimal("0.01")


def ratio(value: Fraction) -> str:
    """``value`` with 4 places, rounded half up: the exact quotient of its terms, which is
    what quantizing their 28-digit :class:`Decimal` quotient gives for a value from 0 to 10
    whose denominator is below 10**18 (a 28-digit quotient is then off by less than half a
    unit of its 28th place, which cannot bring it to or across a rounding boundary: those are
    at least 1/(20000 × denominator) away); otherwise that quotient is quantized."""
    n, d = value.numerator, value.denominator
    if 0 <= n < 10 * d and d < 10**18:
        q, r = divmod(n * 10000, d)
        if 2 * r >= d:
            q += 1
        return f"{q // 10000}.{q % 10000:04d}"
    exact = Decimal(n) / Decimal(d)
    return str(exact.quantize(RATIO, rounding=ROUND_HALF_UP))


def pct(value: Fraction) -> str:
    exact = Decimal(value.numerator) * 100 / Decimal(value.denominator)
    return f"{exact.quantize(CENT, rounding=ROUND_HALF_UP)}%"


def money(value: Decimal, rounding: str = ROUND_HALF_UP) -> str:
    return str(value.quantize(CENT, rounding=rounding))


def share_value_holds(f: Facts, p: Params) -> date | None:
    """The last date on which the share value in force on ``f.on`` is (None: every later
    date): the day before its next change (the capital's checks read it)."""
    later = [since for since, _ in p.share_values if since > f.on]
    return min(later) - timedelta(days=1) if later else None


def verdict(rule: str, ok: bool, value: str | None, threshold: str | None, detail: Said) -> Check:
    return Check(rule, Status.OK if ok else Status.BREACH, value, threshold, detail)


def not_applicable(rule: str, detail: Said) -> Check:
    return Check(rule, Status.NOT_APPLICABLE, None, None, detail)
