"""The Ledger application: commands in, aggregates checked and saved, entry ids out.

One :class:`Ledger` wraps an eventsourcing ``Application`` on eventsourcing-sqlalchemy. A
command loads the aggregates it needs, calls one business method (which one:
:data:`scop_ledger.app.handlers.HANDLERS`), and saves the new events; a batch (an import) runs
every command against the same loaded aggregates and saves every event in one transaction, all
or nothing. An optimistic-concurrency conflict (another writer saved the same aggregate first)
is retried from a fresh load.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple
from uuid import UUID

import sqlalchemy.exc
from eventsourcing.persistence import (
    DataError,
    IntegrityError,
    PersistenceError,
)
from sqlalchemy.engine import Connection

from scop_ledger.app import commands as cmd
from scop_ledger.app.handlers import UnitOfWork
from scop_ledger.domain.errors import InvalidValue, LedgerError
from scop_ledger.domain.member import Member
from scop_ledger.i18n import N_, _
from scop_ledger.readmodel.projector import VIEW_ERRORS, Written
from scop_ledger.settings import Settings
from scop_ledger.store.encoding import encoder
from scop_ledger.store.engine import (
    ReadOnlyStore,
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


def ensure_writable(settings: Settings, refused: str = N_("nothing can be recorded")) -> None:
    """Raise :class:`ReadOnlyStore` (exit 3) when the store is open read-only, before anything
    opens it for writing: ``refused`` (marked with ``N_``) says what cannot be done."""
    if settings.read_only:
        raise ReadOnlyStore(_("the store is open read-only: {refused}").format(refused=_(refused)))


class Batch(NamedTuple):
    """What a batch recorded: how many commands, the first and the last one's
    :class:`Recorded`, and the largest entry id it recorded (``top``: consequences
    included)."""

    commands: int
    first: Recorded | None
    last: Recorded | None
    top: int

    def add(self, done: list[Recorded], count: int | None = None) -> Batch:
        """This batch and ``count`` commands more (by default ``len(done)``), ``done`` holding
        at least the first and the last of them."""
        top = max(e for r in done[-1:] for e in (r.event, *(c for c, _a in r.consequences)))
        more = len(done) if count is None else count
        return Batch(self.commands + more, self.first or done[0], done[-1], max(self.top, top))


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
        # Its arguments: the first and the largest entry id the write recorded, and the
        # write's connection.
        self.before_commit: Callable[[int, int, Connection], None] | None = None
        self._view: Any = None
        self._encode: Callable[[Any], Any] | None = None  # domain event to stored event
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
        kept: list[Recorded] = []
        self.execute_pages(lambda: [commands], progress=progress, kept=kept)
        return kept

    def execute_pages(
        self,
        pages: Callable[[], Iterable[Sequence[cmd.Command]]],
        *,
        persons: Collection[str] | None = None,
        progress: Callable[[int], None] | None = None,
        kept: list[Recorded] | None = None,
    ) -> Batch:
        """Record every command of ``pages()`` or none, in one transaction, a page at a time:
        each page's events are saved and applied to the view before the next page is run,
        and nothing of a page is held once it is saved (a million rows fit in bounded
        memory). ``pages`` is called again for each attempt (after a conflict with another
        writer). ``persons``: every person the commands name, to note before the write
        begins those the store does not know (else each page's are noted). A refused
        command raises :class:`BatchError` carrying its index among all the commands;
        nothing is written. ``kept`` receives each command's :class:`Recorded`."""
        ensure_writable(self.settings)
        with collector_paused():
            return self._execute_pages(pages, persons, progress, kept)

    def _execute_pages(
        self,
        pages: Callable[[], Iterable[Sequence[cmd.Command]]],
        persons: Collection[str] | None,
        progress: Callable[[int], None] | None,
        kept: list[Recorded] | None,
    ) -> Batch:
        projector = self._projector()
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                # Two writers that collide and retry in step would collide again: back off
                # for a random while, growing with each attempt (at most about a second).
                time.sleep(random.uniform(0, min(1.0, 0.005 * 2**attempt)))
            if kept is not None:
                kept.clear()
            work = UnitOfWork(self)
            try:
                return self._save(projector, work, pages(), persons, progress, kept)
            except IntegrityError:
                continue  # another writer got there first: reload and try again
            except LedgerError:
                raise
            except _UNHOLDABLE as error:
                raise InvalidValue(
                    _("the store cannot hold this entry: {reason}; nothing was recorded").format(
                        reason=_(why(error))
                    )
                ) from None
            except PersistenceError as error:
                raise store_error(error) from None
        raise StoreError(_("the store is too busy: another writer kept changing the same entries"))

    def _save(
        self,
        projector: Any,
        work: UnitOfWork,
        pages: Iterable[Sequence[cmd.Command]],
        persons: Collection[str] | None,
        progress: Callable[[int], None] | None,
        kept: list[Recorded] | None,
    ) -> Batch:
        """Run each page's commands, insert their events, apply them to the view and the
        hash chain, then run :attr:`before_commit`, all in one transaction: whatever fails,
        nothing is written."""
        pages = iter(pages)
        page = next(pages, None)
        if persons is not None:
            work.prefetch_persons(persons)
        recorder: Any = self.recorder  # eventsourcing-sqlalchemy's, with its transactions
        batch = Batch(0, None, None, 0)
        with recorder.transaction(commit=True) as session:
            conn = session.connection()
            # A page cache of 256 MiB for the whole write (SQLite): the events and their
            # view rows stay in memory until the commit, so that a writer killed before it
            # leaves the file untouched (the page cache spills to the file once full).
            with sqlite_pragma(conn, "cache_size", -262144):
                while page is not None:
                    if persons is None:
                        work.prefetch(page)
                    done, written = self._save_page(
                        work, page, batch.commands, progress, session, kept is not None
                    )
                    if kept is not None:
                        kept.extend(done)
                    if done:
                        batch = batch.add(done, len(page))
                    if self.apply_view:
                        projector.apply_within(conn, written)
                    page = next(pages, None)
                work.release()  # what follows (the warnings' sweep) needs room, not them
                if self.before_commit is not None and batch.first is not None:
                    self.before_commit(batch.first.event, batch.top, conn)
        return batch

    def _save_page(
        self,
        work: UnitOfWork,
        page: Sequence[cmd.Command],
        start: int,
        progress: Callable[[int], None] | None,
        session: Any,
        every: bool = True,
    ) -> tuple[list[Recorded], Written | None]:
        """Run one page's commands and insert their events (the write's first page checks
        that they are recorded after the entry ahead of them: once per write); what they
        recorded (``every``: each command's, else the first and the last one's), and the
        events as written (for the view)."""
        plans: list[tuple[cmd.Command, list[Any]]] = []
        for index, command in enumerate(page, start):
            try:
                plans.append((command, work.apply(command)))
            except LedgerError as error:
                raise BatchError(index, error) from None
            if progress is not None:
                progress(index + 1)
        work.saved()
        events = [e for _command, evs in plans for e in evs]
        if not events:
            return [], None
        # The mapper and the recorder directly, not Application.save: save checks each event
        # against a runtime protocol and wraps each in two more objects, a cost that grows
        # with the number of events. The same stored events, in command order (the mapper's
        # bytes, written by orjson where it writes the same: store/encoding.py).
        if self._encode is None:
            self._encode = encoder(self.mapper)
        stored = list(map(self._encode, events))
        recorder: Any = self.recorder
        numbers = recorder.insert_events(stored, session=session, time_order=start == 0) or []
        written = Written(session.connection(), numbers, stored, events)
        told = plans if every or len(plans) < 3 else [plans[0], plans[-1]]
        # The entry ids of the told commands' events (a command's events follow one another).
        if told is plans:
            pairs = list(zip(events, numbers, strict=True))
        else:
            head, tail = len(plans[0][1]), len(events) - len(plans[-1][1])
            pairs = [
                *zip(events[:head], numbers[:head], strict=True),
                *zip(events[tail:], numbers[tail:], strict=True),
            ]
        ids = {(e.originator_id, e.originator_version): n for e, n in pairs}
        return [_recorded(command, evs, ids) for command, evs in told], written

    def _projector(self) -> Any:
        """The projector that applies each write's events in the write's own transaction,
        its view made and levelled first (an entry an older release stored that the view
        cannot hold is set aside there, in transactions of its own)."""
        from scop_ledger.readmodel.projector import Projector
        from scop_ledger.readmodel.rebuild import ensure_view

        if self._view is None:
            self._view = Projector(self)
        if not self.apply_view:
            return self._view
        try:
            ensure_view(self._view)
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
