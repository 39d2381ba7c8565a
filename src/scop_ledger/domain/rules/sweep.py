"""The rules over time: one pass over every member's states in date order gives the facts of
each date on which anything can change (an entry's date, a refund falling due, a mandate's
term, a review falling due, the end of a boot period, a financial year's start), and from
them each rule's runs of unchanged status. Incremental: each date costs the members whose
state changed that day, not the whole roll.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from scop_ledger.domain.cooperative_fold import Allocation, CoopState, Mandate
from scop_ledger.domain.dates import add_years
from scop_ledger.domain.rules.facts import (
    NOBODY,
    ZERO,
    Exit,
    Facts,
    Holding,
    MandateFact,
    NetAssetValues,
    Params,
    net_asset_values,
    refund_cap,
)
from scop_ledger.domain.rules.fr_company import REPRESENTATIVES
from scop_ledger.domain.rules.runs import Run as Run
from scop_ledger.domain.rules.runs import runs as runs
from scop_ledger.domain.values import LegalForm

DAY = timedelta(days=1)
# Refund causes that are a member's own resignation or withdrawal (be-cnc's window).
EXIT_CAUSES = frozenset({"withdrawal", "left:resignation"})

MemberRow = tuple[date, str, Holding]


def facts_over(
    params: Params, coop: CoopState, rows: Iterable[MemberRow], until: date
) -> Iterator[Facts]:
    """The facts of every date from registration to ``until`` on which they may change.

    ``rows`` are (date, person, state from that date on), in date order; of several rows of
    one person on one date the last counts. ``coop`` is the cooperative's state as of
    ``until`` (its forms, mandates, reviews and allocations carry their dates)."""
    wakes = _Wakes(until)
    governance = _Governance(params, coop, wakes)
    return stepped(wakes, governance, _Roll(params, rows, net_asset_values(coop)))


def stepped(
    wakes: _Wakes, governance: _Governance, roll: _Roll, since: date | None = None
) -> Iterator[Facts]:
    """The facts of each date on which the roll or a wake may change them, up to the wakes'
    ``until``; with ``since``, only those dated from it on (the dates before it are stepped
    through, their facts not made)."""
    until = wakes.until
    while True:
        heads = [wakes.heap[0][0]] if wakes.heap else []
        if (head := roll.head()) is not None:
            heads.append(head)
        if not heads or min(heads) > until:
            return
        d = min(heads)
        changed = roll.take(d, wakes)
        changed.update(wakes.pop(d))
        roll.settle(d, changed)
        if since is not None and d < since:
            governance.advance(d, roll)
        else:
            yield governance.facts(d, roll)


class _Wakes:
    """The dates on which the facts may change without a member row, up to ``until``: a heap
    of (date, person); a person's wake makes the sweep look at their refunds again."""

    def __init__(self, until: date) -> None:
        self.until = until
        self.heap: list[tuple[date, str]] = []

    def add(self, on: date, person: str = "") -> None:
        if on <= self.until:
            heapq.heappush(self.heap, (on, person))

    def pop(self, d: date) -> set[str]:
        """Drop the wakes due by ``d``; the persons among them."""
        persons = set()
        heap = self.heap
        while heap and heap[0][0] <= d:
            _, person = heapq.heappop(heap)
            if person:
                persons.add(person)
        return persons


class _Roll:
    """The partners' running totals, stepped by the member rows of each date in turn."""

    def __init__(self, params: Params, rows: Iterable[MemberRow], navs: NetAssetValues) -> None:
        self.params, self.navs = params, navs
        self.due = cache(params.due)  # a refund's due date, by its date
        self.rows = iter(rows)
        self.pending = next(self.rows, None)
        self.holdings: dict[str, Holding] = {}
        self.employees = self.externals = self.employee_shares = self.external_shares = 0
        self.highest: int | Decimal = 0
        self.value = params.share_value  # the share value the share counts are in
        self.paid = ZERO
        # Per person with refunds late or paid above their amount: (late money, late, over).
        self.late: dict[str, tuple[Decimal, int, int]] = {}
        self.overdue, self.overdue_n, self.over_n = ZERO, 0, 0
        self.exits: list[Exit] = []
        self._exits_since: tuple[date, int, tuple[Exit, ...]] | None = None
        self.founders: set[str] | None = None
        self.shareless: tuple[str, ...] = ()  # partners holding no share, sorted

    def head(self) -> date | None:
        """The date of the next row to apply (None: no more)."""
        return None if self.pending is None else self.pending[0]

    def take(self, d: date, wakes: _Wakes) -> set[str]:
        """Apply the rows of date ``d``; the persons they change. A refund still owed wakes
        its person the day after it falls due."""
        holdings, changed = self.holdings, set()
        employees, externals = self.employees, self.externals
        employee_shares, external_shares = self.employee_shares, self.external_shares
        paid, pending, rows = self.paid, self.pending, self.rows
        shareless = None
        while pending is not None and pending[0] == d:
            _, person, h = pending
            old = holdings.get(person, NOBODY)
            if (old.partner and not old.shares) or (h.partner and not h.shares):
                shareless = set(self.shareless) if shareless is None else shareless
                if h.partner and not h.shares:
                    shareless.add(person)
                else:
                    shareless.discard(person)
            if old.partner:
                if old.employed:
                    employees -= 1
                    employee_shares -= old.shares
                else:
                    externals -= 1
                    external_shares -= old.shares
            if h.partner:
                if h.employed:
                    employees += 1
                    employee_shares += h.shares
                else:
                    externals += 1
                    external_shares += h.shares
            paid += h.paid - old.paid
            if h.refunds != old.refunds:  # an unchanged list was scheduled when it came
                self.refunds_changed(person, old, h, d, wakes)
            holdings[person] = h
            changed.add(person)
            pending = next(rows, None)
        self.paid, self.pending = paid, pending
        if shareless is not None:
            self.shareless = tuple(sorted(shareless))
        self.employees, self.externals = employees, externals
        self.employee_shares, self.external_shares = employee_shares, external_shares
        return changed

    def refunds_changed(
        self, person: str, old: Holding, h: Holding, d: date, wakes: _Wakes
    ) -> None:
        """A person's refunds changed on ``d``: their new exits, and a wake the day after each
        refund still owed falls due."""
        for r in h.refunds[len(old.refunds) :]:
            if r.cause in EXIT_CAUSES:
                self.exits.append(Exit(person, r.since, r.cause, person in (self.founders or ())))
        due = self.due
        for r in h.refunds:
            on = due(r.since)
            if r.outstanding > 0 and on >= d:
                wakes.add(on + DAY, person)

    def settle(self, d: date, changed: set[str]) -> None:
        """Bring the late and over-refunded totals of the ``changed`` persons to date ``d``;
        the partners on the first date are the founders."""
        due, late = self.due, self.late
        for person in changed:
            if not self.holdings[person].refunds and person not in late:
                continue  # never owed a refund: nothing late, nothing over-refunded
            amount, n, over = ZERO, 0, 0
            for r in self.holdings[person].refunds:
                if r.outstanding > 0 and d > due(r.since):
                    amount += r.outstanding
                    n += 1
                if r.paid > r.amount or (self.navs[0] and r.paid > refund_cap(r, self.navs)):
                    over += 1
            was = late.pop(person, (ZERO, 0, 0))
            if n or over:
                late[person] = (amount, n, over)
            self.overdue += amount - was[0]
            self.overdue_n += n - was[1]
            self.over_n += over - was[2]
        if self.founders is None:
            self.founders = {p for p, h in self.holdings.items() if h.partner}
        value = self.params.value_on(d)
        if value != self.value:  # a change of the share value: the highest in the new shares
            self.highest, self.value = self.highest * self.value / value, value
        self.highest = max(self.highest, self.employee_shares + self.external_shares)

    def exits_since(self, start: date) -> tuple[Exit, ...]:
        """The exits from ``start`` on, in date order (the last answer again while neither
        ``start`` nor the exits change: most dates of a year)."""
        last = self._exits_since
        if last is not None and last[0] == start and last[1] == len(self.exits):
            return last[2]
        found: list[Exit] = []
        for e in reversed(self.exits):
            if e.on < start:
                break
            found.append(e)
        answer = tuple(reversed(found))
        self._exits_since = (start, len(self.exits), answer)
        return answer


class _Governance:
    """The cooperative's side of the facts: forms, mandates, reviews and allocations in force
    on each date, read in date order; it schedules the dates they change on."""

    def __init__(self, params: Params, coop: CoopState, wakes: _Wakes) -> None:
        self.params = params
        self.coop = coop
        self.forms = list(coop.forms)
        self.reviews = sorted(r.on for r in coop.reviews)
        self.allocations = sorted(coop.allocations.values(), key=lambda a: (a.on, a.version))
        self.mandate_bounds: set[date] = set()
        for m in coop.mandates:
            self.mandate_bounds.update((m.start, m.term_end))
            if m.ended_on is not None:
                self.mandate_bounds.add(m.ended_on)
        self.form_index = self.review_index = 0
        self.applied: list[Allocation] = []
        self.by_year: tuple[Allocation, ...] = ()
        self.allocation_paid: dict[int, Decimal] = {}
        self.triggers: list[date] = []
        self.running: list[MandateFact] = []
        self.mandates_at: date | None = None
        self.officers: tuple[date | None, date | None] = (None, None)
        self.officers_at: tuple[date, LegalForm] | None = None
        self._schedule(wakes)

    def _schedule(self, wakes: _Wakes) -> None:
        params = self.params
        reg = params.registered_on
        wakes.add(reg)
        for on, _ in self.forms:
            wakes.add(on)
        for on in self.mandate_bounds:
            wakes.add(on)
        for on in (reg, *self.reviews):
            wakes.add(on)
            wakes.add(add_years(on, params.review_every_years) + DAY)
        for a in self.allocations:
            wakes.add(a.on)
            wakes.add(add_years(a.on, 1) + DAY)
        year = params.financial_year(reg) - 1
        while (late := params.allocation_due(year) + DAY) <= wakes.until:
            if late > reg:  # a year's allocation is late from the day after it was due
                wakes.add(late)
            year += 1
        if params.boot_until is not None:
            wakes.add(params.boot_until + DAY)
        year = params.financial_year(reg)
        while (start := params.year_end(year) + DAY) <= wakes.until:
            wakes.add(start)
            year += 1

    def advance(self, d: date, roll: _Roll) -> None:
        """Step through date ``d`` without making its facts: what :meth:`facts` keeps from
        one date to the next reads the roll only through the allocations; the mandates, the
        officers, the form and the reviews in force are found again from the date alone."""
        self._allocate(d, roll)

    def facts(self, d: date, roll: _Roll) -> Facts:
        """The facts of date ``d``, after the rows and wakes of ``d``."""
        mandates_changed = d in self.mandate_bounds or self.mandates_at is None
        forms, reviews = self.forms, self.reviews
        while self.form_index + 1 < len(forms) and forms[self.form_index + 1][0] <= d:
            self.form_index += 1
        while self.review_index < len(reviews) and reviews[self.review_index] <= d:
            self.review_index += 1
        self._allocate(d, roll)
        if mandates_changed:
            self.mandates_at = d
            self.running = [
                MandateFact(m.person, m.office, m.start, m.term_years, None)
                for m in self.coop.running_mandates(d)
            ]
        latest = self.by_year[-1] if self.by_year else None
        form = forms[self.form_index][1]
        if mandates_changed or self.officers_at is None or self.officers_at[1] is not form:
            self.officers = officers(self.coop.mandates, form, d)
            self.officers_at = (d, form)
        return Facts(
            on=d,
            form=form,
            employees=roll.employees,
            externals=roll.externals,
            employee_shares=roll.employee_shares,
            external_shares=roll.external_shares,
            paid=roll.paid,
            highest_shares=roll.highest,
            overdue=roll.overdue,
            overdue_refunds=roll.overdue_n,
            over_refunded=roll.over_n,
            mandates=tuple(
                MandateFact(
                    m.person,
                    m.office,
                    m.start,
                    m.term_years,
                    roll.holdings.get(m.person, NOBODY).category,
                )
                for m in self.running
            ),
            last_review=reviews[self.review_index - 1] if self.review_index else None,
            review_trigger=self.triggers[-1] if self.triggers else None,
            allocation=latest,
            allocation_paid=ZERO if latest is None else self.allocation_paid[latest.year],
            exits=roll.exits_since(self.params.year_start(d)),
            allocations=self.by_year,
            first_mandate=self.officers[0],
            representative_ended=self.officers[1],
            shareless=roll.shareless,
        )

    def _allocate(self, d: date, roll: _Roll) -> None:
        """Apply the allocations of ``d``; losses three years in a row, or losses of half the
        highest capital, make a review due (loi 47-1775 art. 25-1)."""
        applied, allocations = self.applied, self.allocations
        while len(applied) < len(allocations) and allocations[len(applied)].on <= d:
            a = allocations[len(applied)]
            applied.append(a)
            self.by_year = tuple(sorted(applied, key=lambda x: x.year))
            self.allocation_paid[a.year] = roll.paid
            losses = {x.year for x in applied if x.surplus < 0}
            if {a.year, a.year - 1, a.year - 2} <= losses or (
                a.surplus < 0 and -a.surplus * 2 >= self.params.value_on(d) * roll.highest
            ):
                self.triggers.append(d)


def officers(
    mandates: Iterable[Mandate], form: LegalForm, on: date
) -> tuple[date | None, date | None]:
    """On ``on``: the start of the first mandate recorded, and the day the last mandate of a
    legal representative of ``form`` ended (None: none yet)."""
    first: date | None = None
    ended: date | None = None
    offices = REPRESENTATIVES[form]
    for m in mandates:
        if m.start > on:
            continue
        first = m.start if first is None else min(first, m.start)
        end = m.term_end if m.ended_on is None else min(m.ended_on, m.term_end)
        if m.office in offices and end <= on:
            ended = end if ended is None else max(ended, end)
    return first, ended
