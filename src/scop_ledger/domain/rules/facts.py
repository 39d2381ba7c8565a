"""What the rules read: a cooperative's figures on one date (:class:`Facts`), and the statutes'
parameters (:class:`Params`). Both are plain values; the rules are pure functions of them."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

from scop_ledger.domain.cooperative_fold import Allocation, CoopState
from scop_ledger.domain.dates import add_months, add_years, year_end
from scop_ledger.domain.rules.text import Said
from scop_ledger.domain.statutes import vote_cap
from scop_ledger.domain.values import Category, LegalForm, Office, Profile, partner_category
from scop_ledger.domain.votes import weight_under

ZERO = Decimal(0)


class Status(StrEnum):
    OK = "ok"
    BREACH = "breach"
    WAIVED = "waived"
    NOT_APPLICABLE = "not-applicable"


@dataclass(frozen=True, slots=True)
class Check:
    """One rule's verdict on one date. ``value`` and ``threshold`` are strings in the contract's
    formats (ratios with 4 places, money with 2, counts, ISO dates) or None; ``text`` is the
    detail, rendered in the current language by :attr:`detail`."""

    rule: str
    status: Status
    value: str | None
    threshold: str | None
    text: Said

    @property
    def detail(self) -> str:
        """The detail in the current language."""
        return str(self.text)


@dataclass(frozen=True, slots=True)
class RefundFact:
    since: date
    cause: str
    amount: Decimal
    paid: Decimal
    shares: int = 0  # the shares it cancelled (0: unknown)

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid


class Holding(NamedTuple):
    """What the rules need of one person from a date on (a named tuple: a million of them are
    built for a timeline over a long history, and a tuple is the cheapest to build)."""

    employed: bool
    partner: bool
    shares: int
    paid: Decimal
    refunds: tuple[RefundFact, ...] = ()

    @property
    def category(self) -> Category | None:
        return partner_category(self.partner, self.employed)


NOBODY = Holding(employed=False, partner=False, shares=0, paid=ZERO)


@dataclass(frozen=True, slots=True)
class MandateFact:
    """A running mandate and its holder's category on the date (None: not a partner)."""

    person: str
    office: Office
    start: date
    term_years: int
    category: Category | None


@dataclass(frozen=True, slots=True)
class Exit:
    """A resignation from the partnership or a partial withdrawal (be-cnc's window)."""

    person: str
    on: date
    cause: str
    founder: bool


@dataclass(frozen=True, slots=True)
class Facts:
    """A cooperative's figures on date ``on``, as known at some moment."""

    on: date
    form: LegalForm
    employees: int  # employee partners
    externals: int  # external partners
    employee_shares: int
    external_shares: int
    paid: Decimal  # paid-up capital
    # The highest capital ever reached up to ``on``, in shares of the value in force on ``on``.
    highest_shares: int | Decimal
    overdue: Decimal  # refund money outstanding after its due date
    overdue_refunds: int
    # Refunds paid above their cap (be-cnc: what was paid in; with losses, the net asset value).
    over_refunded: int
    mandates: tuple[MandateFact, ...]
    last_review: date | None
    review_trigger: date | None  # losses made a review due (loi 47-1775 art. 25-1)
    allocation: Allocation | None  # the latest financial year's allocation in force
    allocation_paid: Decimal  # paid-up capital on that allocation's date
    exits: tuple[Exit, ...]  # resignations and withdrawals of the financial year of ``on``
    # Every financial year's allocation recorded by ``on`` (a.on <= on), by year.
    allocations: tuple[Allocation, ...] = ()
    first_mandate: date | None = None  # the start of the first mandate recorded by ``on``
    # The day the last legal representative's mandate (of the form in force) ended, if any.
    representative_ended: date | None = None
    shareless: tuple[str, ...] = ()  # partners holding no share on ``on``, sorted

    @property
    def shares(self) -> int:
        return self.employee_shares + self.external_shares

    @property
    def partners(self) -> int:
        return self.employees + self.externals


@dataclass(frozen=True)
class Params:
    """The rule profile's parameters: the legal defaults and the statutes' options."""

    profile: Profile
    share_value: Decimal
    registered_on: date
    boot_until: date | None
    review_every_years: int
    refund_delay_years: int
    fiscal_year_end: str
    scop_thresholds: bool
    external_vote_cap: Fraction
    supervisory_board_from: int
    employee_capital_min: Fraction = Fraction(51, 100)
    employee_vote_min: Fraction = Fraction(65, 100)
    # The changes of the share's nominal value: (date, new value), in effective order.
    share_values: tuple[tuple[date, Decimal], ...] = ()

    @classmethod
    def of(cls, coop: CoopState) -> Params:
        st = coop.statutes
        return cls(
            profile=st.profile,
            share_value=st.share_value,
            registered_on=coop.registered_on,
            boot_until=st.boot_until,
            review_every_years=st.review_every_years,
            refund_delay_years=st.refund_delay_years,
            fiscal_year_end=st.fiscal_year_end,
            scop_thresholds=st.thresholds,
            external_vote_cap=Fraction(st.external_vote_cap),
            supervisory_board_from=st.supervisory_board_from,
            share_values=tuple(coop.share_values),
        )

    def value_on(self, on: date) -> Decimal:
        """The share's nominal value in force on ``on``."""
        value = self.share_value
        for since, new in self.share_values:
            if since <= on:
                value = new
        return value

    def due(self, refund_since: date) -> date:
        """A refund's due date: the exit plus the statutes' refund delay."""
        return add_years(refund_since, self.refund_delay_years)

    def year_end(self, year: int) -> date:
        """The last day of the financial year that ends in calendar year ``year``."""
        return year_end(self.fiscal_year_end, year)

    def financial_year(self, on: date) -> int:
        """The financial year holding ``on``, named by the calendar year it ends in."""
        return on.year if on <= self.year_end(on.year) else on.year + 1

    def allocation_due(self, year: int) -> date:
        """The last day to allocate the surplus of financial year ``year``: six months after
        its end, when the general meeting approves the accounts (Code de commerce L223-26,
        L225-100): a year ending on 30 June is allocated by 31 December."""
        return add_months(self.year_end(year) + timedelta(days=1), 6) - timedelta(days=1)

    def year_start(self, on: date) -> date:
        """The first day of the financial year holding ``on``."""
        return self.year_end(self.financial_year(on) - 1) + timedelta(days=1)


def vote_weight(params: Params, employees: int, externals: int) -> Fraction:
    """The external weight the profile applies: weighted only under the Scop thresholds."""
    cap = vote_cap(params.profile, params.scop_thresholds, params.external_vote_cap)
    return weight_under(cap, employees, externals)


# The net asset values per share recorded with approved accounts: their dates (in order)
# and values, the last of several on one date counting.
NetAssetValues = tuple[tuple[date, ...], tuple[Decimal, ...]]


def net_asset_values(coop: CoopState) -> NetAssetValues:
    """The net asset values per share that ``coop``'s allocations record, by date."""
    found = sorted(
        (a.on, a.version, a.net_asset_value_per_share)
        for a in coop.allocations.values()
        if a.net_asset_value_per_share is not None
    )
    return tuple(on for on, _, _ in found), tuple(v for _, _, v in found if v is not None)


def refund_cap(r: RefundFact, navs: NetAssetValues) -> Decimal:
    """The most refund ``r`` may pay: the amount paid in, and no more than the net asset
    value of the shares it cancelled in the last approved accounts on or before its date
    (CSA 6:120 §1; shares unknown, 0: the amount paid in alone)."""
    i = bisect_right(navs[0], r.since)
    if not i or not r.shares:
        return r.amount
    return min(r.amount, r.shares * navs[1][i - 1])
