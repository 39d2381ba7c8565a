"""The projector: keeps the view tables level with the notification log.

SQLite has no subscription in eventsourcing, so this is a pull loop: read the notifications after
the tracked position, a page at a time, and apply each page in one transaction that also moves
the tracking row. The move is a compare-and-swap (``UPDATE … WHERE position = :old``): when two
processes catch up at once, one wins and the other starts again from the new position, so every
event is applied exactly once and a crash never leaves a page half-applied.

Each member entry adds one state row (the member's state just after it). Entries mostly arrive in
date order, so the member's fold is stepped once. A back-dated entry or a reversal closes the
member's rows from the affected point on (``known_to``) and writes their recomputed successors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

import sqlalchemy.exc
from eventsourcing.domain import EventSourcingError
from eventsourcing.utils import TopicError
from sqlalchemy import Connection, delete, func, insert, select, update

from scop_ledger.domain.cooperative import Cooperative, cooperative_id
from scop_ledger.domain.errors import LedgerError
from scop_ledger.domain.member import Member, effective_entries
from scop_ledger.domain.member_fold import MemberFold, MemberState
from scop_ledger.domain.statutes import Terms, vote_cap
from scop_ledger.readmodel import schema as t
from scop_ledger.readmodel.access import VIEW_SCHEMA_VERSION
from scop_ledger.readmodel.times import micros
from scop_ledger.settings import EVENTS_TABLE
from scop_ledger.store import chain
from scop_ledger.store.engine import schema_change, sqlite_pragma, write_transaction
from scop_ledger.store.eventstore import as_uuid as _uuid
from scop_ledger.store.eventstore import decoder
from scop_ledger.store.gc import collector_paused
from scop_ledger.store.unreadable import UnreadableEntry, printable, unreadable, why

if TYPE_CHECKING:
    from scop_ledger.store.eventstore import EventStore


def _big_cache(conn: Connection) -> AbstractContextManager[None]:
    """A page cache of 256 MiB on SQLite (the default is 2 MiB) while the connection applies
    pages. The member indexes take rows in member order, not insertion order: with the default
    cache, SQLite wrote and re-read their pages all through a rebuild (98k events: 4.4 s, 2.7 s
    with this). The cache grows only as pages are touched: a small catch-up stays small."""
    return sqlite_pragma(conn, "cache_size", -262144)


NAME = "view"
PAGE = 10_000  # notifications per transaction: fewer commits, a few MB of rows each


def cents(amount: Decimal) -> int:
    return int(amount.scaleb(2))


EVENTS = EVENTS_TABLE
MEMBER_COLUMNS = (
    "mid",
    "uuid",
    "cid",
    "person",
    "first_at",
    "gone_on",
    "gone_at",
)
ENTRY_COLUMNS = (
    "seq",
    "cid",
    "mid",
    "version",
    "action",
    "on_date",
    "recorded_at",
    "recorded_by",
    "ref",
    "note",
    "source",
    "reversed_by",
    "reversed_at",
)
STATE_COLUMNS = (
    "mid",
    "cid",
    "on_date",
    "version",
    "seq",
    "action",
    "cause",
    "known_from",
    "known_to",
    "name",
    "employed",
    "employed_since",
    "partner",
    "legal_person",
    "shares",
    "paid_cents",
    "refunds",
)


REFUND_COLUMNS = (
    "cid",
    "mid",
    "person",
    "refund",
    "since",
    "cause",
    "amount_cents",
    "partial",
    "paid_cents",
    "valid_from",
    "valid_to",
    "known_from",
    "known_to",
)
KNOWN_TO = REFUND_COLUMNS.index("known_to")
# A person's refunds on a date, as rm_refunds rows hold them: (refund, since, cause,
# amount_cents, partial, paid_cents) each, in the fold's order.
RefundValues = tuple[tuple[Any, ...], ...]


def _insert_sql(table: str, columns: tuple[str, ...], mark: str) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


@dataclass
class _Coop:
    cid: int
    slug: str
    terms: Terms


class _RefundRow:
    """A row of ``rm_refunds`` waiting for the page's insert (``stored`` once inserted)."""

    __slots__ = ("stored", "values")

    def __init__(self, values: list[Any] | None, stored: bool = False) -> None:
        self.values = values
        self.stored = stored


@dataclass
class _Member:
    mid: int
    cid: int
    person: str
    fold: MemberFold
    last: tuple[date, int] | None
    gone: date | None = None
    # The person's refunds over their timeline: (first date, refunds from then on) each time
    # they change; and the rows of the last, open-ended step (valid_to null) as now known.
    refund_steps: list[tuple[date, RefundValues]] = field(default_factory=list)
    open_refunds: list[_RefundRow] = field(default_factory=list)
    # The JSON of the refunds last written to a state row, with the values it was made from.
    refunds_json: tuple[RefundValues, str] | None = None


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


class Conflict(Exception):
    """Another process moved the view while this one was applying a page."""


class Projector:
    """Applies notifications to the view tables (see the module's docstring)."""

    def __init__(self, ledger: EventStore) -> None:
        self.ledger = ledger
        self.engine = ledger.engine
        self._entry_rows: list[tuple[Any, ...]] = []  # rm_entries rows a page will insert
        self._reset()

    def _reset(self) -> None:
        self._coops: dict[UUID, _Coop] = {}
        # By the id's integer: a UUID hashes and compares in Python, an int in C.
        self._members: dict[int, _Member] = {}
        self._next_cid: int | None = None
        self._next_mid: int | None = None
        # The tracking position this projector's caches are level with (None: no caches).
        self._at: int | None = None
        # The versions set aside as unviewable, by aggregate id (None: not read yet).
        self._unviewable: dict[str, set[int]] | None = None
        # The last stored version met of each aggregate, by its id as the driver gives it.
        self._versions: dict[Any, int] = {}

    # ------------------------------------------------------------------ public

    def ensure_tables(self) -> None:
        """Create the view tables if needed; a view of another schema version is rebuilt.
        Several processes may open a new store at once: the one that finds a table missing
        creates them all, alone (``schema_change``); the others, waiting, then find them."""
        version = self._schema_version()
        if version is None:
            with schema_change(self.engine) as conn:
                version = self._make_tables(conn)
        if version != VIEW_SCHEMA_VERSION:
            self.rebuild()

    def _make_tables(self, conn: Connection) -> int:
        """The missing view tables created, and the tracking row at position 0 if it is
        missing, in the caller's schema-changing transaction; the view's schema version."""
        t.create_view_tables(conn)
        version = self._schema_version(conn)
        if version is None:
            version = VIEW_SCHEMA_VERSION
            conn.execute(insert(t.tracking).values(name=NAME, position=0, schema_version=version))
        return version

    def _schema_version(self, conn: Connection | None = None) -> int | None:
        """The view's schema version, or None when a view table or the tracking row is
        missing."""
        if conn is None:
            with self.engine.connect() as own:
                return self._schema_version(own)
        if t.missing_tables(conn):
            return None
        found = conn.execute(
            select(t.tracking.c.schema_version).where(t.tracking.c.name == NAME)
        ).scalar()
        return None if found is None else int(found)

    def position(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(t.tracking.c.position).where(t.tracking.c.name == NAME)
            ).scalar()
        return int(value or 0)

    def lag(self) -> int:
        """How many notifications the view has not applied yet."""
        head = self.ledger.recorder.max_notification_id() or 0
        return max(0, head - self.position())

    def catch_up(self, progress: Callable[[int], None] | None = None, page: int = PAGE) -> int:
        """Apply every notification after the tracked position; return how many were applied."""
        with self.engine.connect() as conn, collector_paused(), _big_cache(conn):
            conn.commit()  # the pragma began a transaction: each page begins its own
            return self._catch_up(conn, progress, page)

    def _catch_up(self, conn: Connection, progress: Callable[[int], None] | None, page: int) -> int:
        applied = 0
        limit = page
        # After a page the view could not hold, pages are smaller up to its end, down to the
        # one entry at fault, which is set aside (see :meth:`_set_aside`).
        narrow_until = 0
        while True:
            notifications: list[tuple[Any, ...]] = []
            try:
                with conn.begin():
                    start = conn.execute(
                        select(t.tracking.c.position).where(t.tracking.c.name == NAME)
                    ).scalar_one()
                    if self._at is not None and start != self._at:
                        # Another process moved the view since this one's last page: what
                        # the caches hold of its members and cooperatives may be stale.
                        self._reset()
                    notifications = self._read_page(conn, start, limit)
                    if not notifications:
                        return applied
                    moved = conn.execute(
                        update(t.tracking)
                        .where(t.tracking.c.name == NAME, t.tracking.c.position == start)
                        .values(position=notifications[-1][0])
                    )
                    if moved.rowcount != 1:
                        raise Conflict
                    self._apply_page(conn, notifications)
            except Conflict:
                self._reset()
                continue
            except VIEW_ERRORS as error:
                self._reset()  # the caches may hold what the rolled-back page applied
                if isinstance(error, LedgerError) or not notifications:
                    raise
                if len(notifications) > 1:
                    narrow_until = max(narrow_until, notifications[-1][0])
                    limit = max(1, len(notifications) // 8)
                    continue
                if self._set_aside(conn, notifications[0], error):
                    applied += 1
                    if progress is not None:
                        progress(1)
                continue
            except BaseException:
                self._reset()  # the caches may hold what the rolled-back page applied
                raise
            self._at = notifications[-1][0]
            applied += len(notifications)
            if narrow_until and self._at >= narrow_until:
                limit, narrow_until = page, 0
            if progress is not None:
                progress(len(notifications))

    def apply_within(self, conn: Connection) -> None:
        """Apply every notification after the tracked position in the caller's transaction
        (a write applies its own events so, before it commits: see EventStore.execute_batch). An
        entry the view cannot hold raises: the caller's transaction, and the write, fail."""
        with collector_paused(), _big_cache(conn):
            while True:
                start = conn.execute(
                    select(t.tracking.c.position).where(t.tracking.c.name == NAME)
                ).scalar_one()
                if self._at is not None and start != self._at:
                    self._reset()
                notifications = self._read_page(conn, start, PAGE)
                if not notifications:
                    return
                moved = conn.execute(
                    update(t.tracking)
                    .where(t.tracking.c.name == NAME, t.tracking.c.position == start)
                    .values(position=notifications[-1][0])
                )
                if moved.rowcount != 1:
                    # Another process applied pages meanwhile (PostgreSQL: this update waited
                    # for its commit): start again from where it left the view.
                    self._reset()
                    continue
                try:
                    self._apply_page(conn, notifications)
                except BaseException:
                    self._reset()
                    raise
                self._at = notifications[-1][0]

    def _set_aside(self, conn: Connection, row: tuple[Any, ...], error: BaseException) -> bool:
        """Move the view past one entry it cannot hold, noting it in ``rm_unviewable``
        (its hash-chain link is kept all the same); False when another process moved the
        view meanwhile."""
        seq, oid, version = row[0], _uuid(row[1]), int(row[2])
        label = self._label(conn, row)
        with conn.begin():
            moved = conn.execute(
                update(t.tracking)
                .where(t.tracking.c.name == NAME, t.tracking.c.position == seq - 1)
                .values(position=seq)
            )
            if moved.rowcount != 1:
                return False
            self._extend_chain(conn, [row])
            conn.execute(
                insert(t.unviewable).values(
                    seq=seq, uuid=str(oid), version=version, label=label, reason=why(error)
                )
            )
        self._at = seq
        self._unviewable = None
        try:
            with conn.begin():
                self._history_row(conn, row)
        except VIEW_ERRORS:
            self._reset()  # its history row too cannot be held: it is named all the same
        return True

    def _history_row(self, conn: Connection, row: tuple[Any, ...]) -> None:
        """The ``rm_entries`` row of an entry set aside, when the view can hold that much, so
        that ``history`` lists it (its details are its stored JSON) and marks its reversal."""
        seq, oid, version, topic, stored = row
        self._sqlite = conn.dialect.name == "sqlite"
        self._entry_rows = []
        event = self._decoder()(oid, version, topic, stored)
        uuid = _uuid(oid)
        if isinstance(event, Member.Registered):
            return
        if isinstance(event, Member.Event):
            found = conn.execute(
                select(t.members.c.mid, t.members.c.cid).where(t.members.c.uuid == str(uuid))
            ).first()
            if found is None:
                return
            mid, cid = found
        else:
            mid, cid = None, self._coop(conn, uuid).cid
        self._entry(seq, cid, mid, event, micros(event.timestamp), self._day(event.on))
        conn.exec_driver_sql(
            _insert_sql("rm_entries", ENTRY_COLUMNS, "?" if self._sqlite else "%s"),
            self._entry_rows,
        )
        self._entry_rows = []

    def _label(self, conn: Connection, row: tuple[Any, ...]) -> str:
        """What an entry is, in a few printable words: ``subscribe alice 2020-02-01``."""
        _seq, oid, version, topic, stored = row
        try:
            event = self._decoder()(oid, version, topic, stored)
            person = getattr(event, "person", None)
            if person is None:
                with conn.begin():
                    person = conn.execute(
                        select(t.members.c.person).where(t.members.c.uuid == str(_uuid(oid)))
                    ).scalar()
            words = [str(event.ACTION), *([str(person)] if person else []), str(event.on)]
        except Exception:
            words = [str(topic).rsplit(".", 1)[-1]]
        return printable(" ".join(words))

    def _viewable(self, conn: Connection, oid: UUID, log: Sequence[Any]) -> list[Any]:
        """The aggregate's entries without those set aside as unviewable."""
        if self._unviewable is None:
            self._unviewable = {}
            for uuid, version in conn.execute(select(t.unviewable.c.uuid, t.unviewable.c.version)):
                self._unviewable.setdefault(str(uuid), set()).add(int(version))
        skip = self._unviewable.get(str(oid))
        if not skip:
            return list(log)
        return [e for e in log if e.originator_version not in skip]

    def _forgive(self, conn: Connection, oid: UUID, versions: Sequence[int]) -> None:
        """A reversal of entries set aside: they no longer need showing."""
        self._flush(conn)
        self._unviewable = None
        conn.execute(
            delete(t.unviewable).where(
                t.unviewable.c.uuid == str(oid), t.unviewable.c.version.in_(list(versions))
            )
        )

    def rebuild(
        self, progress: Callable[[int], None] | None = None, workers: int | None = None
    ) -> int:
        """Drop and recreate the view tables, then apply every notification from the start.
        A large SQLite ledger is applied by ``workers`` processes (by default one per core:
        see readmodel/parallel.py), otherwise page by page here. Indexes only queries read
        are built once at the end, not maintained row by row. Dropping, applying and indexing
        all run with the large page cache (dropping a million rows' tables with the default
        one took up to 7 s)."""
        from scop_ledger.readmodel import parallel

        self._reset()
        parallel.clean_scratch(self.ledger)
        with (
            self.engine.connect() as conn,
            collector_paused(),
            _big_cache(conn),
            # Debian builds SQLite with secure_delete on, which overwrites every freed page
            # with zeros: costly when a large view is dropped. The view holds nothing the
            # events beside it in the same file do not.
            sqlite_pragma(conn, "secure_delete", 0),
        ):
            conn.commit()  # the pragmas began a transaction: each step begins its own
            head = int(conn.exec_driver_sql(f"SELECT max(id) FROM {EVENTS}").scalar() or 0)
            missing = t.missing_tables(conn)
            conn.commit()
            if missing:  # the chain is extended before the view is replaced
                with write_transaction(conn, schema_lock=True):
                    self._make_tables(conn)
            if workers is None:
                workers = parallel.workers_for(self.ledger, head)
            split = workers > 1 and parallel.can_split(self.ledger)
            deferred = [*t.SECONDARY_INDEXES, *(t.MEMBER_INDEXES if split else ())]

            emptied = False

            def empty_view() -> None:
                """The view tables dropped and made anew, without the deferred indexes, at
                position 0, in the caller's transaction (a rebuild in one process)."""
                nonlocal emptied
                t.drop_view_tables(conn)
                t.create_view_tables(conn)
                conn.execute(delete(t.tracking))
                conn.execute(
                    insert(t.tracking).values(
                        name=NAME, position=0, schema_version=VIEW_SCHEMA_VERSION
                    )
                )
                for index in deferred:
                    index.drop(conn)
                emptied = True

            try:
                applied = 0
                if split:
                    # The old view stays, for other processes to read and catch up, until the
                    # transaction that replaces it with the workers' rows (without indexes).
                    emptied = True
                    try:
                        applied = parallel.rebuild(self, conn, head, workers, progress)
                    except VIEW_ERRORS:
                        # An entry the view cannot hold: the workers do not set entries
                        # aside; one process does, entry by entry (the old view is intact).
                        split = False
                        deferred[:] = t.SECONDARY_INDEXES
                        self._reset()
                    else:
                        with conn.begin():
                            for index in t.MEMBER_INDEXES:
                                index.create(conn)
                if not split:
                    with write_transaction(conn):
                        empty_view()
                # What was recorded meanwhile (all of it, when not split).
                return applied + self._catch_up(conn, progress, page=50_000)
            finally:
                if emptied:
                    with conn.begin():
                        for index in deferred:
                            index.create(conn, checkfirst=True)

    # ------------------------------------------------------------------ applying

    def _read_page(
        self, conn: Connection, start: int, limit: int, head: int | None = None
    ) -> list[tuple[Any, ...]]:
        """The next notifications (up to ``head`` if given), read on the page's own connection
        (one consistent view)."""
        until = "" if head is None else f"AND id <= {int(head)} "
        # The driver's own cursor, in the connection's transaction: its rows are tuples
        # already (SQLAlchemy's rows, made and then copied, nearly double the fetch's cost).
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(
                f"SELECT id, originator_id, originator_version, topic, state FROM {EVENTS} "
                f"WHERE id > {int(start)} {until}ORDER BY id LIMIT {int(limit)}"
            )
            return cast("list[tuple[Any, ...]]", cursor.fetchall())
        finally:
            cursor.close()

    def _apply_page(self, conn: Connection, notifications: Sequence[tuple[Any, ...]]) -> None:
        self._sqlite = conn.dialect.name == "sqlite"
        self._member_rows: list[tuple[Any, ...]] = []
        self._gone_rows: dict[int, tuple[Any, Any]] = {}
        self._entry_rows = []
        self._state_rows: list[tuple[Any, ...]] = []
        self._refund_inserts: list[_RefundRow] = []
        self._refund_closes: list[tuple[int, int]] = []
        decode = self._decoder()
        self._extend_chain(conn, notifications)
        self._load_versions(conn, notifications)
        versions = self._versions
        for seq, oid, version, topic, stored in notifications:
            last = versions.get(oid, 0)
            if version != last + 1:
                raise UnreadableEntry(
                    f"version {version} of its record where {last + 1} was expected"
                )
            versions[oid] = version
            event = decode(oid, version, topic, stored)
            if isinstance(event, Member.Event):
                self._member_event(conn, seq, event)
            elif isinstance(event, Cooperative.Event):
                self._coop_event(conn, seq, event)
        self._flush(conn)

    def _load(self, oid: UUID, version: int) -> object:
        """The aggregate at ``version``; an entry of it that cannot be read raises
        :class:`UnreadableEntry` (the entry being applied is then set aside)."""
        try:
            return self.ledger.repository.get(oid, version=version)
        except (TopicError, EventSourcingError, AttributeError) as error:
            raise unreadable(error, "") from None

    def _load_versions(self, conn: Connection, notifications: Sequence[tuple[Any, ...]]) -> None:
        """The last stored version before this page of each aggregate the page continues and
        this projector has not met yet (one query a page; a rebuild meets each at version 1)."""
        unknown = list({n[1] for n in notifications if n[2] > 1 and n[1] not in self._versions})
        if not unknown:
            return
        mark = "?" if conn.dialect.name == "sqlite" else "%s"
        first = int(notifications[0][0])
        for start in range(0, len(unknown), 500):
            chunk = unknown[start : start + 500]
            rows = conn.exec_driver_sql(
                f"SELECT originator_id, max(originator_version) FROM {EVENTS} "
                f"WHERE id < {first} AND originator_id IN ({', '.join([mark] * len(chunk))}) "
                "GROUP BY originator_id",
                tuple(chunk),
            )
            found = {_uuid(oid): int(version) for oid, version in rows}
            for oid in chunk:
                self._versions[oid] = found.get(_uuid(oid), 0)

    def _extend_chain(self, conn: Connection, notifications: Sequence[tuple[Any, ...]]) -> None:
        """Add the page's links to the kept hash chain (entries it already has are left as
        they are: a rebuild re-applies the view, never the chain's memory), and move its seal.
        A kept chain that no longer reaches its seal (dropped, cut short, rewritten), or that
        would not start at the log's first entry, is left as it is: ``verify`` names it, and
        only ``verify --reseed-chain`` re-seeds it."""
        self._sqlite = conn.dialect.name == "sqlite"
        last = conn.exec_driver_sql(
            "SELECT seq, link FROM rm_chain ORDER BY seq DESC LIMIT 1"
        ).first()
        head, previous = (0, chain.GENESIS) if last is None else (last[0], bytes.fromhex(last[1]))
        sealed = conn.exec_driver_sql(
            f"SELECT seq, link FROM {chain.SEAL} WHERE name = 'chain'"
        ).first()
        if sealed is not None and (int(sealed[0]), str(sealed[1])) != (head, previous.hex()):
            return  # the kept chain no longer reaches its seal: dropped, cut short, rewritten
        fresh = [n for n in notifications if n[0] > head]
        if not fresh:
            return
        following = conn.exec_driver_sql(
            f"SELECT min(id) FROM {EVENTS} WHERE id > {int(head)}"
        ).scalar()
        if following != fresh[0][0]:
            return  # the kept chain does not reach this page: it lost entries
        rows = []
        for seq, oid, version, topic, stored in notifications:
            if seq <= head:
                continue
            digest = chain.content(oid, version, topic, bytes(stored))
            previous = chain.link(previous, seq, digest)
            rows.append((seq, digest.hex(), previous.hex()))
        if rows:
            mark = "?" if self._sqlite else "%s"
            conn.exec_driver_sql(
                f"INSERT INTO rm_chain (seq, content, link) VALUES ({mark}, {mark}, {mark})", rows
            )
            conn.exec_driver_sql(
                f"INSERT INTO {chain.SEAL} (name, seq, link) VALUES ('chain', {mark}, {mark}) "
                "ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, link = excluded.link",
                (rows[-1][0], rows[-1][2]),
            )

    def _decoder(self) -> Callable[[Any, int, str, bytes], Any]:
        return decoder(self.ledger.mapper)

    def _flush(self, conn: Connection) -> None:
        mark = "?" if self._sqlite else "%s"
        if self._member_rows:
            conn.exec_driver_sql(_insert_sql("rm_members", MEMBER_COLUMNS, mark), self._member_rows)
            self._member_rows = []
        if self._gone_rows:
            conn.exec_driver_sql(
                f"UPDATE rm_members SET gone_on = {mark}, gone_at = {mark} WHERE mid = {mark}",
                [(on, at, mid) for mid, (on, at) in self._gone_rows.items()],
            )
            self._gone_rows = {}
        if self._entry_rows:
            conn.exec_driver_sql(_insert_sql("rm_entries", ENTRY_COLUMNS, mark), self._entry_rows)
            self._entry_rows = []
        if self._state_rows:
            conn.exec_driver_sql(_insert_sql("rm_states", STATE_COLUMNS, mark), self._state_rows)
            self._state_rows = []
        if self._refund_closes:
            # Before the page's inserts: these close rows stored by earlier flushes only.
            conn.exec_driver_sql(
                f"UPDATE rm_refunds SET known_to = {mark} WHERE mid = {mark} "
                "AND valid_to IS NULL AND known_to IS NULL",
                self._refund_closes,
            )
            self._refund_closes = []
        if self._refund_inserts:
            conn.exec_driver_sql(
                _insert_sql("rm_refunds", REFUND_COLUMNS, mark),
                [tuple(r.values) for r in self._refund_inserts if r.values is not None],
            )
            for r in self._refund_inserts:
                r.stored = True
            self._refund_inserts = []

    def _day(self, value: date | None) -> Any:
        """Dates as SQLite stores them through SQLAlchemy (ISO text); PostgreSQL takes dates."""
        if value is None or not self._sqlite:
            return value
        return value.isoformat()

    def _coop_event(self, conn: Connection, seq: int, event: Any) -> None:
        oid: UUID = event.originator_id
        if isinstance(event, Cooperative.Registered):
            cid = self._new_cid(conn)
            cap = vote_cap(event.profile, event.scop_thresholds, event.external_vote_cap)
            conn.execute(
                insert(t.coops).values(
                    cid=cid,
                    uuid=str(oid),
                    slug=event.slug,
                    name=event.name,
                    legal_form=event.legal_form,
                    share_value_cents=cents(event.share_value),
                    profile=event.profile,
                    refund_delay_years=event.refund_delay_years,
                    boot_until=event.boot_until,
                    review_every_years=event.review_every_years,
                    fiscal_year_end=event.fiscal_year_end,
                    registered_on=event.on,
                    vote_cap=None if cap is None else str(cap),
                    registered_at=micros(event.timestamp),
                    seq=seq,
                )
            )
            self._coops[oid] = _Coop(cid, event.slug, Terms(event.share_value, event.on))
        coop = self._coop(conn, oid)
        self._entry(seq, coop.cid, None, event, micros(event.timestamp), self._day(event.on))
        if isinstance(event, Cooperative.EntryReversed):
            self._flush(conn)
            self._mark_reversed(conn, coop.cid, None, event.versions, seq, event.timestamp)
            self._forgive(conn, oid, event.versions)

    def _member_event(self, conn: Connection, seq: int, event: Any) -> None:
        oid: UUID = event.originator_id
        if isinstance(event, Member.Registered):
            coop = self._coop(conn, cooperative_id(event.coop))
            mid = self._mid_for(conn, oid)
            self._member_rows.append(
                (
                    mid,
                    str(oid),
                    coop.cid,
                    event.person,
                    micros(event.timestamp),
                    None,
                    None,
                )
            )
            self._members[oid.int] = _Member(
                mid,
                coop.cid,
                event.person,
                MemberFold(event.person, coop.terms, strict=False),
                None,
            )
            return
        member = self._members.get(oid.int) or self._member(conn, oid, event.originator_version)
        known = micros(event.timestamp)
        on = self._day(event.on)
        self._entry(seq, member.cid, member.mid, event, known, on)
        if isinstance(event, Member.EntryReversed):
            self._flush(conn)
            self._mark_reversed(conn, member.cid, member.mid, event.versions, seq, event.timestamp)
            self._forgive(conn, oid, event.versions)
            self._recompute(conn, member, oid, event.originator_version, known, event.versions)
            return
        position = (event.on, event.originator_version)
        if member.last is None or position > member.last:
            member.fold.apply(event)
            member.last = position
            s = member.fold.state
            values = self._refund_values(s) if s.refunds else ()
            self._state_rows.append(self._state_row(member, event, seq, known, s, values, on))
            if (member.gone is None) == (not s.employed and not s.partner):
                self._set_gone(member, None if member.gone is not None else event.on, known)
            if values:
                self._step_refunds(member, event.on, values, known)
        else:
            self._flush(conn)
            self._recompute(conn, member, oid, event.originator_version, known, [])

    def _recompute(
        self,
        conn: Connection,
        member: _Member,
        oid: UUID,
        version: int,
        known: int,
        reversed_versions: list[int],
    ) -> None:
        """Close the member's rows from the first affected entry on, and write their
        recomputed successors (a back-dated entry, or a reversal)."""
        aggregate: object = self._load(oid, version)
        assert isinstance(aggregate, Member)
        effective = effective_entries(self._viewable(conn, oid, aggregate.log))
        if reversed_versions:
            gone = [e for e in aggregate.log if e.originator_version in reversed_versions]
            first = min((e.on, e.originator_version) for e in gone)
        else:
            newest = aggregate.log[-1]
            first = (newest.on, newest.originator_version)
        rows = conn.execute(
            select(t.entries.c.version, t.entries.c.seq).where(t.entries.c.mid == member.mid)
        )
        seqs: dict[int, int] = {version: seq for version, seq in rows}
        on, ver = first
        conn.execute(
            update(t.states)
            .where(
                t.states.c.mid == member.mid,
                t.states.c.known_to.is_(None),
                (t.states.c.on_date > on)
                | ((t.states.c.on_date == on) & (t.states.c.version >= ver)),
            )
            .values(known_to=known)
        )
        coop = self._coop_by_cid(conn, member.cid)
        fold = MemberFold(member.person, coop.terms, strict=False)
        last: tuple[date, int] | None = None
        steps: list[tuple[date, RefundValues]] = []
        # From when the person is neither employed nor a partner through the end (None when
        # active at the end of the timeline).
        inactive_since: date | None = None
        for entry in effective:
            fold.apply(entry)
            last = (entry.on, entry.originator_version)
            if fold.state.employed or fold.state.partner:
                inactive_since = None
            elif inactive_since is None:
                inactive_since = entry.on
            values = self._refund_values(fold.state)
            if last >= first:
                self._state_rows.append(
                    self._state_row(
                        member,
                        entry,
                        seqs[entry.originator_version],
                        known,
                        fold.state,
                        values,
                        self._day(entry.on),
                    )
                )
            _add_step(steps, entry.on, values)
        member.fold = fold
        member.last = last
        # The person's refund rows, all of them, closed and written anew.
        conn.execute(
            update(t.refunds)
            .where(t.refunds.c.mid == member.mid, t.refunds.c.known_to.is_(None))
            .values(known_to=known)
        )
        member.refund_steps = steps
        member.open_refunds = []
        for i, (start, values) in enumerate(steps):
            end = steps[i + 1][0] if i + 1 < len(steps) else None
            self._add_refund_rows(member, start, end, values, known)
        if inactive_since != member.gone:
            self._set_gone(member, inactive_since, known)
        self._flush(conn)

    def _set_gone(self, member: _Member, gone: date | None, known: int) -> None:
        member.gone = gone
        self._gone_rows[member.mid] = (self._day(gone), known if gone is not None else None)

    def _refund_values(self, s: MemberState) -> RefundValues:
        if not s.refunds:
            return ()
        return tuple(
            (r.version, self._day(r.since), r.cause, cents(r.amount), r.partial, cents(r.paid))
            for r in s.refunds
        )

    def _step_refunds(self, member: _Member, on: date, values: RefundValues, known: int) -> None:
        """The person's refunds from ``on`` (at or after their last step) are ``values``: end
        the open step at ``on`` (or replace it, on the same date) and open the next."""
        steps = member.refund_steps
        if steps and steps[-1][1] == values:
            return
        if member.open_refunds:
            if any(r.stored for r in member.open_refunds):
                self._refund_closes.append((known, member.mid))
            for r in member.open_refunds:
                if not r.stored:
                    assert r.values is not None
                    r.values[KNOWN_TO] = known
            member.open_refunds = []
        if steps and steps[-1][0] < on:
            self._add_refund_rows(member, steps[-1][0], on, steps[-1][1], known)
        _add_step(steps, on, values)
        self._add_refund_rows(member, on, None, values, known)

    def _add_refund_rows(
        self, member: _Member, start: date, end: date | None, values: RefundValues, known: int
    ) -> None:
        for refund, since, cause, amount, partial, paid in values:
            row = _RefundRow(
                [
                    member.cid,
                    member.mid,
                    member.person,
                    refund,
                    since,
                    cause,
                    amount,
                    partial,
                    paid,
                    self._day(start),
                    self._day(end),
                    known,
                    None,
                ]
            )
            self._refund_inserts.append(row)
            if end is None:
                member.open_refunds.append(row)

    def _state_row(
        self,
        member: _Member,
        entry: Any,
        seq: int,
        known: int,
        s: MemberState,
        refund_values: RefundValues,
        on: Any,
    ) -> tuple[Any, ...]:
        """A row of ``rm_states`` in :data:`STATE_COLUMNS` order. Its refunds are JSON:
        [[version, since, cause, amount_cents, partial, paid_cents], …], written once for
        each change of the person's refunds (most entries leave them as they were)."""
        cause = getattr(entry, "cause", None) or getattr(entry, "reason", None)
        refunds = None
        if refund_values:
            last = member.refunds_json
            if last is not None and last[0] == refund_values:
                refunds = last[1]
            else:
                refunds = json.dumps(
                    [
                        [v, since if type(since) is str else since.isoformat(), c, a, p, paid]
                        for v, since, c, a, p, paid in refund_values
                    ]
                )
                member.refunds_json = (refund_values, refunds)
        return (
            member.mid,
            member.cid,
            on,
            entry.originator_version,
            seq,
            entry.ACTION,
            cause,
            known,
            None,
            s.name,
            s.employed,
            self._day(s.employed_since),
            s.partner,
            s.legal_person,
            s.shares,
            cents(s.paid),
            refunds,
        )

    def _entry(self, seq: int, cid: int, mid: int | None, event: Any, known: int, on: Any) -> None:
        """A row of ``rm_entries`` (its details are the event's stored JSON, beside it);
        ``known`` is when it was recorded, ``on`` its date as stored."""
        self._entry_rows.append(
            (
                seq,
                cid,
                mid,
                event.originator_version,
                event.ACTION,
                on,
                known,
                event.recorded_by,
                event.ref,
                event.note,
                event.source,
                None,
                None,
            )
        )

    def _mark_reversed(
        self,
        conn: Connection,
        cid: int,
        mid: int | None,
        versions: list[int],
        seq: int,
        moment: datetime,
    ) -> None:
        owner = t.entries.c.mid == mid if mid is not None else t.entries.c.mid.is_(None)
        conn.execute(
            update(t.entries)
            .where(t.entries.c.cid == cid, owner, t.entries.c.version.in_(versions))
            .values(reversed_by=seq, reversed_at=micros(moment))
        )

    # ------------------------------------------------------------------ caches

    def _coop(self, conn: Connection, oid: UUID) -> _Coop:
        found = self._coops.get(oid)
        if found is None:
            row = conn.execute(
                select(
                    t.coops.c.cid,
                    t.coops.c.slug,
                    t.coops.c.share_value_cents,
                    t.coops.c.registered_on,
                ).where(t.coops.c.uuid == str(oid))
            ).one()
            found = _Coop(
                row.cid,
                row.slug,
                Terms(Decimal(row.share_value_cents).scaleb(-2), row.registered_on),
            )
            self._coops[oid] = found
        return found

    def _coop_by_cid(self, conn: Connection, cid: int) -> _Coop:
        for coop in self._coops.values():
            if coop.cid == cid:
                return coop
        uuid = conn.execute(select(t.coops.c.uuid).where(t.coops.c.cid == cid)).scalar_one()
        return self._coop(conn, UUID(uuid))

    def _member(self, conn: Connection, oid: UUID, version: int) -> _Member:
        """The member's cache entry, rebuilt from its stream up to ``version - 1`` on a miss."""
        found = self._members.get(oid.int)
        if found is not None:
            return found
        self._flush(conn)
        row = conn.execute(
            select(
                t.members.c.mid,
                t.members.c.cid,
                t.members.c.person,
                t.members.c.gone_on,
            ).where(t.members.c.uuid == str(oid))
        ).one()
        coop = self._coop_by_cid(conn, row.cid)
        fold = MemberFold(row.person, coop.terms, strict=False)
        last = None
        steps: list[tuple[date, RefundValues]] = []
        if version > 2:
            aggregate: object = self._load(oid, version - 1)
            assert isinstance(aggregate, Member)
            for entry in effective_entries(self._viewable(conn, oid, aggregate.log)):
                fold.apply(entry)
                last = (entry.on, entry.originator_version)
                _add_step(steps, entry.on, self._refund_values(fold.state))
        found = _Member(row.mid, row.cid, row.person, fold, last, row.gone_on)
        found.refund_steps = steps
        if steps and steps[-1][1]:
            found.open_refunds = [_RefundRow(None, stored=True)]  # stored by an earlier page
        self._members[oid.int] = found
        return found

    def _new_cid(self, conn: Connection) -> int:
        if self._next_cid is None:
            self._next_cid = int(
                conn.execute(select(func.coalesce(func.max(t.coops.c.cid), 0))).scalar_one()
            )
        self._next_cid += 1
        return self._next_cid

    def _mid_for(self, conn: Connection, oid: UUID) -> int:
        """The id of a member registered now (the next one: see readmodel/parallel.py)."""
        return self._new_mid(conn)

    def _new_mid(self, conn: Connection) -> int:
        if self._next_mid is None:
            self._next_mid = int(
                conn.execute(select(func.coalesce(func.max(t.members.c.mid), 0))).scalar_one()
            )
        self._next_mid += 1
        return self._next_mid


def _add_step(steps: list[tuple[date, RefundValues]], on: date, values: RefundValues) -> None:
    """Note the person's refunds after an entry dated ``on`` (entries come in date order)."""
    if (steps[-1][1] if steps else ()) == values:
        return
    if steps and steps[-1][0] == on:
        steps[-1] = (on, values)
    else:
        steps.append((on, values))
