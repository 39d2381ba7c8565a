"""The fold of a member's timeline: a :class:`MemberState` from effective entries, one handler
per kind of entry, each with its guards.

The entries are the :class:`~scop_ledger.domain.member.Member` aggregate's events; this module
sits below it (the aggregate validates its commands by folding), so it reads them by their
``ACTION``, the name of their kind, and their fields.

Legal sources: loi 78-763 art. 10-11 (employment-partnership link), loi 47-1775 (capital, refunds).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, ClassVar, Protocol

from scop_ledger.domain.entries import UnfoldableEntry
from scop_ledger.domain.errors import Refused
from scop_ledger.domain.member_state import MemberState as MemberState
from scop_ledger.domain.member_state import Refund as Refund
from scop_ledger.domain.share_values import advance, end_of
from scop_ledger.domain.statutes import Terms
from scop_ledger.domain.transfer_fold import ended_by_transfer, transferred
from scop_ledger.domain.values import ZERO, LeaveReason
from scop_ledger.domain.values import TerminationReason as Termination
from scop_ledger.domain.words import label
from scop_ledger.i18n import _, day, money


class MemberEntry(Protocol):
    """What the fold reads of every member entry (``Member.Entry``)."""

    ACTION: ClassVar[str]

    @property
    def on(self) -> date: ...

    @property
    def originator_version(self) -> int: ...


class TimelineError(Refused):
    """An entry that cannot stand at its place in the member's timeline."""

    def __init__(self, entry: MemberEntry, message: str, person: str) -> None:
        super().__init__(message, person=person, on=entry.on)
        self.entry = entry


def replay(
    person: str, entries: Sequence[MemberEntry], terms: Terms, *, strict: bool = True
) -> MemberState:
    """Fold effective entries into a :class:`MemberState`, checking every invariant.

    ``entries`` must be effective (no reversals) and may come in any order: they are applied by
    date, then by recorded order. When ``strict``, every invariant is checked and the first entry
    that cannot stand raises :class:`TimelineError`; otherwise the fold trusts the stored history
    (the read side). Invariants: shares held never negative; paid never above subscribed; no
    subscription or withdrawal by a non-partner; no second admission or hiring; no refund paid
    beyond what is owed; the employment-partnership link (loi 78-763 art. 10-11)."""
    return fold(person, entries, terms, strict=strict).state


def fold(
    person: str, entries: Sequence[MemberEntry], terms: Terms, *, strict: bool = True
) -> MemberFold:
    """The :class:`MemberFold` after ``entries`` in effective order (see :func:`replay`)."""
    ordered = sorted(entries, key=lambda e: (e.on, e.originator_version))
    folded = MemberFold(person, terms, strict=strict, consequences=consequences(ordered))
    for e in ordered:
        folded.apply(e)
    advance(folded, date.max)  # the share value changes after the last entry (terms.until)
    return folded


def check_timeline(
    person: str, entries: Sequence[MemberEntry], terms: Terms, new: Sequence[MemberEntry]
) -> None:
    """Refuse a candidate timeline (``entries`` plus the ``new`` ones) that does not fold
    strictly; the message says which later entry a new one would invalidate, or (with no new
    entry: a reversal) which entry would be invalid without the reversed one."""
    try:
        replay(person, [*entries, *new], terms)
    except TimelineError as error:
        if new and error.entry not in new:
            raise TimelineError(
                error.entry,
                _(
                    "refused: it would invalidate the later {action} of {person} on {date}: "
                    "{reason}"
                ).format(
                    action=error.entry.ACTION,
                    person=person,
                    date=day(error.entry.on),
                    reason=error.message,
                ),
                person,
            ) from None
        if not new:
            raise TimelineError(
                error.entry,
                _(
                    "refused: without it, the {action} of {person} on {date} would be invalid: "
                    "{reason}"
                ).format(
                    action=error.entry.ACTION,
                    person=person,
                    date=day(error.entry.on),
                    reason=error.message,
                ),
                person,
            ) from None
        raise


def consequences(entries: Iterable[Any]) -> set[int]:
    """The versions that some end of employment or of partnership records as its cause."""
    return {
        cause for e in entries if e.ACTION in _CAUSED and (cause := e.consequence_of) is not None
    }


class TimelineEnd:
    """The strict fold at the end of a member's effective timeline and the position (date,
    version) of its last entry. The aggregate keeps one between commands: a command whose
    entries all come on or after that date steps it instead of replaying the whole timeline.
    Derived state only; never stored."""

    def __init__(self, person: str, entries: Sequence[MemberEntry], terms: Terms) -> None:
        self.fold = fold(person, entries, terms)
        self.last = end_of(entries, terms)

    def reaches(self, on: date) -> bool:
        """Whether nothing in the timeline comes after the date ``on``."""
        return self.last is None or on >= self.last[0]

    def step(self, new: Sequence[MemberEntry]) -> None:
        """Apply ``new`` entries, which all come on or after the last entry's date; a refused
        one raises :class:`TimelineError` and leaves this end half-stepped."""
        self.fold.consequences |= consequences(new)
        for e in new:
            self.fold.apply(e)
        self.last = (new[-1].on, new[-1].originator_version)


class MemberFold:
    """Apply a member's effective entries one at a time, in effective order (see :func:`replay`).

    The read side keeps one fold per member and steps it as entries arrive in date order."""

    def __init__(
        self,
        person: str,
        terms: Terms,
        *,
        strict: bool = True,
        consequences: set[int] | None = None,
    ) -> None:
        self.person = person
        self.terms = terms
        self.strict = strict
        self.consequences = consequences or set()
        self.state = MemberState(person=person)

    def apply(self, e: MemberEntry) -> None:
        """Apply one entry; when ``strict``, raise :class:`TimelineError` if it cannot stand.
        An event that is not an effective entry raises :class:`UnfoldableEntry`."""
        try:
            handler = HANDLERS[e.ACTION]
        except (KeyError, AttributeError):
            raise UnfoldableEntry(f"no fold handler for {type(e).__name__}") from None
        advance(self, e.on)  # the share value changes up to its date (domain/share_values.py)
        handler(self, e)
        if self.strict and self.state.shares < 0:  # pragma: no cover - the withdrawal guard
            self._fail(
                e,
                _("{person} would hold {shares} shares on {date}").format(
                    person=self.person, shares=self.state.shares, date=day(e.on)
                ),
            )

    # ------------------------------------------------------------------ guards

    def _fail(self, entry: MemberEntry, message: str) -> None:
        if self.strict:
            raise TimelineError(entry, message, self.person)

    def _alive(self, e: MemberEntry) -> None:
        if self.state.deceased_on is not None:
            self._fail(
                e,
                _("{person} died on {date}").format(
                    person=self.person, date=day(self.state.deceased_on)
                ),
            )

    def _partner(self, e: MemberEntry) -> bool:
        if not self.state.partner:
            self._fail(
                e,
                _("{person} is not a partner on {date}").format(person=self.person, date=day(e.on)),
            )
        return self.state.partner

    def _unrecorded(self, e: MemberEntry) -> bool:
        """Whether no entry names ``e`` as its cause (the consequence ``e`` entails is missing)."""
        return e.originator_version not in self.consequences

    # ------------------------------------------------------------------ handlers

    def _hired(self, e: Any) -> None:
        s = self.state
        if s.legal_person:
            self._fail(
                e, _("{person} is a legal person and cannot be hired").format(person=self.person)
            )
        self._alive(e)
        if s.employed:
            self._fail(
                e,
                _("{person} is already employed on {date} (hired {since})").format(
                    person=self.person, date=day(e.on), since=_day(s.employed_since)
                ),
            )
        s.employed, s.employed_since = True, e.on
        s.name = e.name or s.name

    def _employment_ended(self, e: Any) -> None:
        s = self.state
        if not s.employed:
            self._fail(
                e,
                _("{person} is not employed on {date}").format(person=self.person, date=day(e.on)),
            )
        if e.consequence_of is None:
            ends_partnership = not Termination(e.reason).keeps_partnership
            if s.partner and ends_partnership and self._unrecorded(e):
                self._fail(
                    e,
                    _(
                        "{person} would be a partner when the employment ended on {date} "
                        "({reason}), which ends the partnership, and the ledger does not show it"
                    ).format(person=self.person, date=day(e.on), reason=label(e.reason)),
                )
        s.employed, s.employed_since = False, None
        if e.reason == "death":
            s.deceased_on = e.on

    def _admitted(self, e: Any) -> None:
        s = self.state
        self._alive(e)
        if s.partner:
            self._fail(
                e,
                _("{person} is already a partner on {date} (admitted {since})").format(
                    person=self.person, date=day(e.on), since=_day(s.partner_since)
                ),
            )
        if e.legal_person and s.employed:
            self._fail(
                e,
                _("{person} is employed on {date} and cannot be admitted as a legal person").format(
                    person=self.person, date=day(e.on)
                ),
            )
        s.partner, s.partner_since = True, e.on
        s.legal_person = s.legal_person or e.legal_person
        s.name = e.name or s.name

    def _subscribed(self, e: Any) -> None:
        self._partner(e)
        self.state.shares += e.shares
        self.state.paid += e.paid

    def _paid_up(self, e: Any) -> None:
        s = self.state
        self._partner(e)
        if self.strict:  # the read side trusts the stored history: most entries are pay-ups
            unpaid = s.shares * self.terms.value_on(e.on) - s.paid
            if e.amount > unpaid:
                self._fail(
                    e,
                    _("{person} owes only {amount} on subscribed shares on {date}").format(
                        person=self.person, amount=money(unpaid), date=day(e.on)
                    ),
                )
        s.paid += e.amount

    def _withdrawn(self, e: Any) -> None:
        s = self.state
        if self._partner(e) and e.shares >= s.shares:
            self._fail(
                e,
                _(
                    "{person} holds {held} shares on {date}: withdrawing {shares} would leave "
                    "none (to withdraw every share the partner must leave)"
                ).format(person=self.person, held=s.shares, date=day(e.on), shares=e.shares),
            )
        # Unpaid shares are cancelled first; the refund is the paid-in value withdrawn.
        share_value = self.terms.value_on(e.on)
        unpaid = share_value * s.shares - s.paid
        refund = max(ZERO, share_value * e.shares - unpaid)
        s.shares -= e.shares
        s.paid -= refund
        s.refunds.append(Refund(e.originator_version, e.on, "withdrawal", refund, True, e.shares))

    def _partnership_ended(self, e: Any) -> None:
        s = self.state
        self._partner(e)
        if s.employed and e.consequence_of is None:
            left = LeaveReason(e.cause.split(":", 1)[1])
            if self.terms.leave_ends_employment(left) and self._unrecorded(e):
                self._fail(
                    e,
                    _(
                        "{person} would be employed when leaving on {date} ({reason}), "
                        "which ends the employment, and the ledger does not show it"
                    ).format(person=self.person, date=day(e.on), reason=label(left)),
                )
        if not ended_by_transfer(self, e):  # else the shares went to a partner: no refund
            s.refunds.append(Refund(e.originator_version, e.on, e.cause, s.paid, False, s.shares))
        s.partner, s.partner_since, s.shares, s.paid = False, None, 0, ZERO
        if e.cause.endswith(":death"):
            s.deceased_on = e.on

    def _refund_paid(self, e: Any) -> None:
        s = self.state
        owed = s.refund_outstanding
        if e.amount > owed:
            self._fail(
                e,
                _("{person} is owed {owed} on {date}: cannot pay {amount}").format(
                    person=self.person, owed=money(owed), date=day(e.on), amount=money(e.amount)
                ),
            )
        left_to_pay = e.amount
        for r in s.refunds:
            take = min(r.outstanding, left_to_pay)
            r.paid += take
            left_to_pay -= take


def _day(on: date | None) -> str:
    return "None" if on is None else day(on)


#: The fold's handler of each kind of effective entry, by the entry's ``ACTION``.
HANDLERS: dict[str, Callable[[MemberFold, Any], None]] = {
    "hire": MemberFold._hired,
    "terminate": MemberFold._employment_ended,
    "admit": MemberFold._admitted,
    "subscribe": MemberFold._subscribed,
    "pay-up": MemberFold._paid_up,
    "withdraw": MemberFold._withdrawn,
    "leave": MemberFold._partnership_ended,
    "pay-refund": MemberFold._refund_paid,
    "transfer": transferred,
}

# The kinds of entry that may be the consequence of another (``consequence_of``).
_CAUSED = frozenset({"terminate", "leave"})
