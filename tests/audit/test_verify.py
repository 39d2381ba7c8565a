"""``verify`` names the first entry changed, deleted or moved, wherever it is."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from scop_ledger.audit.anchors import parse_anchor
from scop_ledger.audit.verify import verify
from scop_ledger.store import chain
from scop_ledger.store.db import DB


def store(events: list[tuple[bytes, int, str, bytes]]) -> DB:
    """An event table as eventsourcing lays it out, and the chain the projector would keep."""
    con = sqlite3.connect(":memory:")
    con.execute(
        "CREATE TABLE ledger_events (id INTEGER PRIMARY KEY, originator_id BLOB, "
        "originator_version INTEGER, topic TEXT, state BLOB)"
    )
    con.execute("CREATE TABLE rm_chain (seq INTEGER PRIMARY KEY, content TEXT, link TEXT)")
    previous = chain.GENESIS
    for seq, (oid, version, topic, state) in enumerate(events, start=1):
        con.execute(
            "INSERT INTO ledger_events VALUES (?, ?, ?, ?, ?)", (seq, oid, version, topic, state)
        )
        digest = chain.content(oid, version, topic, state)
        previous = chain.link(previous, seq, digest)
        con.execute("INSERT INTO rm_chain VALUES (?, ?, ?)", (seq, digest.hex(), previous.hex()))
    return DB(con, "sqlite")


START = datetime(2024, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def stamped(moment: datetime, payload: str) -> bytes:
    """A stored state as the mapper writes it: the recorded time first."""
    return json.dumps(
        {"timestamp": {"_type_": "datetime_iso", "_data_": moment.isoformat()}, "x": payload},
        separators=(",", ":"),
    ).encode()


@st.composite
def histories(draw) -> list[tuple[bytes, int, str, bytes]]:
    people = [uuid.UUID(int=i + 1).bytes for i in range(draw(st.integers(1, 4)))]
    versions = dict.fromkeys(people, 0)
    out = []
    moment = START
    for _ in range(draw(st.integers(3, 25))):
        who = draw(st.sampled_from(people))
        versions[who] += 1
        moment += timedelta(seconds=draw(st.integers(0, 3600)))
        state = stamped(moment, draw(st.text(min_size=1, max_size=20)))
        out.append((who, versions[who], "scop_ledger.domain.member:Member.Subscribed", state))
    return out


@settings(max_examples=60, deadline=None)
@given(histories(), st.data())
def test_any_change_is_named_at_its_entry(events, data) -> None:
    honest = verify(store(events))
    assert honest.ok and honest.entries == honest.kept == len(events)
    seq = data.draw(st.integers(1, len(events)))
    state = events[seq - 1][3]
    kind = data.draw(st.sampled_from(["flip", "delete", "swap"]))
    db = store(events)
    con = db.connection
    if kind == "flip":
        index = data.draw(st.integers(0, len(state) - 1))
        changed = bytearray(state)
        changed[index] ^= 1 << data.draw(st.integers(0, 7))
        con.execute("UPDATE ledger_events SET state = ? WHERE id = ?", (bytes(changed), seq))
        expected = f"entry {seq} no longer matches the chain"
    elif kind == "delete":
        con.execute("DELETE FROM ledger_events WHERE id = ?", (seq,))
        expected = f"entry {seq} is missing"
    else:
        other = data.draw(
            st.integers(1, len(events)).filter(lambda n: events[n - 1] != events[seq - 1])
        )
        first, second = sorted((seq, other))
        a, b = events[first - 1], events[second - 1]
        con.execute("DELETE FROM ledger_events WHERE id IN (?, ?)", (first, second))
        con.execute("INSERT INTO ledger_events VALUES (?, ?, ?, ?, ?)", (first, *b))
        con.execute("INSERT INTO ledger_events VALUES (?, ?, ?, ?, ?)", (second, *a))
        expected = f"entry {first} is out of order"
    found = verify(db)
    assert found.problem is not None and found.problem.startswith(expected), found.problem
    anchored = verify(db, parse_anchor(honest.head))
    assert not anchored.ok


@settings(max_examples=30, deadline=None)
@given(histories(), histories())
def test_every_earlier_head_anchors_a_longer_honest_chain(first, more) -> None:
    early = verify(store(first))
    people = {oid for oid, *_ in first}
    top = {oid: max(v for o, v, *_ in first if o == oid) for oid in people}
    extended = list(first)
    last = chain.recorded_at(first[-1][3])
    for oid, _version, topic, state in more:
        top[oid] = top.get(oid, 0) + 1
        # recorded after the first part (a write is stamped strictly after the one ahead)
        later = last + MICROSECOND + (chain.recorded_at(state) - START)
        extended.append((oid, top[oid], topic, stamped(later, "more")))
    later = verify(store(extended), parse_anchor(early.head))
    assert later.ok and later.entries == len(extended)


@settings(max_examples=60, deadline=None)
@given(histories(), st.data())
def test_appended_forged_rows_with_earlier_times_are_named(events, data) -> None:
    """Issue 14: any sequence of rows appended after an honest log, each a next version of a
    record, the first claiming a time before the last honest entry's: ``verify`` names the
    first of them, with or without the kept chain following it, and with an anchor."""
    honest = verify(store(events))
    assert honest.ok
    times = [chain.recorded_at(state) for *_, state in events]
    top: dict[bytes, int] = {}
    for oid, version, *_ in events:
        top[oid] = max(top.get(oid, 0), version)
    forged = []
    for n in range(data.draw(st.integers(1, 4))):
        oid = data.draw(st.sampled_from(sorted(top)))
        top[oid] += 1
        if n == 0:  # strictly before the last honest entry
            before = times[-1] - timedelta(seconds=data.draw(st.integers(1, 10**6)))
        else:  # anything at all
            before = START + timedelta(seconds=data.draw(st.integers(0, 10**6)))
        forged.append(
            (oid, top[oid], "scop_ledger.domain.member:Member.Subscribed", stamped(before, "500"))
        )
    first = len(events) + 1
    db = store(events)  # the kept chain as it was: the forged rows only in the events
    for seq, row in enumerate(forged, start=first):
        db.connection.execute("INSERT INTO ledger_events VALUES (?, ?, ?, ?, ?)", (seq, *row))
    found = verify(db)
    assert found.problem is not None and found.problem.startswith(f"entry {first} "), found
    followed = store(events + forged)  # the projector kept their links too
    found = verify(followed)
    assert found.problem is not None and found.problem.startswith(f"entry {first} was recorded at ")
    anchored = verify(followed, parse_anchor(honest.head))
    assert anchored.problem is not None
    assert anchored.problem.startswith(f"entry {first} was recorded at ")
