"""The rules' facts from the view: each date's change of the totals, summed in SQL from the state
rows' deltas (readmodel/deltas.py) over the covering index ``rm_states_coop``, and the rows of
the few people the sweep follows one by one (:mod:`scop_ledger.domain.rules.tally`); and the
oracle's member rows, from the events (:func:`rows_from_events`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import orjson

from scop_ledger.readmodel import snapshot as snap
from scop_ledger.readmodel.times import micros

if TYPE_CHECKING:
    from scop_ledger.domain.cooperative_fold import CoopState
    from scop_ledger.domain.rules.facts import Facts, Params
    from scop_ledger.domain.rules.sweep import MemberRow
    from scop_ledger.domain.rules.tally import DayChange
    from scop_ledger.readmodel.snapshot import MemberLogs
    from scop_ledger.store.db import DB

KNOWN = "s.known_from <= :t AND (s.known_to IS NULL OR s.known_to > :t)"

DAYS_SQL = f"""
SELECT s.on_date, SUM(s.d_employees), SUM(s.d_externals), SUM(s.d_employee_shares),
       SUM(s.d_external_shares), SUM(s.d_paid_cents)
FROM rm_states s
WHERE s.cid = :cid AND s.on_date <= :d AND s.on_date >= :since AND {KNOWN}
GROUP BY s.on_date
ORDER BY s.on_date
"""

_ROWS = f"""
SELECT s.on_date, s.seq, s.mid, m.person, s.employed, s.partner, s.shares, s.paid_cents, s.refunds
FROM rm_states s JOIN rm_members m ON m.mid = s.mid
WHERE {KNOWN} AND """
# The rows of the people followed: marked ones (refunds, partners with no share), those up to
# the first date (the founders), and the mandate holders' (their categories).
MARKED = "s.cid = :cid AND s.marks <> 0 AND s.on_date <= :d"
FOUNDING = "s.cid = :cid AND s.on_date <= :first"
HOLDERS = "m.cid = :cid AND m.person IN ({names}) AND s.on_date <= :d"


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def days_from_view(
    db: DB, cid: int, until: date, known_at: datetime, since: date = date.min
) -> list[DayChange]:
    """Each date with a member row known at ``known_at``, from ``since`` up to ``until``, and
    its change."""
    asked = {"cid": cid, "d": until, "since": since, "t": micros(known_at)}
    return [
        (_day(on), int(a), int(b), int(c), int(e), int(p))
        for on, a, b, c, e, p in db.rows(DAYS_SQL, asked)
    ]


def followed_from_view(
    db: DB, cid: int, until: date, known_at: datetime, first: date, holders: list[str]
) -> Iterator[MemberRow]:
    """The rows of the people followed (see the SQL above), in (date, entry) order."""
    from scop_ledger.domain.rules.facts import Holding, RefundFact

    params: dict[str, Any] = {"cid": cid, "d": until, "t": micros(known_at), "first": first}
    branches = [_ROWS + MARKED, _ROWS + FOUNDING]
    if holders:
        params.update({f"h{i}": person for i, person in enumerate(holders)})
        names = ", ".join(f":h{i}" for i in range(len(holders)))
        branches.append(_ROWS + HOLDERS.format(names=names))
    # One query each, merged in (date, entry) order; a row that a small query gives too (a
    # founder's, a holder's) counts once. Sorted here: SQLite plans a UNION of the queries,
    # or the marked rows in order, without the marked rows' partial index.
    marked, *small = [
        db.rows(sql + (" ORDER BY s.on_date, s.seq" if sql is not branches[0] else ""), params)
        for sql in branches
    ]
    if any(small):
        given = {row[:3] for rows in small for row in rows}
        marked = [row for row in marked if row[:3] not in given]
        for rows in small:
            marked += rows
    marked.sort(key=itemgetter(0, 1))
    parsed: dict[str, tuple[RefundFact, ...]] = {}
    days: dict[Any, date] = {}
    cents = Decimal("0.01")
    for on, _seq, _mid, person, employed, partner, shares, paid, refunds in marked:
        owed: tuple[RefundFact, ...] = ()
        if refunds:
            owed = parsed.get(refunds) or ()
            if not owed:
                owed = parsed[refunds] = tuple(
                    RefundFact(
                        date.fromisoformat(since), cause, amount * cents, paid_back * cents, n
                    )
                    for _v, since, cause, amount, _partial, paid_back, n in orjson.loads(refunds)
                )
        day = days.get(on)
        if day is None:
            day = days[on] = _day(on)
        yield day, person, Holding(bool(employed), bool(partner), shares, paid * cents, owed)


def facts_from_view(
    db: DB, slug: str, params: Params, coop: CoopState, until: date, known_at: datetime
) -> Iterator[Facts]:
    """The facts of every date from the registration to ``until`` on which they may change,
    as :func:`~scop_ledger.domain.rules.sweep.facts_over` gives them from every row."""
    cid, _coop = snap.coop_from_view(db, slug, known_at)
    days = days_from_view(db, cid, until, known_at)
    return facts_from_days(db, cid, (params, coop), days, until, known_at)


def facts_from_days(
    db: DB,
    cid: int,
    statutes: tuple[Params, CoopState],
    days: list[DayChange],
    until: date,
    known_at: datetime,
    since: date | None = None,
) -> Iterator[Facts]:
    """:func:`facts_from_view` from ``days`` (:func:`days_from_view`, read already) and the
    rows of the people followed; with ``since``, only the facts dated from it on."""
    from scop_ledger.domain.rules.tally import facts_from_changes

    params, coop = statutes
    first = min(params.registered_on, days[0][0]) if days else params.registered_on
    holders = sorted({m.person for m in coop.mandates})
    rows = followed_from_view(db, cid, until, known_at, first, holders)
    return facts_from_changes(params, coop, days, rows, until, since)


def rows_from_events(logs: MemberLogs, until: date, known_at: datetime) -> list[MemberRow]:
    """The member rows the sweep reads (:func:`~scop_ledger.domain.rules.sweep.facts_over`),
    from the events: each member's state after each of its dates, by replaying its entries."""
    from scop_ledger.domain.member_fold import replay
    from scop_ledger.domain.rules.facts import Holding, RefundFact

    out: list[MemberRow] = []
    terms = logs.terms
    changes = {on for on, _value in terms.share_values if on <= until}
    for oid, person in logs.persons.items():
        entries = logs.effective(oid, known_at, until)
        days = {e.on for e in entries}
        days |= {on for on in changes if days and on > min(days)}  # its conversions' rows
        for day in sorted(days):
            s = replay(person, [e for e in entries if e.on <= day], terms.until(day), strict=False)
            refunds = tuple(
                RefundFact(r.since, r.cause, r.amount, r.paid, r.shares) for r in s.refunds
            )
            out.append((day, person, Holding(s.employed, s.partner, s.shares, s.paid, refunds)))
    out.sort(key=lambda row: row[0])
    return out
