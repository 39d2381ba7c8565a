"""Where a rebuild's workers write their share of the view (readmodel/parallel.py): a scratch
SQLite file each, beside a SQLite ledger, or a scratch schema each, of unlogged tables, in a
PostgreSQL ledger's database. Both are thrown away after the merge, or on any failure; what a
killed rebuild left is removed by the next one.

A scratch file is named after the rebuilding process (``.scop-ledger-rebuild-<pid>-…``), a
scratch schema after the server process of the rebuilding connection
(``scop_rebuild_<backend pid>_<worker>``): a scratch whose owner is gone is stale.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from scop_ledger.readmodel import schema as t
from scop_ledger.settings import Settings
from scop_ledger.store.engine import open_engine, sqlite_path

SCRATCH_PREFIX = ".scop-ledger-rebuild-"
SCHEMA_PREFIX = "scop_rebuild_"
# The tables a worker writes nearly all its rows to: unlogged on PostgreSQL (no write-ahead
# log for rows thrown away after the merge).
_UNLOGGED = ("rm_entries", "rm_states", "rm_refunds", "rm_members", "rm_coops")


@contextmanager
def scratch_space(url: str, conn: Connection, workers: int) -> Iterator[list[str]]:
    """Where each of ``workers`` workers writes (a file path, or a schema name), made for the
    block and removed after it whatever happens; stale ones of killed rebuilds removed first."""
    path = sqlite_path(url)
    if path is not None:
        # The scratch files beside the ledger: where there is room for a copy of its view.
        clean_files(path.parent)
        folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=path.parent))
        try:
            yield [str(folder / f"view-{i}.db") for i in range(workers)]
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    conn.commit()
    with conn.begin():
        clean_schemas(conn)
        pid = int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
        names = [f"{SCHEMA_PREFIX}{pid}_{i}" for i in range(workers)]
        for name in names:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    try:
        yield names
    finally:
        conn.rollback()
        # A worker killed on a failure may hold its tables a moment longer: what cannot be
        # dropped now is stale for the next rebuild, and the failure stays the one raised.
        with suppress(SQLAlchemyError), conn.begin():
            for name in names:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def may_create_schemas(engine: Engine) -> bool:
    """Whether the role may create the workers' scratch schemas (PostgreSQL): a role that may
    not is rebuilt in one process."""
    with engine.connect() as conn:
        query = "SELECT has_database_privilege(current_database(), 'CREATE')"
        return bool(conn.exec_driver_sql(query).scalar())


def scratch_engine(url: str, target: str) -> Engine:
    """A worker's engine on its scratch ``target`` (see :func:`scratch_space`), its view
    tables made there, without the indexes the caller drops."""
    if sqlite_path(url) is not None:
        engine = _file_engine(target)
        t.create_view_tables(engine)
        return engine
    engine = open_engine(Settings(url=url, user="rebuild"), must_exist=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET search_path TO {target}")
            # Nothing waits for the disk at a commit: the scratch is thrown away on failure.
            cursor.execute("SET synchronous_commit TO off")
        dbapi_connection.commit()

    t.create_view_tables(engine)
    with engine.begin() as conn:
        for table in _UNLOGGED:
            conn.exec_driver_sql(f"ALTER TABLE {table} SET UNLOGGED")
    return engine


def _file_engine(path: str) -> Engine:
    """A scratch file thrown away after the merge (or on any failure): no rollback journal,
    no waiting for the disk at each commit, no file locking between transactions."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA journal_mode = OFF")
        dbapi_connection.execute("PRAGMA synchronous = OFF")
        dbapi_connection.execute("PRAGMA locking_mode = EXCLUSIVE")

    return engine


def clean_files(folder: Path) -> None:
    """Remove the scratch folders of rebuilds whose process is gone (killed before its
    ``finally``): their names carry the process id."""
    for found in folder.glob(f"{SCRATCH_PREFIX}*"):
        pid_text = found.name[len(SCRATCH_PREFIX) :].split("-", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and _alive(int(pid_text)):
            continue
        shutil.rmtree(found, ignore_errors=True)


def clean_schemas(conn: Connection) -> None:
    """Drop the scratch schemas of rebuilds whose server process is gone, in the caller's
    transaction (PostgreSQL)."""
    stale = conn.exec_driver_sql(
        "SELECT nspname FROM (SELECT nspname, CASE WHEN nspname ~ %(pattern)s "
        "THEN split_part(substr(nspname, %(start)s), '_', 1)::int END AS owner "
        "FROM pg_namespace) AS s WHERE owner IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM pg_stat_activity AS a WHERE a.pid = s.owner)",
        {"pattern": f"^{SCHEMA_PREFIX}[0-9]{{1,9}}_[0-9]+$", "start": len(SCHEMA_PREFIX) + 1},
    ).scalars()
    for name in list(stale):
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    return True
