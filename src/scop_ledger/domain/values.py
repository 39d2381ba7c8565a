"""Value types: money, share counts, and the enumerations the law names.

Money is ``Decimal`` with exactly two places; a share count is a positive ``int``.
Enumerations use the spelling of the public contract (``CONTRACT.md``) as their values.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from scop_ledger.domain.errors import InvalidValue
from scop_ledger.domain.words import bound, grouped, not_a_date, not_a_moment
from scop_ledger.domain.words import show as show
from scop_ledger.i18n import _, day, money

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Matched whole (``fullmatch``): ``$`` would also match before a final newline.
_PERSON_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


class LegalForm(StrEnum):
    """Legal form of the Scop (seed 003): SARL, SAS or SA, changeable at any time."""

    SARL = "sarl"
    SAS = "sas"
    SA = "sa"


class Category(StrEnum):
    """A partner's category, derived from employment on each date (loi 78-763)."""

    EMPLOYEE = "employee"
    EXTERNAL = "external"


def partner_category(partner: bool, employed: bool) -> Category | None:
    """Employee partner while a partner with a running employment contract, else external;
    None for someone who is not a partner."""
    if not partner:
        return None
    return Category.EMPLOYEE if employed else Category.EXTERNAL


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


# ----------------------------------------------------------------- bounds (docs/concepts.md)

MAX_SHARES = 1_000_000_000
MAX_MONEY = Decimal(10**12)
MAX_SHARE_VALUE = Decimal(10**6)
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)
MIN_YEAR, MAX_YEAR = MIN_DATE.year, MAX_DATE.year
MAX_ENTRY_ID = 2**63 - 1  # a 64-bit integer column on every back end
MAX_NAME = 200  # names, references, reviewers, the recording user: one line
MAX_NOTE = 2000  # notes, reservations, reasons: may hold line breaks and tabs
MAX_SOURCE = 500  # an import row's identity (its ``id`` column, or the file and line)
MAX_TERM_YEARS = 99  # a mandate's term, from one year
FAR_AHEAD = timedelta(days=366)  # a later effective date is recorded with a warning

# ASCII digits only: ``\d`` and ``int()`` / ``Decimal()`` also take full-width and
# Arabic-Indic digits, which a treasurer never means and a spreadsheet would not read back.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_WHOLE = re.compile(r"[+-]?[0-9]+")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?"
)
_LONGEST_NUMBER = 40  # characters: longer text is out of every bound above


def parse_money(value: object, *, what: str = "amount", maximum: Decimal = MAX_MONEY) -> Decimal:
    """Parse euros into an exact ``Decimal`` with two places, at most ``maximum`` either way.

    Accepts ``Decimal``, ``int`` or a decimal string of ASCII digits (``25``, ``25.00``,
    ``1234.5``). Refuses floats (inexact), exponents (``1e3``), more than two decimal
    places, non-finite values and amounts beyond ``maximum`` euros.
    """
    if isinstance(value, bool | float):
        raise InvalidValue(
            _("{what} must be a decimal number of euros, not {value}").format(
                what=what, value=show(value)
            )
        )
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > _LONGEST_NUMBER or not _DECIMAL.fullmatch(text):
            raise InvalidValue(
                _(
                    "{what} {value} is not a decimal number of euros "
                    "(digits 0-9, at most {maximum} euros)"
                ).format(what=what, value=show(value), maximum=bound(int(maximum)))
            )
        amount = Decimal(text)
    else:
        raise InvalidValue(
            _("{what} {value} is not a decimal number of euros").format(
                what=what, value=show(value)
            )
        )
    if not amount.is_finite():
        raise InvalidValue(
            _("{what} {value} is not a finite amount").format(what=what, value=show(value))
        )
    if abs(amount) > maximum:
        raise InvalidValue(
            _("{what} {value} is more than {maximum} euros").format(
                what=what, value=show(value), maximum=bound(int(maximum))
            )
        )
    cents = amount.quantize(CENT)
    if amount != cents:
        raise InvalidValue(
            _("{what} {value} has more than two decimal places (cents)").format(
                what=what, value=show(value)
            )
        )
    return cents if cents else ZERO  # never -0.00


def positive_money(value: object, *, what: str = "amount", maximum: Decimal = MAX_MONEY) -> Decimal:
    """Like :func:`parse_money`, but the amount must be greater than zero."""
    amount = parse_money(value, what=what, maximum=maximum)
    if amount <= 0:
        raise InvalidValue(
            _("{what} must be greater than zero, not {amount}").format(
                what=what, amount=money(amount)
            )
        )
    return amount


def non_negative_money(value: object, *, what: str = "amount") -> Decimal:
    """Like :func:`parse_money`, but the amount may not be negative."""
    amount = parse_money(value, what=what)
    if amount < 0:
        raise InvalidValue(
            _("{what} may not be negative, not {amount}").format(what=what, amount=money(amount))
        )
    return amount


def share_value(value: object, *, what: str = "share value") -> Decimal:
    """The nominal value of one share: more than zero, at most 1,000,000 euros."""
    return positive_money(value, what=what, maximum=MAX_SHARE_VALUE)


def whole_number(value: object, *, what: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``: an ``int``, ASCII digits with an optional
    sign, or an integral ``Decimal`` (a JSON file's ``3.0``)."""
    refused = InvalidValue(
        _("{what} {value} is not a whole number from {low} to {high}").format(
            what=what, value=show(value), low=bound(low), high=bound(high)
        )
    )
    number: int
    if isinstance(value, bool):
        raise refused
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not _WHOLE.fullmatch(text):
            raise refused
        if len(text.lstrip("+-").lstrip("0")) > _LONGEST_NUMBER:  # int() of it may fail
            raise refused
        number = int(text)
    elif isinstance(value, Decimal):
        if not value.is_finite() or abs(value) >= 10**_LONGEST_NUMBER:
            raise refused
        if value != value.to_integral_value():
            raise refused
        number = int(value)
    else:
        raise refused
    if number < low:
        raise InvalidValue(
            _("{what} must be at least {low}, not {value}").format(
                what=what, low=bound(low), value=show(number)
            )
        )
    if number > high:
        raise InvalidValue(
            _("{what} must be at most {high}, not {value}").format(
                what=what, high=bound(high), value=show(number)
            )
        )
    return number


def share_count(value: object, *, what: str = "shares") -> int:
    """A whole number of shares from 1 to 1,000,000,000."""
    return whole_number(value, what=what, low=1, high=MAX_SHARES)


def parse_date(value: object, *, what: str = "date") -> date:
    """A date written ``YYYY-MM-DD`` (ASCII digits, nothing else), from 1900-01-01 to
    2199-12-31. A ``date`` is checked for the same range; a ``datetime`` is refused."""
    if isinstance(value, str):
        match = _DATE.fullmatch(value.strip())
        if match is None:
            raise InvalidValue(not_a_date(what, value))
        year, month, day_of_month = match.groups()
        try:
            value = date(int(year), int(month), int(day_of_month))
        except ValueError:
            raise InvalidValue(not_a_date(what, value)) from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidValue(not_a_date(what, value))
    if not MIN_DATE <= value <= MAX_DATE:
        raise InvalidValue(
            _("{what} {date} is not between {first} and {last}").format(
                what=what, date=day(value), first=day(MIN_DATE), last=day(MAX_DATE)
            )
        )
    return value


def far_ahead(on: date, today: date | None = None) -> str | None:
    """A warning when ``on`` lies more than a year after ``today``: such a date is recorded
    (a statute or a contract may fix it), but it is more often a typo."""
    today = date.today() if today is None else today
    if on - today <= FAR_AHEAD:
        return None
    return _(
        "warning: the date {date} is more than a year ahead of today ({today}); recorded as given"
    ).format(date=day(on), today=day(today))


def parse_moment(value: object, *, what: str = "date-time") -> datetime:
    """An ISO 8601 moment as UTC: ``YYYY-MM-DD`` (the end of that day, UTC) or
    ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` with ``Z`` or ``+HH:MM`` (none means UTC); its UTC
    date lies from 1900-01-01 to 2199-12-31."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        if _DATE.fullmatch(text):
            return datetime.combine(parse_date(text, what=what), time.max, tzinfo=UTC)
        if not _MOMENT.fullmatch(text):
            raise InvalidValue(not_a_moment(what, value))
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise InvalidValue(not_a_moment(what, value)) from None
    else:
        raise InvalidValue(not_a_moment(what, value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not MIN_DATE <= moment.date() <= MAX_DATE:  # before converting, which may overflow
        raise InvalidValue(_moment_out_of_range(what, value))
    moment = moment.astimezone(UTC)
    if not MIN_DATE <= moment.date() <= MAX_DATE:
        raise InvalidValue(_moment_out_of_range(what, value))
    return moment


def _moment_out_of_range(what: str, value: object) -> str:
    return _("{what} {value} is not between {first} and {last}").format(
        what=what, value=show(value), first=day(MIN_DATE), last=day(MAX_DATE)
    )


# ----------------------------------------------------------------- text and identifiers

# Single-line fields refuse every control character (tab included) and the Unicode line and
# paragraph separators; notes may also hold a line break or a tab. Lone surrogates are what
# undecodable bytes become in an argument or a file: refused as not UTF-8.
_SINGLE_LINE_BAD = frozenset({"Cc", "Cs", "Zl", "Zp"})
_NOTE_OK = frozenset("\n\t")


def _check_text(value: object, what: str, limit: int, allowed: frozenset[str]) -> str:
    if not isinstance(value, str):
        raise InvalidValue(
            _("{what} must be text, not {value}").format(what=what, value=show(value))
        )
    if len(value) > limit:
        raise InvalidValue(
            _("{what} is {length} characters long: at most {limit}").format(
                what=what, length=grouped(len(value)), limit=grouped(limit)
            )
        )
    if value.isprintable():  # no control character, surrogate or line separator at all
        return value
    for char in value:
        kind = unicodedata.category(char)
        if kind == "Cs":
            raise InvalidValue(
                _("{what} {value} is not valid UTF-8 text").format(what=what, value=show(value))
            )
        if kind in _SINGLE_LINE_BAD and char not in allowed:
            raise InvalidValue(
                _("{what} {value} holds a control character ({code})").format(
                    what=what, value=show(value), code=f"U+{ord(char):04X}"
                )
            )
    return value


def single_line(value: object, *, what: str, limit: int = MAX_NAME) -> str:
    """One line of text (a name, a reference): no control character, at most ``limit``."""
    return _check_text(value, what, limit, frozenset())


def note_text(value: object, *, what: str = "note", limit: int = MAX_NOTE) -> str:
    """Free text (a note, a reason): line breaks (``\\r\\n`` becomes ``\\n``) and tabs are
    kept; no other control character; at most ``limit`` characters."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n")
    return _check_text(value, what, limit, _NOTE_OK)


def person_ref(value: str) -> str:
    """A person's reference inside a cooperative: employee number or slug."""
    if not isinstance(value, str) or not _PERSON_RE.fullmatch(value):
        raise InvalidValue(
            _(
                "person {value} is not a valid reference "
                "(letters, digits, '.', '_' or '-', at most 64, starting with a letter or digit)"
            ).format(value=show(value))
        )
    return value


def coop_slug(value: str) -> str:
    """A cooperative's slug: lower-case letters, digits and dashes."""
    if not isinstance(value, str) or not _SLUG_RE.fullmatch(value):
        raise InvalidValue(
            _(
                "cooperative slug {value} is not valid "
                "(lower-case letters, digits and '-', at most 64, starting with a letter or digit)"
            ).format(value=show(value))
        )
    return value
