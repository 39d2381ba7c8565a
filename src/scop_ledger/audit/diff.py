"""What changed between two states of knowledge, for the same business date.

The auditor's question when last year's figures moved: the capital, the votes, each partner's
holding and each rule's status as of D, as known at T1 and as known at T2, and the entries
recorded in between (back-dated entries and reversals among them) that explain the change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from scop_ledger.readmodel import queries
from scop_ledger.readmodel.between import Between
from scop_ledger.readmodel.compliance import Compliance
from scop_ledger.readmodel.history import HistoryEntry
from scop_ledger.readmodel.results import Result, serializer
from scop_ledger.readmodel.snapshot import Snapshot


class Figures(Result):
    capital: Decimal
    shares: int
    employee_capital_ratio: Decimal
    employee_vote_ratio: Decimal
    external_vote_weight: Decimal
    partners: int


class Holding(Result):
    person: str
    from_shares: int
    to_shares: int


class RuleChange(Result):
    rule: str
    from_status: str
    to_status: str
    from_value: str | None
    to_value: str | None


class Recorded(Result):
    id: int
    action: str
    person: str | None
    date: date
    recorded_at: datetime
    recorded_by: str
    # Dated on or before the business date asked about: it can move the figures as of it.
    affects_as_of: bool
    # Dated before the first moment: it rewrote a past that was already known.
    back_dated: bool
    reverses: int | None

    @serializer("recorded_at")
    def _utc_offset(self, value: datetime) -> str:
        return value.isoformat()  # "+00:00", as every other answer writes it


class Diff(Result):
    coop: str
    as_of: date
    from_known_at: datetime
    to_known_at: datetime
    changed: bool
    before: Figures
    after: Figures
    holdings: list[Holding]
    compliance: list[RuleChange]
    entries: list[Recorded]

    @serializer("from_known_at", "to_known_at")
    def _utc_offset(self, value: datetime) -> str:
        return value.isoformat()


def figures(s: Snapshot) -> Figures:
    cap, vote = queries.capital(s), queries.votes(s)
    return Figures(
        capital=cap.amount,
        shares=cap.shares,
        employee_capital_ratio=cap.employees.ratio,
        employee_vote_ratio=vote.employees.ratio,
        external_vote_weight=vote.externals.weight,
        partners=vote.partners,
    )


def _holdings(s1: Snapshot, s2: Snapshot) -> list[Holding]:
    """The partners whose shares differ between the two snapshots, by person."""
    held1 = {p.person: p.shares for p in s1.partners}
    held2 = {p.person: p.shares for p in s2.partners}
    return [
        Holding(person=person, from_shares=held1.get(person, 0), to_shares=held2.get(person, 0))
        for person in sorted(held1.keys() | held2.keys())
        if held1.get(person, 0) != held2.get(person, 0)
    ]


def _rule_changes(c1: Compliance, c2: Compliance) -> list[RuleChange]:
    """The rules whose status or value differ, in the order of the later answer."""
    earlier = {c.rule: c for c in c1.checks}
    changes = []
    for c in c2.checks:
        old = earlier.get(c.rule)
        if old is None or (old.status, old.value) != (c.status, c.value):
            changes.append(
                RuleChange(
                    rule=c.rule,
                    from_status="unknown" if old is None else str(old.status),
                    to_status=str(c.status),
                    from_value=None if old is None or old.value is None else str(old.value),
                    to_value=None if c.value is None else str(c.value),
                )
            )
    return changes


def _recorded_between(found: Between, as_of: date, t1: datetime) -> list[Recorded]:
    """The entries recorded between the two moments, as the auditor reads them."""
    dated = found.dated

    def effective(e: HistoryEntry) -> date:
        """The date an entry changes the figures from: a reversal's is its target's."""
        on: date = e["date"]
        if e["action"] == "reverse":
            target = e["details"].get("target")
            return min(on, dated.get(target, on) if isinstance(target, int) else on)
        return on

    return [
        Recorded(
            id=e["id"],
            action=e["action"],
            person=e["person"],
            date=e["date"],
            recorded_at=e["recorded_at"],
            recorded_by=e["recorded_by"],
            affects_as_of=effective(e) <= as_of,
            back_dated=e["date"] < t1.date(),
            reverses=e["details"].get("target") if e["action"] == "reverse" else None,
        )
        for e in found.entries
    ]


def diff(
    slug: str,
    as_of: date,
    t1: datetime,
    t2: datetime,
    snapshot: Callable[[datetime], Snapshot],
    rules: Callable[[datetime], Compliance],
    between: Callable[[datetime, datetime], Between],
) -> Diff:
    """Compare the answers as of ``as_of`` known at ``t1`` and at ``t2``; ``between(t1, t2)``:
    the entries known at ``t2`` and not at ``t1`` (see
    :mod:`scop_ledger.readmodel.between`)."""
    s1, s2 = snapshot(t1), snapshot(t2)
    holdings = _holdings(s1, s2)
    r2 = rules(t2)  # first: the sweep as known now, kept or held, answers t1's from a date on
    changes = _rule_changes(rules(t1), r2)
    # In between: what was known at t2 and not at t1, by position in the log (an entry
    # appended after t1 that claims an earlier recorded time is one of them).
    entries = _recorded_between(between(t1, t2), as_of, t1)
    before, after = figures(s1), figures(s2)
    return Diff(
        coop=slug,
        as_of=as_of,
        from_known_at=t1,
        to_known_at=t2,
        changed=before != after or bool(holdings) or bool(changes),
        before=before,
        after=after,
        holdings=holdings,
        compliance=changes,
        entries=entries,
    )
