"""What :func:`scop_ledger.audit.verify.verify` finds: the verdict, the kept chain's seal, and
the first problem met along the chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class Finding(Exception):
    """The first problem met along the chain, in one line naming the entry by its sequence
    number: it stops the check."""

    def __init__(self, message: str) -> None:
        self.message = message


@dataclass(frozen=True)
class Seal:
    """The kept chain's head as the projector last left it (``rm_chain_seal``): a kept chain
    dropped or cut short since is told from one that never held those entries."""

    seq: int
    link: str
    reseeded_at: str | None = None
    reseeded_by: str | None = None


@dataclass(frozen=True)
class Verdict:
    """What :func:`~scop_ledger.audit.verify.verify` found: the head of the chain recomputed
    from the stored events (with a problem, the last entry before it), how many entries that
    covers, how many of them the kept chain vouches for, how many the view has not applied yet
    (``pending``: chained, not yet kept), and the first problem (None when there is none)."""

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
