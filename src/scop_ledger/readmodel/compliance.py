"""Compliance, timeline and the annual fact sheet: the rule profile's checks over time.

Members' states come from the view's bitemporal state rows (fast) or from the events (the
oracle); the cooperative's own entries (forms, mandates, reviews, allocations) are few and are
always read from its aggregate. Both feed the same pure sweep (``domain.rules.sweep``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from scop_ledger.domain.dates import year_end
from scop_ledger.domain.rules import Params, Status
from scop_ledger.domain.rules.facts import Facts, Holding, RefundFact
from scop_ledger.domain.rules.sweep import MemberRow, Run, facts_over, runs
from scop_ledger.readmodel.queries import PointInTime, Result, money, ratio
from scop_ledger.readmodel.snapshot import NoCooperative, Snapshot, coop_from_view, member_logs
from scop_ledger.readmodel.times import micros
from scop_ledger.store.db import DB

if TYPE_CHECKING:
    from scop_ledger.domain.cooperative_fold import CoopState
    from scop_ledger.store.eventstore import EventStore


# ------------------------------------------------------------------ sources


def coop_state(
    ledger: EventStore, slug: str, until: date, known_at: datetime, *, by_position: bool = False
) -> CoopState:
    """The cooperative's own entries up to ``until``, as known at ``known_at``; with
    ``by_position`` (the oracle), only those in the log before the first entry recorded after
    that moment (the view's reader checked that recorded times say the same)."""
    from scop_ledger.domain.cooperative import Cooperative, cooperative_id

    try:
        coop: Cooperative = ledger.repository.get(cooperative_id(slug))
    except Exception as error:
        from eventsourcing.application import AggregateNotFoundError

        if isinstance(error, AggregateNotFoundError):
            raise NoCooperative(slug) from None
        raise
    if coop.registration.timestamp > known_at:
        raise NoCooperative(slug)
    if by_position:
        known = _known_version(ledger, cooperative_id(slug), known_at)
        if known is None:
            raise NoCooperative(slug)
        if known < coop.version:
            coop = ledger.repository.get(cooperative_id(slug), version=known)
    return coop.state(until, known_at)


def _known_version(ledger: EventStore, oid: Any, known_at: datetime) -> int | None:
    """The last version of record ``oid`` known at ``known_at``: in the log up to the first
    entry recorded after that moment (an entry further on that claims an earlier time was not
    known then)."""
    from scop_ledger.store.chain import recorded_at

    found = None
    for notification in ledger.notifications():
        try:
            moment = recorded_at(notification.state)
        except ValueError:
            event: Any = ledger.mapper.to_domain_event(notification)
            moment = event.timestamp
        if moment > known_at:
            break
        if notification.originator_id == oid:
            found = notification.originator_version
    return found


ROWS_SQL = """
SELECT s.on_date, s.mid, s.employed, s.partner, s.shares, s.paid_cents, s.refunds
FROM rm_states s
WHERE s.cid = :cid AND s.on_date <= :d AND s.known_from <= :t
  AND (s.known_to IS NULL OR s.known_to > :t)
ORDER BY s.on_date, s.seq
"""


def rows_from_view(db: DB, slug: str, until: date, known_at: datetime) -> Iterator[MemberRow]:
    """Every member state row that counts as known at ``known_at``, up to ``until``."""
    cid, _ = coop_from_view(db, slug, known_at)
    persons = dict(db.rows("SELECT mid, person FROM rm_members WHERE cid = :cid", {"cid": cid}))
    days: dict[Any, date] = {}
    parsed: dict[str, tuple[RefundFact, ...]] = {}
    cents = Decimal("0.01")
    for on, mid, employed, partner, shares, paid, refunds in db.rows(
        ROWS_SQL, {"cid": cid, "d": until, "t": micros(known_at)}
    ):
        day = days.get(on)
        if day is None:
            day = days[on] = on if isinstance(on, date) else date.fromisoformat(on)
        found: tuple[RefundFact, ...] = ()
        if refunds:
            found = parsed.get(refunds) or ()
            if not found:
                found = parsed[refunds] = tuple(
                    RefundFact(date.fromisoformat(since), cause, amount * cents, paid_back * cents)
                    for _v, since, cause, amount, _partial, paid_back in json.loads(refunds)
                )
        yield (
            day,
            persons[mid],
            Holding(bool(employed), bool(partner), int(shares), paid * cents, found),
        )


def rows_from_events(
    ledger: EventStore, slug: str, until: date, known_at: datetime
) -> list[MemberRow]:
    """The oracle: each member's state after each of its dates, by replaying its entries."""
    from scop_ledger.domain.member_fold import replay

    logs = member_logs(ledger, slug, known_at)
    out: list[MemberRow] = []
    for oid, person in logs.persons.items():
        entries = logs.effective(oid, known_at, until)
        for day in sorted({e.on for e in entries}):
            s = replay(person, [e for e in entries if e.on <= day], logs.terms, strict=False)
            refunds = tuple(RefundFact(r.since, r.cause, r.amount, r.paid) for r in s.refunds)
            out.append((day, person, Holding(s.employed, s.partner, s.shares, s.paid, refunds)))
    out.sort(key=lambda row: row[0])
    return out


class Source:
    """Where one cooperative's facts come from: the view when level, else the events."""

    def __init__(self, ledger: EventStore, db: DB | None, slug: str) -> None:
        self.ledger, self.db, self.slug = ledger, db, slug

    def runs(self, until: date, known_at: datetime) -> tuple[Params, CoopState, list[Run]]:
        params, coop, facts = self.facts(until, known_at)
        return params, coop, runs(params, facts, until)

    def facts(self, until: date, known_at: datetime) -> tuple[Params, CoopState, Iterator[Facts]]:
        """The cooperative's facts on every date they may change, registration to ``until``."""
        coop = coop_state(self.ledger, self.slug, until, known_at, by_position=self.db is None)
        params = Params.of(coop)
        if until < params.registered_on:
            from scop_ledger.domain.errors import Refused

            raise Refused(
                f"{until} is before the cooperative's registration on {params.registered_on}"
            )
        rows: Any
        if self.db is None:
            rows = rows_from_events(self.ledger, self.slug, until, known_at)
        else:
            rows = rows_from_view(self.db, self.slug, until, known_at)
        return params, coop, facts_over(params, coop, rows, until)


# ------------------------------------------------------------------ results


class CheckRow(Result):
    rule: str
    status: str
    value: str | None
    threshold: str | None
    since: date
    detail: str


class Compliance(PointInTime):
    profile: str
    compliant: bool
    checks: list[CheckRow]


def compliance(source: Source, as_of: date, known_at: datetime) -> Compliance:
    """Each rule's status as of ``as_of``, with the date its current run began."""
    params, _, found = source.runs(as_of, known_at)
    return compliance_of(source.slug, params, found, as_of, known_at)


def compliance_of(
    slug: str, params: Params, found: list[Run], as_of: date, known_at: datetime
) -> Compliance:
    """The answer of :func:`compliance` from the runs already swept up to ``as_of``."""
    current: dict[str, Run] = {}
    for run in found:
        current[run.rule] = run  # runs come by rule then start: the last is the current one
    checks = [
        CheckRow(
            rule=run.rule,
            status=run.status.value,
            value=run.last.value,
            threshold=run.last.threshold,
            since=run.start,
            detail=run.last.detail,
        )
        for run in current.values()
    ]
    return Compliance(
        coop=slug,
        as_of=as_of,
        known_at=known_at,
        profile=params.profile.value,
        compliant=all(c.status != Status.BREACH.value for c in checks),
        checks=checks,
    )


class Timeline(PointInTime):
    profile: str
    since: date
    changes: list[dict[str, Any]]


def timeline(
    source: Source,
    as_of: date,
    known_at: datetime,
    since: date | None = None,
    rules: tuple[str, ...] = (),
) -> Timeline:
    """Each rule's runs of one status over the period [since, as_of]: from, to, status, the
    value and detail when the run began."""
    params, _, found = source.runs(as_of, known_at)
    start = since or params.registered_on
    changes = [
        {
            "rule": run.rule,
            "from": max(run.start, start),
            "to": run.end,
            "status": run.status.value,
            "value": run.first.value,
            "threshold": run.first.threshold,
            "detail": run.first.detail,
        }
        for run in found
        if run.end >= start and (not rules or run.rule in rules)
    ]
    return Timeline(
        coop=source.slug,
        as_of=as_of,
        known_at=known_at,
        profile=params.profile.value,
        since=start,
        changes=changes,
    )


class Holder(Result):
    person: str
    name: str | None
    shares: int


class ExternalHolder(Holder):
    votes: Decimal


class EmployeePartners(Result):
    count: int
    shares: int


class Factsheet(PointInTime):
    year: int
    filing_due: date
    share_value: Decimal
    shares: int
    capital: Decimal
    partners: int
    employee_partners: EmployeePartners
    largest_holder: Holder | None
    externals: list[ExternalHolder]


fiscal_year_end = year_end  # the name the factsheet command calls


def factsheet(s: Snapshot, year: int) -> Factsheet:
    """The annual fact sheet to the Ministry of Labour (seed 003), as of the financial year's
    end: shares and their value, employee partners and their shares, the largest holder,
    non-employee partners with shares and votes, the capital. Due within six months."""
    from scop_ledger.domain.dates import add_months

    partners = s.partners
    employees = [p for p in partners if p.category == "employee"]
    externals = [p for p in partners if p.category == "external"]
    from scop_ledger.domain.votes import weight_under

    weight = weight_under(s.coop.vote_cap, len(employees), len(externals))
    largest = max(partners, key=lambda p: (p.shares, [-ord(c) for c in p.person]), default=None)
    shares = sum(p.shares for p in partners)
    return Factsheet(
        coop=s.coop.slug,
        as_of=s.as_of,
        known_at=s.known_at,
        year=year,
        filing_due=add_months(s.as_of, 6),
        share_value=money(s.coop.share_value),
        shares=shares,
        capital=money(s.coop.share_value * shares),
        partners=len(partners),
        employee_partners=EmployeePartners(
            count=len(employees), shares=sum(p.shares for p in employees)
        ),
        largest_holder=None
        if largest is None
        else Holder(person=largest.person, name=largest.name, shares=largest.shares),
        externals=[
            ExternalHolder(person=p.person, name=p.name, shares=p.shares, votes=ratio(weight))
            for p in externals
        ],
    )


WRITTEN_SQL = """
SELECT e.on_date, e.recorded_at FROM rm_entries e JOIN rm_coops c ON c.cid = e.cid
WHERE c.slug = :slug
  AND (e.seq BETWEEN :first AND :last OR e.reversed_by BETWEEN :first AND :last)
"""


def new_breaches(ledger: EventStore, db: DB, slug: str, first: int, last: int) -> list[str]:
    """Warnings for the rules that entries ``first``..``last`` (just recorded, the view level
    with them) put into breach: a run of breach that begins on one of their dates (or on the
    date of an entry they reversed) and that the ledger did not show just before them."""
    from scop_ledger.readmodel.times import from_micros

    found = db.rows(WRITTEN_SQL, {"slug": slug, "first": first, "last": last})
    if not found:
        return []
    dates = {on if isinstance(on, date) else date.fromisoformat(on) for on, _ in found}
    recorded = max(at for _, at in found if at is not None)
    first_at = min(at for _, at in found)
    before = from_micros(first_at - 1)
    after = from_micros(recorded)
    source = Source(ledger, db, slug)
    until = max(dates)
    _, _, new = source.runs(until, after)
    started = [r for r in new if r.status is Status.BREACH and r.start in dates]
    if not started:
        return []  # the usual case: one pass over the history, not two
    try:
        _, _, old = source.runs(until, before)
    except NoCooperative:
        return []  # the cooperative itself was just registered
    known = {(r.rule, r.start) for r in old if r.status is Status.BREACH}
    return [
        f"warning: after this, {r.rule} is in breach as of {r.start}: {r.first.detail}"
        for r in started
        if (r.rule, r.start) not in known
    ]
