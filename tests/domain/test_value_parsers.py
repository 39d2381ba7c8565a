"""The value parsers at the door: any input either becomes a value within the bounds of
docs/concepts.md or raises InvalidValue (never another exception, which the CLI would report
as an unexpected failure), and every value within the bounds reads back as itself."""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scop_ledger.app import commands as cmd
from scop_ledger.domain.errors import InvalidValue
from scop_ledger.domain.values import (
    MAX_DATE,
    MAX_MONEY,
    MAX_NAME,
    MAX_NOTE,
    MAX_SHARE_VALUE,
    MAX_SHARES,
    MIN_DATE,
    coop_slug,
    note_text,
    parse_date,
    parse_moment,
    parse_money,
    person_ref,
    share_count,
    share_value,
    single_line,
    whole_number,
)

# Text near the formats, so that many cases get past the first check: digits of every script,
# signs, points, exponents, separators, spaces, control characters and lone surrogates.
NEAR = st.text(
    alphabet=st.sampled_from(
        [
            *string.digits,
            "-",
            "+",
            ".",
            ":",
            "T",
            "Z",
            "e",
            "E",
            " ",
            "\n",
            "\x00",
            "_",
            ",",
            "\uff11",
            "\u0663",
            "\u0967",
            "\udce9",
            "W",
            "a",
            "/",
        ]
    ),
    max_size=45,
)
ANY_TEXT = st.text(max_size=300)
VALUES = st.one_of(
    NEAR,
    ANY_TEXT,
    st.integers(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, UTC])),
    st.lists(st.integers(), max_size=2),
)


def outcome(parse: Callable[[Any], Any], value: object) -> Any:
    """The parsed value, or None when ``parse`` refused it with InvalidValue (and a one-line
    message); any other exception fails the test."""
    try:
        return parse(value)
    except InvalidValue as error:
        assert error.message and "\n" not in error.message, error.message
        return None


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_numbers_are_in_bounds_or_refused(value: object) -> None:
    money = outcome(parse_money, value)
    if money is not None:
        assert isinstance(money, Decimal) and abs(money) <= MAX_MONEY
        assert money == money.quantize(Decimal("0.01")) and money.as_tuple().exponent == -2
    worth = outcome(share_value, value)
    if worth is not None:
        assert 0 < worth <= MAX_SHARE_VALUE
    shares = outcome(share_count, value)
    if shares is not None:
        assert type(shares) is int and 1 <= shares <= MAX_SHARES
    if isinstance(value, str) and any(c not in string.printable for c in value.strip()):
        assert money is None and shares is None  # only ASCII digits make a number


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_dates_and_moments_are_in_bounds_or_refused(value: object) -> None:
    day = outcome(parse_date, value)
    if day is not None:
        assert type(day) is date and MIN_DATE <= day <= MAX_DATE
    moment = outcome(parse_moment, value)
    if moment is not None:
        assert moment.tzinfo is UTC and MIN_DATE <= moment.date() <= MAX_DATE


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_text_and_identifiers_are_clean_or_refused(value: object) -> None:
    for parse in (person_ref, coop_slug):
        ident = outcome(parse, value)
        if ident is not None:
            assert ident.isascii() and ident.isprintable() and len(ident) <= 64
    line = outcome(lambda v: single_line(v, what="name"), value)
    if line is not None:
        assert len(line) <= MAX_NAME and not controls(line)
    note = outcome(note_text, value)
    if note is not None:
        assert len(note) <= MAX_NOTE and controls(note) <= {"\n", "\t"}


def controls(text: str) -> set[str]:
    """The control characters, lone surrogates and line separators in ``text``."""
    return {c for c in text if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")}


@settings(max_examples=300, deadline=None)
@given(
    action=st.sampled_from(sorted(cmd.ACTIONS)),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "on",
                "person",
                "shares",
                "paid",
                "amount",
                "name",
                "note",
                "ref",
                "year",
                "term_years",
                "event",
                "reason",
                "surplus",
                "share_value",
                "boot_until",
                "slug",
                "external_vote_cap",
                "refund_delay_years",
                "office",
                "legal_form",
                "reviewer",
            ]
        ),
        VALUES,
        max_size=6,
    ),
)
def test_a_command_is_built_or_refused_in_one_line(action: str, fields: dict) -> None:
    """What the CLI and the import rows build: never an exception other than InvalidValue."""
    outcome(lambda f: cmd.build(cmd.ACTIONS[action], **f), fields)


# ----------------------------------------------------------------- values read back as themselves

CENTS = st.integers(min_value=-(10**14), max_value=10**14).map(lambda c: Decimal(c) / 100)


@given(CENTS)
def test_money_reads_back(amount: Decimal) -> None:
    assert parse_money(str(amount)) == amount
    assert parse_money(f"{amount:.2f}") == amount
    assert parse_money(amount) == amount


@given(st.integers(min_value=1, max_value=MAX_SHARES))
def test_share_counts_read_back(count: int) -> None:
    assert share_count(str(count)) == count == share_count(count)


@given(st.integers(), st.integers(), st.integers())
def test_whole_numbers_read_back_within_their_bounds(a: int, b: int, n: int) -> None:
    low, high = min(a, b), max(a, b)
    parsed = outcome(lambda v: whole_number(v, what="n", low=low, high=high), str(n))
    if low <= n <= high and len(str(n)) <= 40:
        assert parsed == n
    else:
        assert parsed is None


@given(st.dates(min_value=MIN_DATE, max_value=MAX_DATE))
def test_dates_read_back(day: date) -> None:
    assert parse_date(day.isoformat()) == day == parse_date(day)


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30), timezones=st.just(UTC)
    ),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_moments_read_back_in_any_offset(moment: datetime, minutes: int) -> None:
    local = moment.astimezone(timezone(timedelta(minutes=minutes)))
    assert parse_moment(local.isoformat()) == moment
    assert parse_moment(moment.isoformat().replace("+00:00", "Z")) == moment


@given(st.text(max_size=MAX_NAME).filter(lambda t: not controls(t)))
def test_printable_names_read_back(name: str) -> None:
    assert single_line(name, what="name") == name
