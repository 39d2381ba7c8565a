"""Transfers of shares between two partners (cession de parts; domain/transfer.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scop_ledger.domain.entries import EntryMeta
from scop_ledger.domain.errors import InvalidValue, Refused
from scop_ledger.domain.member import Member
from scop_ledger.domain.statutes import Terms
from scop_ledger.domain.transfer import SharesTransferred, reverse_transfer, transfer
from scop_ledger.domain.transfer_fold import TRANSFERRED
from scop_ledger.domain.values import Category, LeaveReason

D = date.fromisoformat
TERMS = Terms(share_value=Decimal("25.00"), registered_on=D("2016-01-01"))
META = EntryMeta(recorded_by="tester")


def partner(
    person: str, shares: int = 40, employed: bool = True, paid: str | None = None
) -> Member:
    m = Member.register("acme", person)
    if employed:
        m.hire(D("2016-01-01"), TERMS, META)
    m.admit(D("2016-02-01"), TERMS, META)
    m.subscribe(D("2016-02-01"), shares, TERMS, META, paid=None if paid is None else Decimal(paid))
    return m


def state(m: Member, on: str = "2030-01-01"):
    return m.state(TERMS, until=D(on))


def test_a_transfer_moves_shares_and_their_paid_up_euros() -> None:
    alice, bob = partner("alice"), partner("bob", 10, employed=False)
    transfer(alice, bob, D("2020-01-01"), 15, TERMS, META, price=Decimal("400"))
    out, inward = alice.log[-1], bob.log[-1]
    assert isinstance(out, SharesTransferred) and isinstance(inward, SharesTransferred)
    assert (out.direction, out.counterparty, out.counterpart) == (
        "out",
        "bob",
        inward.originator_version,
    )
    assert (inward.direction, inward.counterparty, inward.counterpart) == (
        "in",
        "alice",
        out.originator_version,
    )
    assert (out.shares, out.paid, out.price) == (15, Decimal("375.00"), Decimal("400"))
    assert out.timestamp == inward.timestamp  # one entry: one moment of recording
    a, b = state(alice), state(bob)
    assert (a.shares, a.paid, a.partner, a.refunds) == (25, Decimal("625.00"), True, [])
    assert (b.shares, b.paid, b.category) == (25, Decimal("625.00"), Category.EXTERNAL)
    # Before the date, nothing moved.
    assert state(alice, "2019-12-31").shares == 40


def test_the_paid_up_euros_move_in_proportion_rounded_up_to_the_cent() -> None:
    alice, bob = partner("alice", 3, paid="50.00"), partner("bob", 1)
    transfer(alice, bob, D("2020-01-01"), 2, TERMS, META)
    assert alice.log[-1].paid == Decimal("33.34")  # type: ignore[attr-defined]
    assert (state(alice).paid, state(bob).paid) == (Decimal("16.66"), Decimal("58.34"))


def test_transferring_every_share_ends_the_partnership_without_a_refund() -> None:
    alice, bob = partner("alice"), partner("bob", 1)
    transfer(alice, bob, D("2020-01-01"), 40, TERMS, META)
    assert [e.ACTION for e in alice.log[-3:]] == ["transfer", "leave", "terminate"]
    ended = alice.log[-2]
    assert ended.cause == TRANSFERRED  # type: ignore[attr-defined]
    assert ended.consequence_of == alice.log[-3].originator_version  # type: ignore[attr-defined]
    a = state(alice)
    assert (a.partner, a.employed, a.shares, a.refunds, a.refund_outstanding) == (
        False,
        False,
        0,
        [],
        Decimal(0),
    )
    assert state(bob).shares == 41


def test_an_external_sender_keeps_no_employment_to_end() -> None:
    alice, bob = partner("alice", employed=False), partner("bob", 1)
    transfer(alice, bob, D("2020-01-01"), 40, TERMS, META)
    assert [e.ACTION for e in alice.log[-2:]] == ["transfer", "leave"]


@pytest.mark.parametrize(
    ("shares", "receiver", "on", "error", "words"),
    [
        (41, "bob", "2020-01-01", Refused, "holds 40 shares on 01/01/2020: cannot transfer 41"),
        (5, "carol", "2020-01-01", Refused, "carol is not a partner on"),
        (5, "alice", "2020-01-01", Refused, "to themselves"),
        (5, "bob", "2016-01-15", Refused, "alice is not a partner on"),
        (0, "bob", "2020-01-01", InvalidValue, "shares"),
    ],
)
def test_refusals_record_nothing(
    shares: int, receiver: str, on: str, error: type[Exception], words: str
) -> None:
    alice, bob = partner("alice"), partner("bob", 1)
    carol = Member.register("acme", "carol")
    carol.hire(D("2016-01-01"), TERMS, META)
    others = {"bob": bob, "carol": carol, "alice": alice}
    before = {p: len(m.log) for p, m in others.items()}
    with pytest.raises(error) as raised:
        transfer(alice, others[receiver], D(on), shares, TERMS, META)
    assert words in str(raised.value).replace("2020-01-01", "01/01/2020")
    assert {p: len(m.log) for p, m in others.items()} == before


def test_a_negative_price_is_invalid() -> None:
    alice, bob = partner("alice"), partner("bob", 1)
    with pytest.raises(InvalidValue, match="price"):
        transfer(alice, bob, D("2020-01-01"), 1, TERMS, META, price=Decimal("-1"))


def test_a_back_dated_transfer_that_breaks_a_later_entry_is_refused() -> None:
    alice, bob = partner("alice"), partner("bob", 1)
    alice.withdraw(D("2021-01-01"), 30, TERMS, META)
    with pytest.raises(Refused, match="later withdraw"):
        transfer(alice, bob, D("2020-01-01"), 15, TERMS, META)
    bob.leave(D("2019-01-01"), LeaveReason.EXCLUSION, TERMS, META)
    with pytest.raises(Refused, match="bob is not a partner"):
        transfer(alice, bob, D("2020-01-01"), 5, TERMS, META)


def test_a_receiver_cannot_leave_before_a_transfer_they_received() -> None:
    alice, bob = partner("alice"), partner("bob", 1)
    transfer(alice, bob, D("2020-01-01"), 5, TERMS, META)
    with pytest.raises(Refused, match="later transfer"):
        bob.leave(D("2019-06-01"), LeaveReason.EXCLUSION, TERMS, META)


def test_reversing_either_side_reverses_both() -> None:
    alice, bob = partner("alice"), partner("bob", 1)
    transfer(alice, bob, D("2020-01-01"), 40, TERMS, META)
    out_version = alice.log[-3].originator_version
    in_version = bob.log[-1].originator_version
    reverse_transfer(bob, alice, in_version, D("2020-02-01"), "wrong buyer", TERMS, META)
    assert alice.log[-1].versions == [out_version, out_version + 1, out_version + 2]  # type: ignore[attr-defined]
    assert bob.log[-1].versions == [in_version]  # type: ignore[attr-defined]
    a, b = state(alice), state(bob)
    assert (a.partner, a.employed, a.shares, b.shares) == (True, True, 40, 1)


def test_a_reversal_that_would_break_the_receivers_later_entry_is_refused() -> None:
    alice, bob = partner("alice"), partner("bob", 1)
    transfer(alice, bob, D("2020-01-01"), 10, TERMS, META)
    bob.withdraw(D("2021-01-01"), 5, TERMS, META)
    version = alice.log[-1].originator_version
    with pytest.raises(Refused, match="without it, the withdraw of bob"):
        reverse_transfer(alice, bob, version, D("2021-02-01"), "oops", TERMS, META)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abc"), st.integers(1, 30))))
def test_transfers_never_change_the_capital(moves: list[tuple[str, str, int]]) -> None:
    people = {p: partner(p, 20, paid="300") for p in "abc"}
    on = D("2020-01-01")
    for sender, receiver, shares in moves:
        try:
            transfer(people[sender], people[receiver], on, shares, TERMS, META)
        except Refused:
            continue
    states = [state(m) for m in people.values()]
    assert sum(s.shares for s in states) == 60
    assert sum((s.paid for s in states), Decimal(0)) == Decimal("900")
    assert all(s.refund_outstanding == 0 for s in states)
    assert all(0 <= s.paid <= s.shares * TERMS.share_value for s in states)


def test_shares_received_before_a_transfer_of_every_share_are_not_lost() -> None:
    alice, bob, carol = partner("alice"), partner("bob", 10), partner("carol", 5)
    transfer(bob, carol, D("2021-01-01"), 10, TERMS, META)  # bob's partnership ends
    with pytest.raises(Refused, match="would still hold 5 shares"):
        transfer(alice, bob, D("2020-01-01"), 5, TERMS, META)
    assert state(alice).shares == 40 and state(bob).shares == 0
