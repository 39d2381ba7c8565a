"""Which aggregate call records each command: :data:`HANDLERS`, and the aggregates a batch loads.

A command names its rule in one hop: ``HANDLERS[cmd.Subscribe]`` calls ``Member.subscribe``,
where the rules that refuse a subscription are. :class:`UnitOfWork` holds the aggregates loaded
for one attempt at a batch, so later commands of the batch see what earlier ones did, and hands
back the new events of each command.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import select

from scop_ledger.app import commands as cmd
from scop_ledger.app import revaluing
from scop_ledger.domain.cooperative import Cooperative
from scop_ledger.domain.entries import EntryMeta
from scop_ledger.domain.errors import LedgerError, NotFound, Refused, no_cooperative, no_person
from scop_ledger.domain.member import Member, member_id
from scop_ledger.domain.statutes import Statutes, Terms
from scop_ledger.domain.transfer import counterpart, reverse_transfer, transfer
from scop_ledger.i18n import _
from scop_ledger.store.eventstore import EventStore

# A handler runs one command against the aggregates of the unit of work: the cooperative the
# command is about is loaded (and so its events come first), the entry's metadata is built.
Handler = Callable[["UnitOfWork", Any, Cooperative, EntryMeta], None]


def _appoint(w: UnitOfWork, c: cmd.Appoint, coop: Cooperative, meta: EntryMeta) -> None:
    w.member(coop.slug, c.person)  # raises NotFound for a person the cooperative does not know
    coop.appoint(c.on, c.person, c.office, c.term_years, meta)


def _end_mandate(w: UnitOfWork, c: cmd.EndMandate, coop: Cooperative, meta: EntryMeta) -> None:
    w.member(coop.slug, c.person)  # raises NotFound for a person the cooperative does not know
    coop.end_mandate(c.on, c.person, c.office, meta)


def _transfer(w: UnitOfWork, c: cmd.Transfer, coop: Cooperative, meta: EntryMeta) -> None:
    sender = w.member(coop.slug, c.person)
    receiver = w.member(coop.slug, c.to)
    transfer(sender, receiver, c.on, c.shares, w.terms(coop), meta, price=c.price)


HANDLERS: dict[type[cmd.Command], Handler] = {
    # The person commands: the person's Member aggregate (hire and admit register a new one).
    cmd.Hire: lambda w, c, coop, meta: w.member(coop.slug, c.person, create=True).hire(
        c.on, w.terms(coop), meta, name=c.name
    ),
    cmd.Terminate: lambda w, c, coop, meta: w.member(coop.slug, c.person).terminate(
        c.on, c.reason, w.terms(coop), meta
    ),
    cmd.Admit: lambda w, c, coop, meta: w.member(coop.slug, c.person, create=True).admit(
        c.on, w.terms(coop), meta, name=c.name, legal_person=c.legal_person
    ),
    cmd.Subscribe: lambda w, c, coop, meta: w.member(coop.slug, c.person).subscribe(
        c.on, c.shares, w.terms(coop), meta, paid=c.paid
    ),
    cmd.PayUp: lambda w, c, coop, meta: w.member(coop.slug, c.person).pay_up(
        c.on, c.amount, w.terms(coop), meta
    ),
    cmd.Withdraw: lambda w, c, coop, meta: w.member(coop.slug, c.person).withdraw(
        c.on, c.shares, w.terms(coop), meta
    ),
    # A transfer: both partners' Member aggregates, saved together (domain/transfer.py).
    cmd.Transfer: _transfer,
    cmd.Leave: lambda w, c, coop, meta: w.member(coop.slug, c.person).leave(
        c.on, c.reason, w.terms(coop), meta
    ),
    cmd.PayRefund: lambda w, c, coop, meta: w.member(coop.slug, c.person).pay_refund(
        c.on, c.amount, w.terms(coop), meta
    ),
    # The cooperative's commands: its Cooperative aggregate (a mandate's person must be known).
    cmd.ChangeForm: lambda w, c, coop, meta: coop.change_form(c.on, c.legal_form, meta),
    cmd.ChangeShareValue: revaluing.change_share_value,
    cmd.Appoint: _appoint,
    cmd.EndMandate: _end_mandate,
    cmd.Review: lambda w, c, coop, meta: coop.review(c.on, c.reviewer, c.reservations, meta),
    cmd.Allocate: lambda w, c, coop, meta: coop.allocate(
        c.on,
        c.year,
        c.surplus,
        c.legal_reserve,
        c.development_fund,
        c.employees,
        c.dividends,
        meta,
        c.net_asset_value_per_share,
    ),
    # A reversal: the aggregate that holds the entry (see UnitOfWork.reverse).
    cmd.Reverse: lambda w, c, coop, meta: w.reverse(coop, c, meta),
}


class UnitOfWork:
    """The aggregates loaded for one attempt at a batch, so later commands of the batch see
    what earlier ones did."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.coops: dict[str, Cooperative | None] = {}
        self.members: dict[UUID, Member | None] = {}
        self.ids: dict[tuple[str, str], UUID] = {}
        self._terms: dict[int, Terms] = {}
        self.default_coop: str | None = None
        self._marks: dict[int, tuple[Cooperative | Member, int]] = {}
        # The aggregates with events not saved yet, by ``id()``.
        self._unsaved: dict[int, Cooperative | Member] = {}

    def apply(self, command: cmd.Command) -> list[Any]:
        """Run one command against the loaded aggregates; return the events it triggered."""
        self._marks = {}
        if isinstance(command, cmd.Init):
            self.init(command)
        else:
            coop = self.coop(self.slug())
            meta = EntryMeta(command.ref, command.note, self.store.settings.user, command.source)
            HANDLERS[type(command)](self, command, coop, meta)
        return [e for a, mark in self._marks.values() for e in a.pending_events[mark:]]

    def prefetch(self, commands: Sequence[cmd.Command]) -> None:
        """Note which people of a large batch are not in the store yet, a query per 500
        people, rather than one failed load each."""
        self.prefetch_persons({c.person for c in commands if isinstance(c, cmd.PersonCommand)})

    def prefetch_persons(self, persons: Collection[str]) -> None:
        """:meth:`prefetch` for these people (those not met yet). Read in the write's own
        transaction when one is under way (a batch saved a page at a time: another
        connection could wait for its lock)."""
        if len(persons) < 100:
            return
        try:
            slug = self.slug()
        except LedgerError:
            return  # the first command that needs the cooperative will say why
        ids = {}
        for person in persons:
            key = self.ids.get((slug, person)) or member_id(slug, person)
            if key not in self.members:
                ids[key] = person
        if not ids:
            return
        recorder: Any = self.store.recorder
        table = recorder.events_record_cls.__table__
        found: set[UUID] = set()
        wanted = list(ids)
        with recorder.transaction(commit=False) as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                found.update(
                    session.execute(
                        select(table.c.originator_id).where(
                            table.c.originator_id.in_(chunk), table.c.originator_version == 1
                        )
                    ).scalars()
                )
        for key, person in ids.items():
            self.ids[(slug, person)] = key
            if key not in found:
                self.members[key] = None

    def release(self) -> None:
        """Forget every aggregate loaded (a batch's are many): the unit of work is done."""
        self.coops, self.members, self.ids = {}, {}, {}
        self._marks, self._unsaved, self._terms = {}, {}, {}

    def saved(self) -> None:
        """The events of the commands run so far are saved: the aggregates no longer hold
        them as pending (a batch saved a page at a time holds one page's events)."""
        for aggregate in self._unsaved.values():
            aggregate.pending_events.clear()
        self._unsaved = {}

    def slug(self) -> str:
        """The cooperative the batch is about (the settings', or the store's only one)."""
        if self.default_coop is None:
            self.default_coop = self.store.resolve_coop(self.store.settings.coop)
        return self.default_coop

    def coop(self, slug: str) -> Cooperative:
        if slug not in self.coops:
            try:
                self.coops[slug] = self.store.cooperative(slug)
            except NotFound:
                self.coops[slug] = None
        found = self.coops[slug]
        if found is None:
            raise no_cooperative(slug)
        self._touch(found)
        return found

    def terms(self, coop: Cooperative) -> Terms:
        """The cooperative's terms for its members' rules (read once per batch, and again
        after a change of the share value: :meth:`forget_terms`)."""
        terms = self._terms.get(id(coop))
        if terms is None:
            terms = self._terms[id(coop)] = coop.terms
        return terms

    def forget_terms(self, coop: Cooperative) -> None:
        """The cooperative's terms changed (its share value): read them again."""
        self._terms.pop(id(coop), None)

    def member(self, slug: str, person: str, *, create: bool = False) -> Member:
        key = self.ids.get((slug, person))
        if key is None:
            key = self.ids[(slug, person)] = member_id(slug, person)
        if key not in self.members:
            try:
                self.members[key] = self.store.member(slug, person)
            except NotFound:
                self.members[key] = None
        found = self.members[key]
        if found is None:
            if not create:
                raise no_person(person, slug)
            found = Member.register(slug, person)
            self.members[key] = found
            self._touch(found, new=True)
        self._touch(found)
        return found

    def _touch(self, aggregate: Cooperative | Member, new: bool = False) -> None:
        """Remember where the aggregate's pending events stood before this command."""
        if id(aggregate) not in self._marks:
            self._marks[id(aggregate)] = (aggregate, 0 if new else len(aggregate.pending_events))
            self._unsaved[id(aggregate)] = aggregate

    def init(self, command: cmd.Init) -> None:
        """Register the cooperative (refused when the slug is taken)."""
        if command.slug in self.coops and self.coops[command.slug] is not None:
            raise Refused(_registered(command.slug))
        try:
            self.store.cooperative(command.slug)
        except NotFound:
            pass
        else:
            raise Refused(_registered(command.slug))
        statutes = Statutes.of(command)
        meta = EntryMeta(command.ref, command.note, self.store.settings.user, command.source)
        coop = Cooperative.register(
            command.slug, command.name, command.legal_form, statutes, command.on, meta
        )
        self.coops[command.slug] = coop
        self._touch(coop, new=True)
        if self.default_coop is None:
            self.default_coop = command.slug

    def reverse(self, coop: Cooperative, command: cmd.Reverse, meta: EntryMeta) -> None:
        """Reverse an entry of the cooperative or of one of its members (``Cooperative.reverse``,
        ``Member.reverse``)."""
        slug = coop.slug
        originator, version = self.store.entry_location(command.event)
        if originator == coop.id:
            coop.reverse(command.on, version, command.reason, meta)
            if isinstance(coop.entry(version), Cooperative.ShareValueChanged):
                revaluing.check_members(self, coop, reversal=True)
            return
        try:
            loaded: object = self.store.load(originator)
        except AggregateNotFoundError:  # pragma: no cover - the row exists
            raise NotFound(
                _("no entry {entry} in this store").format(entry=command.event)
            ) from None
        if not isinstance(loaded, Member) or loaded.coop != slug:
            raise NotFound(
                _("entry {entry} is not an entry of cooperative {slug}").format(
                    entry=command.event, slug=repr(slug)
                )
            )
        member = self.member(slug, loaded.person)
        if version == 1:
            raise Refused(
                _(
                    "entry {entry} records that {person} is known to the ledger; "
                    "reverse their hire or admission instead"
                ).format(entry=command.event, person=member.person),
                person=member.person,
            )
        other = counterpart(member, version)
        if other is not None:  # a transfer: both sides are reversed together
            partner = self.member(slug, other[0])
            reverse_transfer(member, partner, version, command.on, command.reason, coop.terms, meta)
            return
        member.reverse(command.on, version, command.reason, coop.terms, meta)


def _registered(slug: str) -> str:
    return _("cooperative {slug} is already registered").format(slug=repr(slug))
