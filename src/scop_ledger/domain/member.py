"""The Member aggregate: one person in one cooperative.

A member's stream holds every entry about the person: employment started and ended, admission,
shares subscribed, paid up and withdrawn, partnership ended, refunds paid, and reversals. The
state on any date is never stored: :func:`replay` folds the effective entries in effective-date
order (entries on the same date in the order they were recorded). Every command first replays
the whole candidate timeline, so a back-dated entry that would break a later one is refused.

Legal sources: loi 78-763 art. 10-11 (employment and partnership are linked), loi 47-1775
(variable capital, refunds), Code de commerce L231-6 (five years' liability after leaving).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from scop_ledger.domain import entries
from scop_ledger.domain.entries import NAMESPACE
from scop_ledger.domain.entries import EntryMeta as EntryMeta  # re-exported
from scop_ledger.domain.errors import InvalidValue, Refused
from scop_ledger.domain.values import (
    MAX_MONEY,
    ZERO,
    Category,
    LeaveReason,
    TerminationReason,
    non_negative_money,
    partner_category,
    positive_money,
    share_count,
)


def member_id(coop: str, person: str) -> uuid.UUID:
    """A member's aggregate id: uuid5 of the cooperative's slug and the person's reference."""
    return uuid.uuid5(NAMESPACE, f"member:{coop}:{person}")


@dataclass(frozen=True)
class Terms:
    """What a member's timeline needs to know of its cooperative's statutes."""

    share_value: Decimal
    registered_on: date
    resignation_ends_employment: bool = True


@dataclass
class Refund:
    """A refund owed after an exit or a partial withdrawal."""

    version: int
    since: date
    cause: str
    amount: Decimal
    partial: bool
    paid: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid


@dataclass
class MemberState:
    """A member's state after some entries: the result of :func:`replay`."""

    person: str
    name: str | None = None
    legal_person: bool = False
    deceased_on: date | None = None
    employed: bool = False
    employed_since: date | None = None
    partner: bool = False
    partner_since: date | None = None
    shares: int = 0
    paid: Decimal = ZERO
    refunds: list[Refund] = field(default_factory=list)

    @property
    def category(self) -> Category | None:
        """Employee partner while a partner with a running employment contract, else external."""
        return partner_category(self.partner, self.employed)

    @property
    def refund_outstanding(self) -> Decimal:
        return sum((r.outstanding for r in self.refunds), ZERO)


class TimelineError(Refused):
    """An entry that cannot stand at its place in the member's timeline."""

    def __init__(self, entry: Member.Entry, message: str, person: str) -> None:
        super().__init__(message, person=person, on=entry.on)
        self.entry = entry


class Member(Aggregate):
    """One person in one cooperative. Its id is :func:`member_id` (coop, person)."""

    TOPIC = "scop-ledger:Member"

    class Event(Aggregate.Event):
        """Base of the member's events. A change of an event's shape bumps ``class_version``
        on that class and adds ``upcast_v1_v2`` (eventsourcing's schema evolution)."""

        class_version = 1

    class Registered(Aggregate.Created, Event):
        """The person became known to the ledger (recorded with their first entry)."""

        TOPIC = "scop-ledger:Member.Registered"
        coop: str
        person: str

    Created = Registered

    class Entry(Event):
        """An entry: an event with an effective date and its source."""

        TOPIC = "scop-ledger:Member.Entry"
        ACTION: ClassVar[str] = ""
        on: date
        ref: str | None
        note: str | None
        recorded_by: str
        source: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.log.append(self)

    class Hired(Entry):
        """An employment contract started."""

        TOPIC = "scop-ledger:Member.Hired"
        ACTION = "hire"
        name: str | None

    class EmploymentEnded(Entry):
        """An employment contract ended (``consequence_of``: the entry that caused it)."""

        TOPIC = "scop-ledger:Member.EmploymentEnded"
        ACTION = "terminate"
        reason: str
        consequence_of: int | None

    class Admitted(Entry):
        """The person became a partner; the category follows from employment."""

        TOPIC = "scop-ledger:Member.Admitted"
        ACTION = "admit"
        name: str | None
        legal_person: bool

    class SharesSubscribed(Entry):
        """The partner subscribed shares, ``paid`` euros of them paid at once."""

        TOPIC = "scop-ledger:Member.SharesSubscribed"
        ACTION = "subscribe"
        shares: int
        paid: Decimal

    class PaidUp(Entry):
        """Money paid against subscribed, unpaid shares."""

        TOPIC = "scop-ledger:Member.PaidUp"
        ACTION = "pay-up"
        amount: Decimal

    class SharesWithdrawn(Entry):
        """A partial withdrawal of shares; a refund becomes owed."""

        TOPIC = "scop-ledger:Member.SharesWithdrawn"
        ACTION = "withdraw"
        shares: int

    class PartnershipEnded(Entry):
        """Partner status ended; every share is cancelled and a refund becomes owed.

        ``cause`` is ``left:<reason>`` for a ``leave``, ``terminated:<reason>`` when the end of
        the employment contract ended the partnership (loi 78-763 art. 10-11)."""

        TOPIC = "scop-ledger:Member.PartnershipEnded"
        ACTION = "leave"
        cause: str
        consequence_of: int | None

    class RefundPaid(Entry):
        """Money paid to a former or withdrawing partner; settles the oldest refund first."""

        TOPIC = "scop-ledger:Member.RefundPaid"
        ACTION = "pay-refund"
        amount: Decimal

    class EntryReversed(Entry):
        """A correction: ``versions`` (an entry and its consequences) no longer count."""

        TOPIC = "scop-ledger:Member.EntryReversed"
        ACTION = "reverse"
        target: int
        versions: list[int]
        reason: str

    def __init__(self, coop: str, person: str) -> None:
        self.coop = coop
        self.person = person
        self.log: list[Member.Entry] = []
        # The strict fold at the end of the effective timeline, keyed by (log length, terms):
        # a command whose entries all come after the last effective entry steps a copy of it
        # instead of replaying the whole timeline. Derived state only; never stored.
        self._end: tuple[tuple[int, Terms], MemberFold, tuple[date, int] | None] | None = None

    # ----------------------------------------------------------------- creation

    @classmethod
    def register(cls, coop: str, person: str) -> Member:
        """A new member stream for ``person`` in ``coop``."""
        return cls._create(cls.Registered, id=member_id(coop, person), coop=coop, person=person)

    # ----------------------------------------------------------------- queries

    def state(
        self, terms: Terms, until: date | None = None, known_at: datetime | None = None
    ) -> MemberState:
        """The member's state as of ``until`` (inclusive), as known at ``known_at``."""
        entries = effective_entries(self.log, known_at)
        if until is not None:
            entries = [e for e in entries if e.on <= until]
        return replay(self.person, entries, terms, strict=False)

    def entry(self, version: int) -> Member.Entry | None:
        for e in self.log:
            if e.originator_version == version:
                return e
        return None

    # ----------------------------------------------------------------- commands

    def hire(self, on: date, terms: Terms, meta: EntryMeta, name: str | None = None) -> None:
        """An employment contract starts."""
        self._record(terms, [(self.Hired, {"on": on, "name": name})], meta)

    def terminate(self, on: date, reason: TerminationReason, terms: Terms, meta: EntryMeta) -> None:
        """An employment contract ends; unless the reason keeps the partnership (retirement,
        economic dismissal, invalidity), a partner's partnership ends with it."""
        before = self._state_at(on, terms)
        drafts: list[tuple[type[Member.Entry], dict[str, Any]]] = [
            (self.EmploymentEnded, {"on": on, "reason": reason.value, "consequence_of": None})
        ]
        if before.partner and not reason.keeps_partnership:
            drafts.append(
                (
                    self.PartnershipEnded,
                    {"on": on, "cause": f"terminated:{reason.value}", "consequence_of": 0},
                )
            )
        self._record(terms, drafts, meta)

    def admit(
        self,
        on: date,
        terms: Terms,
        meta: EntryMeta,
        name: str | None = None,
        legal_person: bool = False,
    ) -> None:
        """The person becomes a partner (never refused for seniority: eligibility is a list)."""
        self._record(
            terms,
            [(self.Admitted, {"on": on, "name": name, "legal_person": legal_person})],
            meta,
        )

    def subscribe(
        self, on: date, shares: int, terms: Terms, meta: EntryMeta, paid: Decimal | None = None
    ) -> None:
        """The partner subscribes ``shares`` shares, paid in full unless ``paid`` is given."""
        shares = share_count(shares)
        value = terms.share_value * shares
        if value > MAX_MONEY:
            raise InvalidValue(
                f"{shares:,} shares are worth {value:,} euros: more than {MAX_MONEY:,}",
                person=self.person,
                on=on,
            )
        paid_now = value if paid is None else non_negative_money(paid, what="paid")
        if paid_now > value:
            raise InvalidValue(
                f"paid {paid_now} is more than the {shares} shares are worth ({value})",
                person=self.person,
                on=on,
            )
        self._record(
            terms, [(self.SharesSubscribed, {"on": on, "shares": shares, "paid": paid_now})], meta
        )

    def pay_up(self, on: date, amount: Decimal, terms: Terms, meta: EntryMeta) -> None:
        """Money paid against subscribed, unpaid shares."""
        amount = positive_money(amount)
        self._record(terms, [(self.PaidUp, {"on": on, "amount": amount})], meta)

    def withdraw(self, on: date, shares: int, terms: Terms, meta: EntryMeta) -> None:
        """A partial withdrawal; withdrawing every share is refused (the partner must leave)."""
        shares = share_count(shares)
        self._record(terms, [(self.SharesWithdrawn, {"on": on, "shares": shares})], meta)

    def leave(self, on: date, reason: LeaveReason, terms: Terms, meta: EntryMeta) -> None:
        """Partner status ends. Resignation (statutes permitting) and death also end a
        running employment; exclusion does not."""
        before = self.state(terms, until=on)
        drafts: list[tuple[type[Member.Entry], dict[str, Any]]] = [
            (
                self.PartnershipEnded,
                {"on": on, "cause": f"left:{reason.value}", "consequence_of": None},
            )
        ]
        if before.employed and _leave_ends_employment(reason, terms):
            drafts.append(
                (self.EmploymentEnded, {"on": on, "reason": reason.value, "consequence_of": 0})
            )
        self._record(terms, drafts, meta)

    def pay_refund(self, on: date, amount: Decimal, terms: Terms, meta: EntryMeta) -> None:
        """Money paid to a former or withdrawing partner (oldest refund first)."""
        amount = positive_money(amount)
        self._record(terms, [(self.RefundPaid, {"on": on, "amount": amount})], meta)

    def reverse(self, on: date, version: int, reason: str, terms: Terms, meta: EntryMeta) -> None:
        """Correct an entry: it and its consequences stop counting from now on. Refused for an
        entry already reversed, for a reversal, for a consequence (reverse its cause), and when
        the timeline without it would be invalid."""
        target = self.entry(version)
        if target is None:
            raise Refused(f"{self.person} has no entry with version {version}", person=self.person)
        if isinstance(target, self.EntryReversed):
            raise Refused("a reversal cannot be reversed", person=self.person, on=target.on)
        reversed_by = reversed_versions(self.log)
        if version in reversed_by:
            raise Refused(
                f"that {target.ACTION} entry of {self.person} on {target.on} is already reversed",
                person=self.person,
                on=target.on,
            )
        cause = getattr(target, "consequence_of", None)
        if cause is not None:
            raise Refused(
                f"that {target.ACTION} entry of {self.person} on {target.on} is a consequence "
                "of another entry: reverse that one instead",
                person=self.person,
                on=target.on,
            )
        if not reason.strip():
            raise InvalidValue("a reversal needs a reason", person=self.person)
        versions = [version] + [
            e.originator_version for e in self.log if getattr(e, "consequence_of", None) == version
        ]
        remaining = [e for e in effective_entries(self.log) if e.originator_version not in versions]
        self._check_timeline(remaining, terms, new=())
        self.trigger_event(
            self.EntryReversed,
            on=on,
            target=version,
            versions=versions,
            reason=reason.strip(),
            **meta.as_kwargs(),
        )

    # ----------------------------------------------------------------- internals

    def _record(
        self,
        terms: Terms,
        drafts: Sequence[tuple[type[Member.Entry], dict[str, Any]]],
        meta: EntryMeta,
    ) -> None:
        """Validate the drafts against the whole timeline, then trigger them in order.

        A draft's ``consequence_of`` of ``0`` means "the first draft of this command"."""
        first_version = self.version + 1
        events: list[Member.Entry] = []
        timestamp = Member.Event.create_timestamp()
        for offset, (cls, kwargs) in enumerate(drafts):
            on = kwargs["on"]
            if on < terms.registered_on:
                raise Refused(
                    f"{on} is before the cooperative's registration on {terms.registered_on}",
                    person=self.person,
                    on=on,
                )
            kwargs = dict(kwargs)
            if kwargs.get("consequence_of") == 0:
                kwargs["consequence_of"] = first_version
            kwargs.update(meta.as_kwargs())
            events.append(
                cls(
                    originator_id=self.id,
                    originator_version=first_version + offset,
                    timestamp=timestamp,
                    **kwargs,
                )
            )
        stepped = self._step_end(terms, events)
        if stepped is None:
            self._check_timeline(effective_entries(self.log), terms, new=events)
        for event in events:
            # The drafts are already numbered and stamped as trigger_event would make them:
            # apply each as it does (mutate, then pending) rather than build it twice.
            event.mutate(self)
            self.pending_events.append(event)
        if stepped is not None:
            last = events[-1]
            self._end = ((len(self.log), terms), stepped, (last.on, last.originator_version))

    def _end_fold(self, terms: Terms) -> tuple[MemberFold, tuple[date, int] | None]:
        """The strict fold over the whole effective timeline, and its last position."""
        key = (len(self.log), terms)
        if self._end is None or self._end[0] != key:
            entries = effective_entries(self.log)
            last = (entries[-1].on, entries[-1].originator_version) if entries else None
            self._end = (key, fold(self.person, entries, terms), last)
        return self._end[1], self._end[2]

    def _state_at(self, on: date, terms: Terms) -> MemberState:
        """The state at the end of ``on``; from the cached fold when nothing comes later."""
        end, last = self._end_fold(terms)
        if last is None or on >= last[0]:
            return end.state
        return self.state(terms, until=on)

    def _step_end(self, terms: Terms, new: Sequence[Member.Entry]) -> MemberFold | None:
        """Validate entries that all come after the timeline's last entry by stepping the cached
        fold; None when some come earlier (then the whole timeline is replayed). The cache is
        dropped first, so a refused entry leaves no half-stepped fold behind."""
        end, last = self._end_fold(terms)
        if last is not None and min(e.on for e in new) < last[0]:
            return None
        self._end = None
        end.consequences |= _consequences(new)
        for e in new:
            end.apply(e)
        return end

    def _check_timeline(
        self, entries: Sequence[Member.Entry], terms: Terms, new: Sequence[Member.Entry]
    ) -> None:
        candidate = [*entries, *new]
        try:
            replay(self.person, candidate, terms)
        except TimelineError as error:
            if new and error.entry not in new:
                raise TimelineError(
                    error.entry,
                    f"refused: it would invalidate the later {error.entry.ACTION} of "
                    f"{self.person} on {error.entry.on}: {error.message}",
                    self.person,
                ) from None
            if not new:
                raise TimelineError(
                    error.entry,
                    f"refused: without it, the {error.entry.ACTION} of {self.person} on "
                    f"{error.entry.on} would be invalid: {error.message}",
                    self.person,
                ) from None
            raise


def _leave_ends_employment(reason: LeaveReason, terms: Terms) -> bool:
    if reason is LeaveReason.DEATH:
        return True
    return reason is LeaveReason.RESIGNATION and terms.resignation_ends_employment


def reversed_versions(
    log: Iterable[Member.Entry], known_at: datetime | None = None
) -> dict[int, int]:
    """Map each reversed version to the version of its reversal (as known at ``known_at``)."""
    return entries.reversed_by(log, Member.EntryReversed, known_at)


def effective_entries(
    log: Iterable[Member.Entry], known_at: datetime | None = None
) -> list[Member.Entry]:
    """The entries that count as known at ``known_at``, by date then recorded order."""
    return entries.effective(log, Member.EntryReversed, known_at)


def replay(
    person: str, entries: Sequence[Member.Entry], terms: Terms, *, strict: bool = True
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
    person: str, entries: Sequence[Member.Entry], terms: Terms, *, strict: bool = True
) -> MemberFold:
    """The :class:`MemberFold` after ``entries`` in effective order (see :func:`replay`)."""
    ordered = sorted(entries, key=lambda e: (e.on, e.originator_version))
    folded = MemberFold(person, terms, strict=strict, consequences=_consequences(ordered))
    for e in ordered:
        folded.apply(e)
    return folded


def _consequences(entries: Iterable[Member.Entry]) -> set[int]:
    """Versions of the entries that some entry records as its cause."""
    return {
        e.consequence_of
        for e in entries
        if isinstance(e, Member.EmploymentEnded | Member.PartnershipEnded)
        and e.consequence_of is not None
    }


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

    def _fail(self, entry: Member.Entry, message: str) -> None:
        if self.strict:
            raise TimelineError(entry, message, self.person)

    def apply(self, e: Member.Entry) -> None:
        """Apply one entry; when ``strict``, raise :class:`TimelineError` if it cannot stand."""
        s = self.state
        person = self.person
        terms = self.terms
        share_value = terms.share_value
        consequences = self.consequences
        if isinstance(e, Member.Hired):
            if s.legal_person:
                self._fail(e, f"{person} is a legal person and cannot be hired")
            if s.deceased_on is not None:
                self._fail(e, f"{person} died on {s.deceased_on}")
            if s.employed:
                self._fail(e, f"{person} is already employed on {e.on} (hired {s.employed_since})")
            s.employed, s.employed_since = True, e.on
            s.name = e.name or s.name
        elif isinstance(e, Member.EmploymentEnded):
            if not s.employed:
                self._fail(e, f"{person} is not employed on {e.on}")
            reason = TerminationReason(e.reason) if e.consequence_of is None else None
            if (
                reason is not None
                and s.partner
                and not reason.keeps_partnership
                and e.originator_version not in consequences
            ):
                self._fail(
                    e,
                    f"{person} would be a partner when the employment ended on {e.on} "
                    f"({e.reason}), which ends the partnership, and the ledger does not show it",
                )
            s.employed, s.employed_since = False, None
            if e.reason == "death":
                s.deceased_on = e.on
        elif isinstance(e, Member.Admitted):
            if s.deceased_on is not None:
                self._fail(e, f"{person} died on {s.deceased_on}")
            if s.partner:
                self._fail(
                    e, f"{person} is already a partner on {e.on} (admitted {s.partner_since})"
                )
            if e.legal_person and s.employed:
                self._fail(
                    e, f"{person} is employed on {e.on} and cannot be admitted as a legal person"
                )
            s.partner, s.partner_since = True, e.on
            s.legal_person = s.legal_person or e.legal_person
            s.name = e.name or s.name
        elif isinstance(e, Member.SharesSubscribed):
            if not s.partner:
                self._fail(e, f"{person} is not a partner on {e.on}")
            s.shares += e.shares
            s.paid += e.paid
        elif isinstance(e, Member.PaidUp):
            if not s.partner:
                self._fail(e, f"{person} is not a partner on {e.on}")
            unpaid = s.shares * share_value - s.paid
            if e.amount > unpaid:
                self._fail(e, f"{person} owes only {unpaid} on subscribed shares on {e.on}")
            s.paid += e.amount
        elif isinstance(e, Member.SharesWithdrawn):
            if not s.partner:
                self._fail(e, f"{person} is not a partner on {e.on}")
            elif e.shares >= s.shares:
                self._fail(
                    e,
                    f"{person} holds {s.shares} shares on {e.on}: withdrawing {e.shares} would "
                    "leave none (to withdraw every share the partner must leave)",
                )
            # Unpaid shares are cancelled first; the refund is the paid-in value withdrawn.
            unpaid = share_value * s.shares - s.paid
            refund = max(ZERO, share_value * e.shares - unpaid)
            s.shares -= e.shares
            s.paid -= refund
            s.refunds.append(Refund(e.originator_version, e.on, "withdrawal", refund, True))
        elif isinstance(e, Member.PartnershipEnded):
            if not s.partner:
                self._fail(e, f"{person} is not a partner on {e.on}")
            if e.consequence_of is None and s.employed:
                left = LeaveReason(e.cause.split(":", 1)[1])
                if _leave_ends_employment(left, terms) and e.originator_version not in consequences:
                    self._fail(
                        e,
                        f"{person} would be employed when leaving on {e.on} ({left.value}), "
                        "which ends the employment, and the ledger does not show it",
                    )
            s.refunds.append(Refund(e.originator_version, e.on, e.cause, s.paid, False))
            s.partner, s.partner_since, s.shares, s.paid = False, None, 0, ZERO
            if e.cause.endswith(":death"):
                s.deceased_on = e.on
        elif isinstance(e, Member.RefundPaid):
            owed = s.refund_outstanding
            if e.amount > owed:
                self._fail(e, f"{person} is owed {owed} on {e.on}: cannot pay {e.amount}")
            left_to_pay = e.amount
            for r in s.refunds:
                take = min(r.outstanding, left_to_pay)
                r.paid += take
                left_to_pay -= take
        if self.strict and s.shares < 0:  # pragma: no cover - guarded by the withdrawal check
            self._fail(e, f"{person} would hold {s.shares} shares on {e.on}")
