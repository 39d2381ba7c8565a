"""The tamper-evident hash chain over the event store, in notification order: its tables, its
hashes, and its writes, made in the same transaction as the view applies the events.

For each stored event (notification ``seq``)::

    content(seq) = SHA-256( originator_id (16 bytes) ‖ version (8 bytes, big-endian)
                            ‖ len(topic) (4 bytes) ‖ topic (UTF-8) ‖ len(state) (4 bytes) ‖ state )
    link(seq)    = SHA-256( link(previous seq) ‖ seq (8 bytes, big-endian) ‖ content(seq) )

starting from ``GENESIS`` = SHA-256(b"scop-ledger chain v1"). The state begins with the entry's
recorded time, so each link binds it (:func:`recorded_at` reads it back). The head is
``SEQ:HASH``: the last sequence number and its link in lowercase hex. Each link commits to every
byte stored before it, so an anchor ``SEQ:HASH`` written down at a review proves that the first
SEQ entries were not changed since, whatever else the store holds.

The projector keeps ``content`` and ``link`` of every event in ``rm_chain`` as it applies them
(:func:`extend`), in the same transaction as its tracking position. ``rebuild`` never drops that
table: it is the store's own memory of what it held. The seal (``rm_chain_seal``) says how far
the kept chain reached, so a kept chain dropped or cut short is a finding; only ``verify
--reseed-chain`` (:mod:`scop_ledger.audit.reseed`) re-seeds it.
:mod:`scop_ledger.audit.verify` recomputes the chain from the stored events and compares it
with that memory and with the anchors.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson

from scop_ledger.settings import EVENTS_TABLE

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, MetaData

EVENTS = EVENTS_TABLE
CHAIN = "rm_chain"
SEAL = "rm_chain_seal"
TABLES = (CHAIN, SEAL)
GENESIS = hashlib.sha256(b"scop-ledger chain v1").digest()
PAGE = 5000
_U64 = struct.Struct(">Q")
_U32 = struct.Struct(">I")


def create_tables(bind: Engine | Connection) -> None:
    """Create the chain's tables where they are missing (see :func:`_tables`)."""
    _tables().create_all(bind, checkfirst=True)


@cache
def _tables() -> MetaData:
    """The chain's tables. Not view tables: ``rebuild`` never drops them, for they are the
    store's memory of what it held when each event was first applied. SQLAlchemy is imported
    here only, so that ``verify`` never loads it.

    ``rm_chain``: ``content`` and ``link`` of every event, by sequence number.
    ``rm_chain_seal``: the kept chain's head as the projector last extended it (one row, name
    "chain"), and when and by whom it was last re-seeded (``verify --reseed-chain``): a kept
    chain dropped or cut short is told from one that never held those entries, and the
    projector never re-seeds it."""
    from sqlalchemy import BigInteger, Column, MetaData, String, Table, Text

    metadata = MetaData()
    Table(
        CHAIN,
        metadata,
        Column("seq", BigInteger, primary_key=True, autoincrement=False),
        Column("content", String(64), nullable=False),
        Column("link", String(64), nullable=False),
    )
    Table(
        SEAL,
        metadata,
        Column("name", String(32), primary_key=True),
        Column("seq", BigInteger, nullable=False),
        Column("link", String(64), nullable=False),
        Column("reseeded_at", String(40)),
        Column("reseeded_by", Text),
    )
    return metadata


def uuid_bytes(value: Any) -> bytes:
    """A record's id as 16 bytes, as the store returns it (UUID, bytes or text)."""
    if isinstance(value, UUID):
        return value.bytes
    if isinstance(value, bytes | memoryview):
        raw = bytes(value)
        return raw if len(raw) == 16 else UUID(raw.decode()).bytes
    return UUID(str(value)).bytes


def content(originator_id: Any, version: int, topic: str, state: bytes) -> bytes:
    """The digest of one stored event's identity, version, topic and stored bytes."""
    topic_bytes = topic.encode("utf-8")
    raw = originator_id if type(originator_id) is bytes and len(originator_id) == 16 else None
    # One digest of the parts joined: the digest of their bytes in turn.
    return hashlib.sha256(
        b"".join(
            (
                raw or uuid_bytes(originator_id),
                _U64.pack(int(version)),
                _U32.pack(len(topic_bytes)),
                topic_bytes,
                _U32.pack(len(state)),
                state,
            )
        )
    ).digest()


def link(previous: bytes, seq: int, digest: bytes) -> bytes:
    """The chain's link for ``seq``: the previous link, the position and the event's digest."""
    return hashlib.sha256(previous + _U64.pack(int(seq)) + digest).digest()


def head_text(seq: int, value: bytes) -> str:
    return f"{seq}:{value.hex()}"


def recorded_at(state: bytes) -> datetime:
    """The entry's recorded time as its stored state holds it (``timestamp``, ISO 8601 with its
    UTC offset). The content digest covers these bytes, so each link binds the time its entry
    was recorded. Raise ValueError with a reason when it cannot be read."""
    try:
        found = orjson.loads(state)["timestamp"]
        text = found["_data_"] if isinstance(found, dict) else found
        moment = datetime.fromisoformat(text)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise ValueError("its stored state holds no readable recorded time") from None
    if moment.tzinfo is None:
        raise ValueError("its recorded time has no UTC offset")
    return moment


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.name == "sqlite" else "%s"


def extend(conn: Connection, notifications: Sequence[tuple[Any, ...]]) -> None:
    """Add the links of these stored events (``seq, originator_id, version, topic, state``, in
    order) to the kept chain, in the caller's transaction (entries it already has are left as
    they are: a rebuild re-applies the view, never the chain's memory), and move its seal.
    A kept chain that no longer reaches its seal (dropped, cut short, rewritten), or that
    would not start at the log's first entry, is left as it is: ``verify`` names it, and
    only ``verify --reseed-chain`` re-seeds it."""
    last = conn.exec_driver_sql(f"SELECT seq, link FROM {CHAIN} ORDER BY seq DESC LIMIT 1").first()
    head, previous = (0, GENESIS) if last is None else (last[0], bytes.fromhex(last[1]))
    sealed = conn.exec_driver_sql(f"SELECT seq, link FROM {SEAL} WHERE name = 'chain'").first()
    if sealed is not None and (int(sealed[0]), str(sealed[1])) != (head, previous.hex()):
        return  # the kept chain no longer reaches its seal: dropped, cut short, rewritten
    fresh = [n for n in notifications if n[0] > head]
    if not fresh:
        return
    following = conn.exec_driver_sql(
        f"SELECT min(id) FROM {EVENTS} WHERE id > {int(head)}"
    ).scalar()
    if following != fresh[0][0]:
        return  # the kept chain does not reach this page: it lost entries
    rows = []
    for seq, oid, version, topic, stored in notifications:
        if seq <= head:
            continue
        digest = content(oid, version, topic, bytes(stored))
        previous = link(previous, seq, digest)
        rows.append((seq, digest.hex(), previous.hex()))
    if rows:
        mark = _mark(conn)
        conn.exec_driver_sql(
            f"INSERT INTO {CHAIN} (seq, content, link) VALUES ({mark}, {mark}, {mark})", rows
        )
        conn.exec_driver_sql(
            f"INSERT INTO {SEAL} (name, seq, link) VALUES ('chain', {mark}, {mark}) "
            "ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, link = excluded.link",
            (rows[-1][0], rows[-1][2]),
        )
