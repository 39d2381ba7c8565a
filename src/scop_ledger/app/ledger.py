"""The Ledger application: commands in, aggregates checked and saved, entry ids out.

One :class:`Ledger` wraps an eventsourcing ``Application`` on eventsourcing-sqlalchemy. A
command loads the aggregates it needs, calls one business method, and saves the new events; a
batch (an import) runs every command against the same loaded aggregates and saves every event
in one transaction, all or nothing. An optimistic-concurrency conflict (another writer saved the
same aggregate first) is retried from a fresh load.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple
from uuid import UUID

import sqlalchemy.exc
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import (
    DataError,
    IntegrityError,
    PersistenceError,
)
from sqlalchemy import select
from sqlalchemy.engine import Connection

from scop_ledger.app import commands as cmd
from scop_ledger.domain.cooperative import Cooperative
from scop_ledger.domain.entries import EntryMeta
from scop_ledger.domain.errors import InvalidValue, LedgerError, NotFound, Refused
from scop_ledger.domain.member import Member, member_id
from scop_ledger.domain.statutes import Statutes, Terms
from scop_ledger.readmodel.projector import VIEW_ERRORS
from scop_ledger.store.engine import (
    ReadOnlyStore,
    Settings,
    StoreError,
    sqlite_pragma,
    store_error,
)
from scop_ledger.store.eventstore import EventStore
from scop_ledger.store.gc import collector_paused
from scop_ledger.store.unreadable import why

MAX_ATTEMPTS = 12
# What a write raises when the view cannot hold one of its entries (see projector.VIEW_ERRORS):
# eventsourcing's DataError wraps the database's refusal.
_UNHOLDABLE: tuple[type[BaseException], ...] = (*VIEW_ERRORS, DataError)
PAGE = 2000


class Recorded(NamedTuple):
    """What a writing command recorded: its entry id (the position in the notification log)
    and the ids of the consequences the rules derived. (A named tuple: an import makes one
    per row.)"""

    event: int
    action: str
    person: str | None
    on: date
    recorded_at: datetime
    consequences: tuple[tuple[int, str], ...] = ()


class BatchError(LedgerError):
    """A command of a batch failed; ``index`` says which (0-based)."""

    def __init__(self, index: int, error: LedgerError) -> None:
        super().__init__(error.message, person=error.person, on=error.on, rule=error.rule)
        self.index = index
        self.error = error
        self.exit_code = error.exit_code


class Ledger(EventStore):
    """The scop-ledger application: the event store, and commands recorded in it."""

    def __init__(
        self, settings: Settings, *, create: bool = False, apply_view: bool = True
    ) -> None:
        """``apply_view=False`` writes the events alone, as releases before the view was
        applied in the write's transaction did; the next query or write catches the view up
        (tests of the projector's catch-up use it)."""
        self.apply_view = apply_view
        # Run in the write's transaction after its events are applied to the view, before it
        # commits (the CLI computes its warnings there): what it raises undoes the write.
        self.before_commit: Callable[[list[Recorded], Connection], None] | None = None
        self._view: Any = None
        super().__init__(settings, create=create)

    def execute(self, command: cmd.Command) -> Recorded:
        """Record one command; raise a :class:`LedgerError` and write nothing when refused."""
        try:
            return self.execute_batch([command])[0]
        except BatchError as error:
            raise error.error from None

    def execute_batch(
        self,
        commands: Sequence[cmd.Command],
        progress: Callable[[int], None] | None = None,
    ) -> list[Recorded]:
        """Record every command or none (one transaction). A refused command raises
        :class:`BatchError` carrying its index; nothing is written."""
        if self.settings.read_only:
            raise ReadOnlyStore("the store is open read-only: nothing can be recorded")
        with collector_paused():
            return self._execute_batch(commands, progress)

    def _execute_batch(
        self,
        commands: Sequence[cmd.Command],
        progress: Callable[[int], None] | None,
    ) -> list[Recorded]:
        projector = self._projector()
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                # Two writers that collide and retry in step would collide again: back off
                # for a random while, growing with each attempt (at most about a second).
                time.sleep(random.uniform(0, min(1.0, 0.005 * 2**attempt)))
            work = _Work(self)
            work.prefetch(commands)
            plans: list[tuple[cmd.Command, list[Any]]] = []
            for index, command in enumerate(commands):
                try:
                    plans.append((command, work.apply(command)))
                except LedgerError as error:
                    raise BatchError(index, error) from None
                if progress is not None:
                    progress(index + 1)
            events = [e for _, evs in plans for e in evs]
            try:
                return self._save(projector, plans, events)
            except IntegrityError:
                continue  # another writer got there first: reload and try again
            except LedgerError:
                raise
            except _UNHOLDABLE as error:
                raise InvalidValue(
                    f"the store cannot hold this entry: {why(error)}; nothing was recorded"
                ) from None
            except PersistenceError as error:
                raise store_error(error) from None
        raise StoreError("the store is too busy: another writer kept changing the same entries")

    def _save(
        self, projector: Any, plans: list[tuple[cmd.Command, list[Any]]], events: list[Any]
    ) -> list[Recorded]:
        """Insert the events, apply them to the view and the hash chain, and run
        :attr:`before_commit`, all in one transaction: whatever fails, nothing is written."""
        # The mapper and the recorder directly, not Application.save: save checks each event
        # against a runtime protocol and wraps each in two more objects, a cost that grows
        # with the number of events. The same stored events, in command order.
        stored = [self.mapper.to_stored_event(e) for e in events]
        recorder: Any = self.recorder  # eventsourcing-sqlalchemy's, with its transactions
        with recorder.transaction(commit=True) as session:
            conn = session.connection()
            # A page cache of 256 MiB for the whole write (SQLite): the events and their
            # view rows stay in memory until the commit, so that a writer killed before it
            # leaves the file untouched (the page cache spills to the file once full).
            with sqlite_pragma(conn, "cache_size", -262144):
                numbers = recorder.insert_events(stored, session=session) or []
                ids = {
                    (e.originator_id, e.originator_version): n
                    for e, n in zip(events, numbers, strict=True)
                }
                recorded = [_recorded(command, evs, ids) for command, evs in plans]
                if self.apply_view:
                    projector.apply_within(conn)
                if self.before_commit is not None:
                    self.before_commit(recorded, conn)
        return recorded

    def _projector(self) -> Any:
        """The projector that applies each write's events in the write's own transaction,
        its view made and levelled first (an entry an older release stored that the view
        cannot hold is set aside there, in transactions of its own)."""
        from scop_ledger.readmodel.projector import Projector

        if self._view is None:
            self._view = Projector(self)
        if not self.apply_view:
            return self._view
        try:
            self._view.ensure_tables()
            self._view.catch_up()
        except sqlalchemy.exc.OperationalError as error:
            raise store_error(error) from None
        return self._view


def _recorded(
    command: cmd.Command,
    events: list[Any],
    ids: dict[tuple[UUID, int], int],
) -> Recorded:
    entries = [e for e in events if not isinstance(e, Member.Registered)]
    first, rest = entries[0], entries[1:]
    return Recorded(
        event=ids[(first.originator_id, first.originator_version)],
        action=command.action,
        person=getattr(command, "person", None),
        on=command.on,
        recorded_at=first.timestamp,
        consequences=tuple(
            (ids[(e.originator_id, e.originator_version)], getattr(e, "ACTION", "")) for e in rest
        ),
    )


class _Work:
    """The aggregates loaded for one attempt at a batch, so later commands of the batch see
    what earlier ones did."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.coops: dict[str, Cooperative | None] = {}
        self.members: dict[UUID, Member | None] = {}
        self.ids: dict[tuple[str, str], UUID] = {}
        self.terms: dict[int, Terms] = {}
        self.default_coop: str | None = None

    def prefetch(self, commands: Sequence[cmd.Command]) -> None:
        """Note which people of a large batch are not in the store yet, a query per 500
        people, rather than one failed load each (10,000 new people: about 5 s)."""
        persons = {c.person for c in commands if isinstance(c, cmd.PersonCommand)}
        if len(persons) < 100:
            return
        try:
            slug = self.slug()
        except LedgerError:
            return  # the first command that needs the cooperative will say why
        ids = {member_id(slug, person): person for person in persons}
        table = self.ledger.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        found: set[UUID] = set()
        wanted = list(ids)
        with self.ledger.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                found.update(
                    conn.execute(
                        select(table.c.originator_id).where(
                            table.c.originator_id.in_(chunk), table.c.originator_version == 1
                        )
                    ).scalars()
                )
        for key, person in ids.items():
            self.ids[(slug, person)] = key
            if key not in found:
                self.members[key] = None

    def slug(self) -> str:
        if self.default_coop is None:
            self.default_coop = self.ledger.resolve_coop(self.ledger.settings.coop)
        return self.default_coop

    def coop(self, slug: str) -> Cooperative:
        if slug not in self.coops:
            try:
                self.coops[slug] = self.ledger.cooperative(slug)
            except NotFound:
                self.coops[slug] = None
        found = self.coops[slug]
        if found is None:
            raise NotFound(f"no cooperative {slug!r} in this store")
        self._touch(found)
        return found

    def member(self, slug: str, person: str, *, create: bool = False) -> Member:
        key = self.ids.get((slug, person))
        if key is None:
            key = self.ids[(slug, person)] = member_id(slug, person)
        if key not in self.members:
            try:
                self.members[key] = self.ledger.member(slug, person)
            except NotFound:
                self.members[key] = None
        found = self.members[key]
        if found is None:
            if not create:
                raise NotFound(f"no person {person!r} in cooperative {slug!r}", person=person)
            found = Member.register(slug, person)
            self.members[key] = found
            self._touch(found, new=True)
        self._touch(found)
        return found

    def apply(self, command: cmd.Command) -> list[Any]:
        """Run one command against the loaded aggregates; return the events it triggered."""
        self._marks: dict[int, tuple[Cooperative | Member, int]] = {}
        self._dispatch(command)
        return [e for a, mark in self._marks.values() for e in a.pending_events[mark:]]

    def _touch(self, aggregate: Cooperative | Member, new: bool = False) -> None:
        """Remember where the aggregate's pending events stood before this command."""
        if id(aggregate) not in self._marks:
            self._marks[id(aggregate)] = (aggregate, 0 if new else len(aggregate.pending_events))

    def _dispatch(self, command: cmd.Command) -> None:
        if isinstance(command, cmd.Init):
            self._init(command)
            return
        slug = self.slug()
        coop = self.coop(slug)
        meta = EntryMeta(command.ref, command.note, self.ledger.settings.user, command.source)
        if isinstance(command, cmd.Reverse):
            self._reverse(slug, coop, command, meta)
        elif isinstance(command, cmd.PersonCommand) and not isinstance(
            command, cmd.Appoint | cmd.EndMandate
        ):
            create = isinstance(command, cmd.Hire | cmd.Admit)
            member = self.member(slug, command.person, create=create)
            self._member_command(member, coop, command, meta)
        else:
            self._coop_command(slug, coop, command, meta)

    def _init(self, command: cmd.Init) -> None:
        if command.slug in self.coops and self.coops[command.slug] is not None:
            raise Refused(f"cooperative {command.slug!r} is already registered")
        try:
            self.ledger.cooperative(command.slug)
        except NotFound:
            pass
        else:
            raise Refused(f"cooperative {command.slug!r} is already registered")
        statutes = Statutes(
            share_value=command.share_value,
            profile=command.profile,
            refund_delay_years=command.refund_delay_years,
            boot_until=command.boot_until,
            review_every_years=command.review_every_years,
            fiscal_year_end=command.fiscal_year_end,
            scop_thresholds=command.scop_thresholds,
            external_vote_cap=command.external_vote_cap,
            supervisory_board_from=command.supervisory_board_from,
        )
        meta = EntryMeta(command.ref, command.note, self.ledger.settings.user, command.source)
        coop = Cooperative.register(
            command.slug, command.name, command.legal_form, statutes, command.on, meta
        )
        self.coops[command.slug] = coop
        self._touch(coop, new=True)
        if self.default_coop is None:
            self.default_coop = command.slug

    def _member_command(
        self, member: Member, coop: Cooperative, command: cmd.Command, meta: EntryMeta
    ) -> None:
        terms = self.terms.get(id(coop))
        if terms is None:  # the registration never changes: one Terms per batch
            terms = self.terms[id(coop)] = coop.terms
        on = command.on
        if isinstance(command, cmd.Hire):
            member.hire(on, terms, meta, name=command.name)
        elif isinstance(command, cmd.Terminate):
            member.terminate(on, command.reason, terms, meta)
        elif isinstance(command, cmd.Admit):
            member.admit(on, terms, meta, name=command.name, legal_person=command.legal_person)
        elif isinstance(command, cmd.Subscribe):
            member.subscribe(on, command.shares, terms, meta, paid=command.paid)
        elif isinstance(command, cmd.PayUp):
            member.pay_up(on, command.amount, terms, meta)
        elif isinstance(command, cmd.Withdraw):
            member.withdraw(on, command.shares, terms, meta)
        elif isinstance(command, cmd.Leave):
            member.leave(on, command.reason, terms, meta)
        elif isinstance(command, cmd.PayRefund):
            member.pay_refund(on, command.amount, terms, meta)
        else:  # pragma: no cover - every person command is listed above
            raise TypeError(f"unexpected command {command!r}")

    def _coop_command(
        self, slug: str, coop: Cooperative, command: cmd.Command, meta: EntryMeta
    ) -> None:
        on = command.on
        if isinstance(command, cmd.ChangeForm):
            coop.change_form(on, command.legal_form, meta)
        elif isinstance(command, cmd.Appoint):
            self.member(slug, command.person)
            coop.appoint(on, command.person, command.office, command.term_years, meta)
        elif isinstance(command, cmd.EndMandate):
            self.member(slug, command.person)
            coop.end_mandate(on, command.person, command.office, meta)
        elif isinstance(command, cmd.Review):
            coop.review(on, command.reviewer, command.reservations, meta)
        elif isinstance(command, cmd.Allocate):
            coop.allocate(
                on,
                command.year,
                command.surplus,
                command.legal_reserve,
                command.development_fund,
                command.employees,
                command.dividends,
                meta,
            )
        else:  # pragma: no cover - every cooperative command is listed above
            raise TypeError(f"unexpected command {command!r}")

    def _reverse(self, slug: str, coop: Cooperative, command: cmd.Reverse, meta: EntryMeta) -> None:
        originator, version = self.ledger.entry_location(command.event)
        if originator == coop.id:
            coop.reverse(command.on, version, command.reason, meta)
            return
        try:
            loaded: object = self.ledger.load(originator)
        except AggregateNotFoundError:  # pragma: no cover - the row exists
            raise NotFound(f"no entry {command.event} in this store") from None
        if not isinstance(loaded, Member) or loaded.coop != slug:
            raise NotFound(f"entry {command.event} is not an entry of cooperative {slug!r}")
        member = self.member(slug, loaded.person)
        if version == 1:
            raise Refused(
                f"entry {command.event} records that {member.person} is known to the ledger; "
                "reverse their hire or admission instead",
                person=member.person,
            )
        member.reverse(command.on, version, command.reason, coop.terms, meta)
