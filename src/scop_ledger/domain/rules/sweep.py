"""The rules over time: one pass over every member's states in date order gives the facts of
each date on which anything can change (an entry's date, a refund falling due, a mandate's
term, a review falling due, the end of a boot period, a financial year's start), and from
them each rule's runs of unchanged status.

Incremental: each date costs the members whose state changed that day, not the whole roll.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from scop_ledger.domain.cooperative import Allocation, CoopState
from scop_ledger.domain.dates import add_years
from scop_ledger.domain.rules import evaluate
from scop_ledger.domain.rules.facts import (
    NOBODY,
    ZERO,
    Check,
    Exit,
    Facts,
    Holding,
    MandateFact,
    Params,
    Status,
)
from scop_ledger.domain.rules.registry import PROFILE_RULES

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
    member_rows = iter(rows)
    pending = next(member_rows, None)
    wakes: list[tuple[date, str]] = []

    def wake(on: date, person: str = "") -> None:
        if on <= until:
            heapq.heappush(wakes, (on, person))

    reg = params.registered_on
    wake(reg)
    for on, _ in coop.forms:
        wake(on)
    mandate_bounds: set[date] = set()
    for m in coop.mandates:
        mandate_bounds.update((m.start, m.term_end))
        if m.ended_on is not None:
            mandate_bounds.add(m.ended_on)
    for on in mandate_bounds:
        wake(on)
    reviews = sorted(r.on for r in coop.reviews)
    for on in (reg, *reviews):
        wake(on)
        wake(add_years(on, params.review_every_years) + DAY)
    allocations = sorted(coop.allocations.values(), key=lambda a: (a.on, a.version))
    for a in allocations:
        wake(a.on)
        wake(add_years(a.on, 1) + DAY)
    if params.boot_until is not None:
        wake(params.boot_until + DAY)
    year = params.financial_year(reg)
    while (start := params.year_end(year) + DAY) <= until:
        wake(start)
        year += 1

    holdings: dict[str, Holding] = {}
    employees = externals = employee_shares = external_shares = highest = 0
    paid = ZERO
    late: dict[str, tuple[Decimal, int, int]] = {}
    overdue, overdue_n, over_n = ZERO, 0, 0
    exits: list[Exit] = []
    founders: set[str] | None = None
    forms = list(coop.forms)
    form_index = 0
    review_index = 0
    applied: list[Allocation] = []
    allocation_paid: dict[int, Decimal] = {}
    triggers: list[date] = []
    running: list[MandateFact] = []
    mandates_at: date | None = None

    while True:
        heads = [wakes[0][0]] if wakes else []
        if pending is not None:
            heads.append(pending[0])
        if not heads or min(heads) > until:
            return
        d = min(heads)
        changed: set[str] = set()
        while pending is not None and pending[0] == d:
            _, person, h = pending
            old = holdings.get(person, NOBODY)
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
            for r in h.refunds[len(old.refunds) :]:
                if r.cause in EXIT_CAUSES:
                    exits.append(Exit(person, r.since, r.cause, person in (founders or ())))
            if h.refunds != old.refunds:  # an unchanged list was scheduled when it came
                for r in h.refunds:
                    due = params.due(r.since)
                    if r.outstanding > 0 and due >= d:
                        wake(due + DAY, person)
            holdings[person] = h
            changed.add(person)
            pending = next(member_rows, None)
        mandates_changed = d in mandate_bounds or mandates_at is None
        while wakes and wakes[0][0] <= d:
            _, person = heapq.heappop(wakes)
            if person:
                changed.add(person)
        for person in changed:
            if not holdings[person].refunds and person not in late:
                continue  # never owed a refund: nothing late, nothing over-refunded
            amount, n, over = ZERO, 0, 0
            for r in holdings[person].refunds:
                if r.outstanding > 0 and d > params.due(r.since):
                    amount += r.outstanding
                    n += 1
                if r.paid > r.amount:
                    over += 1
            was = late.pop(person, (ZERO, 0, 0))
            if n or over:
                late[person] = (amount, n, over)
            overdue += amount - was[0]
            overdue_n += n - was[1]
            over_n += over - was[2]
        if founders is None:
            founders = {p for p, h in holdings.items() if h.partner}
        highest = max(highest, employee_shares + external_shares)
        while form_index + 1 < len(forms) and forms[form_index + 1][0] <= d:
            form_index += 1
        while review_index < len(reviews) and reviews[review_index] <= d:
            review_index += 1
        while len(applied) < len(allocations) and allocations[len(applied)].on <= d:
            a = allocations[len(applied)]
            applied.append(a)
            allocation_paid[a.year] = paid
            losses = {x.year for x in applied if x.surplus < 0}
            if {a.year, a.year - 1, a.year - 2} <= losses or (
                a.surplus < 0 and -a.surplus * 2 >= params.share_value * highest
            ):
                triggers.append(d)
        if mandates_changed:
            mandates_at = d
            running = [
                MandateFact(m.person, m.office, m.start, m.term_years, None)
                for m in coop.running_mandates(d)
            ]
        latest = max(applied, key=lambda a: a.year) if applied else None
        year_start = params.year_start(d)
        this_year: list[Exit] = []
        for e in reversed(exits):
            if e.on < year_start:
                break
            this_year.append(e)
        yield Facts(
            on=d,
            form=forms[form_index][1],
            employees=employees,
            externals=externals,
            employee_shares=employee_shares,
            external_shares=external_shares,
            paid=paid,
            highest_shares=highest,
            overdue=overdue,
            overdue_refunds=overdue_n,
            over_refunded=over_n,
            mandates=tuple(
                MandateFact(
                    m.person,
                    m.office,
                    m.start,
                    m.term_years,
                    holdings.get(m.person, NOBODY).category,
                )
                for m in running
            ),
            last_review=reviews[review_index - 1] if review_index else None,
            review_trigger=triggers[-1] if triggers else None,
            allocation=latest,
            allocation_paid=ZERO if latest is None else allocation_paid[latest.year],
            exits=tuple(reversed(this_year)),
        )


@dataclass(slots=True)
class Run:
    """A rule's unbroken run of one status, from ``start`` to ``end`` (both included):
    ``first`` is the check when it began, ``last`` the check on its last evaluated date."""

    rule: str
    start: date
    end: date
    first: Check
    last: Check

    @property
    def status(self) -> Status:
        return self.first.status


def runs(params: Params, facts: Iterable[Facts], until: date) -> list[Run]:
    """Every rule's runs, ordered by rule (the profile's order) then start."""
    current: dict[str, Run] = {}
    done: list[Run] = []
    for f in facts:
        for check in evaluate(f, params):
            run = current.get(check.rule)
            if run is not None and run.first.status is check.status:
                run.last = check
                continue
            if run is not None:
                run.end = f.on - DAY
                done.append(run)
            current[check.rule] = Run(check.rule, f.on, until, check, check)
    done.extend(current.values())
    order = {spec.id: i for i, spec in enumerate(PROFILE_RULES[params.profile])}
    done.sort(key=lambda r: (order[r.rule], r.start))
    return done
