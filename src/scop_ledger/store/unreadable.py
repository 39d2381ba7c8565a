"""Entries that cannot be read: what a change below the ledger (by hand, or a release that wrote
what this one cannot read) leaves in the store, named in a few words for the one-line message."""

from __future__ import annotations

import dataclasses
import functools
import sys
from typing import Any

from eventsourcing.domain import EventSourcingError
from eventsourcing.utils import TopicError

from scop_ledger.i18n import N_


class UnreadableEntry(ValueError):
    """A stored entry that cannot even be read: of an unknown kind, a state that is not JSON
    or lacks a field, a version out of its aggregate's sequence. Only a change below the
    ledger (by hand, or a release that wrote what this one cannot read) stores one. A
    ValueError, so that the view sets it aside as any entry it cannot hold."""


@functools.cache
def required_fields(cls: type) -> frozenset[str]:
    """The fields an event of ``cls`` must hold (those without a default)."""
    if not dataclasses.is_dataclass(cls):
        return frozenset()
    return frozenset(
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )


def check_fields(cls: type, state: dict[str, Any]) -> None:
    """Raise :class:`UnreadableEntry` when an event of ``cls`` lacks a field."""
    required = required_fields(cls)
    if state.keys() >= required:
        return
    missing = required - state.keys()
    if missing:
        raise UnreadableEntry(f"its field {sorted(missing)[0]!r} is missing")


def unreadable(error: BaseException, topic: str) -> UnreadableEntry:
    """eventsourcing's or the decoder's error reading an entry as an UnreadableEntry."""
    if isinstance(error, UnreadableEntry):
        return error
    if isinstance(error, TopicError):
        return UnreadableEntry(f"unknown kind of entry {printable(str(topic))[:80]!r}")
    if isinstance(error, ValueError | EventSourcingError) and (
        "JSON" in type(error).__name__ or "deserialise" in str(error) or "Expecting" in str(error)
    ):
        return UnreadableEntry(N_("its stored state is not valid JSON"))
    return UnreadableEntry(why(error))


def why(error: BaseException) -> str:
    """Why the view cannot hold an entry, in a few words: in English (the view keeps it),
    translated with ``_()`` where shown."""
    if isinstance(error, UnreadableEntry):
        return str(error)
    text = str(error).strip()
    lowered = text.lower()
    if isinstance(error, OverflowError) and "date" in lowered:
        return N_("a date out of range")
    if isinstance(error, OverflowError) or "out of range" in lowered:
        return N_("a number out of range")
    if "nul" in lowered and ("0x00" in lowered or "character" in lowered):
        return N_("a NUL character in its text")
    if isinstance(error, UnicodeError) or "surrogate" in lowered:
        return N_("text that is not valid Unicode")
    if "too long" in lowered:
        return N_("a text too long")
    # SQLAlchemy's error only where SQLAlchemy is loaded (the query path does not load it).
    alchemy = sys.modules.get("sqlalchemy.exc")
    if alchemy is not None and isinstance(error, alchemy.NoResultFound):
        return N_("what it concerns cannot be shown either")
    first = text.splitlines()[0] if text else type(error).__name__
    return printable(first)[:120]


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates escaped (``\\x00``)."""
    return "".join(
        c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF else ascii(c)[1:-1] for c in text
    )
