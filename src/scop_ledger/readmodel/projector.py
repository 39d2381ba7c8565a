"""The projector: keeps the view tables level with the notification log.

SQLite has no subscription in eventsourcing, so this is a pull loop: read the notifications after
the tracked position, a page at a time (readmodel/log.py), and apply each page in one transaction
that also moves the tracking row. The move is a compare-and-swap (``UPDATE … WHERE position =
:old``): when two processes catch up at once, one wins and the other starts again from the new
position, so every event is applied exactly once and a crash never leaves a page half-applied.

A write applies its own events in its own transaction (:meth:`Projector.apply_within`): it
hands them over as it wrote them (:class:`Written`) rather than have them read back.

Each page's entries are applied one by one by readmodel/applier.py, whose rows readmodel/writer.py
writes; each page also extends the kept hash chain. An entry the view cannot hold is set aside
(``rm_unviewable``) rather than stop the view at it for good. A caller changes how pages are
applied through :class:`~scop_ledger.readmodel.hooks.Hooks` (a rebuild's workers do, and tests
interrupt a page there); the rebuild itself is readmodel/rebuild.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import sqlalchemy.exc
from sqlalchemy import Connection, insert, select, update

from scop_ledger.domain.cooperative import Cooperative
from scop_ledger.domain.errors import LedgerError
from scop_ledger.domain.member import Member
from scop_ledger.readmodel import schema as t
from scop_ledger.readmodel.applier import Applier
from scop_ledger.readmodel.hooks import Hooks
from scop_ledger.readmodel.log import load_versions, read_page
from scop_ledger.readmodel.version import TRACKING_NAME
from scop_ledger.readmodel.writer import PageWriter
from scop_ledger.store import chain
from scop_ledger.store.engine import sqlite_pragma
from scop_ledger.store.eventstore import as_uuid, decoder
from scop_ledger.store.gc import collector_paused
from scop_ledger.store.unreadable import UnreadableEntry, printable, why

if TYPE_CHECKING:
    from scop_ledger.store.eventstore import EventStore


def big_cache(conn: Connection) -> AbstractContextManager[None]:
    """A page cache of 256 MiB on SQLite (the default is 2 MiB) while the connection applies
    pages. The member indexes take rows in member order, not insertion order: with the default
    cache, SQLite wrote and re-read their pages all through a rebuild. The cache grows only as
    pages are touched: a small catch-up stays small."""
    return sqlite_pragma(conn, "cache_size", -262144)


PAGE = 10_000  # notifications per transaction: fewer commits, a few MB of rows each
_position = t.tracking.c.position
_this_view = t.tracking.c.name == TRACKING_NAME

# What an entry the view cannot hold raises while it is applied: a number beyond a column's
# range (OverflowError on SQLite, "out of range" on PostgreSQL), a NUL character or text too long
# for PostgreSQL, text that is not valid Unicode, a stored state that cannot be read. Anything
# else (the disk, a lock, the connection) is the store's trouble, not the entry's.
VIEW_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    ArithmeticError,
    TypeError,
    LookupError,
    sqlalchemy.exc.DataError,
    sqlalchemy.exc.NoResultFound,
)


class Written:
    """The events a write's transaction has just inserted, in order: their notification ids,
    their stored events and their domain events (what the stored ones decode to: the same
    class, the same fields and values). :meth:`after` gives them to the projector as
    :func:`~scop_ledger.readmodel.log.read_page` would read them back, the ids as the
    driver gives them (SQLite: the 16 bytes; PostgreSQL: a UUID)."""

    def __init__(
        self, conn: Connection, ids: Sequence[int], stored: Sequence[Any], events: Sequence[Any]
    ) -> None:
        raw = conn.dialect.name == "sqlite"
        self.rows = [
            (seq, s.originator_id.bytes if raw else s.originator_id, *_rest(s))
            for seq, s in zip(ids, stored, strict=True)
        ]
        self.events = list(events)
        self.done = 0

    def after(self, start: int, limit: int) -> tuple[list[tuple[Any, ...]], list[Any]] | None:
        """The next ``limit`` of these events, when they follow ``start`` one after another
        (then nothing else can lie between them in the log); None when they do not, or are
        all given already."""
        rows = self.rows[self.done : self.done + limit]
        if not rows or any(row[0] != start + n for n, row in enumerate(rows, 1)):
            return None
        events = self.events[self.done : self.done + len(rows)]
        self.done += len(rows)
        return rows, events


def _rest(stored: Any) -> tuple[int, str, bytes]:
    return stored.originator_version, stored.topic, stored.state


class Conflict(Exception):
    """Another process moved the view while this one was applying a page."""


class Projector:
    """Applies notifications to the view tables (see the module's docstring)."""

    def __init__(self, ledger: EventStore, hooks: Hooks | None = None) -> None:
        self.ledger = ledger
        self.engine = ledger.engine
        self.hooks = hooks or Hooks()
        self.writer = PageWriter()
        self.applier = Applier(ledger, self.writer, self.hooks)
        self.reset()

    def reset(self) -> None:
        """Forget every cache: another process moved the view, or a page was rolled back."""
        self.applier.reset()
        # The tracking position this projector's caches are level with (None: no caches).
        self._at: int | None = None
        # The last stored version met of each aggregate, by its id as the driver gives it.
        self._versions: dict[Any, int] = {}

    def position(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(select(_position).where(_this_view)).scalar()
        return int(value or 0)

    def lag(self) -> int:
        """How many notifications the view has not applied yet."""
        head = self.ledger.recorder.max_notification_id() or 0
        return max(0, head - self.position())

    def catch_up(self, progress: Callable[[int], None] | None = None, page: int = PAGE) -> int:
        """Apply every notification after the tracked position; return how many were applied."""
        with self.engine.connect() as conn, collector_paused(), big_cache(conn):
            conn.commit()  # the pragma began a transaction: each page begins its own
            return self.catch_up_on(conn, progress, page)

    def catch_up_on(
        self, conn: Connection, progress: Callable[[int], None] | None, page: int
    ) -> int:
        """:meth:`catch_up` on the caller's connection (outside a transaction)."""
        applied = 0
        limit = page
        # After a page the view could not hold, pages are smaller up to its end, down to the
        # one entry at fault, which is set aside (see :meth:`_set_aside`).
        narrow_until = 0
        while True:
            notifications: list[tuple[Any, ...]] = []
            try:
                with conn.begin():
                    start = conn.execute(select(_position).where(_this_view)).scalar_one()
                    if self._at is not None and start != self._at:
                        # Another process moved the view since this one's last page: what
                        # the caches hold of its members and cooperatives may be stale.
                        self.reset()
                    notifications = read_page(conn, start, limit)
                    if not notifications:
                        return applied
                    moved = conn.execute(
                        update(t.tracking)
                        .where(_this_view, _position == start)
                        .values(position=notifications[-1][0])
                    )
                    if moved.rowcount != 1:
                        raise Conflict
                    self.apply_page(conn, notifications)
            except Conflict:
                self.reset()
                continue
            except VIEW_ERRORS as error:
                self.reset()  # the caches may hold what the rolled-back page applied
                if isinstance(error, LedgerError) or not notifications:
                    raise
                if len(notifications) > 1:
                    narrow_until = max(narrow_until, notifications[-1][0])
                    limit = max(1, len(notifications) // 8)
                    continue
                if self._set_aside(conn, start, notifications[0], error):
                    applied += 1
                    if progress is not None:
                        progress(1)
                continue
            except BaseException:
                self.reset()  # the caches may hold what the rolled-back page applied
                raise
            self._at = notifications[-1][0]
            applied += len(notifications)
            if narrow_until and self._at >= narrow_until:
                limit, narrow_until = page, 0
            if progress is not None:
                progress(len(notifications))

    def apply_within(self, conn: Connection, written: Written | None = None) -> None:
        """Apply every notification after the tracked position in the caller's transaction
        (a write applies its own events so, before it commits: see app.Ledger). An entry the
        view cannot hold raises: the caller's transaction, and the write, fail.

        ``written``: the events the caller's transaction has just inserted, in order. Where
        they are exactly what the log holds after the tracked position, they are applied as
        they are, rather than read back from the store and decoded again (the same tuples
        and events: see :class:`Written`); anything else is read from the store."""
        with collector_paused(), big_cache(conn):
            while True:
                start = conn.execute(select(_position).where(_this_view)).scalar_one()
                if self._at is not None and start != self._at:
                    self.reset()
                events = written.after(start, PAGE) if written is not None else None
                if events is not None:
                    notifications, decoded = events
                else:
                    notifications, decoded = read_page(conn, start, PAGE), None
                if not notifications:
                    return
                moved = conn.execute(
                    update(t.tracking)
                    .where(_this_view, _position == start)
                    .values(position=notifications[-1][0])
                )
                if moved.rowcount != 1:
                    # Another process applied pages meanwhile (PostgreSQL: this update waited
                    # for its commit): start again from where it left the view.
                    self.reset()
                    continue
                try:
                    self.apply_page(conn, notifications, decoded)
                except BaseException:
                    self.reset()
                    raise
                self._at = notifications[-1][0]

    def apply_page(
        self,
        conn: Connection,
        notifications: Sequence[tuple[Any, ...]],
        events: Sequence[Any] | None = None,
    ) -> None:
        """Apply ``notifications`` (as :func:`~scop_ledger.readmodel.log.read_page` gives them)
        in the caller's transaction; the caller moves the tracking row. ``events``: their
        domain events, when the caller holds them (else each is decoded from its stored
        state)."""
        self.writer.begin(conn)
        decode = decoder(self.ledger.mapper)
        hooks = self.hooks
        if hooks.chain:
            chain.extend(conn, notifications)
        if not hooks.from_start:
            load_versions(conn, notifications, self._versions)
        versions = self._versions
        member_event, coop_event = self.applier.member_event, self.applier.coop_event
        for index, (seq, oid, version, topic, stored) in enumerate(notifications):
            last = versions.get(oid, 0)
            if version != last + 1:
                raise UnreadableEntry(
                    f"version {version} of its record where {last + 1} was expected"
                )
            versions[oid] = version
            event = decode(oid, version, topic, stored) if events is None else events[index]
            if isinstance(event, Member.Event):
                member_event(conn, seq, event)
            elif isinstance(event, Cooperative.Event):
                coop_event(conn, seq, event)
        self.writer.flush(conn)
        if hooks.on_page is not None:
            hooks.on_page(notifications)

    def _set_aside(
        self, conn: Connection, at: int, row: tuple[Any, ...], error: BaseException
    ) -> bool:
        """Move the view from ``at`` past the entry after it, ``row``, which it cannot hold,
        noting it in ``rm_unviewable`` (its hash-chain link is kept all the same); False when
        another process moved the view meanwhile. ``at`` is where the view stood when it read
        ``row``: not always the entry id before, since PostgreSQL leaves unused the ids of the
        entries a rolled-back transaction inserted."""
        seq, oid, version = row[0], as_uuid(row[1]), int(row[2])
        label = self._label(conn, row)
        with conn.begin():
            moved = conn.execute(
                update(t.tracking).where(_this_view, _position == at).values(position=seq)
            )
            if moved.rowcount != 1:
                return False
            if self.hooks.chain:
                chain.extend(conn, [row])
            conn.execute(
                insert(t.unviewable).values(
                    seq=seq, uuid=str(oid), version=version, label=label, reason=why(error)
                )
            )
        self._at = seq
        self.applier.forget_unviewable()
        try:
            with conn.begin():
                # Its ``rm_entries`` row, when the view can hold that much.
                _seq, oid, version, topic, stored = row
                event = decoder(self.ledger.mapper)(oid, version, topic, stored)
                self.applier.history_row(conn, seq, event)
        except VIEW_ERRORS:
            self.reset()  # its history row too cannot be held: it is named all the same
        return True

    def _label(self, conn: Connection, row: tuple[Any, ...]) -> str:
        """What an entry is, in a few printable words: ``subscribe alice 2020-02-01``."""
        _seq, oid, version, topic, stored = row
        try:
            event = decoder(self.ledger.mapper)(oid, version, topic, stored)
            person = getattr(event, "person", None)
            if person is None:
                with conn.begin():
                    person = conn.execute(
                        select(t.members.c.person).where(t.members.c.uuid == str(as_uuid(oid)))
                    ).scalar()
            words = [str(event.ACTION), *([str(person)] if person else []), str(event.on)]
        except Exception:
            words = [str(topic).rsplit(".", 1)[-1]]
        return printable(" ".join(words))

    # ------------------------------------------------------------------ the kept chain

    def extend_chain_to(self, conn: Connection, head: int, page: int = PAGE) -> None:
        """Link the events up to ``head`` the kept chain does not hold yet, a page per
        transaction (a rebuild's workers keep no chain: the rebuilding process does)."""
        with conn.begin():
            start = int(conn.exec_driver_sql("SELECT max(seq) FROM rm_chain").scalar() or 0)
        while start < head:
            with conn.begin():
                notifications = read_page(conn, start, page, head)
                if not notifications:
                    return
                chain.extend(conn, notifications)
            start = notifications[-1][0]
