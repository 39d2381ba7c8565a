"""What every aggregate's log of entries shares: which entries count, as known at a moment.

An entry counts when it was recorded at or before the moment and no reversal recorded by then
names it; the entries that count apply by effective date, then in the order recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

# The namespace of the aggregates' uuid5 ids (a member's, a cooperative's).
NAMESPACE = uuid.UUID("6f1c3a52-8d0e-5b8e-9a57-3c0d1f2e4b61")


@dataclass(frozen=True)
class EntryMeta:
    """What every entry carries beside its effective date: the document behind it, a note,
    who recorded it, and (for imports) the source row's identity."""

    ref: str | None = None
    note: str | None = None
    recorded_by: str = "unknown"
    source: str | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "note": self.note,
            "recorded_by": self.recorded_by,
            "source": self.source,
        }


class Entry(Protocol):
    on: date
    timestamp: datetime
    originator_version: int


class Reversal(Entry, Protocol):
    versions: list[int]


E = TypeVar("E", bound=Entry)


class UnfoldableEntry(TypeError):
    """An event a fold has no handler for (a reversal, a registration, an unknown kind): a
    fold steps through effective entries only, by the kind their ``ACTION`` names."""


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
