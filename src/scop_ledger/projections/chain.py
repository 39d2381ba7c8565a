"""The tamper-evident hash chain over the event store, in notification order.

For each stored event (notification ``seq``)::

    content(seq) = SHA-256( originator_id (16 bytes) ‖ version (8 bytes, big-endian)
                            ‖ len(topic) (4 bytes) ‖ topic (UTF-8) ‖ len(state) (4 bytes) ‖ state )
    link(seq)    = SHA-256( link(previous seq) ‖ seq (8 bytes, big-endian) ‖ content(seq) )

starting from ``GENESIS`` = SHA-256(b"scop-ledger chain v1"). The head is ``SEQ:HASH``: the last
sequence number and its link in lowercase hex. Each link commits to every byte stored before it,
so an anchor ``SEQ:HASH`` written down at a review proves that the first SEQ entries were not
changed since, whatever else the store holds.

The projector keeps ``content`` and ``link`` of every event in ``rm_chain`` as it applies them,
in the same transaction as its tracking position. ``rebuild`` never drops that table: it is the
store's own memory of what it held. :func:`verify` recomputes the chain from the stored events
and compares it with that memory (naming the first entry changed, missing, inserted or out of
order) and with an anchor. An attacker who rewrites both the events and ``rm_chain`` is caught by
the anchor alone: keep the anchor outside the store.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from scop_ledger.projections.db import DB

EVENTS = "ledger_events"
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


def _events(db: DB) -> Iterator[tuple[int, Any, int, str, bytes]]:
    """Every stored event in notification order, a page at a time."""
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
            yield int(seq), oid, int(version), str(topic), bytes(state)
        last = int(rows[-1][0])


def _kept(db: DB) -> Iterator[tuple[int, str, str]]:
    """The chain the projector kept: (seq, content hex, link hex) in order."""
    if not db.has_table("rm_chain"):
        return
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
class Verdict:
    """What :func:`verify` found: the head of the chain recomputed from the stored events (with
    a problem, the last entry before it), how many entries that covers and how many of them the
    kept chain vouches for, and the first problem (None when there is none)."""

    head: str
    entries: int
    kept: int
    problem: str | None
    anchor: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class _Found(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def verify(db: DB, anchor: tuple[int, str] | None = None) -> Verdict:
    """Recompute the chain from the stored events; compare it with the kept chain and with
    ``anchor``. Stops at the first problem, which names the entry by its sequence number."""
    previous = GENESIS
    last_seq = 0
    count = 0
    vouched = 0
    versions: dict[bytes, tuple[int, int]] = {}
    kept = _kept(db)
    pending = next(kept, None)
    anchor_seen = anchor is None
    problem: str | None = None
    try:
        for seq, oid, version, topic, state in _events(db):
            digest = content(oid, version, topic, state)
            key = _uuid_bytes(oid)
            before = versions.get(key)
            if before is not None and before[0] >= version:
                raise _Found(
                    f"entry {seq} is out of order: version {version} of its record comes after "
                    f"version {before[0]} (entry {before[1]})"
                )
            versions[key] = (version, seq)
            if pending is not None and pending[0] < seq:
                raise _Found(
                    f"entry {pending[0]} is missing: the chain kept since it was recorded has "
                    f"it, the store does not"
                )
            value = link(previous, seq, digest)
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
            if anchor is not None and seq == anchor[0]:
                anchor_seen = True
                if value.hex() != anchor[1]:
                    raise _Found(
                        f"the anchor {anchor[0]}:{anchor[1]} is not a prefix of today's chain: "
                        f"entry {seq} now chains to {value.hex()}"
                    )
            previous, last_seq = value, seq
            count += 1
            vouched += checked
        if pending is not None:
            raise _Found(
                f"entry {pending[0]} is missing: the chain kept since it was recorded has it, "
                f"the store does not"
            )
        if not anchor_seen and anchor is not None:
            raise _Found(
                f"the anchor {anchor[0]}:{anchor[1]} is not a prefix of today's chain: "
                f"there is no entry {anchor[0]} (the chain ends at {last_seq})"
            )
    except _Found as found:
        problem = found.message
    return Verdict(
        head=head_text(last_seq, previous),
        entries=count,
        kept=vouched,
        problem=problem,
        anchor=None if anchor is None else f"{anchor[0]}:{anchor[1]}",
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
