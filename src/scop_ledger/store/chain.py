"""The tamper-evident hash chain over the event store, in notification order.

For each stored event (notification ``seq``)::

    content(seq) = SHA-256( originator_id (16 bytes) ‖ version (8 bytes, big-endian)
                            ‖ len(topic) (4 bytes) ‖ topic (UTF-8) ‖ len(state) (4 bytes) ‖ state )
    link(seq)    = SHA-256( link(previous seq) ‖ seq (8 bytes, big-endian) ‖ content(seq) )

starting from ``GENESIS`` = SHA-256(b"scop-ledger chain v1"). The state begins with the entry's
recorded time, so each link binds it; :func:`verify` reads it back (:func:`recorded_at`) and
refuses a log whose times go backwards. The head is ``SEQ:HASH``: the last
sequence number and its link in lowercase hex. Each link commits to every byte stored before it,
so an anchor ``SEQ:HASH`` written down at a review proves that the first SEQ entries were not
changed since, whatever else the store holds.

The projector keeps ``content`` and ``link`` of every event in ``rm_chain`` as it applies them,
in the same transaction as its tracking position. ``rebuild`` never drops that table: it is the
store's own memory of what it held. :func:`verify` recomputes the chain from the stored events
and compares it with that memory (naming the first entry changed, missing, inserted or out of
order) and with an anchor. The seal (``rm_chain_seal``) says how far the kept chain reached, so a
kept chain dropped or cut short is a finding; only :func:`reseed` (``verify --reseed-chain``)
re-seeds it. An attacker who rewrites the events, ``rm_chain`` and the seal is caught by the
anchor alone: keep the anchor (or an anchors file, :func:`anchor_line`) outside the store.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson

from scop_ledger.settings import EVENTS_TABLE
from scop_ledger.store.db import DB

if TYPE_CHECKING:
    from sqlalchemy import Connection

EVENTS = EVENTS_TABLE
SEAL = "rm_chain_seal"
GENESIS = hashlib.sha256(b"scop-ledger chain v1").digest()
PAGE = 5000
_U64 = struct.Struct(">Q")
_U32 = struct.Struct(">I")


def _uuid_bytes(value: Any) -> bytes:
    if isinstance(value, UUID):
        return value.bytes
    if isinstance(value, bytes | memoryview):
        raw = bytes(value)
        return raw if len(raw) == 16 else UUID(raw.decode()).bytes
    return UUID(str(value)).bytes


def content(originator_id: Any, version: int, topic: str, state: bytes) -> bytes:
    """The digest of one stored event's identity, version, topic and stored bytes."""
    topic_bytes = topic.encode("utf-8")
    h = hashlib.sha256(_uuid_bytes(originator_id))
    h.update(_U64.pack(int(version)))
    h.update(_U32.pack(len(topic_bytes)))
    h.update(topic_bytes)
    h.update(_U32.pack(len(state)))
    h.update(state)
    return h.digest()


def link(previous: bytes, seq: int, digest: bytes) -> bytes:
    """The chain's link for ``seq``: the previous link, the position and the event's digest."""
    return hashlib.sha256(previous + _U64.pack(int(seq)) + digest).digest()


def head_text(seq: int, value: bytes) -> str:
    return f"{seq}:{value.hex()}"


def parse_anchor(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` (HASH 64 hex digits); raise ValueError with a one-line reason."""
    return split_anchor(text)[:2]


def split_anchor(text: str) -> tuple[int, str, str | None]:
    """``SEQ:HASH`` or a signed ``SEQ:HASH:SIGNATURE``; raise ValueError with a one-line
    reason."""
    seq_text, sep, rest = text.strip().partition(":")
    hash_text, _, signature = rest.partition(":")
    if not sep or not seq_text.isdigit() or int(seq_text) < 1:
        raise ValueError(f"{text!r} is not an anchor SEQ:HASH (SEQ a positive number)")
    hash_text = hash_text.lower()
    if len(hash_text) != 64 or any(c not in "0123456789abcdef" for c in hash_text):
        raise ValueError(f"{text!r} is not an anchor SEQ:HASH (HASH 64 hex digits)")
    return int(seq_text), hash_text, signature or None


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


def _events(db: DB) -> Iterator[tuple[int, Any, int, str, Any]]:
    """Every stored event in notification order, a page at a time (the state as stored)."""
    last = 0
    while True:
        rows = db.rows(
            f"SELECT id, originator_id, originator_version, topic, state FROM {EVENTS} "
            f"WHERE id > :last ORDER BY id LIMIT {PAGE}",
            {"last": last},
        )
        if not rows:
            return
        for seq, oid, version, topic, state in rows:
            yield int(seq), oid, int(version), str(topic), state
        last = int(rows[-1][0])


def _kept(db: DB) -> Iterator[tuple[int, str, str]]:
    """The chain the projector kept: (seq, content hex, link hex) in order."""
    last = 0
    while True:
        rows = db.rows(
            f"SELECT seq, content, link FROM rm_chain WHERE seq > :last ORDER BY seq LIMIT {PAGE}",
            {"last": last},
        )
        if not rows:
            return
        for seq, digest, value in rows:
            yield int(seq), str(digest), str(value)
        last = int(rows[-1][0])


@dataclass(frozen=True)
class Seal:
    """The kept chain's head as the projector last left it (``rm_chain_seal``): a kept chain
    dropped or cut short since is told from one that never held those entries."""

    seq: int
    link: str
    reseeded_at: str | None = None
    reseeded_by: str | None = None


def _seal(db: DB) -> Seal | None:
    if not db.has_table(SEAL):
        return None
    found = db.rows(f"SELECT seq, link, reseeded_at, reseeded_by FROM {SEAL} WHERE name = 'chain'")
    if not found:
        return None
    seq, value, at, by = found[0]
    return Seal(int(seq), str(value), at, by)


def _applied(db: DB) -> int | None:
    """How far the view applied the log (the kept chain follows it), or None without a view."""
    if not db.has_table("rm_tracking"):
        return None
    found = db.scalar("SELECT position FROM rm_tracking WHERE name = 'view'")
    return None if found is None else int(found)


@dataclass(frozen=True)
class Anchor:
    """A head written down at an earlier review. From an anchors file (``--anchor-out``) it
    also carries when it was verified, the recorded time of its entry, and the sequence
    numbers and the first bytes of the link of every entry up to it, so that the first entry
    that differs from it can be named."""

    seq: int
    hash: str
    verified_at: datetime | None = None
    recorded_at: datetime | None = None
    seqs: tuple[tuple[int, int], ...] | None = None
    links: bytes | None = None
    signature: str | None = None
    line: int | None = None

    @property
    def head(self) -> str:
        return f"{self.seq}:{self.hash}"

    @property
    def label(self) -> str:
        if self.line is None:
            return f"the anchor {self.head}"
        when = "" if self.verified_at is None else f", verified at {self.verified_at.isoformat()}"
        return f"the anchor of line {self.line} ({self.head}{when})"

    def positions(self) -> Iterator[int]:
        for first, last in self.seqs or ():
            yield from range(first, last + 1)


FINGERPRINT = 4  # bytes of each link an anchors file keeps


def anchor_line(verdict: Verdict, verified_at: datetime, signature: str | None) -> str:
    """One line of an anchors file (JSON) for a head that verified."""
    assert verdict.ok and verdict.fingerprints is not None
    seq, hash_hex = parse_anchor(verdict.head)
    return json.dumps(
        {
            "anchor": verdict.head,
            "seq": seq,
            "hash": hash_hex,
            "entries": verdict.entries,
            "recorded_at": None if verdict.recorded_at is None else verdict.recorded_at.isoformat(),
            "verified_at": verified_at.isoformat(),
            "signature": signature,
            "seqs": [list(r) for r in verdict.ranges or ()],
            "links": base64.b64encode(verdict.fingerprints).decode("ascii"),
        },
        separators=(",", ":"),
    )


def read_anchors(text: str) -> list[Anchor]:
    """The anchors of an anchors file, one JSON object a line (blank lines skipped); raise
    ValueError naming the line at fault."""
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            found = json.loads(raw)
            seq, hash_hex = parse_anchor(f"{found['seq']}:{found['hash']}")
            seqs = tuple((int(a), int(b)) for a, b in found.get("seqs") or ())
            links = base64.b64decode(found.get("links") or "", validate=True)
            if seqs and len(links) != FINGERPRINT * sum(b - a + 1 for a, b in seqs):
                raise ValueError("its links do not match its sequence numbers")
            if seqs and seqs[-1][1] != seq:
                raise ValueError("its sequence numbers do not end at its head")
            out.append(
                Anchor(
                    seq,
                    hash_hex,
                    verified_at=_moment(found.get("verified_at")),
                    recorded_at=_moment(found.get("recorded_at")),
                    seqs=seqs or None,
                    links=links if seqs else None,
                    signature=found.get("signature"),
                    line=number,
                )
            )
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
            raise ValueError(f"line {number}: not an anchor ({error})") from None
    if not out:
        raise ValueError("no anchor in it")
    return out


def _moment(text: Any) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return moment


@dataclass(frozen=True)
class Verdict:
    """What :func:`verify` found: the head of the chain recomputed from the stored events (with
    a problem, the last entry before it), how many entries that covers, how many of them the
    kept chain vouches for, how many the view has not applied yet (``pending``: chained, not
    yet kept), and the first problem (None when there is none)."""

    head: str
    entries: int
    kept: int
    problem: str | None
    anchor: str | None = None
    pending: int = 0
    recorded_at: datetime | None = None
    seal: Seal | None = None
    ranges: tuple[tuple[int, int], ...] | None = None
    fingerprints: bytes | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class _Found(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _when(moment: datetime) -> str:
    return moment.isoformat()


class _AnchorCheck:
    """One anchor followed along the chain: its entries' positions and links, its head, and
    the recorded times after it."""

    def __init__(self, anchor: Anchor) -> None:
        self.anchor = anchor
        self.expected = anchor.positions() if anchor.seqs else None
        self.next = next(self.expected, None) if self.expected is not None else None
        self.index = 0
        self.seen = False
        self.time: datetime | None = None

    def step(self, seq: int, value: bytes, moment: datetime) -> None:
        a = self.anchor
        if self.expected is not None and self.next is not None:
            if seq > self.next:
                raise _Found(f"entry {self.next} is missing: {a.label} has it, the store does not")
            if seq < self.next:
                raise _Found(f"entry {seq} was inserted: {a.label} does not have it")
            links = a.links or b""
            fingerprint = links[self.index * FINGERPRINT : (self.index + 1) * FINGERPRINT]
            if value[:FINGERPRINT] != fingerprint:
                raise _Found(
                    f"entry {seq} no longer matches {a.label}: its stored bytes changed since "
                    f"that review"
                )
            self.index += 1
            self.next = next(self.expected, None)
        if seq == a.seq:
            self.seen = True
            self.time = moment
            if value.hex() != a.hash:
                raise _Found(
                    f"{a.label} is not a prefix of today's chain: entry {seq} now chains to "
                    f"{value.hex()}"
                )
        elif seq > a.seq:
            if not self.seen:
                raise _Found(
                    f"{a.label} is not a prefix of today's chain: there is no entry {a.seq}"
                )
            assert self.time is not None
            if moment <= self.time:  # writes are stamped strictly after the entry ahead
                raise _Found(
                    f"entry {seq} was recorded at {_when(moment)}, not after {a.label} (entry "
                    f"{a.seq}, recorded at {_when(self.time)}): an entry added after the "
                    f"review claims an earlier time"
                )
            if a.verified_at is not None and moment < a.verified_at:
                raise _Found(
                    f"entry {seq} was recorded at {_when(moment)}, before the review of "
                    f"{_when(a.verified_at)} that wrote {a.label}, yet it was not in the log "
                    f"then: it was added later with an earlier time"
                )

    def finish(self, last_seq: int) -> None:
        a = self.anchor
        if self.expected is not None and self.next is not None:
            raise _Found(f"entry {self.next} is missing: {a.label} has it, the store does not")
        if not self.seen:
            raise _Found(
                f"{a.label} is not a prefix of today's chain: there is no entry {a.seq} "
                f"(the chain ends at {last_seq})"
            )


def verify(
    db: DB,
    anchor: tuple[int, str] | Anchor | None = None,
    *,
    anchors: Sequence[Anchor] = (),
    collect: bool = False,
) -> Verdict:
    """Recompute the chain from the stored events; compare it, entry by entry, with the kept
    chain and with every anchor; check that recorded times never go backwards along the log and
    that each record's versions run 1, 2, 3… Stops at the first problem, which names the entry
    by its sequence number. ``collect``: keep what an anchors file needs (:func:`anchor_line`)."""
    wanted = list(anchors)
    if anchor is not None:
        wanted.insert(0, anchor if isinstance(anchor, Anchor) else Anchor(*anchor))
    checks = [_AnchorCheck(a) for a in wanted]
    has_kept = db.has_table("rm_chain")
    seal = _seal(db)
    applied = _applied(db)
    # Every entry up to here must be in the kept chain: what the view applied and the seal
    # vouches for. Without a view nor a seal, every entry.
    must_keep: int | None = None
    if applied is not None or seal is not None:
        must_keep = max(applied or 0, 0 if seal is None else seal.seq)
    previous = GENESIS
    last_seq = 0
    last_time: datetime | None = None
    count = 0
    vouched = 0
    pending_count = 0
    versions: dict[bytes, tuple[int, int]] = {}
    kept = _kept(db) if has_kept else iter(())
    pending = next(kept, None)
    ranges: list[list[int]] = []
    fingerprints = bytearray()
    problem: str | None = None
    try:
        for seq, oid, version, topic, stored in _events(db):
            if not isinstance(stored, bytes | bytearray | memoryview):
                raise _Found(
                    f"entry {seq} no longer matches the chain: its stored state was rewritten "
                    f"as {type(stored).__name__}, not the bytes recorded"
                )
            state = bytes(stored)
            digest = content(oid, version, topic, state)
            value = link(previous, seq, digest)
            # 1. The kept chain, entry by entry.
            if pending is not None and pending[0] < seq:
                raise _Found(
                    f"entry {pending[0]} is missing: the chain kept since it was recorded has "
                    f"it, the store does not"
                )
            checked = False
            if pending is not None and pending[0] == seq:
                if pending[1] != digest.hex():
                    elsewhere = db.scalar(
                        "SELECT MIN(seq) FROM rm_chain WHERE content = :c AND seq <> :s",
                        {"c": digest.hex(), "s": seq},
                    )
                    if elsewhere is not None:
                        raise _Found(
                            f"entry {seq} is out of order: it holds what entry {elsewhere} held"
                        )
                    raise _Found(
                        f"entry {seq} no longer matches the chain: its stored bytes changed "
                        f"since it was recorded"
                    )
                if pending[2] != value.hex():
                    raise _Found(
                        f"entry {seq} no longer matches the chain: entries before it moved"
                    )
                checked = True
                pending = next(kept, None)
            elif pending is not None:
                raise _Found(
                    f"entry {seq} was inserted: the chain kept since the entries around it were "
                    f"recorded does not have it"
                )
            elif must_keep is None or seq <= must_keep:
                if not has_kept:
                    raise _Found(
                        f"entry {seq} is not vouched for: the chain kept since the entries were "
                        f"recorded is missing (no table rm_chain); 'verify --reseed-chain' "
                        f"re-seeds it from the entries as they are now"
                    )
                ends = "holds nothing" if vouched == 0 else f"ends at entry {last_seq}"
                sealed = "" if seal is None else f", though it was sealed at entry {seal.seq}"
                raise _Found(
                    f"entry {seq} is missing from the chain kept since it was recorded: the "
                    f"kept chain {ends}{sealed}"
                )
            else:
                pending_count += 1
            if seal is not None and seq == seal.seq and value.hex() != seal.link:
                raise _Found(
                    f"entry {seq} no longer matches the seal of the kept chain: the entries up "
                    f"to it and the kept chain were both rewritten"
                )
            # 2. Each record's versions run 1, 2, 3…
            key = _uuid_bytes(oid)
            before = versions.get(key)
            if before is not None and before[0] >= version:
                raise _Found(
                    f"entry {seq} is out of order: version {version} of its record comes after "
                    f"version {before[0]} (entry {before[1]})"
                )
            expected = 1 if before is None else before[0] + 1
            if version != expected:
                after = "" if before is None else f" after version {before[0]} (entry {before[1]})"
                raise _Found(
                    f"entry {seq} is version {version} of its record{after}: versions must run "
                    f"1, 2, 3…, version {expected} is missing"
                )
            versions[key] = (version, seq)
            # 3. Recorded times never go backwards along the log.
            try:
                moment = recorded_at(state)
            except ValueError as error:
                raise _Found(f"entry {seq} no longer matches the chain: {error}") from None
            for check in checks:
                check.step(seq, value, moment)
            if last_time is not None and moment < last_time:
                raise _Found(
                    f"entry {seq} was recorded at {_when(moment)}, before entry {last_seq} "
                    f"(recorded at {_when(last_time)}): recorded times go backwards, so it was "
                    f"added later with an earlier time"
                )
            if collect:
                if ranges and ranges[-1][1] == seq - 1:
                    ranges[-1][1] = seq
                else:
                    ranges.append([seq, seq])
                fingerprints += value[:FINGERPRINT]
            previous, last_seq, last_time = value, seq, moment
            count += 1
            vouched += checked
        if pending is not None:
            raise _Found(
                f"entry {pending[0]} is missing: the chain kept since it was recorded has it, "
                f"the store does not"
            )
        if seal is not None and last_seq < seal.seq:
            raise _Found(
                f"entry {seal.seq} is missing: the kept chain was sealed at it, the store ends "
                f"at entry {last_seq}"
            )
        for check in checks:
            check.finish(last_seq)
    except _Found as found:
        problem = found.message
    return Verdict(
        head=head_text(last_seq, previous),
        entries=count,
        kept=vouched,
        problem=problem,
        anchor=", ".join(a.head for a in wanted) or None,
        pending=pending_count,
        recorded_at=last_time,
        seal=seal,
        ranges=tuple((a, b) for a, b in ranges) if collect else None,
        fingerprints=bytes(fingerprints) if collect else None,
    )


@dataclass(frozen=True)
class Reseeded:
    entries: int
    head: str
    was: int
    was_head: str | None
    first_difference: int | None


def reseed(conn: Connection, user: str) -> Reseeded:
    """Replace the kept chain with the chain of the entries as they are now, and seal it, noting
    when and by whom (``verify --reseed-chain``: an explicit act, never a side effect). The
    caller's transaction."""
    from scop_ledger.readmodel import schema

    schema.audit_metadata.create_all(conn, checkfirst=True)
    old = {
        int(seq): str(value)
        for seq, value in conn.exec_driver_sql("SELECT seq, link FROM rm_chain").all()
    }
    was_head = None if not old else head_text(max(old), bytes.fromhex(old[max(old)]))
    previous = GENESIS
    rows = []
    first_difference = None
    last = 0
    while True:
        page = conn.exec_driver_sql(
            f"SELECT id, originator_id, originator_version, topic, state FROM {EVENTS} "
            f"WHERE id > {last} ORDER BY id LIMIT {PAGE}"
        ).all()
        if not page:
            break
        for seq, oid, version, topic, stored in page:
            state = stored if isinstance(stored, bytes) else str(stored).encode()
            digest = content(oid, version, topic, bytes(state))
            previous = link(previous, seq, digest)
            rows.append((int(seq), digest.hex(), previous.hex()))
            if first_difference is None and old.get(int(seq)) != previous.hex():
                first_difference = int(seq)
        last = int(page[-1][0])
    if first_difference is None and len(old) > len(rows):
        first_difference = min(set(old) - {r[0] for r in rows})
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    conn.exec_driver_sql("DELETE FROM rm_chain")
    if rows:
        conn.exec_driver_sql(
            f"INSERT INTO rm_chain (seq, content, link) VALUES ({mark}, {mark}, {mark})", rows
        )
    seq, value = (rows[-1][0], rows[-1][2]) if rows else (0, GENESIS.hex())
    conn.exec_driver_sql(f"DELETE FROM {SEAL}")
    conn.exec_driver_sql(
        f"INSERT INTO {SEAL} (name, seq, link, reseeded_at, reseeded_by) "
        f"VALUES ('chain', {mark}, {mark}, {mark}, {mark})",
        (seq, value, datetime.now(UTC).isoformat(), user),
    )
    return Reseeded(
        entries=len(rows),
        head=head_text(seq, bytes.fromhex(value)),
        was=len(old),
        was_head=was_head,
        first_difference=first_difference,
    )


# ------------------------------------------------------------------ signed heads (Ed25519)

SIGNED = b"scop-ledger chain head "


class BadKey(ValueError):
    """A key file that is not the Ed25519 key asked for."""


def sign_head(head: str, private_pem: bytes) -> str:
    """``SEQ:HASH:SIGNATURE``: the head signed with an Ed25519 private key (PEM, PKCS8, not
    encrypted), the signature in URL-safe base64, so a reviewer can prove which head they saw."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError) as error:
        raise BadKey(f"not an unencrypted PEM private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadKey("not an Ed25519 private key")
    signature = key.sign(SIGNED + head.encode("ascii"))
    return f"{head}:{base64.urlsafe_b64encode(signature).decode('ascii')}"


def check_signature(seq: int, hash_hex: str, signature: str, public_pem: bytes) -> bool:
    """Whether ``signature`` (URL-safe base64) signs the head ``seq:hash_hex`` under the
    Ed25519 public key (PEM)."""
    import base64
    import binascii

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(public_pem)
    except (ValueError, TypeError) as error:
        raise BadKey(f"not a PEM public key ({error})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise BadKey("not an Ed25519 public key")
    try:
        raw = base64.urlsafe_b64decode(signature.encode("ascii"))
        key.verify(raw, SIGNED + f"{seq}:{hash_hex}".encode("ascii"))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
