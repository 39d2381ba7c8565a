"""Refund-interval bookkeeping: a person's refunds owed over their timeline, as the rows of
``rm_refunds`` (valid on the dates [valid_from, valid_to), known on [known_from, known_to)).

A person's refunds change at a few entries only (an exit, a refund payment): each change ends the
open-ended interval at its date and opens the next. A back-dated entry or a reversal closes all
the person's rows and writes them anew (see readmodel/applier.py). The rows wait in
:class:`RefundRows` for the page's flush (readmodel/writer.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Connection, update

from scop_ledger.domain.member_fold import MemberState
from scop_ledger.readmodel import schema as t
from scop_ledger.readmodel.bulk import insert_rows

KNOWN_TO = t.REFUND_COLUMNS.index("known_to")
# A person's refunds on a date: (refund, since, cause, amount_cents, partial, paid_cents,
# shares) each, in the fold's order; rm_refunds rows hold all but the shares.
RefundValues = tuple[tuple[Any, ...], ...]


class RefundRow:
    """A row of ``rm_refunds`` waiting for the page's insert (``stored`` once inserted)."""

    __slots__ = ("stored", "values")

    def __init__(self, values: list[Any] | None, stored: bool = False) -> None:
        self.values = values
        self.stored = stored


class Person(Protocol):
    """What the bookkeeping reads and keeps of a person (the projector's member cache)."""

    cid: int
    mid: int
    person: str
    # The person's refunds over their timeline: (first date, refunds from then on) each time
    # they change; and the rows of the last, open-ended step (valid_to null) as now known.
    refund_steps: list[tuple[date, RefundValues]]
    open_refunds: list[RefundRow]


def add_step(steps: list[tuple[date, RefundValues]], on: date, values: RefundValues) -> None:
    """Note the person's refunds after an entry dated ``on`` (entries come in date order)."""
    if (steps[-1][1] if steps else ()) == values:
        return
    if steps and steps[-1][0] == on:
        steps[-1] = (on, values)
    else:
        steps.append((on, values))


class RefundRows:
    """The ``rm_refunds`` rows a page inserts, and the people whose stored open rows it closes.
    ``day`` gives a date as the store takes it (the page writer's)."""

    def __init__(self, day: Callable[[date | None], Any]) -> None:
        self.day = day
        self.begin()

    def begin(self) -> None:
        """Nothing waiting (a page begins)."""
        self.inserts: list[RefundRow] = []
        self.closes: list[tuple[int, int]] = []  # (known, mid)

    def values(self, s: MemberState) -> RefundValues:
        """The refunds of a member's state as rows hold them."""
        if not s.refunds:
            return ()
        day = self.day
        return tuple(
            (
                r.version,
                day(r.since),
                r.cause,
                t.cents(r.amount),
                r.partial,
                t.cents(r.paid),
                r.shares,
            )
            for r in s.refunds
        )

    def step(self, member: Person, on: date, values: RefundValues, known: int) -> None:
        """The person's refunds from ``on`` (at or after their last step) are ``values``: end
        the open step at ``on`` (or replace it, on the same date) and open the next."""
        steps = member.refund_steps
        if steps and steps[-1][1] == values:
            return
        if member.open_refunds:
            if any(r.stored for r in member.open_refunds):
                self.closes.append((known, member.mid))
            for r in member.open_refunds:
                if not r.stored:
                    assert r.values is not None
                    r.values[KNOWN_TO] = known
            member.open_refunds = []
        if steps and steps[-1][0] < on:
            self.add(member, steps[-1][0], on, steps[-1][1], known)
        add_step(steps, on, values)
        self.add(member, on, None, values, known)

    def add(
        self, member: Person, start: date, end: date | None, values: RefundValues, known: int
    ) -> None:
        """Rows of the person's refunds ``values``, valid from ``start`` to ``end``."""
        for refund, since, cause, amount, partial, paid, _shares in values:
            row = RefundRow(
                [
                    member.cid,
                    member.mid,
                    member.person,
                    refund,
                    since,
                    cause,
                    amount,
                    partial,
                    paid,
                    self.day(start),
                    self.day(end),
                    known,
                    None,
                ]
            )
            self.inserts.append(row)
            if end is None:
                member.open_refunds.append(row)

    def rewrite(
        self, conn: Connection, member: Person, steps: list[tuple[date, RefundValues]], known: int
    ) -> None:
        """The person's refund rows, all of them, closed and written anew from ``steps``."""
        conn.execute(
            update(t.refunds)
            .where(t.refunds.c.mid == member.mid, t.refunds.c.known_to.is_(None))
            .values(known_to=known)
        )
        member.refund_steps = steps
        member.open_refunds = []
        for i, (start, values) in enumerate(steps):
            end = steps[i + 1][0] if i + 1 < len(steps) else None
            self.add(member, start, end, values, known)

    def flush(self, conn: Connection, mark: str) -> None:
        """Write what waits (``mark``: the driver's parameter mark)."""
        if self.closes:
            # Before the page's inserts: these close rows stored by earlier flushes only.
            conn.exec_driver_sql(
                f"UPDATE rm_refunds SET known_to = {mark} WHERE mid = {mark} "
                "AND valid_to IS NULL AND known_to IS NULL",
                self.closes,
            )
            self.closes = []
        if self.inserts:
            insert_rows(
                conn,
                "rm_refunds",
                t.REFUND_COLUMNS,
                [tuple(r.values) for r in self.inserts if r.values is not None],
            )
            for r in self.inserts:
                r.stored = True
            self.inserts = []
