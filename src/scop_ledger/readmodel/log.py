"""Reading the notification log for the view: a page of stored events, and the versions the page
continues."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Connection

from scop_ledger.settings import EVENTS_TABLE as EVENTS
from scop_ledger.store.eventstore import as_uuid


def read_page(
    conn: Connection,
    start: int,
    limit: int,
    head: int | None = None,
    among: tuple[str, Sequence[Any]] | None = None,
) -> list[tuple[Any, ...]]:
    """The notifications after ``start`` (up to ``head`` if given), at most ``limit``, as
    (id, originator_id, originator_version, topic, state) tuples, read on the page's own
    connection (one consistent view). ``among``: only the rows that meet a condition (SQL
    with the driver's parameter marks, and its parameters), such as a rebuild's worker's
    share of the records (readmodel/parallel.py)."""
    until = "" if head is None else f"AND id <= {int(head)} "
    condition, parameters = among if among is not None else ("", ())
    if condition:
        condition = f"AND {condition} "
    # The driver's own cursor, in the connection's transaction: its rows are tuples
    # already (SQLAlchemy's rows, made and then copied, nearly double the fetch's cost).
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        query = (
            f"SELECT id, originator_id, originator_version, topic, state FROM {EVENTS} "
            f"WHERE id > {int(start)} {until}{condition}ORDER BY id LIMIT {int(limit)}"
        )
        if parameters:
            cursor.execute(query, tuple(parameters))
        else:
            cursor.execute(query)
        return cast("list[tuple[Any, ...]]", cursor.fetchall())
    finally:
        cursor.close()


def first_entries(conn: Connection, head: int) -> list[tuple[Any, str]]:
    """The first entry of each record up to notification ``head``, in the log's order: its
    (originator_id, topic), the id as the driver gives it (SQLite: its 16 bytes)."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(
            f"SELECT originator_id, topic FROM {EVENTS} "
            f"WHERE originator_version = 1 AND id <= {int(head)} ORDER BY id"
        )
        return cast("list[tuple[Any, str]]", cursor.fetchall())
    finally:
        cursor.close()


def load_versions(
    conn: Connection, notifications: Sequence[tuple[Any, ...]], versions: dict[Any, int]
) -> None:
    """Add to ``versions`` the last stored version before this page of each aggregate the page
    continues that it does not hold yet (one query a page; a rebuild meets each at version 1)."""
    unknown = list({n[1] for n in notifications if n[2] > 1 and n[1] not in versions})
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
        found = {as_uuid(oid): int(version) for oid, version in rows}
        for oid in chunk:
            versions[oid] = found.get(as_uuid(oid), 0)
