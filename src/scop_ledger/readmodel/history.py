"""``history``: every entry of a cooperative (or one person), reversed ones included, as known at
a moment: read from the view's entry table (an entry's details from its stored JSON), or from
the events (the oracle). Both give :class:`HistoryEntry` rows."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from scop_ledger.domain.cooperative import Cooperative, cooperative_id
from scop_ledger.domain.errors import NotFound
from scop_ledger.domain.member import Member
from scop_ledger.i18n import _
from scop_ledger.readmodel.snapshot import coop_from_view
from scop_ledger.readmodel.times import from_micros, micros
from scop_ledger.settings import EVENTS_TABLE
from scop_ledger.store.db import DB, as_date

if TYPE_CHECKING:
    from scop_ledger.store.eventstore import EventStore

HISTORY_SQL = f"""
SELECT e.seq, e.action, m.person, e.on_date, e.recorded_at, e.recorded_by, e.ref, e.note,
       e.reversed_by, e.reversed_at, ev.state, e.mid, e.version
FROM rm_entries e LEFT JOIN rm_members m ON m.mid = e.mid
JOIN {EVENTS_TABLE} ev ON ev.id = e.seq
WHERE {{coop}} AND e.recorded_at <= :t {{person}}
ORDER BY e.seq
"""


class NoPerson(NotFound):
    pass


class HistoryEntry(TypedDict):
    """One entry as ``history`` shows it, from the view or from the events: the same fields,
    in this order (``details``: the entry's own fields, versions inside its record as entry
    ids)."""

    id: int
    sequence: int
    action: str
    person: str | None
    date: date
    recorded_at: datetime
    recorded_by: str
    ref: str | None
    note: str | None
    reversed_by: int | None
    details: dict[str, Any]


def history_from_view(
    db: DB, slug: str, person: str | None, known_at: datetime
) -> list[HistoryEntry]:
    """Every entry of the cooperative (or of one person), reversed ones included, in the
    order recorded, as known at ``known_at``, from the view's entry table (an entry's details
    from its stored JSON, transcoded values as their stored text)."""
    cid, _coop = coop_from_view(db, slug, known_at)
    params: dict[str, Any] = {"cid": cid, "t": micros(known_at)}
    clause = ""
    if person is not None:
        clause = "AND e.mid = :mid"  # the person's (by the member index)
        params["person"] = person
        params["mid"] = _known(db, slug, params)
    # One person's entries by the member index (``+e.cid``), not every entry of the cooperative.
    coop = "+e.cid = :cid" if person is not None else "e.cid = :cid"
    rows = db.rows(HISTORY_SQL.format(coop=coop, person=clause), params)
    return _entries(db, cid, params["t"], rows, {(r[11], r[12]): r[0] for r in rows})


def _known(db: DB, slug: str, params: dict[str, Any]) -> Any:
    """The member id of ``params["person"]`` in the cooperative; NoPerson when none."""
    found = db.rows("SELECT mid FROM rm_members WHERE cid = :cid AND person = :person", params)
    if not found:
        person = params["person"]
        raise NoPerson(
            _("no person {person} in cooperative {slug}").format(
                person=repr(person), slug=repr(slug)
            ),
            person=person,
        )
    return found[0][0]


def _entries(
    db: DB,
    cid: Any,
    t: int,
    rows: list[tuple[Any, ...]],
    seq_of: dict[tuple[Any, int], int] | _Versions,
) -> list[HistoryEntry]:
    """History rows (HISTORY_SQL's columns) as entries; ``seq_of``: the entry id of each
    (member, version) of theirs."""
    out: list[HistoryEntry] = []
    for r in rows:
        details = _details(r[10])
        _link(details, seq_of, r[11])
        reversed_by = r[8] if r[9] is not None and r[9] <= t else None
        out.append(
            {
                "id": r[0],
                "sequence": r[0],
                "action": r[1],
                "person": r[2] if r[2] is not None else details.pop("person", None),
                "date": as_date(r[3]) or date.min,
                "recorded_at": from_micros(r[4]),
                "recorded_by": r[5],
                "ref": r[6],
                "note": r[7],
                "reversed_by": reversed_by,
                "details": details,
            }
        )
    _link_transfers(db, cid, out)
    return out


# The page's entries: their ids first, from the entry table alone (the offset skips index
# entries, not stored events), then their rows.
PAGE_SQL = f"""
SELECT e.seq, e.action, m.person, e.on_date, e.recorded_at, e.recorded_by, e.ref, e.note,
       e.reversed_by, e.reversed_at, ev.state, e.mid, e.version
FROM rm_entries e LEFT JOIN rm_members m ON m.mid = e.mid
JOIN {EVENTS_TABLE} ev ON ev.id = e.seq
WHERE e.seq IN (
    SELECT e.seq FROM rm_entries e WHERE {{where}} ORDER BY e.seq LIMIT :limit OFFSET :start)
ORDER BY e.seq
"""


class _Versions:
    """The entry id of a (member, version), read when asked (a page links few)."""

    MEMBER = "SELECT seq FROM rm_entries WHERE mid = :mid AND version = :v AND recorded_at <= :t"
    COOP = (
        "SELECT seq FROM rm_entries WHERE mid IS NULL AND +cid = :cid AND version = :v "
        "AND recorded_at <= :t"
    )

    def __init__(self, db: DB, params: dict[str, Any]) -> None:
        self.db, self.params = db, params
        self.found: dict[tuple[Any, int], int | None] = {}

    def get(self, key: tuple[Any, int], default: int | None = None) -> int | None:
        if key not in self.found:
            mid, version = key
            asked = {"cid": self.params["cid"], "t": self.params["t"], "mid": mid, "v": version}
            seq = self.db.scalar(self.COOP if mid is None else self.MEMBER, asked)
            self.found[key] = None if seq is None else int(seq)
        found = self.found[key]
        return default if found is None else found


def history_page_from_view(
    db: DB,
    slug: str,
    person: str | None,
    known_at: datetime,
    window: tuple[int, int],
    actions: tuple[str, ...] | None = None,
    until: date | None = None,
) -> tuple[int, list[HistoryEntry]]:
    """How many entries :func:`history_from_view` has (of those of ``actions``, dated up to
    ``until``, when given), and those at positions ``window`` (start, how many) of them."""
    cid, _coop = coop_from_view(db, slug, known_at)
    params: dict[str, Any] = {"cid": cid, "t": micros(known_at)}
    where = ["e.cid = :cid", "e.recorded_at <= :t"]
    if person is not None:
        where[0] = "+e.cid = :cid"  # by the member index, as history_from_view
        params["person"] = person
        params["mid"] = _known(db, slug, params)
        where.append("e.mid = :mid")
    if actions is not None:
        params.update({f"a{i}": action for i, action in enumerate(actions)})
        marks = ", ".join(f":a{i}" for i in range(len(actions))) or "NULL"
        where.append(f"e.action IN ({marks})")
    if until is not None:
        params["until"] = until
        where.append("e.on_date <= :until")
    condition = " AND ".join(where)
    total = int(db.scalar(f"SELECT COUNT(*) FROM rm_entries e WHERE {condition}", params) or 0)
    params.update(start=max(window[0], 0), limit=max(window[1], 0))
    rows = db.rows(PAGE_SQL.format(where=condition), params)
    return total, _entries(db, cid, params["t"], rows, _Versions(db, params))


TRANSFERS_SQL = """
SELECT m.person, e.version, e.seq FROM rm_entries e JOIN rm_members m ON m.mid = e.mid
WHERE e.cid = :cid AND e.action = 'transfer'
"""


COUNTERPART_SQL = """
SELECT e.seq FROM rm_entries e JOIN rm_members m ON m.mid = e.mid
WHERE m.cid = :cid AND m.person = :p AND e.version = :v AND e.action = 'transfer'
"""


def _link_transfers(db: DB, cid: Any, out: list[HistoryEntry]) -> None:
    """A transfer's ``counterpart`` (a version in the other partner's record) as an entry id."""
    transfers = [h["details"] for h in out if h["action"] == "transfer"]
    if not transfers:
        return
    if len(transfers) <= 50:  # a page's few: each by the member index
        for details in transfers:
            asked = {"cid": cid, "p": details["counterparty"], "v": details["counterpart"]}
            found = db.scalar(COUNTERPART_SQL, asked)
            details["counterpart"] = None if found is None else int(found)
        return
    seq_of = {(p, int(v)): int(seq) for p, v, seq in db.rows(TRANSFERS_SQL, {"cid": cid})}
    for details in transfers:
        details["counterpart"] = seq_of.get((details["counterparty"], details["counterpart"]))


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


def _link(
    details: dict[str, Any], seq_of: dict[tuple[Any, int], int] | _Versions, mid: Any
) -> None:
    """Versions inside an aggregate become entry ids."""
    if details.get("consequence_of") is None:
        details.pop("consequence_of", None)
    else:
        details["consequence_of"] = seq_of.get((mid, details["consequence_of"]))
    if "target" in details:
        details["target"] = seq_of.get((mid, details["target"]))
        details["versions"] = [seq_of.get((mid, v)) for v in details["versions"]]


def cut(
    entries: list[HistoryEntry],
    window: tuple[int, int],
    actions: tuple[str, ...] | None = None,
    until: date | None = None,
) -> tuple[int, list[HistoryEntry]]:
    """How many ``entries`` there are of ``actions``, dated up to ``until`` (when given), and
    those at positions ``window`` (start from 0, how many) of them."""
    kept = [
        e
        for e in entries
        if (actions is None or e["action"] in actions) and (until is None or e["date"] <= until)
    ]
    return len(kept), kept[window[0] : window[0] + window[1]]


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


def history_from_events(
    store: EventStore, slug: str, person: str | None = None, known_at: datetime | None = None
) -> list[HistoryEntry]:
    """The oracle's :func:`history_from_view`, read from the events (details as their
    values)."""
    store.cooperative(slug)
    coop_uuid = cooperative_id(slug)
    if person is not None:
        store.member(slug, person)
    persons: dict[UUID, str] = {}
    entries: list[tuple[int, Any]] = []
    reversal_of: dict[tuple[UUID, int], int] = {}
    seq_of: dict[tuple[UUID, int], int] = {}
    for notification in store.notifications():
        event: Any = store.read(notification)
        if event is None:
            continue  # an entry that cannot be read: the view names it (rm_unviewable)
        if known_at is not None and event.timestamp > known_at:
            break  # known at that moment: the log up to the first entry recorded after it
        oid = event.originator_id
        if isinstance(event, Member.Registered):
            if event.coop == slug:
                persons[oid] = event.person
            continue
        if oid != coop_uuid and oid not in persons:
            continue
        seq_of[(oid, event.originator_version)] = notification.id
        if person is not None and persons.get(oid) != person:
            continue  # a person's entries are their record's (as the view selects them)
        entries.append((notification.id, event))
        if isinstance(event, Member.EntryReversed | Cooperative.EntryReversed):
            for version in event.versions:
                reversal_of[(oid, version)] = notification.id
    out: list[HistoryEntry] = []
    oid_of = {p: oid for oid, p in persons.items()}
    for seq, event in entries:
        who = persons.get(event.originator_id) or getattr(event, "person", None)
        out.append(
            {
                "id": seq,
                "sequence": seq,
                "action": event.ACTION,
                "person": who,
                "date": event.on,
                "recorded_at": event.timestamp,
                "recorded_by": event.recorded_by,
                "ref": event.ref,
                "note": event.note,
                "reversed_by": reversal_of.get((event.originator_id, event.originator_version)),
                "details": _event_details(event, seq_of, oid_of),
            }
        )
    return out


# A decoded event also holds its aggregate's id and version, and a member entry its person: the
# fields every entry shares (``_META``) and these are the history row's own columns.
_EVENT_SKIP = _META | {"originator_id", "originator_version", "person"}


def _event_details(
    event: Any, seq_of: dict[tuple[UUID, int], int], oid_of: dict[str, UUID]
) -> dict[str, Any]:
    """An entry's own fields; versions inside the aggregate (and a transfer's counterpart, in
    the other partner's) become entry ids."""
    out = {k: v for k, v in vars(event).items() if k not in _EVENT_SKIP}
    oid = event.originator_id
    if "counterpart" in out:
        other = oid_of.get(out["counterparty"])
        out["counterpart"] = None if other is None else seq_of.get((other, out["counterpart"]))
    if out.get("consequence_of") is not None:
        out["consequence_of"] = seq_of.get((oid, out["consequence_of"]))
    elif "consequence_of" in out:
        del out["consequence_of"]
    if "target" in out:
        out["target"] = seq_of.get((oid, out["target"]))
        out["versions"] = [seq_of.get((oid, v)) for v in out["versions"]]
    return out


def chain_head_at(db: DB, known_at: datetime) -> str | None:
    """The hash chain's head (``SEQ:HASH``, as ``verify`` prints it) at the last entry recorded
    by ``known_at``: what a document drawn from the ledger as known then was drawn from."""
    last = db.scalar(
        "SELECT MAX(seq) FROM rm_entries WHERE recorded_at <= :t", {"t": micros(known_at)}
    )
    if last is None:
        return None
    found = db.rows(
        "SELECT seq, link FROM rm_chain WHERE seq <= :s ORDER BY seq DESC LIMIT 1", {"s": last}
    )
    return f"{found[0][0]}:{found[0][1]}" if found else None
