"""The command models: the one door that CLI options and import rows both go through, so a
bound checked here holds for both (docs/concepts.md, "Bounds")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from scop_ledger.app import commands as cmd
from scop_ledger.domain.errors import InvalidValue


def refused(model: type[cmd.Command], **fields: object) -> str:
    with pytest.raises(InvalidValue) as caught:
        cmd.build(model, **fields)
    message = caught.value.message
    assert "\n" not in message
    return message


def test_the_values_that_bricked_a_store_are_refused() -> None:
    assert refused(cmd.Subscribe, person="alice", shares="3689348814741911").startswith(
        "shares must be at most 1,000,000,000, not 3689348814741911"
    )
    assert "more than 1,000,000,000,000 euros" in refused(cmd.PayUp, person="a", amount="9" * 40)
    assert refused(cmd.Reverse, event="9" * 30, reason="x").startswith(
        "entry id must be at most 9,223,372,036,854,775,807"
    )
    for value in ("1e20", "1E30", Decimal("1E+20"), "1000000.01"):
        message = refused(cmd.Init, slug="a", name="A", legal_form="sarl", share_value=value)
        assert message.startswith("share-value "), message
    assert refused(cmd.Hire, person="a", on="9999-12-31") == (
        "date 9999-12-31 is not between 1900-01-01 and 2199-12-31"
    )
    assert "control character (U+0000)" in refused(cmd.Hire, person="a", name="A\x00B")
    assert "control character (U+0000)" in refused(cmd.Hire, person="a", note="A\x00B")
    assert "not a valid reference" in refused(cmd.Hire, person="a" * 64 + "\n")


def test_a_trailing_newline_is_not_the_same_person() -> None:
    assert "not a valid reference" in refused(cmd.Hire, person="alice\n")
    assert "not valid" in refused(cmd.Init, slug="acme\n", name="A", legal_form="sa", share_value=1)


def test_one_date_syntax_for_options_and_rows() -> None:
    assert cmd.build(cmd.Hire, person="a", on="2021-01-05").on == date(2021, 1, 5)
    for text in ("20210105", "2021-W01-1", "05/01/2021", "\uff12\uff10\uff12\uff11-01-05"):
        assert refused(cmd.Hire, person="a", on=text).endswith("is not a date (YYYY-MM-DD)")
    assert "boot-until" in refused(
        cmd.Init, slug="a", name="A", legal_form="sa", share_value=1, boot_until="20210105"
    )


def test_numbers_of_ascii_digits_only() -> None:
    assert "not a whole number" in refused(cmd.Subscribe, person="a", shares="\uff14")
    assert "not a decimal number" in refused(cmd.PayUp, person="a", amount="\u0665")
    assert refused(cmd.Appoint, person="a", office="manager", term_years="\u0663").startswith(
        "term-years '\u0663' is not a whole number from 1 to 99"
    )
    assert "external-vote-cap" in refused(
        cmd.Init, slug="a", name="A", legal_form="sa", share_value=1, external_vote_cap="0.\uff13"
    )


def test_an_empty_paid_is_not_full_payment() -> None:
    assert cmd.build(cmd.Subscribe, person="a", shares="2").paid is None
    assert refused(cmd.Subscribe, person="a", shares="2", paid="").startswith("paid is empty")
    assert refused(cmd.Subscribe, person="a", shares="2", paid="  ").startswith("paid is empty")
    assert cmd.build(cmd.Subscribe, person="a", shares="2", paid="0").paid == Decimal("0.00")


def test_amounts_paid_are_positive_and_allocations_not_negative() -> None:
    assert "greater than zero" in refused(cmd.PayUp, person="a", amount="0")
    assert "greater than zero" in refused(cmd.PayRefund, person="a", amount="-1")
    parts = dict(legal_reserve=0, development_fund=0, employees=0, dividends=0)
    assert cmd.build(cmd.Allocate, year="2023", surplus="-5", **parts).surplus == Decimal("-5.00")
    assert "dividends may not be negative" in refused(
        cmd.Allocate, year="2023", surplus="5", **{**parts, "dividends": "-1"}
    )
    assert refused(cmd.Allocate, year="2200", surplus="5", **parts).startswith(
        "year must be at most 2199"
    )


def test_text_fields_have_a_length_and_no_control_characters() -> None:
    kept = cmd.build(cmd.Hire, person="a", name="Léa", note="two\r\nlines\tand a tab")
    assert kept.note == "two\nlines\tand a tab"
    assert refused(cmd.Hire, person="a", name="x" * 201) == (
        "name is 201 characters long: at most 200"
    )
    assert refused(cmd.Hire, person="a", ref="x" * 201).startswith("ref is 201")
    assert refused(cmd.Hire, person="a", note="x" * 2001).startswith("note is 2,001")
    assert "control character" in refused(cmd.Hire, person="a", name="two\nlines")
    assert "control character" in refused(cmd.Review, reviewer="URSCOP\t")
    assert "control character" in refused(cmd.Review, reviewer="U", reservations="\x1b[31m")
    assert "control character" in refused(cmd.Reverse, event="3", reason="oops\x00")
    assert "not valid UTF-8 text" in refused(cmd.Hire, person="a", name="L\udce9vy")
    assert "control character" in refused(cmd.Hire, person="a", source="id:\x00")


def test_a_number_where_text_is_expected_is_that_text() -> None:
    """A spreadsheet keeps an employee number or a reference typed as digits as a number."""
    built = cmd.build(cmd.Hire, person=42, ref=2021, name="N")
    assert (built.person, built.ref) == ("42", "2021")
    assert "not a valid reference" in refused(cmd.Hire, person=True)
    assert "must be text" in refused(cmd.Hire, person="a", ref=Decimal("1.5"))
