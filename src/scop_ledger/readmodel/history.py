"""``history``: every entry of a cooperative (or one person), reversed ones included, as known at
a moment, read from the view's entry table (an entry's details from its stored JSON)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from scop_ledger.domain.errors import NotFound
from scop_ledger.readmodel.snapshot import coop_from_view
from scop_ledger.readmodel.times import from_micros, micros
from scop_ledger.settings import EVENTS_TABLE
from scop_ledger.store.db import DB, as_date

HISTORY_SQL = f"""
SELECT e.seq, e.action, m.person, e.on_date, e.recorded_at, e.recorded_by, e.ref, e.note,
       e.reversed_by, e.reversed_at, ev.state, e.mid, e.version
FROM rm_entries e LEFT JOIN rm_members m ON m.mid = e.mid
JOIN {EVENTS_TABLE} ev ON ev.id = e.seq
WHERE e.cid = :cid AND e.recorded_at <= :t {{person}}
ORDER BY e.seq
"""


class NoPerson(NotFound):
    pass


def history_from_view(
    db: DB, slug: str, person: str | None, known_at: datetime
) -> list[dict[str, Any]]:
    cid, _coop = coop_from_view(db, slug, known_at)
    params: dict[str, Any] = {"cid": cid, "t": micros(known_at)}
    clause = ""
    if person is not None:
        clause = "AND m.person = :person"
        params["person"] = person
        if not db.rows("SELECT 1 FROM rm_members WHERE cid = :cid AND person = :person", params):
            raise NoPerson(f"no person {person!r} in cooperative {slug!r}", person=person)
    rows = db.rows(HISTORY_SQL.format(person=clause), params)
    seq_of = {(r[11], r[12]): r[0] for r in rows}
    out = []
    for r in rows:
        details = _details(r[10])
        _link(details, seq_of, r[11])
        reversed_by = r[8] if r[9] is not None and r[9] <= params["t"] else None
        out.append(
            {
                "id": r[0],
                "sequence": r[0],
                "action": r[1],
                "person": r[2] if r[2] is not None else details.pop("person", None),
                "date": as_date(r[3]),
                "recorded_at": from_micros(r[4]),
                "recorded_by": r[5],
                "ref": r[6],
                "note": r[7],
                "reversed_by": reversed_by,
                "details": details,
            }
        )
    return out


_META = {
    "originator_topic",
    "timestamp",
    "on",
    "ref",
    "note",
    "recorded_by",
    "source",
    "class_version",
}


def _details(stored: bytes | memoryview) -> dict[str, Any]:
    """An entry's own fields from its stored JSON: transcoded values (dates, money) shown as
    their stored text, the fields every entry shares left out."""
    out = {}
    for key, value in json.loads(bytes(stored)).items():
        if key in _META:
            continue
        if isinstance(value, dict) and "_data_" in value:
            value = value["_data_"]
        out[key] = value
    return out


def _link(details: dict[str, Any], seq_of: dict[tuple[Any, int], int], mid: Any) -> None:
    """Versions inside an aggregate become entry ids."""
    if details.get("consequence_of") is None:
        details.pop("consequence_of", None)
    else:
        details["consequence_of"] = seq_of.get((mid, details["consequence_of"]))
    if "target" in details:
        details["target"] = seq_of.get((mid, details["target"]))
        details["versions"] = [seq_of.get((mid, v)) for v in details["versions"]]


def out_of_time(db: DB, known_at: datetime) -> tuple[int, int] | None:
    """``(first, later)`` when entry ``later`` comes after entry ``first`` in the log, ``first``
    recorded after ``known_at`` and ``later`` claiming a time at or before it; else None.

    As known at a moment, the ledger knew the entries of its log up to the first one recorded
    after that moment. The view's rows hold recorded times: they select the same entries
    exactly when no such pair exists (an honest log's times never go backwards)."""
    t = micros(known_at)
    first = db.scalar("SELECT MIN(seq) FROM rm_entries WHERE recorded_at > :t", {"t": t})
    if first is None:
        return None
    later = db.scalar(
        "SELECT MIN(seq) FROM rm_entries WHERE seq > :f AND recorded_at <= :t",
        {"f": int(first), "t": t},
    )
    return None if later is None else (int(first), int(later))
