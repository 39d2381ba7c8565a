"""A change of the share's nominal value (``change-share-value``): regrouping or splitting the
shares, e.g. two shares of 25 euros into one of 50, or legacy shares of 15.24 euros into 15 ones.

The change is a cooperative entry; from the start of its date every holding of N shares of the
old value V is N x V / V' shares of the new value V': the amount in euros does not change. A
holding that would leave a remainder refuses the change. The member's fold applies the
conversions (:meth:`~scop_ledger.domain.member_fold.MemberFold.advance`) from the schedule its
:class:`~scop_ledger.domain.statutes.Terms` carry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from scop_ledger.i18n import _, day, money

ACTION = "change-share-value"


@dataclass(frozen=True)
class Conversion:
    """One holding converted on a change's date (what the fold reports, and what a refusal
    names as its entry): ``before`` shares of ``old`` euros became ``after`` of ``new``."""

    ACTION: ClassVar[str] = ACTION
    on: date
    old: Decimal
    new: Decimal
    before: int
    after: int
    # The fold's order: before every member entry of the same date.
    originator_version: int = 0
    index: int = 0  # the change's place in the terms' schedule


def converted(shares: int, old: Decimal, new: Decimal) -> int | None:
    """``shares`` of ``old`` euros as shares of ``new`` euros; None when not a whole number."""
    count, rest = divmod(Decimal(shares) * old, new)
    return None if rest else int(count)


def schedule(entries: Iterable[Any]) -> tuple[tuple[date, Decimal], ...]:
    """The share value changes among a cooperative's effective entries, in effective order."""
    found = [e for e in entries if getattr(e, "ACTION", "") == ACTION]
    found.sort(key=lambda e: (e.on, e.originator_version))
    return tuple((e.on, e.share_value) for e in found)


def advance(fold: Any, until: date) -> list[Conversion]:
    """Apply to a member's fold (``MemberFold``) the share value changes of its terms dated up
    to ``until`` and not applied yet: its holding becomes shares of the new value, the same
    amount in euros. The conversions of a holding, in order; when the fold is strict, a
    remainder raises its ``TimelineError``."""
    changes = fold.terms.share_values
    if not changes:
        return []
    s, done, index = fold.state, [], getattr(fold, "converted", 0)
    while index < len(changes) and changes[index][0] <= until:
        on, new = changes[index]
        old = changes[index - 1][1] if index else fold.terms.share_value
        index = fold.converted = index + 1
        if not s.shares:
            continue
        after = converted(s.shares, old, new)
        step = Conversion(
            on, old, new, s.shares, s.shares if after is None else after, 0, index - 1
        )
        if after is None:
            fold._fail(step, remainder(fold.person, s.shares, old, new, on))
        s.shares = step.after
        done.append(step)
    return done


def remainder(person: str, shares: int, old: Decimal, new: Decimal, on: date) -> str:
    """The refusal of a holding that is not a whole number of shares of the new value."""
    return _(
        "{person} holds {shares} shares of {old} euros on {date}: that is not a whole number "
        "of shares of {new} euros (change the holding first, or choose a value that divides it)"
    ).format(person=person, shares=shares, old=money(old), date=day(on), new=money(new))


def end_of(entries: Sequence[Any], terms: Any) -> tuple[date, int] | None:
    """The position (date, version) of a member's timeline's end: its last entry, or the last
    share value change of its terms when that comes later (the fold converted through it)."""
    last = (entries[-1].on, entries[-1].originator_version) if entries else None
    if terms.share_values and (last is None or last[0] < terms.share_values[-1][0]):
        return (terms.share_values[-1][0], 0)
    return last
