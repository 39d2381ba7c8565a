"""Verification of the hash chain (:mod:`scop_ledger.store.chain`): recompute it from the stored
events and compare it, entry by entry, with the chain the projector kept (naming the first entry
changed, missing, inserted or out of order), with its seal, and with every anchor. An attacker
who rewrites the events, ``rm_chain`` and the seal is caught by an anchor alone: keep the anchor
(or an anchors file, :func:`scop_ledger.audit.anchors.anchor_line`) outside the store.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from scop_ledger.audit.anchors import FINGERPRINT, Anchor, AnchorCheck
from scop_ledger.audit.verdict import Finding, Seal, Text, Verdict
from scop_ledger.i18n import N_
from scop_ledger.store.chain import (
    CHAIN,
    EVENTS,
    GENESIS,
    PAGE,
    SEAL,
    content,
    head_text,
    link,
    recorded_at,
    uuid_bytes,
)
from scop_ledger.store.db import DB


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
            f"SELECT seq, content, link FROM {CHAIN} WHERE seq > :last ORDER BY seq LIMIT {PAGE}",
            {"last": last},
        )
        if not rows:
            return
        for seq, digest, value in rows:
            yield int(seq), str(digest), str(value)
        last = int(rows[-1][0])


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


def _rewritten(seq: int, stored: Any) -> Finding:
    return Finding(
        N_(
            "entry {seq} no longer matches the chain: its stored state was rewritten as "
            "{kind}, not the bytes recorded"
        ),
        seq=seq,
        kind=type(stored).__name__,
    )


def _unsealed(seq: int) -> Finding:
    return Finding(
        N_(
            "entry {seq} no longer matches the seal of the kept chain: the entries up to it "
            "and the kept chain were both rewritten"
        ),
        seq=seq,
    )


def _unreadable(seq: int, error: ValueError) -> Finding:
    return Finding(
        N_("entry {seq} no longer matches the chain: {error}"), seq=seq, error=str(error)
    )


def _backwards(seq: int, moment: datetime, last_seq: int, last_time: datetime) -> Finding:
    return Finding(
        N_(
            "entry {seq} was recorded at {moment}, before entry {last} (recorded at "
            "{last_moment}): recorded times go backwards, so it was added later with an "
            "earlier time"
        ),
        seq=seq,
        moment=moment,
        last=last_seq,
        last_moment=last_time,
    )


def _missing(seq: int) -> Finding:
    return Finding(
        N_(
            "entry {seq} is missing: the chain kept since it was recorded has it, the store "
            "does not"
        ),
        seq=seq,
    )


def _misnumbered(seq: int, version: int, before: tuple[int, int] | None) -> Finding:
    """An entry whose version does not follow its record's previous one (``before``: that
    version and its entry)."""
    if before is not None and before[0] >= version:
        return Finding(
            N_(
                "entry {seq} is out of order: version {version} of its record comes after "
                "version {before} (entry {entry})"
            ),
            seq=seq,
            version=version,
            before=before[0],
            entry=before[1],
        )
    if before is None:
        return Finding(
            N_(
                "entry {seq} is version {version} of its record: versions must run 1, 2, 3…, "
                "version 1 is missing"
            ),
            seq=seq,
            version=version,
        )
    return Finding(
        N_(
            "entry {seq} is version {version} of its record after version {before} (entry "
            "{entry}): versions must run 1, 2, 3…, version {expected} is missing"
        ),
        seq=seq,
        version=version,
        before=before[0],
        entry=before[1],
        expected=before[0] + 1,
    )


class _Walk:
    """One pass along the log: the chain recomputed, checked against the kept chain, the seal,
    each record's versions, the recorded times and the anchors. Its fields after :meth:`run`
    are those of the :class:`Verdict`."""

    def __init__(self, db: DB, checks: list[AnchorCheck], collect: bool) -> None:
        self.db = db
        self.checks = checks
        self.collect = collect
        self.has_kept = db.has_table(CHAIN)
        self.seal = _seal(db)
        applied = _applied(db)
        # Every entry up to here must be in the kept chain: what the view applied and the seal
        # vouches for. Without a view nor a seal, every entry.
        self.must_keep: int | None = None
        if applied is not None or self.seal is not None:
            self.must_keep = max(applied or 0, 0 if self.seal is None else self.seal.seq)
        self.kept = _kept(db) if self.has_kept else iter(())
        self.previous = GENESIS
        self.last_seq = 0
        self.last_time: datetime | None = None
        self.count = self.vouched = self.pending = 0
        self.ranges: list[list[int]] = []
        self.fingerprints = bytearray()

    def run(self) -> Text | None:
        """Walk the log to its end or to the first problem, which it returns."""
        previous, last_seq, last_time = GENESIS, 0, None
        count = vouched = pending_count = 0
        versions: dict[bytes, tuple[int, int]] = {}
        checks, seal, collect, kept = self.checks, self.seal, self.collect, self.kept
        pending = next(kept, None)
        try:
            for seq, oid, version, topic, stored in _events(self.db):
                if not isinstance(stored, bytes | bytearray | memoryview):
                    raise _rewritten(seq, stored)
                state = bytes(stored)
                digest = content(oid, version, topic, state)
                value = link(previous, seq, digest)
                # 1. The kept chain, entry by entry.
                checked = (
                    pending is not None
                    and pending[0] == seq
                    and pending[1] == digest.hex()
                    and pending[2] == value.hex()
                )
                if checked:
                    pending = next(kept, None)
                else:
                    self._unkept(pending, seq, digest, value, vouched, last_seq)
                    pending_count += 1
                if seal is not None and seq == seal.seq and value.hex() != seal.link:
                    raise _unsealed(seq)
                # 2. Each record's versions run 1, 2, 3…
                key = uuid_bytes(oid)
                before = versions.get(key)
                if version != (1 if before is None else before[0] + 1):
                    raise _misnumbered(seq, version, before)
                versions[key] = (version, seq)
                # 3. Recorded times never go backwards along the log.
                try:
                    moment = recorded_at(state)
                except ValueError as error:
                    raise _unreadable(seq, error) from None
                for check in checks:
                    check.step(seq, value, moment)
                if last_time is not None and moment < last_time:
                    raise _backwards(seq, moment, last_seq, last_time)
                if collect:
                    self._fingerprint(seq, value)
                previous, last_seq, last_time = value, seq, moment
                count += 1
                vouched += checked
            self._finish(pending, last_seq)
        except Finding as found:
            return found.message
        finally:
            self.previous, self.last_seq, self.last_time = previous, last_seq, last_time
            self.count, self.vouched, self.pending = count, vouched, pending_count
        return None

    def _unkept(
        self,
        pending: tuple[int, str, str] | None,
        seq: int,
        digest: bytes,
        value: bytes,
        vouched: int,
        last_seq: int,
    ) -> None:
        """The entry ``seq`` is not the kept chain's next (``pending``): raise the finding, or
        return when it is only not kept yet (recorded since the view last caught up)."""
        if pending is not None and pending[0] < seq:
            raise _missing(pending[0])
        if pending is not None and pending[0] == seq:
            if pending[1] != digest.hex():
                elsewhere = self.db.scalar(
                    f"SELECT MIN(seq) FROM {CHAIN} WHERE content = :c AND seq <> :s",
                    {"c": digest.hex(), "s": seq},
                )
                if elsewhere is not None:
                    raise Finding(
                        N_("entry {seq} is out of order: it holds what entry {other} held"),
                        seq=seq,
                        other=elsewhere,
                    )
                raise Finding(
                    N_(
                        "entry {seq} no longer matches the chain: its stored bytes changed "
                        "since it was recorded"
                    ),
                    seq=seq,
                )
            raise Finding(
                N_("entry {seq} no longer matches the chain: entries before it moved"), seq=seq
            )
        if pending is not None:
            raise Finding(
                N_(
                    "entry {seq} was inserted: the chain kept since the entries around it were "
                    "recorded does not have it"
                ),
                seq=seq,
            )
        if self.must_keep is None or seq <= self.must_keep:
            self._not_kept(seq, vouched, last_seq)

    def _not_kept(self, seq: int, vouched: int, last_seq: int) -> None:
        """The entry ``seq`` should be in the kept chain, which ends before it."""
        if not self.has_kept:
            raise Finding(
                N_(
                    "entry {seq} is not vouched for: the chain kept since the entries were "
                    "recorded is missing (no table rm_chain); 'verify --reseed-chain' re-seeds "
                    "it from the entries as they are now"
                ),
                seq=seq,
            )
        sealed = None if self.seal is None else self.seal.seq
        if vouched == 0 and sealed is None:
            template = N_(
                "entry {seq} is missing from the chain kept since it was recorded: the kept "
                "chain holds nothing"
            )
        elif vouched == 0:
            template = N_(
                "entry {seq} is missing from the chain kept since it was recorded: the kept "
                "chain holds nothing, though it was sealed at entry {sealed}"
            )
        elif sealed is None:
            template = N_(
                "entry {seq} is missing from the chain kept since it was recorded: the kept "
                "chain ends at entry {last}"
            )
        else:
            template = N_(
                "entry {seq} is missing from the chain kept since it was recorded: the kept "
                "chain ends at entry {last}, though it was sealed at entry {sealed}"
            )
        raise Finding(template, seq=seq, last=last_seq, sealed=sealed)

    def _fingerprint(self, seq: int, value: bytes) -> None:
        """Keep what an anchors file needs of the entry ``seq``."""
        ranges = self.ranges
        if ranges and ranges[-1][1] == seq - 1:
            ranges[-1][1] = seq
        else:
            ranges.append([seq, seq])
        self.fingerprints += value[:FINGERPRINT]

    def _finish(self, pending: tuple[int, str, str] | None, last_seq: int) -> None:
        """The log ended at ``last_seq``: nothing of the kept chain, the seal or the anchors is
        left unmet."""
        if pending is not None:
            raise _missing(pending[0])
        seal = self.seal
        if seal is not None and last_seq < seal.seq:
            raise Finding(
                N_(
                    "entry {seq} is missing: the kept chain was sealed at it, the store ends at "
                    "entry {last}"
                ),
                seq=seal.seq,
                last=last_seq,
            )
        for check in self.checks:
            check.finish(last_seq)


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
    by its sequence number. ``collect``: keep what an anchors file needs
    (:func:`~scop_ledger.audit.anchors.anchor_line`)."""
    wanted = list(anchors)
    if anchor is not None:
        wanted.insert(0, anchor if isinstance(anchor, Anchor) else Anchor(*anchor))
    walk = _Walk(db, [AnchorCheck(a) for a in wanted], collect)
    problem = walk.run()
    return Verdict(
        head=head_text(walk.last_seq, walk.previous),
        entries=walk.count,
        kept=walk.vouched,
        problem=problem,
        anchor=", ".join(a.head for a in wanted) or None,
        pending=walk.pending,
        recorded_at=walk.last_time,
        seal=walk.seal,
        ranges=tuple((a, b) for a, b in walk.ranges) if collect else None,
        fingerprints=bytes(walk.fingerprints) if collect else None,
    )
