"""Value types: money, share counts, and the enumerations the law names.

Money is ``Decimal`` with exactly two places; a share count is a positive ``int``.
Enumerations use the spelling of the public contract (``CONTRACT.md``) as their values.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from scop_ledger.domain.errors import InvalidValue

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

_PERSON_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class LegalForm(StrEnum):
    """Legal form of the Scop (seed 003): SARL, SAS or SA, changeable at any time."""

    SARL = "sarl"
    SAS = "sas"
    SA = "sa"


class Category(StrEnum):
    """A partner's category, derived from employment on each date (loi 78-763)."""

    EMPLOYEE = "employee"
    EXTERNAL = "external"


class TerminationReason(StrEnum):
    """Why an employment contract ended (loi 78-763 art. 10-11)."""

    RESIGNATION = "resignation"
    DISMISSAL = "dismissal"
    MUTUAL_AGREEMENT = "mutual-agreement"
    END_OF_CONTRACT = "end-of-contract"
    RETIREMENT = "retirement"
    ECONOMIC_DISMISSAL = "economic-dismissal"
    INVALIDITY = "invalidity"
    DEATH = "death"

    @property
    def keeps_partnership(self) -> bool:
        """Retirement, economic dismissal and invalidity leave the person a partner
        (as an external partner); every other end of contract ends partnership."""
        return self in _KEEPS_PARTNERSHIP


_KEEPS_PARTNERSHIP = frozenset(
    {
        TerminationReason.RETIREMENT,
        TerminationReason.ECONOMIC_DISMISSAL,
        TerminationReason.INVALIDITY,
    }
)


class LeaveReason(StrEnum):
    """Why partner status ended by the partner's or the meeting's act."""

    RESIGNATION = "resignation"
    EXCLUSION = "exclusion"
    DEATH = "death"


class Office(StrEnum):
    """Management mandates (seed 003: management bodies depend on the legal form)."""

    MANAGER = "manager"
    CHAIR = "chair"
    CEO = "ceo"
    DIRECTOR = "director"
    BOARD_MEMBER = "board-member"
    SUPERVISORY_BOARD_MEMBER = "supervisory-board-member"


class Profile(StrEnum):
    """Rule profiles: the French Scop (default) and the Belgian accredited cooperative."""

    FR_SCOP = "fr-scop"
    BE_CNC = "be-cnc"


_DECIMAL = re.compile(r"[+-]?\d+(\.\d*)?|[+-]?\.\d+")


def parse_money(value: object, *, what: str = "amount") -> Decimal:
    """Parse euros into an exact ``Decimal`` with two places.

    Accepts ``Decimal``, ``int`` or a decimal string (``25``, ``25.00``, ``1234.5``).
    Refuses floats (inexact), more than two decimal places, and non-finite values.
    """
    if isinstance(value, bool | float):
        raise InvalidValue(f"{what} must be a decimal number of euros, not {value!r}")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _DECIMAL.fullmatch(text):
            raise InvalidValue(f"{what} {value!r} is not a decimal number of euros")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards
            raise InvalidValue(f"{what} {value!r} is not a decimal number of euros") from exc
    else:
        raise InvalidValue(f"{what} {value!r} is not a decimal number of euros")
    if not amount.is_finite():
        raise InvalidValue(f"{what} {value!r} is not a finite amount")
    if amount != amount.quantize(CENT):
        raise InvalidValue(f"{what} {value!r} has more than two decimal places (cents)")
    return amount.quantize(CENT)


def positive_money(value: object, *, what: str = "amount") -> Decimal:
    """Like :func:`parse_money`, but the amount must be greater than zero."""
    amount = parse_money(value, what=what)
    if amount <= 0:
        raise InvalidValue(f"{what} must be greater than zero, not {amount}")
    return amount


def non_negative_money(value: object, *, what: str = "amount") -> Decimal:
    """Like :func:`parse_money`, but the amount may not be negative."""
    amount = parse_money(value, what=what)
    if amount < 0:
        raise InvalidValue(f"{what} may not be negative, not {amount}")
    return amount


def share_count(value: object, *, what: str = "shares") -> int:
    """A positive whole number of shares."""
    if isinstance(value, bool):
        raise InvalidValue(f"{what} must be a whole number, not {value!r}")
    if isinstance(value, str) and re.fullmatch(r"\s*\+?\d+\s*", value):
        value = int(value)
    if not isinstance(value, int):
        raise InvalidValue(f"{what} must be a whole number, not {value!r}")
    if value <= 0:
        raise InvalidValue(f"{what} must be at least 1, not {value}")
    return value


def person_ref(value: str) -> str:
    """A person's reference inside a cooperative: employee number or slug."""
    if not _PERSON_RE.match(value):
        raise InvalidValue(
            f"person {value!r} is not a valid reference "
            "(letters, digits, '.', '_' or '-', at most 64, starting with a letter or digit)"
        )
    return value


def coop_slug(value: str) -> str:
    """A cooperative's slug: lower-case letters, digits and dashes."""
    if not _SLUG_RE.match(value):
        raise InvalidValue(
            f"cooperative slug {value!r} is not valid "
            "(lower-case letters, digits and '-', at most 64, starting with a letter or digit)"
        )
    return value
