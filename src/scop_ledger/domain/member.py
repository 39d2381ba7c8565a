"""The Member aggregate: one person in one cooperative.

A member's stream holds every entry about the person: employment started and ended, admission,
shares subscribed, paid up and withdrawn, partnership ended, refunds paid, and reversals. The
state on any date is never stored: :mod:`~scop_ledger.domain.member_fold` folds the effective
entries in effective-date order (entries on the same date in the order they were recorded).
Every command first folds the whole candidate timeline, so a back-dated entry that would break
a later one is refused.

Legal sources: loi 78-763 art. 10-11 (employment and partnership are linked), loi 47-1775
(variable capital, refunds), Code de commerce L231-6 (five years' liability after leaving).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from scop_ledger.domain import entries
from scop_ledger.domain.entries import NAMESPACE, EntryMeta
from scop_ledger.domain.errors import InvalidValue, Refused
from scop_ledger.domain.member_fold import MemberState, TimelineEnd, check_timeline, replay
from scop_ledger.domain.statutes import Terms
from scop_ledger.domain.values import (
    MAX_MONEY,
    LeaveReason,
    TerminationReason,
    non_negative_money,
    positive_money,
    share_count,
)
from scop_ledger.domain.words import grouped, grouped_euros
from scop_ledger.i18n import _, day, money


def member_id(coop: str, person: str) -> uuid.UUID:
    """A member's aggregate id: uuid5 of the cooperative's slug and the person's reference."""
    return uuid.uuid5(NAMESPACE, f"member:{coop}:{person}")


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
        # The strict fold at the end of the effective timeline, keyed by (log length, terms).
        self._end: tuple[tuple[int, Terms], TimelineEnd] | None = None

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
        return replay(self.person, entries, terms.until(until or date.max), strict=False)

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
        value = terms.value_on(on) * shares
        if value > MAX_MONEY:
            raise InvalidValue(
                _("{shares} shares are worth {value} euros: more than {maximum}").format(
                    shares=grouped(shares), value=grouped_euros(value), maximum=grouped(MAX_MONEY)
                ),
                person=self.person,
                on=on,
            )
        paid_now = value if paid is None else non_negative_money(paid, what="paid")
        if paid_now > value:
            raise InvalidValue(
                _("paid {paid} is more than the {shares} shares are worth ({value})").format(
                    paid=money(paid_now), shares=shares, value=money(value)
                ),
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
        if before.employed and terms.leave_ends_employment(reason):
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
        person = self.person
        if target is None:
            missing = _("{person} has no entry with version {version}")
            raise Refused(missing.format(person=person, version=version), person=person)
        shown = {"action": target.ACTION, "person": person, "date": day(target.on)}
        if isinstance(target, self.EntryReversed):
            raise Refused(_("a reversal cannot be reversed"), person=person, on=target.on)
        if version in reversed_versions(self.log):
            already = _("that {action} entry of {person} on {date} is already reversed")
            raise Refused(already.format(**shown), person=person, on=target.on)
        if getattr(target, "consequence_of", None) is not None:
            consequence = _(
                "that {action} entry of {person} on {date} is a consequence of another "
                "entry: reverse that one instead"
            )
            raise Refused(consequence.format(**shown), person=person, on=target.on)
        if not reason.strip():
            raise InvalidValue(_("a reversal needs a reason"), person=self.person)
        versions = [version] + [
            e.originator_version for e in self.log if getattr(e, "consequence_of", None) == version
        ]
        remaining = [e for e in effective_entries(self.log) if e.originator_version not in versions]
        check_timeline(self.person, remaining, terms, new=())
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
        at: datetime | None = None,
    ) -> None:
        """Validate the drafts against the whole timeline, then trigger them in order (recorded
        ``at`` that moment: a transfer's two sides share one). A draft's ``consequence_of`` of
        ``0`` means "the first draft of this command"."""
        first_version = self.version + 1
        events: list[Member.Entry] = []
        timestamp = at or Member.Event.create_timestamp()
        for offset, (cls, kwargs) in enumerate(drafts):
            on = kwargs["on"]
            if on < terms.registered_on:
                raise Refused(
                    _("{date} is before the cooperative's registration on {registered}").format(
                        date=day(on), registered=day(terms.registered_on)
                    ),
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
            check_timeline(self.person, effective_entries(self.log), terms, new=events)
        for event in events:
            # The drafts are already numbered and stamped as trigger_event would make them:
            # apply each as it does (mutate, then pending) rather than build it twice.
            event.mutate(self)
            self.pending_events.append(event)
        if stepped is not None:
            self._end = ((len(self.log), terms), stepped)

    def _timeline_end(self, terms: Terms) -> TimelineEnd:
        """The strict fold over the whole effective timeline (cached)."""
        key = (len(self.log), terms)
        if self._end is None or self._end[0] != key:
            self._end = (key, TimelineEnd(self.person, effective_entries(self.log), terms))
        return self._end[1]

    def _state_at(self, on: date, terms: Terms) -> MemberState:
        """The state at the end of ``on``; from the cached fold when nothing comes later."""
        end = self._timeline_end(terms)
        return end.fold.state if end.reaches(on) else self.state(terms, until=on)

    def _step_end(self, terms: Terms, new: Sequence[Member.Entry]) -> TimelineEnd | None:
        """Validate entries that all come after the timeline's last entry by stepping the cached
        fold; None when some come earlier (then the whole timeline is replayed). The cache is
        dropped first, so a refused entry leaves no half-stepped fold behind."""
        end = self._timeline_end(terms)
        if not end.reaches(min(e.on for e in new)):
            return None
        self._end = None
        end.step(new)
        return end


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
