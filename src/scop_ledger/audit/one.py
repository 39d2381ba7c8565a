"""Verification of one cooperative of a store that holds several (``scop-ledger --coop SLUG
verify``), without reading the others' entries.

The chain (:mod:`scop_ledger.store.chain`) runs over the whole log, every cooperative's entries
interleaved. Checking one cooperative:

1. its own entries are read, and only them: the cooperative's record (its id is derived from the
   slug) and its members' records (the view lists them), every stored version of each. Each
   record's versions run 1, 2, 3…, recorded times never go backwards along them, and each
   entry's digest is recomputed from its stored bytes;
2. the chain kept since the entries were recorded (``rm_chain``: the digest and link of every
   entry, no entry's content) is walked from the cooperative's first entry to its head: each
   link must follow from the one before and the entry's kept digest, the cooperative's entries'
   kept digests must be the recomputed ones, and the seal and each anchor must be met;
3. every entry the view applied for the cooperative (``rm_entries``) must still be stored.

So an entry of this cooperative changed, removed, inserted or moved is named, as by the whole
``verify``; another cooperative's entries are neither read nor judged (only their digests, in the
kept chain). The link before the cooperative's first entry is taken as the kept chain holds it:
an anchor after it commits to it, and changing it changes every link after it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any
from uuid import UUID

from scop_ledger.audit.anchors import Anchor
from scop_ledger.audit.verdict import Finding, Text, Verdict
from scop_ledger.audit.verify import (
    _backwards,
    _misnumbered,
    _missing,
    _rewritten,
    _seal,
    _unreadable,
    _unsealed,
)
from scop_ledger.domain.cooperative import cooperative_id
from scop_ledger.domain.errors import NotFound
from scop_ledger.i18n import N_, _
from scop_ledger.store.chain import (
    CHAIN,
    EVENTS,
    GENESIS,
    PAGE,
    content,
    head_text,
    link,
    recorded_at,
    uuid_bytes,
)
from scop_ledger.store.db import DB

CHUNK = 500  # record ids per query


def _streams(db: DB, slug: str) -> tuple[int | None, list[UUID]]:
    """The cooperative's view id and its records' ids: its own (from the slug) and its
    members' (from the view)."""
    found = db.rows("SELECT cid FROM rm_coops WHERE slug = :slug", {"slug": slug})
    if not found:
        raise NotFound(
            _("no cooperative {slug} in this store (as known at that moment)").format(
                slug=repr(slug)
            )
        )
    cid = int(found[0][0])
    members = db.rows("SELECT uuid FROM rm_members WHERE cid = :cid", {"cid": cid})
    return cid, [cooperative_id(slug), *(UUID(str(m[0])) for m in members)]


def _own(db: DB, ids: list[UUID]) -> Iterator[list[tuple[int, Any, int, str, Any]]]:
    """Every stored version of these records, a few hundred records at a time (each record's
    versions together, in the order of the log)."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        pg = db.dialect == "postgresql"
        names = {f"o{i}": (u if pg else u.bytes) for i, u in enumerate(chunk)}
        marks = ", ".join(f":{name}" for name in names)
        yield db.rows(
            f"SELECT id, originator_id, originator_version, topic, state FROM {EVENTS} "
            f"WHERE originator_id IN ({marks}) ORDER BY id",
            names,
        )


def _digests(pages: Iterator[list[tuple[int, Any, int, str, Any]]]) -> dict[int, bytes]:
    """Each entry's recomputed digest, by sequence number, after checking each record's
    versions and that recorded times never go backwards along the cooperative's entries."""
    digests: dict[int, bytes] = {}
    moments: list[tuple[int, datetime]] = []
    for rows in pages:
        versions: dict[bytes, tuple[int, int]] = {}
        for seq, oid, version, topic, stored in rows:
            seq, version = int(seq), int(version)
            if not isinstance(stored, bytes | bytearray | memoryview):
                raise _rewritten(seq, stored)
            state = bytes(stored)
            key = uuid_bytes(oid)
            before = versions.get(key)
            if version != (1 if before is None else before[0] + 1):
                raise _misnumbered(seq, version, before)
            versions[key] = (version, seq)
            try:
                moments.append((seq, recorded_at(state)))
            except ValueError as error:
                raise _unreadable(seq, error) from None
            digests[seq] = content(oid, version, str(topic), state)
    moments.sort()
    for (last_seq, last_time), (seq, moment) in pairwise(moments):
        if moment < last_time:
            raise _backwards(seq, moment, last_seq, last_time)
    return digests


def _kept_from(db: DB, first: int) -> Iterator[tuple[int, str, str]]:
    """The kept chain from the entry ``first`` on: (seq, content hex, link hex)."""
    last = first - 1
    while True:
        rows = db.rows(
            f"SELECT seq, content, link FROM {CHAIN} WHERE seq > :last ORDER BY seq LIMIT {PAGE}",
            {"last": last},
        )
        if not rows:
            return
        yield from ((int(s), str(c), str(v)) for s, c, v in rows)
        last = int(rows[-1][0])


def _before(db: DB, first: int) -> bytes:
    """The kept link before the entry ``first`` (the genesis before the log's first entry)."""
    found = db.rows(
        f"SELECT link FROM {CHAIN} WHERE seq < :first ORDER BY seq DESC LIMIT 1",
        {"first": first},
    )
    return GENESIS if not found else bytes.fromhex(str(found[0][0]))


class _Walk:
    """The kept chain walked from the cooperative's first entry (or the earliest anchor) to
    its head, the cooperative's digests checked on the way."""

    def __init__(self, db: DB, digests: dict[int, bytes], anchors: Sequence[Anchor]) -> None:
        self.db = db
        self.digests = digests
        self.anchors = {a.seq: a for a in anchors}
        self.seal = _seal(db)
        self.head = (0, GENESIS)
        self.chained = self.kept = 0

    def run(self, first: int) -> None:
        previous = _before(self.db, first)
        own = iter(sorted(self.digests))
        pending = next(own, None)
        seal, anchors, digests = self.seal, self.anchors, self.digests
        last = 0
        for seq, digest_hex, link_hex in _kept_from(self.db, first):
            value = link(previous, seq, bytes.fromhex(digest_hex))
            if value.hex() != link_hex:
                raise Finding(
                    N_(
                        "the chain kept in the store was rewritten at entry {seq}: its link does "
                        "not follow from the entries before it"
                    ),
                    seq=seq,
                )
            if seal is not None and seq == seal.seq and link_hex != seal.link:
                raise _unsealed(seq)
            anchor = anchors.get(seq)
            if anchor is not None and link_hex != anchor.hash:
                raise _not_prefix(anchor, seq, link_hex)
            if pending is not None and pending < seq:
                raise _inserted(pending)
            if pending == seq:
                if digests[seq].hex() != digest_hex:
                    raise Finding(
                        N_(
                            "entry {seq} no longer matches the chain: its stored bytes changed "
                            "since it was recorded"
                        ),
                        seq=seq,
                    )
                self.kept += 1
                pending = next(own, None)
            previous, last = value, seq
            self.chained += 1
        self.head = (last, previous)
        self._finish(pending, last)

    def _finish(self, pending: int | None, last: int) -> None:
        """The kept chain ended at ``last``: what the view applied and the seal vouches for
        must be in it, and every anchor."""
        seal = self.seal
        must_keep = max(_applied(self.db), 0 if seal is None else seal.seq)
        if pending is not None and pending <= must_keep:
            raise _inserted(pending)
        if seal is not None and last < seal.seq:
            raise Finding(
                N_(
                    "entry {seq} is missing from the chain kept since it was recorded: the kept "
                    "chain ends at entry {last}, though it was sealed at entry {sealed}"
                ),
                seq=seal.seq,
                last=last,
                sealed=seal.seq,
            )
        for anchor in self.anchors.values():
            if anchor.seq > last:
                raise Finding(
                    N_("{anchor} is not a prefix of today's chain: there is no entry {seq}"),
                    anchor=anchor.label,
                    seq=anchor.seq,
                )


def _not_prefix(anchor: Anchor, seq: int, link_hex: str) -> Finding:
    return Finding(
        N_("{anchor} is not a prefix of today's chain: entry {seq} now chains to {link}"),
        anchor=anchor.label,
        seq=seq,
        link=link_hex,
    )


def _inserted(seq: int) -> Finding:
    return Finding(
        N_(
            "entry {seq} was inserted: the chain kept since the entries around it were "
            "recorded does not have it"
        ),
        seq=seq,
    )


def _applied(db: DB) -> int:
    """How far the view applied the log."""
    found = db.scalar("SELECT position FROM rm_tracking WHERE name = 'view'")
    return 0 if found is None else int(found)


def _removed(db: DB, cid: int | None, digests: dict[int, bytes]) -> None:
    """Every entry the view applied for the cooperative is still stored."""
    rows = db.rows("SELECT seq FROM rm_entries WHERE cid = :cid ORDER BY seq", {"cid": cid})
    for (seq,) in rows:
        if int(seq) not in digests:
            raise _missing(int(seq))


def verify_coop(db: DB, slug: str, anchors: Sequence[Anchor] = ()) -> Verdict:
    """The verdict on the cooperative ``slug``'s entries and on the kept chain from its first
    entry on (see the module's docstring). Stops at the first problem. Without the view's
    tables (no kept chain) the check cannot be made: NotFound."""
    if not db.has_table(CHAIN) or not db.has_table("rm_coops"):
        raise NotFound(
            _("no cooperative {slug} in this store (as known at that moment)").format(
                slug=repr(slug)
            )
        )
    cid, ids = _streams(db, slug)
    walk: _Walk | None = None
    problem: Text | None = None
    entries = 0
    try:
        digests = _digests(_own(db, ids))
        entries = len(digests)
        _removed(db, cid, digests)
        walk = _Walk(db, digests, anchors)
        first = min([*digests, *(a.seq for a in anchors)], default=1)
        walk.run(first)
    except Finding as found:
        problem = found.message
    head = (0, GENESIS) if walk is None else walk.head
    return Verdict(
        head=head_text(*head),
        entries=entries,
        kept=0 if walk is None else walk.kept,
        problem=problem,
        anchor=", ".join(a.head for a in anchors) or None,
        pending=0 if walk is None or problem else entries - walk.kept,
        seal=None if walk is None else walk.seal,
        coop=slug,
        chained=0 if walk is None else walk.chained,
    )
