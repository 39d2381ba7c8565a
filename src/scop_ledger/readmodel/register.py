"""The register of share movements (Code de commerce L228-1; RULES.md): chronological; date,
holder, number of shares, nature and cause of the movement, and the partner's category.

It is derived from consecutive member states: a movement is an entry that changed a partner's
shares, paid-in money, status or category, or paid a refund.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from scop_ledger.domain.values import partner_category
from scop_ledger.readmodel.queries import Admission, PointInTime, money
from scop_ledger.readmodel.results import Result
from scop_ledger.readmodel.snapshot import coop_from_view, member_logs
from scop_ledger.readmodel.steps import (
    StateStep,
    steps_from_view,
    values_from_view,
    with_counterparties,
)
from scop_ledger.readmodel.times import micros
from scop_ledger.store.db import DB, as_date

if TYPE_CHECKING:
    from scop_ledger.store.eventstore import EventStore

NATURE = {
    "admit": "admission",
    "subscribe": "subscription",
    "pay-up": "payment",
    "withdraw": "withdrawal",
    "pay-refund": "refund",
    "transfer": "transfer",
    # A change of the share value (domain/share_values.py): the holding in shares of the new
    # value; its amount is zero, the capital in euros does not change.
    "change-share-value": "share-value",
}


class Movement(Result):
    date: date
    # The entry's position in the store's log (``history``'s id), and its number among the
    # cooperative's own entries (1 for its registration, 2, 3...), as the register shows it.
    sequence: int
    entry: int
    person: str
    name: str | None
    nature: str
    cause: str | None
    shares: int
    shares_after: int
    amount: Decimal
    category: str | None
    # A transfer's other partner (on its movements of nature ``transfer`` and ``paid``): the
    # receiver on the sender's, the sender on the receiver's.
    counterparty: str | None = None


class Register(PointInTime):
    share_value: Decimal
    movements: list[Movement]


class Planned(NamedTuple):
    """One movement of the register before it is priced and numbered: the step it comes
    from, its nature and cause, the shares it moves and the money it pays or refunds."""

    step: StateStep
    nature: str
    cause: str | None
    shares: int
    paid: Decimal
    refunded: Decimal
    category: str | None


def planned(
    steps: Iterable[StateStep], apart: Callable[[StateStep, StateStep], bool] | None = None
) -> Iterator[Planned]:
    """The movements of member states in (date, sequence) order, one by one.

    Money paid in other than by a pay-up (at subscription) and paid-in capital cancelled by a
    withdrawal or an exit are movements of their own, of nature ``paid``, right after the
    movement of shares: with the pay-ups (``payment``), they add up to the paid-up capital.

    An end of contract that ends the partnership is one movement, not two, when its category
    change is the movement right before the loss of status in the whole register. ``apart``
    (for steps that are not the whole register: one person's) says whether the register has
    another movement between two such steps; without it, ``steps`` are the whole register."""
    before: dict[str, StateStep] = {}
    last: Planned | None = None  # the movement before, held back until the next is known
    for s in steps:
        prev = before.get(s.person)
        before[s.person] = s
        found = change(prev, s)
        if found is None:
            continue
        nature, category, category_before = found
        if (
            nature == "loss of status"
            and last is not None
            and last.nature == "category change"
            and (last.step.person, last.step.on) == (s.person, s.on)
            and (apart is None or not apart(last.step, s))
        ):
            # An end of contract that ends the partnership: one movement, not two.
            category_before = "employee" if last.category == "external" else "external"
            last = None
        if last is not None:
            yield last
        delta = s.shares - (prev.shares if prev else 0)
        paid_delta = s.paid - (prev.paid if prev else Decimal(0))
        refunded = s.refunded - (prev.refunded if prev else Decimal(0))
        shown = category if s.partner else category_before
        cause = s.cause if nature == "loss of status" else None
        last = Planned(s, nature, cause, delta, paid_delta, refunded, shown)
        if paid_delta and nature != "payment":
            yield last
            last = Planned(s, "paid", None, 0, paid_delta, refunded, shown)
    if last is not None:
        yield last


def change(prev: StateStep | None, s: StateStep) -> tuple[str, str | None, str | None] | None:
    """The nature of the movement a member's step ``s`` is after their step ``prev`` (None:
    their first), with their category after and before it; None when it is no movement."""
    partner_before = prev.partner if prev else False
    employed_before = prev.employed if prev else False
    changed = bool(
        s.shares - (prev.shares if prev else 0)
        or s.paid - (prev.paid if prev else Decimal(0))
        or s.refunded - (prev.refunded if prev else Decimal(0))
    )
    category_before = partner_category(partner_before, employed_before)
    category = partner_category(s.partner, s.employed)
    nature = _nature(s, partner_before, changed, category != category_before)
    return None if nature is None else (nature, category, category_before)


def movement(p: Planned, number: int, value: Decimal) -> Movement:
    """A planned movement priced at the share ``value`` in force on its date, numbered."""
    s = p.step
    if p.nature == "paid":
        amount = p.paid
    else:
        amount = _amount(p.nature, p.refunded, p.paid, value * p.shares)
    return Movement(
        date=s.on,
        sequence=s.seq,
        entry=number,
        person=s.person,
        name=s.name,
        nature=p.nature,
        cause=p.cause,
        shares=p.shares,
        shares_after=s.shares,
        amount=money(amount),
        category=p.category,
        counterparty=s.counterparty,  # a transfer's (its paid movement's too)
    )


def movements(
    steps: Iterable[StateStep],
    share_value: Decimal,
    numbers: Mapping[int, int],
    value_on: Callable[[date], Decimal] | None = None,
) -> list[Movement]:
    """Movements from member states in (date, sequence) order (:func:`planned`); ``numbers``
    gives each entry's number among the cooperative's entries (by its sequence)."""
    return [
        movement(
            p,
            numbers.get(p.step.seq, 0),
            share_value if value_on is None else value_on(p.step.on),
        )
        for p in planned(steps)
    ]


def _amount(nature: str, refunded: Decimal, paid: Decimal, shares: Decimal) -> Decimal:
    """A movement's amount: the money refunded or paid, none for a change of the share value
    (the capital does not change), else the shares' value."""
    if nature == "refund":
        return refunded
    if nature == "payment":
        return paid
    return Decimal(0) if nature == "share-value" else shares


def _nature(s: StateStep, partner_before: bool, changed: bool, moved: bool) -> str | None:
    """The nature of the movement a member's step is, or None when it is none: a change of
    status, of shares or money, or (for a partner) of category."""
    if s.partner != partner_before:
        return "admission" if s.partner else "loss of status"
    if changed:
        return NATURE.get(s.action, s.action)
    if s.partner and moved:
        return "category change"
    return None


STEPS_SQL = """
SELECT s.on_date, s.seq, m.person, s.name, s.action, s.cause, s.shares, s.paid_cents, s.partner,
       s.employed, s.refunds
FROM rm_states s JOIN rm_members m ON m.mid = s.mid
WHERE s.cid = :cid AND s.on_date <= :d AND s.known_from <= :t
  AND (s.known_to IS NULL OR s.known_to > :t)
ORDER BY s.on_date, s.version > 0, s.seq, m.person
"""


ADMISSIONS_SQL = """
SELECT m.person, s.on_date, s.seq
FROM rm_states s JOIN rm_members m ON m.mid = s.mid
WHERE s.cid = :cid AND s.action = 'admit' AND s.on_date <= :d AND s.known_from <= :t
  AND (s.known_to IS NULL OR s.known_to > :t)
ORDER BY s.on_date, s.seq
"""


def admissions_from_view(db: DB, slug: str, as_of: date, known_at: datetime) -> list[Admission]:
    """Every admission up to ``as_of``, as known at ``known_at``, in (date, entry) order."""
    cid, _coop = coop_from_view(db, slug, known_at)
    return [
        Admission(r[0], as_date(r[1]) or date.min, int(r[2]))
        for r in db.rows(ADMISSIONS_SQL, {"cid": cid, "d": as_of, "t": micros(known_at)})
    ]


def admissions_of(register: Register) -> list[Admission]:
    """The admissions among a register's movements (the oracle's :func:`admissions_from_view`)."""
    return [
        Admission(m.person, m.date, m.sequence)
        for m in register.movements
        if m.nature == "admission"
    ]


ENTRY_SEQS_SQL = """
SELECT seq FROM rm_entries WHERE cid = :cid AND recorded_at <= :t AND seq <= :last ORDER BY seq
"""


def entry_numbers(all_seqs: Sequence[int], wanted: Iterable[int]) -> dict[int, int]:
    """Each of the ``wanted`` sequences' number among ``all_seqs`` (sorted): 1, 2, 3..."""
    return {seq: bisect_left(all_seqs, seq) + 1 for seq in wanted}


def register_from_view(db: DB, slug: str, as_of: date, known_at: datetime) -> Register:
    cid, coop = coop_from_view(db, slug, known_at, as_of)
    steps = steps_from_view(db, STEPS_SQL, {"cid": cid, "d": as_of, "t": micros(known_at)})
    steps = with_counterparties(db, steps)
    last = max((step.seq for step in steps), default=0)
    params = {"cid": cid, "t": micros(known_at), "last": last}
    seqs = [int(r[0]) for r in db.rows(ENTRY_SEQS_SQL, params)]
    numbers = entry_numbers(seqs, (step.seq for step in steps))
    return Register(
        coop=slug,
        as_of=as_of,
        known_at=known_at,
        share_value=money(coop.share_value),
        movements=movements(steps, coop.share_value, numbers, values_from_view(db, slug, known_at)),
    )


def register_from_events(
    ledger: EventStore, slug: str, as_of: date, known_at: datetime
) -> Register:
    """The oracle's register: every member's effective entries folded with the domain."""
    from scop_ledger.domain.member_fold import MemberFold
    from scop_ledger.domain.share_values import advance

    found = member_logs(ledger, slug, known_at)
    registration, terms = found.registration, found.terms
    steps: list[StateStep] = []
    for oid in found.logs:
        fold = MemberFold(found.persons[oid], terms.until(as_of), strict=False)
        for e in [*found.effective(oid, known_at, as_of), None]:
            for step in advance(fold, as_of if e is None else e.on):
                steps.append(conversion_step(fold.state, step, found.change_seqs[step.index]))
            if e is None:
                break
            fold.apply(e)
            st = fold.state
            steps.append(
                StateStep(
                    on=e.on,
                    seq=found.seqs[(oid, e.originator_version)],
                    person=st.person,
                    name=st.name,
                    action=e.ACTION,
                    cause=getattr(e, "cause", None) or getattr(e, "reason", None),
                    shares=st.shares,
                    paid=st.paid,
                    partner=st.partner,
                    employed=st.employed,
                    refunded=sum((r.paid for r in st.refunds), Decimal(0)),
                    counterparty=getattr(e, "counterparty", None),
                )
            )
    steps.sort(key=lambda s: (s.on, s.action != "change-share-value", s.seq, s.person))
    from scop_ledger.readmodel.history import history_from_events

    seqs = sorted(e["sequence"] for e in history_from_events(ledger, slug, None, known_at))
    numbers = entry_numbers(seqs, (step.seq for step in steps))
    return Register(
        coop=slug,
        as_of=as_of,
        known_at=known_at,
        share_value=money(terms.value_on(as_of)),
        movements=movements(steps, registration.share_value, numbers, terms.value_on),
    )


def conversion_step(st: Any, step: Any, seq: int) -> StateStep:
    """The oracle's step of a holding converted by a change of the share value."""
    return StateStep(
        on=step.on,
        seq=seq,
        person=st.person,
        name=st.name,
        action=step.ACTION,
        cause=None,
        shares=step.after,
        paid=st.paid,
        partner=st.partner,
        employed=st.employed,
        refunded=sum((r.paid for r in st.refunds), Decimal(0)),
    )
