"""The entries recorded between two moments: those known at the later and not at the earlier
(``diff``'s list of what explains a change), each reversal's target's date with them (a
reversal changes the figures from its target's date, and its target may be an older entry).

From the view, when it answers at both moments (no entry recorded after either precedes in the
log one that claims an earlier time: ``history.out_of_time``): the entries after the first one
recorded after ``t1``, in the log, recorded up to ``t2``, read by the (cid, seq) index; else the
difference of the two whole histories (:func:`difference`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from scop_ledger.readmodel.history import HISTORY_SQL, HistoryEntry, _entries, _Versions
from scop_ledger.readmodel.snapshot import coop_from_view
from scop_ledger.readmodel.times import micros
from scop_ledger.store.db import DB, as_date


class Between(NamedTuple):
    """The entries known at the later moment and not at the earlier, in the order recorded
    (as :func:`~scop_ledger.readmodel.history.history_from_view` shows them at the later one),
    and the date of each entry one of them reverses (by entry id)."""

    entries: list[HistoryEntry]
    dated: dict[int, date]


def _targets(entries: list[HistoryEntry]) -> set[int]:
    """The entry ids the reversals among ``entries`` reverse."""
    return {
        e["details"]["target"]
        for e in entries
        if e["action"] == "reverse" and isinstance(e["details"].get("target"), int)
    }


def difference(known: list[HistoryEntry], earlier: list[HistoryEntry]) -> Between:
    """The entries of ``known`` (the whole history at the later moment) not in ``earlier`` (the
    whole history at the earlier one), by entry id."""
    before = {e["id"] for e in earlier}
    entries = [e for e in known if e["id"] not in before]
    dated = {e["id"]: e["date"] for e in known}
    return Between(entries, {t: dated[t] for t in _targets(entries) if t in dated})


FIRST_AFTER_SQL = "SELECT MIN(seq) FROM rm_entries WHERE cid = :cid AND recorded_at > :t1"

DATES_SQL = "SELECT seq, on_date FROM rm_entries WHERE cid = :cid AND recorded_at <= :t AND seq IN"


def between_from_view(db: DB, slug: str, t1: datetime, t2: datetime) -> Between:
    """:func:`difference` of the view's histories at ``t2`` and at ``t1``, reading only the
    entries in between; the view must answer at both moments (``history.out_of_time`` None)."""
    cid, _coop = coop_from_view(db, slug, t2)
    params: dict[str, Any] = {"cid": cid, "t": micros(t2), "t1": micros(t1)}
    first = db.scalar(FIRST_AFTER_SQL, params)
    if first is None:
        return Between([], {})
    # Level at t1: every entry of the log from the first recorded after t1 on was unknown then.
    params["first"] = int(first)
    where = "e.seq >= :first AND e.recorded_at > :t1 AND e.cid = :cid"
    rows = db.rows(HISTORY_SQL.format(coop=where, person=""), params)
    entries = _entries(db, cid, params["t"], rows, _Versions(db, params))
    targets = sorted(_targets(entries))
    dated: dict[int, date] = {}
    for start in range(0, len(targets), 500):
        chunk = targets[start : start + 500]
        marks = ", ".join(f":s{i}" for i in range(len(chunk)))
        asked = {**params, **{f"s{i}": seq for i, seq in enumerate(chunk)}}
        for seq, on in db.rows(f"{DATES_SQL} ({marks})", asked):
            dated[int(seq)] = as_date(on) or date.min
    return Between(entries, dated)
