"""Inserting many view rows at once: one ``executemany`` on SQLite, a ``COPY`` on PostgreSQL
(psycopg's ``executemany`` spent more time in Python per row than the fold of the entry that
made it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from scop_ledger.readmodel import schema as t


def insert_rows(
    conn: Connection, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (values in ``columns`` order) into ``table``, in the caller's
    transaction. A value the store refuses raises SQLAlchemy's error for it (a
    ``DataError`` for a number out of range or a NUL character), as an insert would."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(t.insert_sql(table, columns, "?"), rows)
        return
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    dbapi: Any = conn.connection.dbapi_connection  # psycopg's: its cursor has copy()
    try:
        with dbapi.cursor() as cursor, cursor.copy(statement) as copy:
            write = copy.write_row
            for row in rows:
                write(row)
    except conn.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(
            statement, None, error, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
        ) from error
