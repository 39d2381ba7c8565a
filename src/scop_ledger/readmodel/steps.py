"""A member's steps for the register: their state just after each entry, read from the view
(:func:`steps_from_view`), and what the register's movements add to them from elsewhere (a
transfer's counterparty, the share value in force on a date)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from scop_ledger.readmodel.snapshot import coop_from_view
from scop_ledger.settings import EVENTS_TABLE
from scop_ledger.store.db import DB, as_date


class StateStep(NamedTuple):
    """A member's state just after one entry."""

    on: date
    seq: int
    person: str
    name: str | None
    action: str
    cause: str | None
    shares: int
    paid: Decimal
    partner: bool
    employed: bool
    refunded: Decimal
    # The other partner of a transfer (cession de parts); None for any other entry.
    counterparty: str | None = None


def steps_from_view(db: DB, sql: str, params: dict[str, Any]) -> list[StateStep]:
    """The member steps ``sql`` selects (:data:`STEPS_SQL`'s columns), a date or a refunds
    text read once however many rows share it."""
    days: dict[Any, date] = {}
    refunds: dict[str, Decimal] = {}
    out = []
    for r in db.rows(sql, params):
        on = days.get(r[0])
        if on is None:
            on = days[r[0]] = as_date(r[0]) or date.min
        text = r[10]
        refunded = refunds.get(text) if text else Decimal(0)
        if refunded is None:
            refunded = refunds[text] = refunded_of(text)
        paid = Decimal(r[7]).scaleb(-2)
        partner, employed = bool(r[8]), bool(r[9])
        out.append(
            StateStep(
                on, int(r[1]), r[2], r[3], r[4], r[5], int(r[6]), paid, partner, employed, refunded
            )
        )
    return out


def refunded_of(text: str | None) -> Decimal:
    if not text:
        return Decimal(0)
    return sum((Decimal(r[5]).scaleb(-2) for r in json.loads(text)), Decimal(0))


def with_counterparties(db: DB, steps: list[StateStep]) -> list[StateStep]:
    """The steps, a transfer's with its counterparty (from its event's stored JSON)."""
    seqs = [step.seq for step in steps if step.action == "transfer"]
    if not seqs:
        return steps
    found: dict[int, str] = {}
    for start in range(0, len(seqs), 500):
        chunk = seqs[start : start + 500]
        marks = ", ".join(f":s{i}" for i in range(len(chunk)))
        params = {f"s{i}": seq for i, seq in enumerate(chunk)}
        for seq, state in db.rows(
            f"SELECT id, state FROM {EVENTS_TABLE} WHERE id IN ({marks})", params
        ):
            found[int(seq)] = json.loads(bytes(state)).get("counterparty")
    return [s._replace(counterparty=found.get(s.seq)) if s.seq in found else s for s in steps]


def values_from_view(db: DB, slug: str, known_at: datetime) -> Callable[[date], Decimal]:
    """The share value in force on a date, as known at ``known_at`` (cached by date)."""
    found: dict[date, Decimal] = {}

    def value_on(on: date) -> Decimal:
        if on not in found:
            found[on] = coop_from_view(db, slug, known_at, on)[1].share_value
        return found[on]

    return value_on
