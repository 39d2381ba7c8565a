"""What every aggregate's log of entries shares: which entries count, as known at a moment.

An entry counts when it was recorded at or before the moment and no reversal recorded by then
names it; the entries that count apply by effective date, then in the order recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol, TypeVar


class Entry(Protocol):
    on: date
    timestamp: datetime
    originator_version: int


class Reversal(Entry, Protocol):
    versions: list[int]


E = TypeVar("E", bound=Entry)


def reversed_by(
    log: Iterable[Entry], reversal: type[Reversal], known_at: datetime | None = None
) -> dict[int, int]:
    """Map each reversed version to the version of its reversal (``reversal`` is the
    aggregate's reversal event class), as known at ``known_at``."""
    out: dict[int, int] = {}
    for e in log:
        if isinstance(e, reversal) and (known_at is None or e.timestamp <= known_at):
            for v in e.versions:
                out[v] = e.originator_version
    return out


def effective(
    log: Iterable[E], reversal: type[Reversal], known_at: datetime | None = None
) -> list[E]:
    """The entries that count, as known at ``known_at``, in effective order; reversals and the
    entries they reverse drop out."""
    entries = list(log)
    gone = reversed_by(entries, reversal, known_at)
    kept = [
        e
        for e in entries
        if not isinstance(e, reversal)
        and e.originator_version not in gone
        and (known_at is None or e.timestamp <= known_at)
    ]
    kept.sort(key=lambda e: (e.on, e.originator_version))
    return kept
