"""One page of the register of share movements, read from the view: the movements at
positions ``start`` to ``start + limit`` of the whole register (or of one person's), and how
many it has, without making the others.

Every movement depends on the member's state before it, and an end of contract that ends a
partnership is one movement or two depending on the movement before it in the whole register
(:func:`~scop_ledger.readmodel.register.planned`). How many movements each date has
(readmodel/placing.py) gives the total and the dates a page spans. Only those dates' steps
are read, with each of their members' step before them, and planned; only the page's movements
are priced, numbered among the cooperative's entries and made. One person's register reads
only that person's steps, and the few steps of others on a date where it has to know whether
another movement comes between two of theirs.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from datetime import date, datetime
from itertools import accumulate
from typing import Any

from scop_ledger.readmodel import placing
from scop_ledger.readmodel.placing import Days, days_from_view
from scop_ledger.readmodel.queries import money
from scop_ledger.readmodel.register import (
    STEPS_SQL,
    Movement,
    Planned,
    Register,
    change,
    movement,
    planned,
)
from scop_ledger.readmodel.snapshot import coop_from_view
from scop_ledger.readmodel.steps import (
    StateStep,
    steps_from_view,
    values_from_view,
    with_counterparties,
)
from scop_ledger.readmodel.times import micros
from scop_ledger.store.db import DB

KNOWN = "{0}.known_from <= :t AND ({0}.known_to IS NULL OR {0}.known_to > :t)"

# The steps of the dates from :first to :d, in STEPS_SQL's order.
RANGE_SQL = STEPS_SQL.replace("s.on_date <= :d", "s.on_date >= :first AND s.on_date <= :d")

# Each of these people's step just before :first (by the member index).
BEFORE_SQL = f"""
SELECT s.on_date, s.seq, m.person, s.name, s.action, s.cause, s.shares, s.paid_cents, s.partner,
       s.employed, s.refunds
FROM rm_members m JOIN rm_states s ON s.id = (
  SELECT x.id FROM rm_states x
  WHERE x.mid = m.mid AND x.on_date < :first AND {KNOWN.format("x")}
  ORDER BY x.on_date DESC, x.version DESC LIMIT 1)
WHERE m.cid = :cid AND m.person IN ({{persons}})
"""

# One member's steps, as STEPS_SQL orders them (``+s.cid``: by the member's index).
MEMBER_STEPS_SQL = """
SELECT s.on_date, s.seq, m.person, s.name, s.action, s.cause, s.shares, s.paid_cents, s.partner,
       s.employed, s.refunds
FROM rm_states s JOIN rm_members m ON m.mid = s.mid
WHERE s.mid = :mid AND +s.cid = :cid AND s.on_date <= :d AND s.known_from <= :t
  AND (s.known_to IS NULL OR s.known_to > :t)
ORDER BY s.on_date, s.version > 0, s.seq, m.person
"""

# Other members' steps of entries (not conversions) on one date, between two sequences.
BETWEEN_SQL = """
SELECT s.mid, s.seq, m.person FROM rm_states s JOIN rm_members m ON m.mid = s.mid
WHERE s.cid = :cid AND s.on_date = :on AND s.version > 0 AND s.seq >= :lo AND s.seq <= :hi
  AND s.mid <> :mid AND s.known_from <= :t AND (s.known_to IS NULL OR s.known_to > :t)
"""

MEMBER_SQL = "SELECT mid FROM rm_members WHERE cid = :cid AND person = :person"

# The cooperative's entries known at :t in [lo, hi) of the log.
COUNT_SQL = """
SELECT COUNT(*) FROM rm_entries
WHERE cid = :cid AND seq >= :lo AND seq < :hi AND recorded_at <= :t
"""


class RegisterPage(Register):
    """The movements at positions ``start`` (from 0) onwards of the ``total`` the register
    (``person``'s only, when given) has."""

    person: str | None = None
    start: int = 0
    total: int = 0


def cut(whole: Register, window: tuple[int, int | None], person: str | None) -> RegisterPage:
    """The movements of a whole register (``person``'s only, when given) at positions
    ``window`` (start, how many; None: every one from start)."""
    rows = [m for m in whole.movements if person is None or m.person == person]
    start, limit = window
    return RegisterPage(
        coop=whole.coop,
        as_of=whole.as_of,
        known_at=whole.known_at,
        share_value=whole.share_value,
        movements=rows[start : None if limit is None else start + limit],
        person=person,
        start=start,
        total=len(rows),
    )


def register_page_from_view(
    db: DB,
    slug: str,
    as_of: date,
    known_at: datetime,
    window: tuple[int, int | None],
    person: str | None = None,
    days: Days | None = None,
) -> RegisterPage:
    """The movements at positions ``window`` (start from 0, how many; None: every one from
    start) of the register as of ``as_of``, as known at ``known_at`` (``person``'s only,
    when given), exactly as :func:`~scop_ledger.readmodel.register.register_from_view` has
    them at those positions, and how many it has. ``days``: the register's movements by date
    as known at ``known_at`` (:mod:`~scop_ledger.readmodel.placing`; None: counted here)."""
    cid, coop = coop_from_view(db, slug, known_at, as_of)
    params: dict[str, Any] = {"cid": cid, "d": as_of, "t": micros(known_at)}
    if person is None:
        counted = days_from_view(db, cid, known_at) if days is None else days
        shown, total = _placed(db, params, counted.until(as_of), window)
    else:
        mid = db.scalar(MEMBER_SQL, {"cid": cid, "person": person})
        steps = [] if mid is None else steps_from_view(db, MEMBER_STEPS_SQL, {**params, "mid": mid})
        shown, total = _sliced(planned(steps, _apart(db, params, mid)), window)
    return RegisterPage(
        coop=slug,
        as_of=as_of,
        known_at=known_at,
        share_value=money(coop.share_value),
        movements=_made(db, cid, slug, known_at, shown),
        person=person,
        start=window[0],
        total=total,
    )


def register_page_now(
    db: DB,
    slug: str,
    moment: tuple[date, datetime],
    window: tuple[int, int | None],
    store: tuple[str, bool],
) -> RegisterPage | None:
    """The page of the whole register as known now (``moment``: as of, and now), placed with
    its movements by date held or kept (:mod:`~scop_ledger.readmodel.placing`; ``store``: the
    store's URL, and whether they may be kept there); None: no such cooperative in the view."""
    found = placing.days_now(db, slug, moment[1], store)
    if found is None:
        return None
    days, fresh = found
    page = register_page_from_view(db, slug, moment[0], moment[1], window, days=days)
    if fresh:
        placing.keep_apart(store[0], days)
    return page


def _sliced(found: Iterable[Planned], window: tuple[int, int | None]) -> tuple[list[Planned], int]:
    """The planned movements at positions ``window`` of those ``found``, and how many."""
    start, limit = window
    stop = None if limit is None else start + max(limit, 0)
    shown: list[Planned] = []
    total = 0
    for p in found:
        if total >= start and (stop is None or total < stop):
            shown.append(p)
        total += 1
    return shown, total


def _placed(
    db: DB, params: dict[str, Any], days: list[tuple[date, int]], window: tuple[int, int | None]
) -> tuple[list[Planned], int]:
    """The whole register's planned movements at positions ``window``, and how many it has:
    the dates the page spans found by the movements each date has, and only theirs planned."""
    ends = list(accumulate(n for _on, n in days))  # the movements up to each date
    total = ends[-1] if ends else 0
    start, limit = window
    stop = total if limit is None else min(start + max(limit, 0), total)
    if start >= stop:
        return [], total
    first = bisect_right(ends, start)  # the page's first date: the first to end past start
    last = bisect_left(ends, stop, lo=first)  # its last: the first to end at or past stop
    before = ends[first - 1] if first else 0
    asked = {**params, "first": days[first][0], "d": days[last][0]}
    steps = steps_from_view(db, RANGE_SQL, asked)
    on = days[first][0]
    found = [p for p in planned([*_steps_before(db, asked, steps), *steps]) if p.step.on >= on]
    return found[start - before : stop - before], total


def _steps_before(db: DB, params: dict[str, Any], steps: list[StateStep]) -> list[StateStep]:
    """The step just before :first of each person of these ``steps``."""
    persons = sorted({s.person for s in steps})
    out: list[StateStep] = []
    for at in range(0, len(persons), 500):
        chunk = persons[at : at + 500]
        names = {f"p{i}": person for i, person in enumerate(chunk)}
        sql = BEFORE_SQL.format(persons=", ".join(f":{name}" for name in names))
        out += steps_from_view(db, sql, {**params, **names})
    return out


def _made(db: DB, cid: int, slug: str, known_at: datetime, window: list[Planned]) -> list[Movement]:
    """The page's planned movements priced, numbered, with their transfers' counterparties."""
    steps = with_counterparties(db, [p.step for p in window])
    numbers = entry_numbers_from_view(db, cid, known_at, {s.seq for s in steps})
    value_on = values_from_view(db, slug, known_at)
    return [
        movement(p._replace(step=s), numbers[s.seq], value_on(s.on))
        for p, s in zip(window, steps, strict=True)
    ]


def entry_numbers_from_view(db: DB, cid: int, known_at: datetime, seqs: set[int]) -> dict[int, int]:
    """Each sequence's number among the cooperative's entries known at ``known_at`` (1 + how
    many come before it in the log), counted range by range up to the last one asked."""
    out: dict[int, int] = {}
    before, low = 0, 0
    t = micros(known_at)
    for seq in sorted(seqs):
        before += int(db.scalar(COUNT_SQL, {"cid": cid, "lo": low, "hi": seq, "t": t}) or 0)
        out[seq] = before + 1
        low = seq
    return out


def _apart(db: DB, params: dict[str, Any], mid: Any) -> Callable[[StateStep, StateStep], bool]:
    """Whether the whole register has a movement of another member between two steps of one
    member on one date (``a`` before ``b``): another member's step between them in the
    register's order that changes that member's shares, money, status or category."""

    def apart(a: StateStep, b: StateStep) -> bool:
        asked = {**params, "on": a.on, "lo": a.seq, "hi": b.seq, "mid": mid}
        for other, seq, person in db.rows(BETWEEN_SQL, asked):
            if not (a.seq, a.person) < (int(seq), person) < (b.seq, b.person):
                continue
            theirs = steps_from_view(db, MEMBER_STEPS_SQL, {**params, "d": a.on, "mid": other})
            for prev, step in zip([None, *theirs], theirs, strict=False):
                if step.seq == int(seq) and step.on == a.on and change(prev, step) is not None:
                    return True
        return False

    return apart
