"""The rules' facts from the view's sums by date (readmodel/tallies.py) against every row of the
view stepped one by one (the sweep, domain/rules/sweep.py) and against the oracle (the events
folded), over random histories with back-dated entries, reversals, transfers and share value
changes, as known at several moments."""

from __future__ import annotations

import contextlib
import json
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scop_ledger.domain.errors import LedgerError
from scop_ledger.domain.rules.facts import Holding, RefundFact
from scop_ledger.domain.rules.sweep import facts_over
from scop_ledger.readmodel.access import catch_up
from scop_ledger.readmodel.snapshot import coop_from_view
from scop_ledger.readmodel.sources import EventReader, ViewReader
from scop_ledger.readmodel.times import micros
from scop_ledger.store.db import connect
from tests.helpers import acme, do, open_ledger
from tests.readmodel.test_view import START, _drop, build_history, random_command

EVERY_ROW = """
SELECT s.on_date, m.person, s.employed, s.partner, s.shares, s.paid_cents, s.refunds
FROM rm_states s JOIN rm_members m ON m.mid = s.mid
WHERE s.cid = :cid AND s.on_date <= :d AND s.known_from <= :t
  AND (s.known_to IS NULL OR s.known_to > :t)
ORDER BY s.on_date, s.seq
"""


def every_row(db, until: date, known_at: datetime) -> list:
    """Every state row known at ``known_at``, as the sweep reads them (the view's former way)."""
    cid, _coop = coop_from_view(db, "acme", known_at)
    found = []
    cents = Decimal("0.01")
    for on, person, employed, partner, shares, paid, refunds in db.rows(
        EVERY_ROW, {"cid": cid, "d": until, "t": micros(known_at)}
    ):
        owed = tuple(
            RefundFact(date.fromisoformat(since), cause, amount * cents, back * cents, n)
            for _v, since, cause, amount, _partial, back, n in json.loads(refunds or "[]")
        )
        day = on if isinstance(on, date) else date.fromisoformat(on)
        found.append(
            (day, person, Holding(bool(employed), bool(partner), shares, paid * cents, owed))
        )
    return found


def _history(ledger, seed: int) -> list[datetime]:
    """test_view's random history, with share value changes recorded among its steps (some
    back-dated, one reversed now and then) and a second manager's mandate."""
    rng = random.Random(seed)
    moments = build_history(ledger, seed, steps=30)
    with contextlib.suppress(LedgerError):
        do(ledger, "appoint", "2018-01-01", person="ben", office="manager", term_years=3)
    for value in ("12.5", "5"):
        on = START + timedelta(days=rng.randint(30, 3000))
        try:
            change = do(ledger, "change-share-value", on.isoformat(), share_value=value)
        except LedgerError:
            continue
        moments.append(datetime.now(UTC))
        if rng.random() < 0.3:
            do(ledger, "reverse", "2026-01-01", event=str(change.event), reason="test")
            moments.append(datetime.now(UTC))
    recorded: list[int] = []
    for _ in range(12):  # more steps after the changes: converted holdings, back-dated entries
        try:
            recorded.append(ledger.execute(random_command(rng, recorded)).event)
        except LedgerError:
            continue
        moments.append(datetime.now(UTC))
    catch_up(ledger)
    return moments


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000))
def test_the_sums_by_date_give_the_sweeps_facts_and_the_oracles_runs(store_url, seed) -> None:
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        moments = _history(ledger, seed)
        rng = random.Random(seed + 2)
        db = connect(store_url)
        try:
            view, oracle = ViewReader(db, lambda: ledger), EventReader(ledger)
            for known_at in [*rng.sample(moments, min(3, len(moments))), datetime.now(UTC)]:
                until = START + timedelta(days=rng.randint(0, 4000))
                params, coop, facts = view.facts("acme", until, known_at)
                assert list(facts) == list(
                    facts_over(params, coop, every_row(db, until, known_at), until)
                )
                assert view.rules("acme").runs(until, known_at) == oracle.rules("acme").runs(
                    until, known_at
                )
        finally:
            db.close()
    finally:
        _drop(ledger)
