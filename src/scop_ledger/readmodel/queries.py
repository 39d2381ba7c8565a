"""Point-in-time answers computed from a :class:`Snapshot`: pure functions, pydantic results in
the shapes of CONTRACT.md (money strings with 2 places, ratios with 4, share counts integers).

Votes (loi 47-1775 art. 3 bis): one person, one vote; when one-person-one-vote would give external
partners more than the cap c (0.35) of the votes, each external vote weighs
k = min(1, c·I / ((1−c)·E)) for I employee votes and E external partners. Computed exactly with
fractions; a ratio exactly on a threshold meets it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from scop_ledger.domain.dates import add_years
from scop_ledger.domain.votes import weight_under
from scop_ledger.readmodel.results import Result, serializer
from scop_ledger.readmodel.snapshot import CoopInfo, MemberView, Snapshot
from scop_ledger.store.gc import collector_paused

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
LIABILITY_YEARS = 5  # Code de commerce L231-6


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def ratio(value: Fraction | Decimal) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(RATIO, rounding=ROUND_HALF_UP)


class PointInTime(Result):
    """The head every point-in-time answer starts with."""

    coop: str
    as_of: date
    known_at: datetime

    @serializer("known_at")
    def _utc_offset(self, value: datetime) -> str:
        return value.isoformat()  # "+00:00", as the contract shows, not "Z"


class Group(Result):
    count: int
    shares: int
    amount: Decimal
    ratio: Decimal


class PartnerRow(Result):
    person: str
    name: str | None
    category: str
    shares: int
    amount: Decimal
    paid: Decimal


class Capital(PointInTime):
    share_value: Decimal
    shares: int
    amount: Decimal
    employees: Group
    externals: Group
    partners: list[PartnerRow]
    # Of ``amount``: what the partners have paid in (capital libéré), and what they have
    # subscribed and not paid yet (capital souscrit non appelé).
    paid_up: Decimal = Decimal("0.00")
    uncalled: Decimal = Decimal("0.00")


@collector_paused()
def capital(s: Snapshot) -> Capital:
    value = s.coop.share_value
    partners = s.partners
    total = sum(p.shares for p in partners)

    def group(category: str) -> Group:
        members = [p for p in partners if p.category == category]
        shares = sum(p.shares for p in members)
        return Group(
            count=len(members),
            shares=shares,
            amount=money(value * shares),
            ratio=ratio(Fraction(shares, total) if total else Fraction(0)),
        )

    paid_up = money(sum((p.paid for p in partners), Decimal(0)))
    return Capital(
        coop=s.coop.slug,
        as_of=s.as_of,
        known_at=s.known_at,
        share_value=money(value),
        shares=total,
        amount=money(value * total),
        paid_up=paid_up,
        uncalled=money(value * total) - paid_up,
        employees=group("employee"),
        externals=group("external"),
        # Built from the view's own values: no validation needed per row.
        partners=[
            PartnerRow.of(
                person=p.person,
                name=p.name,
                category=p.category or "",
                shares=p.shares,
                amount=(value * p.shares).quantize(CENT),
                paid=p.paid.quantize(CENT),
            )
            for p in partners
        ],
    )


class VoteGroup(Result):
    count: int
    votes: Decimal
    ratio: Decimal


class ExternalVotes(VoteGroup):
    weight: Decimal


class Votes(PointInTime):
    partners: int
    employees: VoteGroup
    externals: ExternalVotes


def vote_shares(s: Snapshot) -> tuple[int, int, Fraction, Fraction]:
    """Employee and external partner counts, the external weight, and the employee share of
    votes (exact)."""
    partners = s.partners
    employees = sum(1 for p in partners if p.category == "employee")
    externals = len(partners) - employees
    weight = weight_under(s.coop.vote_cap, employees, externals)
    total = employees + weight * externals
    share = Fraction(employees) / total if total else Fraction(0)
    return employees, externals, weight, share


@collector_paused()
def votes(s: Snapshot) -> Votes:
    employees, externals, weight, share = vote_shares(s)
    external_votes = weight * externals
    return Votes(
        coop=s.coop.slug,
        as_of=s.as_of,
        known_at=s.known_at,
        partners=employees + externals,
        employees=VoteGroup(count=employees, votes=ratio(Fraction(employees)), ratio=ratio(share)),
        externals=ExternalVotes(
            count=externals,
            votes=ratio(external_votes),
            ratio=ratio(1 - share) if employees + externals else ratio(Fraction(0)),
            weight=ratio(weight),
        ),
    )


class RefundRow(Result):
    person: str
    since: date
    cause: str
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    due: date
    overdue: bool
    liable_until: date | None


class Refunds(PointInTime):
    outstanding: Decimal
    refunds: list[RefundRow]


def refunds(s: Snapshot) -> Refunds:
    owed = [
        (m.person, r.since, r.cause, _cents(r.amount), r.partial, _cents(r.paid))
        for m in s.members
        for r in m.refunds
    ]
    owed.sort(key=lambda r: (r[1], r[0]))
    return refunds_of(s.coop, s.as_of, s.known_at, owed)


def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2))


@collector_paused()
def refunds_of(
    coop: CoopInfo,
    as_of: date,
    known_at: datetime,
    owed: Iterable[tuple[str, date, str, int, bool, int]],
) -> Refunds:
    """The refunds answer from (person, since, cause, amount in cents, partial, paid in
    cents), in the order listed (by since, then person): from a snapshot, or straight from
    ``rm_refunds``."""
    rows = []
    total = 0
    # Thousands of rows share few dates and amounts: each is computed once.
    dues: dict[date, tuple[date, date]] = {}
    euros: dict[int, Decimal] = {}
    delay = coop.refund_delay_years
    for person, since, cause, amount, partial, paid in owed:
        found = dues.get(since)
        if found is None:
            found = dues[since] = (add_years(since, delay), add_years(since, LIABILITY_YEARS))
        due, liable = found
        left = amount - paid
        total += left
        owed_euros = euros.get(amount)
        if owed_euros is None:
            owed_euros = euros[amount] = Decimal(amount).scaleb(-2)
        paid_euros = euros.get(paid)
        if paid_euros is None:
            paid_euros = euros[paid] = Decimal(paid).scaleb(-2)
        left_euros = euros.get(left)
        if left_euros is None:
            left_euros = euros[left] = Decimal(left).scaleb(-2)
        rows.append(
            RefundRow.of(
                person=person,
                since=since,
                cause=cause,
                amount=owed_euros,
                paid=paid_euros,
                outstanding=left_euros,
                due=due,
                overdue=left > 0 and as_of > due,
                liable_until=None if partial else liable,
            )
        )
    return Refunds(
        coop=coop.slug,
        as_of=as_of,
        known_at=known_at,
        outstanding=Decimal(total).scaleb(-2),
        refunds=rows,
    )


class MemberRow(Result):
    person: str
    name: str | None
    employed: bool
    partner: bool
    category: str | None
    shares: int
    # The person's number in the register of partners (None for someone never admitted), the
    # admission date of the current partnership, and whether they were a partner and no longer are.
    register_number: int | None = None
    partner_since: date | None = None
    former_partner: bool = False


class Members(PointInTime):
    members: list[MemberRow]


def eligible(m: MemberView, as_of: date) -> bool:
    """Employed, not a partner, at least one year since the latest hire (loi 78-763 art. 7)."""
    return (
        m.employed
        and not m.partner
        and m.employed_since is not None
        and add_years(m.employed_since, 1) <= as_of
    )


@dataclass(frozen=True)
class Admission:
    """A person became a partner on ``on`` (the ``seq``-th entry of the store)."""

    person: str
    on: date
    seq: int


@dataclass(frozen=True)
class Partnership:
    """A person's place in the register of partners: their number (1, 2, 3... in order of
    first admission, kept when re-admitted, never reused) and their latest admission."""

    number: int
    latest: date


def partner_numbers(admissions: Iterable[Admission]) -> dict[str, Partnership]:
    """Each person ever admitted (among ``admissions``, in (date, entry) order) with their
    number in the register of partners and the date of their latest admission."""
    out: dict[str, Partnership] = {}
    for a in admissions:
        found = out.get(a.person)
        number = found.number if found else len(out) + 1
        out[a.person] = Partnership(number, a.on)
    return out


@collector_paused()
def members(
    s: Snapshot, numbers: Mapping[str, Partnership] | None = None, *, only_eligible: bool = False
) -> Members:
    """Every person of the snapshot (``only_eligible``: employees eligible for admission), with
    their place in the register of partners when ``numbers`` gives it
    (:func:`~scop_ledger.readmodel.register.partner_numbers`)."""
    chosen = [m for m in s.members if not only_eligible or eligible(m, s.as_of)]
    return Members(
        coop=s.coop.slug,
        as_of=s.as_of,
        known_at=s.known_at,
        members=[_member_row(m, (numbers or {}).get(m.person)) for m in chosen],
    )


def _member_row(m: MemberView, place: Partnership | None) -> MemberRow:
    return MemberRow.of(
        person=m.person,
        name=m.name,
        employed=m.employed,
        partner=m.partner,
        category=m.category,
        shares=m.shares,
        register_number=place.number if place else None,
        partner_since=place.latest if place and m.partner else None,
        former_partner=place is not None and not m.partner,
    )
