"""Making the view: its tables created when missing, and rebuilt from the events, when asked or
when their schema version is not this release's.

A large ledger is rebuilt by several processes (readmodel/parallel.py), otherwise page by page by
the projector's own catch-up. Indexes only queries read are built once at the end, not
maintained row by row.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine, Index, delete, insert, select

from scop_ledger.readmodel import parallel
from scop_ledger.readmodel import schema as t
from scop_ledger.readmodel.projector import VIEW_ERRORS, Projector, big_cache
from scop_ledger.readmodel.version import TRACKING_NAME, VIEW_SCHEMA_VERSION
from scop_ledger.settings import EVENTS_TABLE as EVENTS
from scop_ledger.store.engine import schema_change, sqlite_pragma, write_transaction
from scop_ledger.store.gc import collector_paused


def ensure_view(projector: Projector) -> None:
    """Create the view tables if needed; a view of another schema version is rebuilt.
    Several processes may open a new store at once: the one that finds a table missing
    creates them all, alone (``schema_change``); the others, waiting, then find them."""
    version = _schema_version(projector.engine)
    if version is None:
        with schema_change(projector.engine) as conn:
            version = _make_tables(conn)
    if version != VIEW_SCHEMA_VERSION:
        rebuild(projector)


def _make_tables(conn: Connection) -> int:
    """The missing view tables created, and the tracking row at position 0 if it is
    missing, in the caller's schema-changing transaction; the view's schema version."""
    t.create_view_tables(conn)
    version = _schema_version(conn)
    if version is None:
        version = VIEW_SCHEMA_VERSION
        conn.execute(
            insert(t.tracking).values(name=TRACKING_NAME, position=0, schema_version=version)
        )
    return version


def _schema_version(bind: Engine | Connection) -> int | None:
    """The view's schema version, or None when a view table or the tracking row is
    missing."""
    if isinstance(bind, Engine):
        with bind.connect() as own:
            return _schema_version(own)
    if t.missing_tables(bind):
        return None
    found = bind.execute(
        select(t.tracking.c.schema_version).where(t.tracking.c.name == TRACKING_NAME)
    ).scalar()
    return None if found is None else int(found)


def rebuild(
    projector: Projector,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Drop and recreate the view tables, then apply every notification from the start; the
    number applied. A large ledger is applied by ``workers`` processes (by default one
    per core: see readmodel/parallel.py), otherwise page by page by ``projector``, whose hooks
    the workers run too. ``progress`` is called in this process with the number of events read,
    while the workers run and before their rows replace the view, then for each page applied
    after. Dropping, applying and indexing all run with the large page cache (dropping a large
    view's tables with the default one is slow)."""
    projector.reset()
    parallel.clean_scratch(projector.ledger)
    with (
        projector.engine.connect() as conn,
        collector_paused(),
        big_cache(conn),
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
                _make_tables(conn)
        if workers is None:
            workers = parallel.workers_for(projector.ledger, head)
        split = workers > 1 and parallel.can_split(projector.ledger)
        return _replace_view(projector, conn, head, workers if split else 1, progress)


def _replace_view(
    projector: Projector,
    conn: Connection,
    head: int,
    workers: int,
    progress: Callable[[int], None] | None,
) -> int:
    """Replace the view with one made from the events (see :func:`rebuild`)."""
    split = workers > 1
    deferred = [*t.SECONDARY_INDEXES, *(t.MEMBER_INDEXES if split else ())]
    emptied = False
    try:
        applied = 0
        if split:
            # The old view stays, for other processes to read and catch up, until the
            # transaction that replaces it with the workers' rows (without indexes).
            emptied = True
            try:
                applied = parallel.rebuild(projector, conn, head, workers, progress)
            except VIEW_ERRORS:
                # An entry the view cannot hold: the workers do not set entries
                # aside; one process does, entry by entry (the old view is intact).
                split = False
                deferred[:] = t.SECONDARY_INDEXES
                projector.reset()
            else:
                with conn.begin():
                    for index in t.MEMBER_INDEXES:
                        index.create(conn)
        if not split:
            with write_transaction(conn):
                _empty_view(conn, deferred)
                emptied = True
        # What was recorded meanwhile (all of it, when not split).
        return applied + projector.catch_up_on(conn, progress, page=50_000)
    finally:
        if emptied:
            with conn.begin():
                for index in deferred:
                    index.create(conn, checkfirst=True)


def _empty_view(conn: Connection, deferred: list[Index]) -> None:
    """The view tables dropped and made anew, without the ``deferred`` indexes, at position 0,
    in the caller's transaction (a rebuild in one process)."""
    t.drop_view_tables(conn)
    t.create_view_tables(conn)
    conn.execute(delete(t.tracking))
    conn.execute(
        insert(t.tracking).values(
            name=TRACKING_NAME, position=0, schema_version=VIEW_SCHEMA_VERSION
        )
    )
    for index in deferred:
        index.drop(conn)
