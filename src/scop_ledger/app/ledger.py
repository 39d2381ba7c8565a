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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, cast
from uuid import UUID

import sqlalchemy.exc
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import EventSourcingError
from eventsourcing.persistence import (
    DataError,
    InfrastructureFactory,
    IntegrityError,
    JSONTranscoder,
    PersistenceError,
    StoredEvent,
    Transcoding,
)
from eventsourcing.utils import Environment, TopicError
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from scop_ledger.app import commands as cmd
from scop_ledger.domain.cooperative import Cooperative, Statutes, cooperative_id
from scop_ledger.domain.errors import InvalidValue, LedgerError, NotFound, Refused
from scop_ledger.domain.member import EntryMeta, Member, Terms, member_id
from scop_ledger.readmodel.projector import VIEW_ERRORS, UnreadableEntry, check_fields, why
from scop_ledger.store.engine import (
    EVENTS_TABLE,
    ReadOnlyStore,
    Settings,
    StoreError,
    install_append_only_guards,
    open_engine,
    sqlite_pragma,
    store_error,
)
from scop_ledger.store.gc import collector_paused

MAX_ATTEMPTS = 12
# What a write raises when the view cannot hold one of its entries (see projector.VIEW_ERRORS):
# eventsourcing's DataError wraps the database's refusal.
_UNHOLDABLE: tuple[type[BaseException], ...] = (*VIEW_ERRORS, DataError)
PAGE = 2000


class DateAsISO(Transcoding):
    """``datetime.date`` as ``YYYY-MM-DD`` in the stored JSON."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class _BulkRecorder(SQLAlchemyApplicationRecorder):
    """eventsourcing-sqlalchemy's application recorder, inserting a batch's events with one
    statement instead of one ORM object and one statement per event (an import of a million
    rows spent most of its time there). Same table, same lock, same transaction, the same
    stored values, the same notification ids in the same order."""

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        if not stored_events:
            return []
        table = self.events_record_cls.__table__
        self._lock_table(session)
        if session.get_bind().dialect.name != "sqlite":
            rows = [
                {
                    "originator_id": e.originator_id,
                    "originator_version": e.originator_version,
                    "topic": e.topic,
                    "state": e.state,
                }
                for e in stored_events
            ]
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids = [row[0] for row in session.execute(statement, rows)]
        else:
            # SQLite does not promise RETURNING's order for a multi-row insert (SQLAlchemy
            # then falls back to a statement per row): insert them all, then read back the
            # newest ids. This transaction holds the write lock from its first insert on and
            # the table is append-only, so the newest ids are these rows, in order (SQLite gives
            # each new row the largest id plus one: checked, not assumed).
            conn = session.connection()
            # The unique index on (aggregate, version) takes the rows in random order: a page
            # cache of 64 MiB for the insert rather than 2 MiB keeps it in memory.
            with sqlite_pragma(conn, "cache_size", -65536):
                # The values as the column types store them on SQLite: the UUID's 16 bytes
                # (UUIDType, binary), the state's bytes (sqlite3 takes bytes as a BLOB).
                conn.exec_driver_sql(
                    f"INSERT INTO {table.name} (originator_id, originator_version, topic, state) "
                    "VALUES (?, ?, ?, ?)",
                    [
                        (_uuid_bytes(e.originator_id), e.originator_version, e.topic, e.state)
                        for e in stored_events
                    ],
                )
            count = len(stored_events)
            head = conn.exec_driver_sql(f"SELECT max(id) FROM {table.name}").scalar_one()
            ours = conn.exec_driver_sql(
                f"SELECT count(*) FROM {table.name} WHERE id > {head - count}"
            ).scalar_one()
            if ours != count:  # pragma: no cover - SQLite allots rowids one after another
                raise PersistenceError(f"{count} events stored, ids not consecutive")
            ids = list(range(head - count + 1, head + 1))
        _check_time_order(session, table.name, ids[0], stored_events[0].state)
        self._notify_channel(session)
        return ids


def _check_time_order(session: Session, table: str, first: int, state: bytes) -> None:
    """Recorded times move forward from one write to the next (``verify`` refuses a log where
    they go backwards): a writer that stamped its events before another writer, which then
    saved first, saves after it. Checked under the table's write lock, after the insert:
    raise IntegrityError, so the batch is rolled back and tried again with fresh times."""
    from scop_ledger.store.chain import recorded_at

    before = session.execute(
        sqlalchemy.text(f"SELECT state FROM {table} WHERE id < :first ORDER BY id DESC LIMIT 1"),
        {"first": first},
    ).scalar()
    if before is None:
        return
    try:
        earlier, ours = recorded_at(bytes(before)), recorded_at(state)
    except (ValueError, TypeError):
        return  # not ours to judge here: verify names such an entry
    if ours <= earlier:
        # Strictly after: an entry appended after a review's anchor is then recorded after
        # it, which ``verify --anchor`` checks (entries of one write may share a time).
        raise IntegrityError(f"entry {first} would not be recorded after the entry ahead of it")


def _uuid_bytes(value: UUID | str) -> bytes:
    return value.bytes if isinstance(value, UUID) else UUID(value).bytes


class _Factory(SQLAlchemyFactory):
    """eventsourcing-sqlalchemy's factory on an engine we configured ourselves."""

    application_recorder_class = _BulkRecorder

    def __init__(self, env: Environment, engine: Engine) -> None:
        InfrastructureFactory.__init__(self, env)
        self._schema_name = None
        self.datastore = SQLAlchemyDatastore(session_maker=sessionmaker(bind=engine))


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


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    sequence: int
    action: str
    person: str | None
    on: date
    recorded_at: datetime
    recorded_by: str
    ref: str | None
    note: str | None
    reversed_by: int | None
    details: dict[str, Any] = field(default_factory=dict)


class BatchError(LedgerError):
    """A command of a batch failed; ``index`` says which (0-based)."""

    def __init__(self, index: int, error: LedgerError) -> None:
        super().__init__(error.message, person=error.person, on=error.on, rule=error.rule)
        self.index = index
        self.error = error
        self.exit_code = error.exit_code


class Ledger(Application[UUID]):
    """The scop-ledger application."""

    name = "ledger"

    def __init__(
        self, settings: Settings, *, create: bool = False, apply_view: bool = True
    ) -> None:
        """``apply_view=False`` writes the events alone, as releases before the view was
        applied in the write's transaction did; the next query or write catches the view up
        (tests of the projector's catch-up use it)."""
        self.settings = settings
        self.apply_view = apply_view
        # Run in the write's transaction after its events are applied to the view, before it
        # commits (the CLI computes its warnings there): what it raises undoes the write.
        self.before_commit: Callable[[list[Recorded], Connection], None] | None = None
        self._view: Any = None
        self.engine = open_engine(settings, must_exist=not create)
        env = {"CREATE_TABLE": "no" if settings.read_only else "yes"}
        try:
            super().__init__(env)
            if not settings.read_only:
                install_append_only_guards(self.engine, EVENTS_TABLE)
        except (PersistenceError, sqlalchemy.exc.SQLAlchemyError) as error:
            raise store_error(error) from None

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        return cast(InfrastructureFactory, _Factory(env, self.engine))

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def close(self) -> None:
        super().close()
        self.engine.dispose()

    # ------------------------------------------------------------------ writing

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

    # ------------------------------------------------------------------ reading

    def cooperatives(self) -> list[Cooperative.Registered]:
        """Every cooperative registered in the store, in registration order."""
        topic = Cooperative.Registered.TOPIC
        out = []
        for notification in self._notifications(topics=[topic]):
            event = self._read(notification)
            if isinstance(event, Cooperative.Registered):
                out.append(event)
        return out

    def resolve_coop(self, slug: str | None) -> str:
        """The cooperative a command is about: ``slug``, or the only one in the store."""
        if slug is not None:
            return slug
        coops = [c.slug for c in self.cooperatives()]
        if len(coops) == 1:
            return coops[0]
        if not coops:
            raise NotFound("this store holds no cooperative yet: run 'scop-ledger init' first")
        raise InvalidValue(
            f"this store holds {len(coops)} cooperatives ({', '.join(coops)}): pass --coop"
        )

    def cooperative(self, slug: str) -> Cooperative:
        try:
            coop: object = self.load(cooperative_id(slug), slug)
        except AggregateNotFoundError:
            raise NotFound(f"no cooperative {slug!r} in this store") from None
        assert isinstance(coop, Cooperative)
        return coop

    def member(self, slug: str, person: str) -> Member:
        try:
            member: object = self.load(member_id(slug, person), person)
        except AggregateNotFoundError:
            raise NotFound(f"no person {person!r} in cooperative {slug!r}", person=person) from None
        assert isinstance(member, Member)
        return member

    def load(self, oid: UUID, name: str | None = None) -> object:
        """The aggregate ``oid`` (``name``: its person or cooperative, for messages). An entry
        of it that cannot be read (unknown kind, state not JSON or lacking a field, a version
        out of sequence: only a change below the ledger stores one) raises a StoreError
        naming that entry (exit 3): the aggregate cannot be replayed, so nothing that needs
        it can be recorded."""
        try:
            aggregate: Any = self.repository.get(oid)
            for entry in getattr(aggregate, "log", ()):
                check_fields(type(entry), vars(entry))
        except AggregateNotFoundError:
            raise
        except (TopicError, EventSourcingError, UnreadableEntry, AttributeError) as error:
            raise self._unreadable(oid, name, error) from None
        return cast(object, aggregate)

    def _unreadable(self, oid: UUID, name: str | None, error: BaseException) -> StoreError:
        """The one line naming the first entry of ``oid`` that cannot be read."""
        from scop_ledger.readmodel.projector import Projector, unreadable

        decode = Projector(self)._decoder()
        table = self.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        hint = "the store was changed below the ledger: run 'scop-ledger verify'"
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(table.c.id, table.c.originator_version, table.c.topic, table.c.state)
                .where(table.c.originator_id == oid)
                .order_by(table.c.id)
            ).all()
        expected = 1
        for seq, version, topic, state in rows:
            try:
                if version != expected:
                    raise UnreadableEntry(
                        f"version {version} of its record where {expected} was expected"
                    )
                event = decode(oid, version, topic, state)
                if name is None:
                    name = getattr(event, "person", None) or getattr(event, "slug", None)
            except (ValueError, TypeError, LookupError, ArithmeticError) as found:
                reason = unreadable(found, topic)
                who = f" ({name})" if name else ""
                return StoreError(f"entry {seq}{who} cannot be read: {reason}; {hint}")
            expected = version + 1
        who = name or str(oid)
        return StoreError(f"an entry of {who} cannot be read: {why(unreadable(error, ''))}; {hint}")

    def history(
        self, slug: str, person: str | None = None, known_at: datetime | None = None
    ) -> list[HistoryEntry]:
        """Every entry of the cooperative (or of one person), reversed ones included, in the
        order recorded, as known at ``known_at``."""
        self.cooperative(slug)
        coop_uuid = cooperative_id(slug)
        if person is not None:
            self.member(slug, person)
        persons: dict[UUID, str] = {}
        entries: list[tuple[int, Any]] = []
        reversal_of: dict[tuple[UUID, int], int] = {}
        seq_of: dict[tuple[UUID, int], int] = {}
        for notification in self._notifications():
            event: Any = self._read(notification)
            if event is None:
                continue  # an entry that cannot be read: the view names it (rm_unviewable)
            if known_at is not None and event.timestamp > known_at:
                break  # known at that moment: the log up to the first entry recorded after it
            oid = event.originator_id
            if isinstance(event, Member.Registered):
                if event.coop == slug:
                    persons[oid] = event.person
                continue
            if oid != coop_uuid and oid not in persons:
                continue
            who = persons.get(oid) or getattr(event, "person", None)
            if person is not None and who != person:
                continue
            entries.append((notification.id, event))
            seq_of[(oid, event.originator_version)] = notification.id
            if isinstance(event, Member.EntryReversed | Cooperative.EntryReversed):
                for version in event.versions:
                    reversal_of[(oid, version)] = notification.id
        out = []
        for seq, event in entries:
            who = persons.get(event.originator_id) or getattr(event, "person", None)
            out.append(
                HistoryEntry(
                    id=seq,
                    sequence=seq,
                    action=event.ACTION,
                    person=who,
                    on=event.on,
                    recorded_at=event.timestamp,
                    recorded_by=event.recorded_by,
                    ref=event.ref,
                    note=event.note,
                    reversed_by=reversal_of.get((event.originator_id, event.originator_version)),
                    details=_details(event, seq_of),
                )
            )
        return out

    def _read(self, notification: Any) -> Any:
        """The entry of a stored notification, or None when it cannot be read."""
        try:
            event = self.mapper.to_domain_event(notification)
            check_fields(type(event), vars(event))
        except (TopicError, EventSourcingError, ValueError):
            return None
        return event

    def _notifications(self, topics: Sequence[str] = ()) -> Iterator[Any]:
        start = 1
        while True:
            page = self.recorder.select_notifications(start=start, limit=PAGE, topics=topics)
            yield from page
            if len(page) < PAGE:
                return
            start = page[-1].id + 1

    def entry_location(self, event_id: int) -> tuple[UUID, int]:
        """The aggregate and version behind an entry id."""
        found = self.recorder.select_notifications(start=event_id, limit=1, stop=event_id)
        if not found:
            raise NotFound(f"no entry {event_id} in this store")
        return cast(UUID, found[0].originator_id), found[0].originator_version


_DETAIL_SKIP = {
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "on",
    "ref",
    "note",
    "recorded_by",
    "source",
    "person",
}


def _details(event: Any, seq_of: dict[tuple[UUID, int], int]) -> dict[str, Any]:
    """An entry's own fields; versions inside the aggregate become entry ids."""
    out = {k: v for k, v in vars(event).items() if k not in _DETAIL_SKIP}
    oid = event.originator_id
    if out.get("consequence_of") is not None:
        out["consequence_of"] = seq_of.get((oid, out["consequence_of"]))
    elif "consequence_of" in out:
        del out["consequence_of"]
    if "target" in out:
        out["target"] = seq_of.get((oid, out["target"]))
        out["versions"] = [seq_of.get((oid, v)) for v in out["versions"]]
    return out


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
