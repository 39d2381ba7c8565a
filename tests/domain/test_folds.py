"""The folds' handler tables: one handler per kind of effective entry, found by the entry's
``ACTION``; an event that is not an effective entry is refused, never skipped."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from scop_ledger.domain import cooperative_fold, member_fold
from scop_ledger.domain.cooperative import Cooperative
from scop_ledger.domain.entries import EntryMeta, UnfoldableEntry
from scop_ledger.domain.member import Member
from scop_ledger.domain.statutes import Statutes, Terms
from scop_ledger.domain.values import LegalForm, Office, TerminationReason

D = date.fromisoformat
TERMS = Terms(share_value=Decimal("25.00"), registered_on=D("2016-01-01"))
META = EntryMeta(recorded_by="tester")


def entry_kinds(aggregate: type) -> dict[str, type]:
    """Each entry class of ``aggregate`` by its ACTION (checking that no two share one)."""
    classes = {  # a set: ``Created`` names the registration twice
        value
        for value in vars(aggregate).values()
        if isinstance(value, type)
        and issubclass(value, aggregate.Entry)  # type: ignore[attr-defined]
        and value is not aggregate.Entry  # type: ignore[attr-defined]
    }
    # and the entries defined beside the aggregate (a transfer's: domain/transfer.py)
    classes |= set(aggregate.Entry.__subclasses__())  # type: ignore[attr-defined]
    kinds = {cls.ACTION: cls for cls in classes}  # type: ignore[attr-defined]
    assert len(kinds) == len(classes), "two entry classes share an ACTION"
    assert "" not in kinds, "an entry class without its ACTION"
    return kinds


def test_every_member_entry_but_the_reversal_has_a_fold_handler() -> None:
    kinds = entry_kinds(Member)
    assert set(member_fold.HANDLERS) == set(kinds) - {"reverse"}


def test_every_cooperative_entry_but_the_reversal_has_a_fold_handler() -> None:
    kinds = entry_kinds(Cooperative)
    assert set(cooperative_fold.HANDLERS) == set(kinds) - {"reverse"}


def hired_then_reversed() -> Member:
    m = Member.register("acme", "alice")
    m.hire(D("2016-01-01"), TERMS, META)
    m.reverse(D("2016-02-01"), 2, "typo", TERMS, META)
    return m


def test_the_member_fold_refuses_a_reversal_and_a_registration() -> None:
    m = hired_then_reversed()
    registered, _hired, reversal = m.collect_events()
    for event in (reversal, registered):
        fold = member_fold.MemberFold("alice", TERMS, strict=False)
        with pytest.raises(UnfoldableEntry, match=type(event).__name__):
            fold.apply(event)  # type: ignore[arg-type]


def test_the_member_fold_steps_each_kind_through_its_handler() -> None:
    m = Member.register("acme", "alice")
    m.hire(D("2016-01-01"), TERMS, META, name="Alice")
    m.admit(D("2016-02-01"), TERMS, META)
    m.subscribe(D("2016-02-01"), 4, TERMS, META, paid=Decimal("60.00"))
    m.pay_up(D("2016-03-01"), Decimal("40.00"), TERMS, META)
    m.withdraw(D("2016-04-01"), 1, TERMS, META)
    m.pay_refund(D("2016-05-01"), Decimal("25.00"), TERMS, META)
    m.terminate(D("2016-06-01"), TerminationReason.DISMISSAL, TERMS, META)
    assert [e.ACTION for e in m.log] == [
        "hire",
        "admit",
        "subscribe",
        "pay-up",
        "withdraw",
        "pay-refund",
        "terminate",
        "leave",
    ]
    s = member_fold.replay("alice", m.log, TERMS)
    assert (s.name, s.employed, s.partner, s.shares, s.paid) == (
        "Alice",
        False,
        False,
        0,
        Decimal(0),
    )
    assert [(r.cause, r.amount, r.paid) for r in s.refunds] == [
        ("withdrawal", Decimal("25.00"), Decimal("25.00")),
        ("terminated:dismissal", Decimal("75.00"), Decimal("0.00")),
    ]


def test_a_strict_member_fold_refuses_what_its_guards_refuse() -> None:
    m = Member.register("acme", "alice")
    m.hire(D("2016-01-01"), TERMS, META)
    hired = m.log[0]
    fold = member_fold.MemberFold("alice", TERMS)
    fold.apply(hired)
    with pytest.raises(member_fold.TimelineError, match="already employed"):
        fold.apply(hired)
    lenient = member_fold.MemberFold("alice", TERMS, strict=False)
    lenient.apply(hired)
    lenient.apply(hired)
    assert lenient.state.employed


def test_the_cooperative_fold_refuses_a_reversal() -> None:
    c = Cooperative.register(
        "acme", "Acme", LegalForm.SARL, Statutes(share_value=Decimal(25)), D("2016-01-01"), META
    )
    c.appoint(D("2016-01-01"), "alice", Office.MANAGER, 4, META)
    c.reverse(D("2016-02-01"), 2, "typo", META)
    reversal = c.log[-1]
    with pytest.raises(UnfoldableEntry, match="EntryReversed"):
        cooperative_fold.replay_cooperative(c.registration, [c.registration, reversal])
    state = cooperative_fold.replay_cooperative(c.registration, c.log[:2])
    assert [m.person for m in state.mandates] == ["alice"]
