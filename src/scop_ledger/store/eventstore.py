"""The event store: eventsourcing's ``Application`` on eventsourcing-sqlalchemy, and every place
scop-ledger reaches below their public API, in this one module.

Written against eventsourcing 9.5 and eventsourcing-sqlalchemy 1.0 (pinned in pyproject.toml);
a new release of either is checked against the overrides here:

- :class:`BulkRecorder` overrides the recorder's private ``_insert_stored_events`` (one
  statement for a batch's events instead of one ORM object each) and calls its
  ``_lock_table`` and ``_notify_channel``;
- :class:`Factory` builds the datastore on an engine configured here, skipping
  ``SQLAlchemyFactory.__init__`` (which would open its own);
- :func:`decoder` decodes stored events as the mapper does, from ``mapper.transcoder.names``,
  without the mapper's per-object JSON hook (the read side's hot loop).

:class:`EventStore` reads: aggregates, notifications, the cooperatives. Writing commands is the
application's (:mod:`scop_ledger.app.ledger`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast
from uuid import UUID

import sqlalchemy
import sqlalchemy.exc
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import EventSourcingError
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    JSONTranscoder,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.utils import Environment, TopicError
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from scop_ledger.domain.cooperative import Cooperative, cooperative_id
from scop_ledger.domain.errors import NotFound, no_cooperative, no_person
from scop_ledger.domain.member import Member, member_id
from scop_ledger.i18n import _
from scop_ledger.settings import EVENTS_TABLE, Settings, chosen_coop
from scop_ledger.store.decoding import DateAsISO, as_uuid, decoder
from scop_ledger.store.engine import (
    StoreError,
    open_engine,
    sqlite_pragma,
    store_error,
)
from scop_ledger.store.guards import install_append_only_guards
from scop_ledger.store.unreadable import UnreadableEntry, check_fields, unreadable, why

PAGE = 2000  # notifications read per query

__all__ = ["DateAsISO", "EventStore", "as_uuid", "decoder"]


class BulkRecorder(SQLAlchemyApplicationRecorder):
    """eventsourcing-sqlalchemy's application recorder, inserting a batch's events with one
    statement instead of one ORM object and one statement per event (an import of a million
    rows spent most of its time there). Same table, same lock, same transaction, the same
    stored values, the same notification ids in the same order."""

    def _insert_stored_events(
        self,
        session: Session,
        stored_events: Sequence[StoredEvent],
        *,
        time_order: bool = True,
        **kwargs: Any,
    ) -> Sequence[int]:
        """``time_order=False``: a later page of a write saved a page at a time, whose first
        page checked that the write is recorded after the entry ahead of it (entries of one
        write may share a time: a page's first entry may share its predecessor's)."""
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
        if time_order:
            check_time_order(session, table.name, ids[0], stored_events[0].state)
        self._notify_channel(session)
        return ids


def check_time_order(session: Session, table: str, first: int, state: bytes) -> None:
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


class Factory(SQLAlchemyFactory):
    """eventsourcing-sqlalchemy's factory on an engine we configured ourselves."""

    application_recorder_class = BulkRecorder

    def __init__(self, env: Environment, engine: Engine) -> None:
        InfrastructureFactory.__init__(self, env)
        self._schema_name = None
        self.datastore = SQLAlchemyDatastore(session_maker=sessionmaker(bind=engine))


class EventStore(Application[UUID]):
    """The store of one ledger: its engine, eventsourcing's recorder and mapper, and reads."""

    name = "ledger"

    def __init__(self, settings: Settings, *, create: bool = False) -> None:
        self.settings = settings
        self.engine = open_engine(settings, must_exist=not create)
        env = {"CREATE_TABLE": "no" if settings.read_only else "yes"}
        try:
            super().__init__(env)
            if not settings.read_only:
                install_append_only_guards(self.engine, EVENTS_TABLE)
        except (PersistenceError, sqlalchemy.exc.SQLAlchemyError) as error:
            raise store_error(error) from None

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        return cast(InfrastructureFactory, Factory(env, self.engine))

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def close(self) -> None:
        super().close()
        self.engine.dispose()

    def cooperatives(self) -> list[Cooperative.Registered]:
        """Every cooperative registered in the store, in registration order."""
        topic = Cooperative.Registered.TOPIC
        out = []
        for notification in self.notifications(topics=[topic]):
            event = self.read(notification)
            if isinstance(event, Cooperative.Registered):
                out.append(event)
        return out

    def resolve_coop(self, slug: str | None) -> str:
        """The cooperative a command is about: ``slug``, or the only one in the store."""
        return chosen_coop(slug, lambda: [c.slug for c in self.cooperatives()])

    def cooperative(self, slug: str) -> Cooperative:
        try:
            coop: object = self.load(cooperative_id(slug), slug)
        except AggregateNotFoundError:
            raise no_cooperative(slug) from None
        assert isinstance(coop, Cooperative)
        return coop

    def member(self, slug: str, person: str) -> Member:
        try:
            member: object = self.load(member_id(slug, person), person)
        except AggregateNotFoundError:
            raise no_person(person, slug) from None
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
        decode = decoder(self.mapper)
        table = self.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        hint = _("the store was changed below the ledger: run 'scop-ledger verify'")
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
                return StoreError(
                    _("entry {seq}{who} cannot be read: {reason}; {hint}").format(
                        seq=seq, who=who, reason=_(str(reason)), hint=hint
                    )
                )
            expected = version + 1
        who = name or str(oid)
        return StoreError(
            _("an entry of {who} cannot be read: {reason}; {hint}").format(
                who=who, reason=_(why(unreadable(error, ""))), hint=hint
            )
        )

    def read(self, notification: Any) -> Any:
        """The entry of a stored notification, or None when it cannot be read."""
        try:
            event = self.mapper.to_domain_event(notification)
            check_fields(type(event), vars(event))
        except (TopicError, EventSourcingError, ValueError):
            return None
        return event

    def notifications(self, topics: Sequence[str] = ()) -> Iterator[Any]:
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
            raise NotFound(_("no entry {entry} in this store").format(entry=event_id))
        return cast(UUID, found[0].originator_id), found[0].originator_version
