from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from scop_ledger.domain.errors import InvalidValue
from scop_ledger.domain.values import (
    TerminationReason,
    coop_slug,
    far_ahead,
    note_text,
    parse_date,
    parse_moment,
    parse_money,
    person_ref,
    positive_money,
    share_count,
    share_value,
    single_line,
    whole_number,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25", "25.00"),
        ("25.00", "25.00"),
        ("1234.5", "1234.50"),
        (" 7 ", "7.00"),
        (Decimal("3.1"), "3.10"),
        (4, "4.00"),
    ],
)
def test_money_is_exact_with_two_places(text: object, expected: str) -> None:
    amount = parse_money(text)
    assert isinstance(amount, Decimal) and str(amount) == expected


@pytest.mark.parametrize("bad", ["25.001", "abc", "", "1e3", 2.5, "NaN", "inf", None, True])
def test_money_refuses_floats_and_more_than_cents(bad: object) -> None:
    with pytest.raises(InvalidValue):
        parse_money(bad)


def test_positive_money() -> None:
    with pytest.raises(InvalidValue, match="greater than zero"):
        positive_money("0")


def test_share_count() -> None:
    assert share_count("12") == 12
    for bad in ("0", "-3", "1.5", 0, None):
        with pytest.raises(InvalidValue):
            share_count(bad)


def test_references() -> None:
    assert person_ref("emp-042") == "emp-042"
    assert coop_slug("acme-2") == "acme-2"
    for bad in ("", " x", "a b", "-x", "x" * 65):
        with pytest.raises(InvalidValue):
            person_ref(bad)
    with pytest.raises(InvalidValue):
        coop_slug("Acme")


def test_only_three_reasons_keep_the_partnership() -> None:
    kept = {r for r in TerminationReason if r.keeps_partnership}
    assert kept == {
        TerminationReason.RETIREMENT,
        TerminationReason.ECONOMIC_DISMISSAL,
        TerminationReason.INVALIDITY,
    }


# ----------------------------------------------------------------- bounds (docs/concepts.md)

# Full-width, Arabic-Indic and Devanagari digits: int() and Decimal() take them, we do not.
FOREIGN_DIGITS = ["\uff14", "\u0663", "\u0967\u0968", "1\uff10"]


@pytest.mark.parametrize("text", FOREIGN_DIGITS)
def test_numbers_take_only_ascii_digits(text: str) -> None:
    with pytest.raises(InvalidValue, match="whole number"):
        share_count(text)
    with pytest.raises(InvalidValue, match="decimal number"):
        parse_money(text)


def test_share_counts_run_from_one_to_a_billion() -> None:
    assert share_count("1000000000") == 1_000_000_000
    for bad in ("1000000001", 3689348814741911, "1" + "0" * 21, "9" * 5000, Decimal("1E+30")):
        with pytest.raises(InvalidValue, match="1 to 1,000,000,000|at most 1,000,000,000, not"):
            share_count(bad)


def test_money_is_at_most_a_trillion_euros_without_exponents() -> None:
    assert parse_money("1000000000000") == Decimal("1000000000000.00")
    assert parse_money("-1000000000000") == Decimal("-1000000000000.00")
    for bad in ("1000000000000.01", "9" * 40, Decimal("1E+30"), 10**20):
        with pytest.raises(InvalidValue, match="more than 1,000,000,000,000 euros"):
            parse_money(bad)
    for bad in ("1e20", "1E3", "9" * 41, "1_000", "0x10", "--1", "Infinity", Decimal("NaN")):
        with pytest.raises(InvalidValue):
            parse_money(bad)
    assert str(parse_money("-0")) == "0.00"


def test_a_share_is_worth_more_than_nothing_and_at_most_a_million() -> None:
    assert share_value("1000000") == Decimal("1000000.00")
    for bad in ("1000000.01", "0", "1e20", "-5"):
        with pytest.raises(InvalidValue, match="share value"):
            share_value(bad)


def test_whole_numbers_name_their_bounds() -> None:
    assert whole_number(" +7 ", what="term", low=1, high=99) == 7
    assert whole_number(Decimal("3.0"), what="n", low=1, high=9) == 3
    with pytest.raises(InvalidValue, match="^entry id must be at most 99, not 9{30}$"):
        whole_number("9" * 30, what="entry id", low=1, high=99)
    with pytest.raises(InvalidValue, match="^term must be at least 1, not 0$"):
        whole_number("0", what="term", low=1, high=99)
    with pytest.raises(InvalidValue, match="^term 'x' is not a whole number from 1 to 99$"):
        whole_number("x", what="term", low=1, high=99)
    for bad in (True, 2.0, None, "", "1.5", Decimal("1.5"), Decimal("Infinity"), "1 000"):
        with pytest.raises(InvalidValue):
            whole_number(bad, what="n", low=0, high=9)


@pytest.mark.parametrize(
    "bad",
    [
        "20210105",  # date.fromisoformat takes these in Python 3.11
        "2021-W01-1",
        "2021-001",
        "2021-1-5",
        "\uff12\uff10\uff12\uff11-01-05",
        "2021-02-30",
        "2021-01-05T00:00",
        "",
        20210105,
        datetime(2021, 1, 5),
    ],
)
def test_a_date_is_yyyy_mm_dd_and_nothing_else(bad: object) -> None:
    with pytest.raises(InvalidValue, match=r"is not a date \(YYYY-MM-DD\)"):
        parse_date(bad)


def test_dates_run_from_1900_to_2199() -> None:
    assert parse_date(" 2021-01-05 ") == date(2021, 1, 5)
    assert parse_date("1900-01-01") == date(1900, 1, 1)
    assert parse_date(date(2199, 12, 31)) == date(2199, 12, 31)
    for bad in ("1899-12-31", "2200-01-01", "9999-12-31", "0001-01-01", date(9999, 12, 31)):
        with pytest.raises(InvalidValue, match="between 1900-01-01 and 2199-12-31"):
            parse_date(bad)


def test_a_date_far_ahead_gets_a_warning() -> None:
    today = date(2026, 1, 1)
    assert far_ahead(date(2026, 12, 31), today) is None
    assert far_ahead(date(2020, 1, 1), today) is None
    warning = far_ahead(date(2030, 1, 1), today)
    assert warning is not None and warning.startswith("warning: the date 2030-01-01")


def test_a_moment_is_iso_8601_within_the_same_range() -> None:
    assert parse_moment("2021-01-05") == datetime.combine(date(2021, 1, 5), time.max, UTC)
    assert parse_moment("2021-01-05T10:00+02:00") == datetime(2021, 1, 5, 8, tzinfo=UTC)
    assert parse_moment("2021-01-05T10:00:30.5Z") == datetime(2021, 1, 5, 10, 0, 30, 500000, UTC)
    assert parse_moment("2021-01-05 10:00") == datetime(2021, 1, 5, 10, tzinfo=UTC)
    # Converting these to UTC overflowed (OverflowError), or left the range.
    for bad in ("0001-01-01T00:00+14:00", "9999-12-31T23:59-14:00", "1900-01-01T00:00+01:00"):
        with pytest.raises(InvalidValue, match="between 1900-01-01 and 2199-12-31"):
            parse_moment(bad)
    for bad in ("20210105T1000", "2021-W01-1T10:00", "2021-01-05T25:00", "now", "2021-01-05T10"):
        with pytest.raises(InvalidValue, match="ISO 8601"):
            parse_moment(bad)


@pytest.mark.parametrize("make", [person_ref, coop_slug])
def test_identifiers_refuse_a_trailing_newline(make) -> None:
    assert make("acme") == "acme"
    for bad in ("acme\n", "acme\r\n", "acme\x00", "ac\udce9me"):
        with pytest.raises(InvalidValue, match="not a valid reference|is not valid"):
            make(bad)


def test_one_line_text_refuses_control_characters() -> None:
    assert single_line("Léa Müller-Ngô", what="name") == "Léa Müller-Ngô"
    for bad in ("a\x00b", "a\tb", "a\nb", "a\x1bb", "a\x85b", "a\u2028b"):
        with pytest.raises(InvalidValue, match="^name .* holds a control character"):
            single_line(bad, what="name")
    with pytest.raises(InvalidValue, match="^name 'L\\\\udce9vy' is not valid UTF-8 text$"):
        single_line("L\udce9vy", what="name")
    assert single_line("x" * 200, what="name")
    with pytest.raises(InvalidValue, match="^name is 201 characters long: at most 200$"):
        single_line("x" * 201, what="name")
    with pytest.raises(InvalidValue, match="must be text"):
        single_line(42, what="name")


def test_a_note_keeps_line_breaks_and_tabs_only() -> None:
    assert note_text("line 1\r\nline 2\tend") == "line 1\nline 2\tend"
    for bad in ("a\x00b", "a\rb", "a\x0bb", "a\u2029b"):
        with pytest.raises(InvalidValue, match="control character"):
            note_text(bad)
    with pytest.raises(InvalidValue, match="at most 2,000"):
        note_text("x" * 2001)
