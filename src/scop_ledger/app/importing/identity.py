"""Which rows a ledger already records, by content (CONTRACT.md).

A row's identity is its content: the action, the date, the person and every field, its ``ref``
and ``note`` included (who recorded it and when are not). The n-th row of a file with a given
content is recorded when the ledger holds at least n entries with that content; a row whose
``source`` (its ``id``, or the file's hash and its line) the ledger holds is that entry.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from scop_ledger.app import commands as cmd
from scop_ledger.app.importing.content import (
    CONTENT_FIELDS,
    Content,
    Identities,
    canonical,
    content_key,
    identities,
)
from scop_ledger.app.importing.messages import ConflictingRows, Errors
from scop_ledger.app.importing.planning import Plan
from scop_ledger.app.importing.rows import IMPORT_ACTIONS
from scop_ledger.i18n import _
from scop_ledger.settings import EVENTS_TABLE

if TYPE_CHECKING:
    from scop_ledger.store.db import DB

_ENTRY_PAGE = 5000


def _stored(value: Any) -> str | None:
    """:func:`.content.canonical` of a value as an event's JSON stores it."""
    if isinstance(value, dict) and "_data_" in value:
        if value.get("_type_") == "decimal_str":
            try:
                return canonical(Decimal(value["_data_"]))
            except (InvalidOperation, TypeError):
                return str(value["_data_"])
        return str(value["_data_"])
    return canonical(value)


def entry_content(
    action: str,
    on: str,
    person: str | None,
    ref: str | None,
    note: str | None,
    state: dict[str, Any],
) -> Content:
    """An entry's content from the view's columns and its event's stored JSON."""
    values: list[str | None] = []
    for name in CONTENT_FIELDS[action]:
        if action == "leave" and name == "reason":
            values.append(str(state.get("cause", "")).split(":", 1)[-1])
        elif action == "transfer" and name == "to":
            values.append(state.get("counterparty"))
        else:
            values.append(_stored(state.get(name)))
    if person is None:
        person = state.get("person")
    return (action, on, person, ref, note, *values)


def _values(db: DB, slug: str, registered: Decimal) -> Any:
    """The share value a row's subscription is paid at: the one in force on its date (a
    change of the share value, domain/share_values.py), read only for a subscription without
    ``paid``."""
    from scop_ledger.readmodel.snapshot import coop_from_view

    found: dict[date, Decimal] = {}
    changed = db.rows(
        "SELECT 1 FROM rm_entries e JOIN rm_coops c ON c.cid = e.cid "
        "WHERE c.slug = :slug AND e.mid IS NULL AND e.action = 'change-share-value'",
        {"slug": slug},
    )

    def value_on(command: cmd.Command) -> Decimal:
        if not changed or not isinstance(command, cmd.Subscribe) or command.paid is not None:
            return registered
        if command.on not in found:
            far = datetime(9999, 12, 31, tzinfo=UTC)
            found[command.on] = coop_from_view(db, slug, far, command.on)[1].share_value
        return found[command.on]

    return value_on


def _differences(action: str, row: Content, entry: Content) -> str:
    names = ("action", "date", "person", "ref", "note", *CONTENT_FIELDS[action])
    parts = [
        _("{field} {there!r} there, {here!r} here").format(
            field=name.replace("_", "-"), there=there, here=here
        )
        for name, here, there in zip(names, row, entry, strict=False)
        if here != there
    ]
    return "; ".join(parts)


# The entries an import could have made, with their person, view columns and stored JSON.
_ACTIONS = ", ".join(f"'{a}'" for a in IMPORT_ACTIONS)
_SELECT = (
    "SELECT e.seq, e.action, m.person, e.on_date, e.ref, e.note, ev.state "
    "FROM rm_entries e LEFT JOIN rm_members m ON m.mid = e.mid "
    f"JOIN {EVENTS_TABLE} ev ON ev.id = e.seq "
    f"WHERE e.cid = :cid AND e.action IN ({_ACTIONS}) "
)


def nothing_recorded(db: DB, slug: str) -> bool:
    """Whether the ledger holds no entry of the cooperative an import could have made: then
    every row of a file is new (:func:`recorded_entries` claims none)."""
    found = db.rows(
        "SELECT 1 FROM rm_entries e JOIN rm_coops c ON c.cid = e.cid "
        f"WHERE c.slug = :slug AND e.action IN ({_ACTIONS}) LIMIT 1",
        {"slug": slug},
    )
    return not found


def recorded_entries(db: DB, slug: str, planned: Plan | Identities) -> list[int | None]:
    """For each planned row, the entry that already records it, or None when it is new.

    A row whose ``source`` (its ``id``, or this file's hash and its line, as an earlier
    release recorded it) the ledger holds is that entry; a row with a known ``id`` whose
    content differs is refused (:class:`ConflictingRows`). Every other row counts by content:
    the n-th row of the file with a given content is recorded when the ledger holds at least n
    entries with that content besides those claimed by source.

    Reads the view's entry table (the view must be level with the events) and the stored JSON
    of the entries dated within the file's dates: one pass, no domain objects."""
    rows = identities(planned) if isinstance(planned, Plan) else planned
    if not len(rows) or rows.days is None:
        return []
    coop = db.rows("SELECT cid, share_value_cents FROM rm_coops WHERE slug = :slug", {"slug": slug})
    if not coop:
        return [None] * len(rows)
    cid, cents = coop[0]
    share_value = Decimal(int(cents)) / 100
    rows.price(_values(db, slug, share_value))
    keys = rows.keys
    wanted = _named_by_source(db, cid, rows)
    entries = _Entries({seq for seqs in wanted.values() for seq in seqs}, rows.prefixes, set(keys))
    _read_entries(db, cid, rows.days, entries)
    out, claimed = _claim_by_source(rows, wanted, entries.content_of)
    _claim_by_content(keys, entries.pool, out, claimed)
    return out


def _named_by_source(db: DB, cid: Any, rows: Identities) -> dict[int, list[int]]:
    """Row index -> the entries its ``source`` names (its id, or an earlier release's file
    hash and line), oldest first; only rows that name some."""
    by_source: dict[str, list[int]] = {}
    for seq, source in db.rows(
        "SELECT seq, source FROM rm_entries WHERE cid = :cid AND source IS NOT NULL "
        "AND (source LIKE :prefix OR source LIKE 'id:%') ORDER BY seq",
        {"cid": cid, "prefix": f"{rows.digest}:%"},
    ):
        by_source.setdefault(source, []).append(seq)
    wanted: dict[int, list[int]] = {}
    if not by_source:
        return wanted
    for index in range(len(rows)):
        found = by_source.get(rows.source(index))
        if found:
            wanted[index] = found
    return wanted


class _Entries:
    """The entries read so far: the content of each candidate (an entry some row's source
    names), and the entries with each content a row has (``pool``, oldest first)."""

    def __init__(
        self, candidates: set[int], prefixes: set[tuple[str, str]], keys: set[bytes]
    ) -> None:
        self.candidates = candidates
        self.prefixes = prefixes
        self.wanted_keys = keys
        self.content_of: dict[int, Content] = {}
        self.pool: dict[bytes, list[int]] = {}

    def take(self, found: list[tuple[Any, ...]]) -> None:
        """Keep what matters of one page of :data:`_SELECT` rows."""
        candidates, prefixes, wanted_keys = self.candidates, self.prefixes, self.wanted_keys
        content_of, pool = self.content_of, self.pool
        for seq, action, person, on, ref, note, state in found:
            on = on if isinstance(on, str) else on.isoformat()
            if seq not in candidates and (action, on) not in prefixes:
                continue
            try:
                details = json.loads(bytes(state))
            except ValueError:
                continue  # not an entry this import could have made
            if details.get("consequence_of") is not None or details.get("direction") == "in":
                continue  # derived by the rules from another entry (or a transfer's), never a row
            content = entry_content(action, on, person, ref, note, details)
            if seq in candidates:
                content_of[seq] = content
            key = content_key(content)
            if key in wanted_keys:
                pool.setdefault(key, []).append(seq)


def _read_entries(db: DB, cid: Any, days: tuple[str, str], entries: _Entries) -> None:
    """Every entry dated within the file's dates (``days``: the first and the last), a page
    at a time, then the candidates dated elsewhere."""
    after = 0
    while True:
        page = db.rows(
            _SELECT + "AND e.on_date BETWEEN :lo AND :hi AND e.seq > :after "
            f"ORDER BY e.seq LIMIT {_ENTRY_PAGE}",
            {
                "cid": cid,
                "lo": date.fromisoformat(days[0]),
                "hi": date.fromisoformat(days[-1]),
                "after": after,
            },
        )
        entries.take(page)
        if len(page) < _ENTRY_PAGE:
            break
        after = page[-1][0]
    missing = sorted(entries.candidates - entries.content_of.keys())
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        marks = ", ".join(f":s{i}" for i in range(len(chunk)))
        entries.take(
            db.rows(
                _SELECT + f"AND e.seq IN ({marks})",
                {"cid": cid, **{f"s{i}": seq for i, seq in enumerate(chunk)}},
            )
        )


def _claim_by_source(
    rows: Identities,
    wanted: dict[int, list[int]],
    content_of: dict[int, Content],
) -> tuple[list[int | None], set[int]]:
    """The entries rows claim by source, and the set of them; raise :class:`ConflictingRows`
    for rows whose ``id`` names an entry with other content.

    Claims by source come first: those entries are not in the pool for other rows. A file
    hash and line claims only an entry with the row's content (an .xlsx's other sheets have
    the same hash and lines; a reader may have read a value otherwise)."""
    out: list[int | None] = [None] * len(rows)
    keys = rows.keys
    conflicts = Errors()
    claimed: set[int] = set()
    for index, seqs in wanted.items():
        seq = next((s for s in seqs if s in content_of and s not in claimed), None)
        if seq is None:
            continue
        entry = content_of[seq]
        if content_key(entry) != keys[index]:
            given = rows.ids.get(index)
            if given is not None:
                content = rows.contents[index]
                diff = _differences(content[0], content, entry)
                conflicts.add(
                    rows.lines[index],
                    _(
                        "id {id!r} is entry {entry}, recorded with other content ({differences})"
                    ).format(id=given, entry=seq, differences=diff),
                )
            continue
        out[index] = seq
        claimed.add(seq)
    if conflicts:
        raise ConflictingRows(conflicts)
    return out, claimed


def _claim_by_content(
    keys: list[bytes], pool: dict[bytes, list[int]], out: list[int | None], claimed: set[int]
) -> None:
    """Into ``out``, for each row not claimed by source: the next entry with its content that
    no row has claimed, in the order of the file."""
    used: dict[bytes, int] = {}
    for index, key in enumerate(keys):
        if out[index] is not None:
            continue
        pooled = pool.get(key)
        if not pooled:
            continue
        n = used.get(key, 0)
        while n < len(pooled) and pooled[n] in claimed:
            n += 1
        if n < len(pooled):
            out[index] = pooled[n]
            n += 1
        used[key] = n
