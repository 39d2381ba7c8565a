"""Compliance, timeline and the annual fact sheet: the rule profile's checks over time.

The facts come from a reader (``readmodel.sources``): members' states from the view's
bitemporal state rows (fast) or from the events (the oracle), and the cooperative's own entries
(forms, mandates, reviews, allocations). Both feed the same pure sweep (``domain.rules.sweep``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from scop_ledger import i18n
from scop_ledger.domain.rules import Params, Status
from scop_ledger.domain.rules.sweep import Run
from scop_ledger.readmodel.queries import PointInTime, money, ratio
from scop_ledger.readmodel.results import Result, serializer
from scop_ledger.readmodel.snapshot import NoCooperative, Snapshot
from scop_ledger.store.db import DB

if TYPE_CHECKING:
    from scop_ledger.readmodel.sources import RuleFacts
    from scop_ledger.store.eventstore import EventStore


# ------------------------------------------------------------------ results


class CheckRow(Result):
    """One rule's status. ``detail`` is in the current language (a table shows it); JSON, which
    never depends on the language, gives it in English."""

    rule: str
    status: str
    value: str | None
    threshold: str | None
    since: date
    detail: str
    _english: str | None = None

    @serializer("detail")
    def _neutral(self, value: str) -> str:
        return value if self._english is None else self._english


def check_row(run: Run) -> CheckRow:
    """The row of a rule's current run: its last check, the date the run began."""
    row = CheckRow(
        rule=run.rule,
        status=run.status.value,
        value=run.last.value,
        threshold=run.last.threshold,
        since=run.start,
        detail=run.last.detail,
    )
    if i18n.language() != i18n.DEFAULT:
        row._english = run.last.text.english()
    return row


class Compliance(PointInTime):
    profile: str
    compliant: bool
    checks: list[CheckRow]


def compliance(rules: RuleFacts, as_of: date, known_at: datetime) -> Compliance:
    """Each rule's status as of ``as_of``, with the date its current run began."""
    params, _, found = rules.runs(as_of, known_at)
    return compliance_of(rules.slug, params, found, as_of, known_at)


def compliance_of(
    slug: str, params: Params, found: list[Run], as_of: date, known_at: datetime
) -> Compliance:
    """The answer of :func:`compliance` from the runs already swept up to ``as_of``."""
    current: dict[str, Run] = {}
    for run in found:
        current[run.rule] = run  # runs come by rule then start: the last is the current one
    checks = [check_row(run) for run in current.values()]
    return Compliance(
        coop=slug,
        as_of=as_of,
        known_at=known_at,
        profile=params.profile.value,
        compliant=all(c.status != Status.BREACH.value for c in checks),
        checks=checks,
    )


class Timeline(PointInTime):
    """Each rule's runs. A row's ``detail`` and ``end_detail`` are in the current language (a
    table shows them); JSON gives them in English."""

    profile: str
    since: date
    changes: list[dict[str, Any]]
    _english: list[tuple[str, str]] | None = None

    @serializer("changes")
    def _neutral(self, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self._english is None:
            return changes
        return [
            {**row, "detail": first, "end_detail": last}
            for row, (first, last) in zip(changes, self._english, strict=True)
        ]


def change_row(run: Run, start: date) -> dict[str, Any]:
    """A run as a timeline row: the situation when it began (``value``, ``threshold``,
    ``detail``), on its last day (``end_value``, ``end_threshold``, ``end_detail``) and, for a
    rule whose value is a ratio, the ``lowest`` and ``highest`` over the run (else None)."""
    return {
        "rule": run.rule,
        "from": max(run.start, start),
        "to": run.end,
        "status": run.status.value,
        "value": run.first.value,
        "threshold": run.first.threshold,
        "detail": run.first.detail,
        "end_value": run.last.value,
        "end_threshold": run.last.threshold,
        "end_detail": run.last.detail,
        "lowest": run.lowest,
        "highest": run.highest,
    }


def timeline(
    source: RuleFacts,
    as_of: date,
    known_at: datetime,
    since: date | None = None,
    rules: tuple[str, ...] = (),
) -> Timeline:
    """Each rule's runs of one status over the period [since, as_of]: from, to, status, the
    value and detail when the run began and on its last day, the lowest and highest ratio over
    it (of ``rules`` only, when given)."""
    params, _, found = source.runs(as_of, known_at)
    return timeline_of(source.slug, params, found, as_of, known_at, since, rules)


def timeline_of(
    slug: str,
    params: Params,
    found: list[Run],
    as_of: date,
    known_at: datetime,
    since: date | None = None,
    rules: tuple[str, ...] = (),
) -> Timeline:
    """:func:`timeline` from the runs already found."""
    start = since or params.registered_on
    shown = [r for r in found if r.end >= start and (not rules or r.rule in rules)]
    answer = Timeline(
        coop=slug,
        as_of=as_of,
        known_at=known_at,
        profile=params.profile.value,
        since=start,
        changes=[change_row(run, start) for run in shown],
    )
    if i18n.language() != i18n.DEFAULT:
        answer._english = [(r.first.text.english(), r.last.text.english()) for r in shown]
    return answer


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
    largest_holders: list[Holder]  # every partner tied for the largest holding, by id
    externals: list[ExternalHolder]


def factsheet(s: Snapshot, year: int) -> Factsheet:
    """The annual fact sheet to the Ministry of Labour (seed 003), as of the financial year's
    end: shares and their value, employee partners and their shares, the largest holder (and
    every partner tied with them),
    non-employee partners with shares and votes, the capital. Due within six months."""
    from scop_ledger.domain.dates import add_months

    partners = s.partners
    employees = [p for p in partners if p.category == "employee"]
    externals = [p for p in partners if p.category == "external"]
    from scop_ledger.domain.votes import weight_under

    weight = weight_under(s.coop.vote_cap, len(employees), len(externals))
    largest = max(partners, key=lambda p: (p.shares, [-ord(c) for c in p.person]), default=None)
    tied = sorted(
        (p for p in partners if largest is not None and p.shares == largest.shares),
        key=lambda p: p.person,
    )
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
        largest_holders=[Holder(person=p.person, name=p.name, shares=p.shares) for p in tied],
        externals=[
            ExternalHolder(person=p.person, name=p.name, shares=p.shares, votes=ratio(weight))
            for p in externals
        ],
    )


#: Rules whose breach a write does not warn about: an admission is recorded before the
#: subscription that follows it, and a warning after every admission would teach users to
#: skip warnings (``compliance`` and ``timeline`` show the breach).
QUIET_ON_WRITE = frozenset({"partners-hold-shares"})

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
    from scop_ledger.readmodel.sources import ViewReader

    source = ViewReader(db, lambda: ledger).rules(slug)
    until = max(dates)
    # Only the runs that begin on one of the dates matter: the rules are evaluated from the
    # day before the earliest (the facts are still stepped through from the registration).
    since = min(dates) - timedelta(days=1)
    _, _, new = source.runs(until, after, since)
    started = [
        r
        for r in new
        if r.status is Status.BREACH and r.start in dates and r.rule not in QUIET_ON_WRITE
    ]
    if not started:
        return []  # the usual case: one pass over the history, not two
    try:
        _, _, old = source.runs(until, before, since)
    except NoCooperative:
        return []  # the cooperative itself was just registered
    known = {(r.rule, r.start) for r in old if r.status is Status.BREACH}
    return [
        i18n._("warning: after this, {rule} is in breach as of {date}: {detail}").format(
            rule=r.rule, date=i18n.day(r.start), detail=r.first.detail
        )
        for r in started
        if (r.rule, r.start) not in known
    ]


# ------------------------------------------------------------------ the meeting roll

#: Where the law limits proxies in a Scop: loi 78-763, the section "Assemblées d'associés ou
#: assemblées générales et assemblées de sections" (Légifrance LEGISCTA000006133481): a
#: partner is represented only by another partner; the statutes limit the proxies one
#: partner holds so that none has, besides their own vote, more than one vote below twenty
#: partners, or more votes than a twentieth of the partners from twenty on. The article's
#: number was not confirmed from the primary text: the section is cited (docs/rules.md).
PROXY_SOURCE = "loi 78-763 (Légifrance LEGISCTA000006133481)"


class RollRow(Result):
    person: str
    name: str | None
    college: str  # employee / external
    shares: int
    votes: Decimal  # 1, or the external weight under the cap (4 places)


class Roll(PointInTime):
    """The general meeting's roll on a date: every partner, their college and vote weight, and
    the law's limits on proxies."""

    partners: int
    external_weight: Decimal
    proxy_holder: str  # who may hold a proxy: "partner" (only another partner)
    max_proxies: int  # proxies one partner may hold besides their own vote
    proxy_source: str
    members: list[RollRow]


def max_proxies(partners: int) -> int:
    """The proxies one partner may hold besides their own vote: one when the Scop has fewer
    than twenty partners; from twenty on, no more votes than a twentieth of the partners
    (loi 78-763, the assemblies' section)."""
    return 1 if partners < 20 else partners // 20


def roll(s: Snapshot) -> Roll:
    """The meeting roll on ``s.as_of``: one person, one vote, each external partner's vote
    weighted down to the cap (loi 47-1775 art. 3 bis), ordered by college then person."""
    from scop_ledger.domain.votes import weight_under

    partners = s.partners
    employees = sum(1 for p in partners if p.category == "employee")
    weight = weight_under(s.coop.vote_cap, employees, len(partners) - employees)
    members = [
        RollRow(
            person=p.person,
            name=p.name,
            college=p.category or "",
            shares=p.shares,
            votes=ratio(Fraction(1) if p.category == "employee" else weight),
        )
        for p in sorted(partners, key=lambda p: (p.category != "employee", p.person))
    ]
    return Roll(
        coop=s.coop.slug,
        as_of=s.as_of,
        known_at=s.known_at,
        partners=len(partners),
        external_weight=ratio(weight),
        proxy_holder="partner",
        max_proxies=max_proxies(len(partners)),
        proxy_source=PROXY_SOURCE,
        members=members,
    )
