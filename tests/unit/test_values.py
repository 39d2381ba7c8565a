from decimal import Decimal

import pytest

from scop_ledger.domain.errors import InvalidValue
from scop_ledger.domain.values import (
    TerminationReason,
    coop_slug,
    parse_money,
    person_ref,
    positive_money,
    share_count,
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
