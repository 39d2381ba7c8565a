"""The store: one SQLAlchemy URL selects SQLite (embedded default) or PostgreSQL.

- ``sqlite:///path.db`` (the default ``sqlite:///scop-ledger.db``) or ``postgresql://…``
  (run with psycopg 3).
- Event tables are append-only at the database level (guards.py).
- Read-only mode opens SQLite with ``mode=ro`` and PostgreSQL sessions with
  ``default_transaction_read_only``, so no write can reach the database even by mistake.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError

from scop_ledger.i18n import _
from scop_ledger.settings import (
    Settings,
    lock_timeout,
    pg_timeouts,
    quiet_driver_log,
    sqlite_uri,
)


class StoreError(Exception):
    """The store is unavailable, locked or read-only (exit 3)."""

    exit_code = 3


class StoreUnavailable(StoreError):
    pass


class ReadOnlyStore(StoreError):
    pass


def store_error(error: BaseException) -> StoreError:
    """The one-line store error (exit 3) for a database error met while writing: nothing
    was recorded (the write's transaction was rolled back)."""
    text = str(getattr(error, "orig", None) or error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    first = re.sub(r"^\([\w.]+\) ", "", first)  # SQLAlchemy's "(sqlite3.OperationalError) "
    lowered = first.lower()
    if "disk is full" in lowered or "no space left" in lowered:
        return StoreUnavailable(
            _("store full: {reason}; nothing was recorded").format(reason=first)
        )
    if "lock timeout" in lowered or "database is locked" in lowered:
        return StoreError(
            _(
                "store locked: another process held it for over {seconds} s ({reason}); "
                "nothing was recorded"
            ).format(seconds=f"{lock_timeout():g}", reason=first)
        )
    return StoreUnavailable(
        _("store unavailable: {reason}; nothing was recorded").format(reason=first)
    )


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` run on psycopg 3; other URLs pass unchanged."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for another back end or an in-memory database."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def open_engine(settings: Settings, *, must_exist: bool) -> Engine:
    """Create the engine for ``settings``; nothing connects until first use.

    ``must_exist``: a SQLite file that is not there is an unavailable store (a query never
    creates an empty ledger as a side effect)."""
    url = normalise_url(settings.url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailable(
            _("store URL {url} is not a valid SQLAlchemy URL").format(url=repr(settings.url))
        ) from None
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is not None and (must_exist or settings.read_only) and not path.exists():
            raise StoreUnavailable(
                _("no ledger at {path}: run 'scop-ledger init' first").format(path=path)
            )
        connect_args: dict[str, Any] = {"timeout": lock_timeout()}
        if settings.read_only and path is not None:
            url = f"sqlite:///{sqlite_uri(str(path), 'ro')}&uri=true"
        kwargs["connect_args"] = connect_args
        engine = create_engine(url, **kwargs)
        _sqlite_pragmas(engine)
        return engine
    if backend == "postgresql":
        quiet_driver_log()
        connect_args = {"connect_timeout": 5}
        given = parsed.query.get("options", "")
        given = given if isinstance(given, str) else " ".join(given)
        # A lock held elsewhere (a LOCK TABLE, the schema's advisory lock) ends the statement
        # after the lock timeout, as SQLite's busy timeout does: exit 3, never an endless
        # wait. No statement_timeout: a large import's one insert may rightly run for long.
        options = f"{given} {pg_timeouts()}"
        if settings.read_only:
            options += " -c default_transaction_read_only=on"
        connect_args["options"] = options.strip()
        kwargs["connect_args"] = connect_args
        kwargs["pool_pre_ping"] = False
        return create_engine(url, **kwargs)
    raise StoreUnavailable(
        _("unsupported store {scheme}: use sqlite:/// or postgresql://").format(
            scheme=repr(backend)
        )
    )


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(lock_timeout() * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()


@contextmanager
def sqlite_pragma(conn: Connection, name: str, value: int) -> Iterator[None]:
    """``PRAGMA name = value`` on this SQLite connection for the block, then the connection's
    own setting back, so that a pooled connection never keeps it. Nothing on another back end.
    (Bulk writes use it for a larger page cache, a rebuild to drop without zeroing pages.)"""
    if conn.dialect.name != "sqlite":
        yield
        return
    was = int(conn.exec_driver_sql(f"PRAGMA {name}").scalar_one())
    conn.exec_driver_sql(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA {name} = {was}")


# The key of the PostgreSQL advisory lock held while a process changes the schema.
SCHEMA_LOCK = 0x53434F50_4C454447  # "SCOPLEDG"


def pg_schema_lock(conn: Connection) -> None:
    """This transaction alone changes the schema until it ends (PostgreSQL): two processes
    creating or replacing the same object at once otherwise fail, the second with "tuple
    concurrently updated" or a duplicate key in the catalogue."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})


@contextmanager
def write_transaction(conn: Connection, *, schema_lock: bool = False) -> Iterator[None]:
    """One transaction on ``conn``, committed at the end, rolled back on an error. On SQLite
    it takes the write lock at its start (``BEGIN IMMEDIATE``): the Python driver would begin
    only at the first insert, leaving the DDL before it to commit a statement at a time. With
    ``schema_lock``, on PostgreSQL, this process alone changes the schema until it ends."""
    conn.commit()  # SQLAlchemy's own transaction, if one began: this one starts afresh
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        return
    with conn.begin():
        if schema_lock and conn.dialect.name == "postgresql":
            pg_schema_lock(conn)
        yield


@contextmanager
def schema_change(engine: Engine) -> Iterator[Connection]:
    """A transaction in which this process alone changes the schema, so that checking for a
    table and creating it are one step (see :func:`write_transaction`)."""
    with engine.connect() as conn, write_transaction(conn, schema_lock=True):
        yield conn
