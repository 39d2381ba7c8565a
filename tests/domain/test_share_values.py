"""The share value changes in the domain: the terms' schedule, the conversion of a holding in
the member's fold, the cooperative's refusal of an unchanged value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from scop_ledger.domain.member_fold import TimelineError, replay
from scop_ledger.domain.share_values import converted, schedule
from scop_ledger.domain.statutes import Terms

D = date.fromisoformat
TERMS = Terms(Decimal(25), D("2016-01-01"), share_values=((D("2020-01-01"), Decimal(50)),))


def entry(action: str, on: str, version: int, **fields) -> SimpleNamespace:
    return SimpleNamespace(ACTION=action, on=D(on), originator_version=version, **fields)


def admitted(shares: int) -> list[SimpleNamespace]:
    return [
        entry("admit", "2017-01-10", 2, name=None, legal_person=False),
        entry("subscribe", "2017-01-10", 3, shares=shares, paid=Decimal(25 * shares)),
    ]


def test_terms_value_on_and_until() -> None:
    assert TERMS.value_on(D("2019-12-31")) == 25
    assert TERMS.value_on(D("2020-01-01")) == 50
    assert TERMS.until(D("2019-12-31")).share_values == ()
    assert TERMS.until(D("2020-01-01")) is TERMS


def test_converted_keeps_the_amount_or_says_none() -> None:
    assert converted(4, Decimal(25), Decimal(50)) == 2
    assert converted(3, Decimal(25), Decimal(50)) is None
    assert converted(1, Decimal("15.24"), Decimal("3.81")) == 4
    assert converted(2, Decimal(50), Decimal("12.5")) == 8


def test_the_fold_converts_from_the_change_date() -> None:
    assert replay("a", admitted(4), TERMS.until(D("2019-12-31"))).shares == 4
    assert replay("a", admitted(4), TERMS).shares == 2
    later = [*admitted(4), entry("subscribe", "2021-01-01", 4, shares=1, paid=Decimal(50))]
    s = replay("a", later, TERMS)
    assert (s.shares, s.paid) == (3, Decimal(150))


def test_a_remainder_is_refused_naming_the_person() -> None:
    with pytest.raises(TimelineError, match="a holds 3 shares of 25 euros on 2020-01-01"):
        replay("a", admitted(3), TERMS)
    assert replay("a", admitted(3), TERMS, strict=False).shares == 3  # the read side trusts


def test_the_schedule_of_a_cooperative_log() -> None:
    log = [
        entry("change-share-value", "2021-01-01", 3, share_value=Decimal(100)),
        entry("review", "2020-06-01", 2),
        entry("change-share-value", "2020-01-01", 4, share_value=Decimal(50)),
    ]
    assert schedule(log) == ((D("2020-01-01"), Decimal(50)), (D("2021-01-01"), Decimal(100)))


def test_the_cooperative_refuses_the_value_in_force() -> None:
    from scop_ledger.domain.cooperative import Cooperative
    from scop_ledger.domain.entries import EntryMeta
    from scop_ledger.domain.errors import Refused
    from scop_ledger.domain.statutes import Statutes
    from scop_ledger.domain.values import LegalForm

    coop = Cooperative.register(
        "acme", "Acme", LegalForm.SARL, Statutes(Decimal(25)), D("2016-01-01"), EntryMeta()
    )
    with pytest.raises(Refused, match="already 25"):
        coop.change_share_value(D("2020-01-01"), Decimal("25.00"), EntryMeta())
    coop.change_share_value(D("2020-01-01"), Decimal(50), EntryMeta())
    assert coop.terms.value_on(D("2020-01-01")) == 50
    assert coop.state().share_value_on(D("2019-12-31")) == 25
