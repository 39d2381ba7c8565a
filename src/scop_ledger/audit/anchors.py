"""Anchors: heads written down at earlier reviews, each of which must be a prefix of today's
chain, and the anchors file (``verify --anchor-out`` / ``--anchors``) that keeps them outside
the store with the fingerprints of every entry up to them, so that the first entry that differs
can be named."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scop_ledger.audit.verdict import Finding, Text, Verdict
from scop_ledger.i18n import N_, _

FINGERPRINT = 4  # bytes of each link an anchors file keeps


def parse_anchor(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` (HASH 64 hex digits); raise ValueError with a one-line reason."""
    return split_anchor(text)[:2]


def split_anchor(text: str) -> tuple[int, str, str | None]:
    """``SEQ:HASH`` or a signed ``SEQ:HASH:SIGNATURE``; raise ValueError with a one-line
    reason."""
    seq_text, sep, rest = text.strip().partition(":")
    hash_text, _sep, signature = rest.partition(":")
    if not sep or not seq_text.isdigit() or int(seq_text) < 1:
        raise ValueError(
            _("{text} is not an anchor SEQ:HASH (SEQ a positive number)").format(text=repr(text))
        )
    hash_text = hash_text.lower()
    if len(hash_text) != 64 or any(c not in "0123456789abcdef" for c in hash_text):
        raise ValueError(
            _("{text} is not an anchor SEQ:HASH (HASH 64 hex digits)").format(text=repr(text))
        )
    return int(seq_text), hash_text, signature or None


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
    def label(self) -> Text:
        """How a finding names this anchor (a :class:`Text`: English in JSON, translated when
        shown)."""
        if self.line is None:
            return Text(N_("the anchor {head}"), head=self.head)
        if self.verified_at is None:
            return Text(N_("the anchor of line {line} ({head})"), line=self.line, head=self.head)
        return Text(
            N_("the anchor of line {line} ({head}, verified at {moment})"),
            line=self.line,
            head=self.head,
            moment=self.verified_at,
        )

    def positions(self) -> Iterator[int]:
        for first, last in self.seqs or ():
            yield from range(first, last + 1)


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
            out.append(_anchor(json.loads(raw), number))
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
            raise ValueError(
                _("line {number}: not an anchor ({error})").format(number=number, error=error)
            ) from None
    if not out:
        raise ValueError(_("no anchor in it"))
    return out


def _anchor(found: Any, number: int) -> Anchor:
    """The anchor of one line of an anchors file (its JSON object)."""
    seq, hash_hex = parse_anchor(f"{found['seq']}:{found['hash']}")
    seqs = tuple((int(a), int(b)) for a, b in found.get("seqs") or ())
    links = base64.b64decode(found.get("links") or "", validate=True)
    if seqs and len(links) != FINGERPRINT * sum(b - a + 1 for a, b in seqs):
        raise ValueError(_("its links do not match its sequence numbers"))
    if seqs and seqs[-1][1] != seq:
        raise ValueError(_("its sequence numbers do not end at its head"))
    return Anchor(
        seq,
        hash_hex,
        verified_at=_moment(found.get("verified_at")),
        recorded_at=_moment(found.get("recorded_at")),
        seqs=seqs or None,
        links=links if seqs else None,
        signature=found.get("signature"),
        line=number,
    )


def _moment(text: Any) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        raise ValueError(_("{text} has no UTC offset").format(text=repr(text)))
    return moment


class AnchorCheck:
    """One anchor followed along the chain: its entries' positions and links, its head, and
    the recorded times after it. :meth:`step` and :meth:`finish` raise :class:`Finding`."""

    def __init__(self, anchor: Anchor) -> None:
        self.anchor = anchor
        self.expected = anchor.positions() if anchor.seqs else None
        self.next = next(self.expected, None) if self.expected is not None else None
        self.index = 0
        self.seen = False
        self.time: datetime | None = None

    def step(self, seq: int, value: bytes, moment: datetime) -> None:
        """The entry ``seq``, its link ``value`` and its recorded time."""
        if self.expected is not None and self.next is not None:
            self._listed(seq, value)
        a = self.anchor
        if seq == a.seq:
            self.seen = True
            self.time = moment
            if value.hex() != a.hash:
                raise Finding(
                    N_(
                        "{anchor} is not a prefix of today's chain: entry {seq} now chains to "
                        "{link}"
                    ),
                    anchor=a.label,
                    seq=seq,
                    link=value.hex(),
                )
        elif seq > a.seq:
            self._after(seq, moment)

    def _listed(self, seq: int, value: bytes) -> None:
        """An entry up to the anchor: the next one it lists, with the same fingerprint."""
        a = self.anchor
        assert self.expected is not None and self.next is not None
        if seq > self.next:
            raise _missing(self.next, a)
        if seq < self.next:
            raise Finding(
                N_("entry {seq} was inserted: {anchor} does not have it"), seq=seq, anchor=a.label
            )
        links = a.links or b""
        fingerprint = links[self.index * FINGERPRINT : (self.index + 1) * FINGERPRINT]
        if value[:FINGERPRINT] != fingerprint:
            raise Finding(
                N_(
                    "entry {seq} no longer matches {anchor}: its stored bytes changed since "
                    "that review"
                ),
                seq=seq,
                anchor=a.label,
            )
        self.index += 1
        self.next = next(self.expected, None)

    def _after(self, seq: int, moment: datetime) -> None:
        """An entry after the anchor: recorded after it, and after the review that wrote it."""
        a = self.anchor
        if not self.seen:
            raise Finding(
                N_("{anchor} is not a prefix of today's chain: there is no entry {seq}"),
                anchor=a.label,
                seq=a.seq,
            )
        assert self.time is not None
        if moment <= self.time:  # writes are stamped strictly after the entry ahead
            raise Finding(
                N_(
                    "entry {seq} was recorded at {moment}, not after {anchor} (entry {head}, "
                    "recorded at {head_moment}): an entry added after the review claims an "
                    "earlier time"
                ),
                seq=seq,
                moment=moment,
                anchor=a.label,
                head=a.seq,
                head_moment=self.time,
            )
        if a.verified_at is not None and moment < a.verified_at:
            raise Finding(
                N_(
                    "entry {seq} was recorded at {moment}, before the review of {review} that "
                    "wrote {anchor}, yet it was not in the log then: it was added later with an "
                    "earlier time"
                ),
                seq=seq,
                moment=moment,
                review=a.verified_at,
                anchor=a.label,
            )

    def finish(self, last_seq: int) -> None:
        """The chain ended at ``last_seq``: every entry the anchor lists was met."""
        a = self.anchor
        if self.expected is not None and self.next is not None:
            raise _missing(self.next, a)
        if not self.seen:
            raise Finding(
                N_(
                    "{anchor} is not a prefix of today's chain: there is no entry {seq} (the "
                    "chain ends at {last})"
                ),
                anchor=a.label,
                seq=a.seq,
                last=last_seq,
            )


def _missing(seq: int, anchor: Anchor) -> Finding:
    return Finding(
        N_("entry {seq} is missing: {anchor} has it, the store does not"),
        seq=seq,
        anchor=anchor.label,
    )
