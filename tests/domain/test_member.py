"""The Member aggregate, read like the law's cases (loi 78-763 art. 10-11; CONTRACT.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from scop_ledger.domain.entries import EntryMeta
from scop_ledger.domain.errors import InvalidValue, Refused
from scop_ledger.domain.member import Member, effective_entries, member_id
from scop_ledger.domain.statutes import Terms
from scop_ledger.domain.values import Category, LeaveReason, TerminationReason

D = date.fromisoformat
TERMS = Terms(share_value=Decimal("25.00"), registered_on=D("2016-01-01"))
META = EntryMeta(recorded_by="tester")


def new(person: str = "alice") -> Member:
    return Member.register("acme", person)


def partner(employed: bool = True, shares: int = 40) -> Member:
    m = new()
    if employed:
        m.hire(D("2016-01-01"), TERMS, META, name="Alice Martin")
    m.admit(D("2016-02-01"), TERMS, META)
    m.subscribe(D("2016-02-01"), shares, TERMS, META)
    return m


def actions(m: Member) -> list[str]:
    return [e.ACTION for e in m.log]


def test_id_is_uuid5_of_coop_and_person() -> None:
    assert new().id == member_id("acme", "alice")
    assert member_id("acme", "alice") != member_id("other", "alice")


def test_every_event_is_recorded_with_its_date_and_source() -> None:
    m = partner()
    m.subscribe(D("2016-03-01"), 4, TERMS, META, paid=Decimal("50"))
    m.pay_up(D("2016-04-01"), Decimal("50"), TERMS, META)
    m.withdraw(D("2017-01-01"), 4, TERMS, META)
    m.terminate(D("2018-01-01"), TerminationReason.RETIREMENT, TERMS, META)
    m.leave(
        D("2019-01-01"),
        LeaveReason.RESIGNATION,
        TERMS,
        EntryMeta(ref="letter", note="n", recorded_by="bob"),
    )
    m.pay_refund(D("2019-06-01"), Decimal("100"), TERMS, META)
    assert actions(m) == [
        "hire",
        "admit",
        "subscribe",
        "subscribe",
        "pay-up",
        "withdraw",
        "terminate",
        "leave",
        "pay-refund",
    ]
    leave = m.log[7]
    assert (leave.on, leave.ref, leave.note, leave.recorded_by) == (
        D("2019-01-01"),
        "letter",
        "n",
        "bob",
    )
    assert all(e.timestamp.tzinfo is not None for e in m.log)


def test_categories_follow_employment() -> None:
    m = partner(employed=True)
    assert m.state(TERMS).category is Category.EMPLOYEE
    ext = new("investor")
    ext.admit(D("2016-02-01"), TERMS, META)
    assert ext.state(TERMS).category is Category.EXTERNAL
    assert new("nobody").state(TERMS).category is None


@pytest.mark.parametrize(
    "reason",
    [
        TerminationReason.RETIREMENT,
        TerminationReason.ECONOMIC_DISMISSAL,
        TerminationReason.INVALIDITY,
    ],
)
def test_retirement_economic_dismissal_and_invalidity_keep_the_partner_as_external(
    reason: TerminationReason,
) -> None:
    m = partner()
    m.terminate(D("2020-06-30"), reason, TERMS, META)
    assert actions(m)[-1] == "terminate"
    s = m.state(TERMS)
    assert s.partner and not s.employed and s.category is Category.EXTERNAL
    assert s.shares == 40 and s.refunds == []


@pytest.mark.parametrize(
    "reason",
    [
        TerminationReason.RESIGNATION,
        TerminationReason.DISMISSAL,
        TerminationReason.MUTUAL_AGREEMENT,
        TerminationReason.END_OF_CONTRACT,
        TerminationReason.DEATH,
    ],
)
def test_other_ends_of_contract_end_the_partnership_as_an_entry_of_its_own(
    reason: TerminationReason,
) -> None:
    m = partner()
    m.terminate(D("2020-06-30"), reason, TERMS, META)
    assert actions(m)[-2:] == ["terminate", "leave"]
    ended = m.log[-1]
    assert isinstance(ended, Member.PartnershipEnded)
    assert ended.cause == f"terminated:{reason.value}"
    assert ended.consequence_of == m.log[-2].originator_version
    s = m.state(TERMS)
    assert not s.partner and s.shares == 0 and s.paid == 0
    assert [(r.since, r.amount, r.cause) for r in s.refunds] == [
        (D("2020-06-30"), Decimal("1000.00"), f"terminated:{reason.value}")
    ]


def test_termination_of_a_non_partner_has_no_consequence() -> None:
    m = new()
    m.hire(D("2016-01-01"), TERMS, META)
    m.terminate(D("2017-01-01"), TerminationReason.DISMISSAL, TERMS, META)
    assert actions(m) == ["hire", "terminate"]


def test_resignation_from_partnership_ends_a_running_employment() -> None:
    m = partner()
    m.leave(D("2020-01-31"), LeaveReason.RESIGNATION, TERMS, META)
    assert actions(m)[-2:] == ["leave", "terminate"]
    s = m.state(TERMS)
    assert not s.partner and not s.employed


def test_resignation_statute_flag_off_keeps_employment() -> None:
    terms = Terms(TERMS.share_value, TERMS.registered_on, resignation_ends_employment=False)
    m = partner()
    m.leave(D("2020-01-31"), LeaveReason.RESIGNATION, terms, META)
    assert actions(m)[-1] == "leave"
    assert m.state(terms).employed


def test_exclusion_does_not_end_employment() -> None:
    m = partner()
    m.leave(D("2020-01-31"), LeaveReason.EXCLUSION, TERMS, META)
    assert actions(m)[-1] == "leave"
    s = m.state(TERMS)
    assert s.employed and not s.partner


def test_death_ends_both_and_forbids_later_hiring() -> None:
    m = partner()
    m.leave(D("2020-01-31"), LeaveReason.DEATH, TERMS, META)
    assert actions(m)[-2:] == ["leave", "terminate"]
    with pytest.raises(Refused, match="died on 2020-01-31"):
        m.hire(D("2021-01-01"), TERMS, META)
    # Heirs are still refunded.
    m.pay_refund(D("2021-01-01"), Decimal("1000"), TERMS, META)
    assert m.state(TERMS).refund_outstanding == 0


def test_no_second_hiring_and_no_second_admission() -> None:
    m = partner()
    with pytest.raises(Refused, match="already employed"):
        m.hire(D("2017-01-01"), TERMS, META)
    with pytest.raises(Refused, match="already a partner"):
        m.admit(D("2017-01-01"), TERMS, META)
    m.terminate(D("2018-01-01"), TerminationReason.END_OF_CONTRACT, TERMS, META)
    m.hire(D("2019-01-01"), TERMS, META)
    m.admit(D("2020-01-01"), TERMS, META)  # a former partner may be admitted again
    assert m.state(TERMS).partner


def test_admission_is_never_refused_for_seniority() -> None:
    m = new()
    m.hire(D("2020-01-01"), TERMS, META)
    m.admit(D("2020-01-02"), TERMS, META)
    assert m.state(TERMS).category is Category.EMPLOYEE


def test_a_legal_person_is_external_and_cannot_be_hired() -> None:
    m = new("coopfund")
    m.admit(D("2016-02-01"), TERMS, META, legal_person=True)
    assert m.state(TERMS).category is Category.EXTERNAL
    with pytest.raises(Refused, match="legal person and cannot be hired"):
        m.hire(D("2017-01-01"), TERMS, META)
    e = new("emp")
    e.hire(D("2016-01-01"), TERMS, META)
    with pytest.raises(Refused, match="cannot be admitted as a legal person"):
        e.admit(D("2016-02-01"), TERMS, META, legal_person=True)


def test_subscription_and_withdrawal_need_a_partner_on_that_date() -> None:
    m = new()
    m.hire(D("2016-01-01"), TERMS, META)
    with pytest.raises(Refused, match="not a partner on 2016-01-05"):
        m.subscribe(D("2016-01-05"), 1, TERMS, META)
    m.admit(D("2016-02-01"), TERMS, META)
    with pytest.raises(Refused, match="not a partner on 2016-01-31"):
        m.subscribe(D("2016-01-31"), 1, TERMS, META)
    with pytest.raises(Refused, match="not a partner"):
        m.withdraw(D("2016-01-31"), 1, TERMS, META)


def test_paid_never_above_subscribed() -> None:
    m = new()
    m.admit(D("2016-02-01"), TERMS, META)
    with pytest.raises(InvalidValue, match="more than the 2 shares are worth"):
        m.subscribe(D("2016-02-01"), 2, TERMS, META, paid=Decimal("50.01"))
    m.subscribe(D("2016-02-01"), 2, TERMS, META, paid=Decimal("10"))
    with pytest.raises(Refused, match="owes only 40.00"):
        m.pay_up(D("2016-03-01"), Decimal("40.01"), TERMS, META)
    m.pay_up(D("2016-03-01"), Decimal("40"), TERMS, META)
    s = m.state(TERMS)
    assert (s.shares, s.paid) == (2, Decimal("50.00"))


def test_withdrawing_every_share_is_refused() -> None:
    m = partner(shares=4)
    with pytest.raises(Refused, match="must leave"):
        m.withdraw(D("2017-01-01"), 4, TERMS, META)
    with pytest.raises(Refused, match="must leave"):
        m.withdraw(D("2017-01-01"), 5, TERMS, META)


def test_withdrawal_cancels_unpaid_shares_first() -> None:
    m = new()
    m.admit(D("2016-02-01"), TERMS, META)
    m.subscribe(D("2016-02-01"), 10, TERMS, META, paid=Decimal("200"))  # 50 unpaid
    m.withdraw(D("2016-06-01"), 1, TERMS, META)  # 25 of unpaid: nothing refunded
    m.withdraw(D("2016-07-01"), 3, TERMS, META)  # 25 unpaid left, 75 withdrawn: 50 refunded
    s = m.state(TERMS)
    assert (s.shares, s.paid) == (6, Decimal("150.00"))
    assert [r.amount for r in s.refunds] == [Decimal("0.00"), Decimal("50.00")]
    assert all(r.partial for r in s.refunds)


def test_refunds_settle_oldest_first_and_never_more_than_owed() -> None:
    m = partner(shares=40)
    m.withdraw(D("2017-01-01"), 10, TERMS, META)  # 250 owed
    m.leave(D("2018-01-01"), LeaveReason.EXCLUSION, TERMS, META)  # 750 owed
    m.pay_refund(D("2018-02-01"), Decimal("300"), TERMS, META)
    s = m.state(TERMS)
    assert [(r.paid, r.outstanding) for r in s.refunds] == [
        (Decimal("250.00"), Decimal("0.00")),
        (Decimal("50.00"), Decimal("700.00")),
    ]
    with pytest.raises(Refused, match="owed 700.00 on 2018-03-01: cannot pay 700.01"):
        m.pay_refund(D("2018-03-01"), Decimal("700.01"), TERMS, META)
    with pytest.raises(Refused, match="owed 0.00 on 2016-12-31"):
        m.pay_refund(D("2016-12-31"), Decimal("1"), TERMS, META)


def test_nothing_before_the_cooperatives_registration() -> None:
    with pytest.raises(
        Refused, match="2015-12-31 is before the cooperative's registration on 2016-01-01"
    ):
        new().hire(D("2015-12-31"), TERMS, META)


def test_a_back_dated_entry_that_breaks_a_later_one_is_refused() -> None:
    m = partner(shares=40)
    m.withdraw(D("2018-01-01"), 30, TERMS, META)
    with pytest.raises(Refused, match="invalidate the later withdraw of alice on 2018-01-01"):
        m.withdraw(D("2017-01-01"), 15, TERMS, META)
    with pytest.raises(Refused, match="invalidate the later withdraw"):
        m.terminate(D("2017-06-01"), TerminationReason.DISMISSAL, TERMS, META)
    assert actions(m) == ["hire", "admit", "subscribe", "withdraw"]  # nothing recorded


def test_a_back_dated_admission_before_a_dismissal_is_refused() -> None:
    m = new()
    m.hire(D("2016-01-01"), TERMS, META)
    m.terminate(D("2017-01-01"), TerminationReason.DISMISSAL, TERMS, META)
    with pytest.raises(Refused, match="ends the partnership, and the ledger does not show it"):
        m.admit(D("2016-06-01"), TERMS, META)


def test_entries_on_the_same_date_apply_in_recorded_order() -> None:
    m = new()
    m.hire(D("2016-01-01"), TERMS, META)
    m.admit(D("2016-03-01"), TERMS, META)
    m.subscribe(D("2016-03-01"), 2, TERMS, META)
    assert m.state(TERMS, until=D("2016-03-01")).shares == 2
    assert m.state(TERMS, until=D("2016-02-29")).shares == 0


def test_reversal_removes_an_entry_and_its_consequences() -> None:
    m = partner()
    m.terminate(D("2020-01-01"), TerminationReason.DISMISSAL, TERMS, META)
    terminated = m.log[-2].originator_version
    m.reverse(D("2020-02-01"), terminated, "wrong person", TERMS, META)
    last = m.log[-1]
    assert isinstance(last, Member.EntryReversed)
    assert last.versions == [terminated, terminated + 1]
    s = m.state(TERMS)
    assert s.employed and s.partner and s.shares == 40 and s.refunds == []
    assert len(m.log) == 6  # nothing removed from the history


def test_reversal_refusals() -> None:
    m = partner()
    m.terminate(D("2020-01-01"), TerminationReason.DISMISSAL, TERMS, META)
    consequence = m.log[-1].originator_version
    with pytest.raises(Refused, match="consequence"):
        m.reverse(D("2020-02-01"), consequence, "x", TERMS, META)
    subscribed = m.log[2].originator_version
    m.reverse(D("2020-02-01"), m.log[3].originator_version, "x", TERMS, META)
    with pytest.raises(Refused, match="already reversed"):
        m.reverse(D("2020-02-01"), m.log[3].originator_version, "x", TERMS, META)
    with pytest.raises(Refused, match="a reversal cannot be reversed"):
        m.reverse(D("2020-02-01"), m.log[-1].originator_version, "x", TERMS, META)
    m2 = partner(shares=10)
    m2.withdraw(D("2017-01-01"), 5, TERMS, META)
    with pytest.raises(
        Refused, match="without it, the withdraw of alice on 2017-01-01 would be invalid"
    ):
        m2.reverse(D("2020-02-01"), subscribed, "x", TERMS, META)
    with pytest.raises(Refused, match="no entry with version 99"):
        m2.reverse(D("2020-02-01"), 99, "x", TERMS, META)


def test_known_at_ignores_later_entries_and_later_reversals() -> None:
    m = partner()
    t0 = datetime.now(UTC)
    m.withdraw(D("2017-01-01"), 10, TERMS, META)
    later = m.log[-1]
    # Move the withdrawal a day into the future of the clock to make the cut obvious.
    object.__setattr__(later, "timestamp", t0 + timedelta(days=1))
    assert m.state(TERMS, known_at=t0).shares == 40
    assert m.state(TERMS, known_at=t0 + timedelta(days=2)).shares == 30
    assert [e.ACTION for e in effective_entries(m.log, known_at=t0)] == [
        "hire",
        "admit",
        "subscribe",
    ]


@pytest.mark.parametrize("bad", [0, -1, "x", 1.5, True])
def test_share_counts_must_be_positive_whole_numbers(bad: object) -> None:
    m = partner()
    with pytest.raises(InvalidValue):
        m.subscribe(D("2017-01-01"), bad, TERMS, META)  # type: ignore[arg-type]
