"""The end of a rebuild on several processes (readmodel/parallel.py): the view replaced with the
workers' rows, in one transaction, copied without Python: by SQLite between attached files, by
PostgreSQL from the workers' scratch schemas (readmodel/scratch.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import Connection, MetaData, Table, insert
from sqlalchemy.schema import CreateTable

from scop_ledger.readmodel import schema as t
from scop_ledger.readmodel.version import TRACKING_NAME, VIEW_SCHEMA_VERSION
from scop_ledger.store.engine import write_transaction


def _columns(names: Iterable[str]) -> str:
    return ", ".join(names)


# The tables nearly all the view's pages are in. The merge fills them under another name
# before it drops the old ones: rows written into pages the same transaction freed must first
# be copied to the rollback journal, which grows with the view.
BIG = (t.entries, t.states, t.refunds)


def _shadow(table: Table) -> Table:
    """``table``'s columns and primary key under the name the merge fills it by."""
    return table.to_metadata(MetaData(), name=f"{table.name}__new")


def merge(conn: Connection, targets: Sequence[str], head: int) -> None:
    """Replace the view with the rows the workers wrote to ``targets`` (scratch files or
    schemas), at position ``head``, in one transaction (see :func:`merge_files`)."""
    if conn.dialect.name == "sqlite":
        merge_files(conn, [Path(target) for target in targets], head)
    else:
        merge_schemas(conn, targets, head)


def _statements(names: Sequence[str]) -> tuple[list[str], list[str]]:
    """The inserts that copy the rows of the workers' tables (qualified by ``names``): those of
    the big tables into their ``__new`` shadows, then those of the small ones."""

    def union(table: str, columns: Sequence[str], members_only: str = "") -> str:
        cols = _columns(columns)
        return " UNION ALL ".join(
            f"SELECT {cols} FROM {name}.{table}" + (members_only if i else "")
            for i, name in enumerate(names)
        )

    entries = _columns(t.ENTRY_COLUMNS)
    states = _columns(t.STATE_COLUMNS)
    refunds = _columns(t.REFUND_COLUMNS)
    coops = _columns(c.name for c in t.coops.columns)
    # Each worker's rows as they come: sorting them by seq (as a sequential rebuild
    # writes them) is more work and changes no answer.
    big = [
        f"INSERT INTO rm_entries__new ({entries}) "
        f"{union('rm_entries', t.ENTRY_COLUMNS, ' WHERE mid IS NOT NULL')}",
        f"INSERT INTO rm_states__new ({states}) {union('rm_states', t.STATE_COLUMNS)}",
        f"INSERT INTO rm_refunds__new ({refunds}) {union('rm_refunds', t.REFUND_COLUMNS)}",
    ]
    small = [
        f"INSERT INTO rm_coops ({coops}) SELECT {coops} FROM {names[0]}.rm_coops",
        f"INSERT INTO rm_members ({_columns(t.MEMBER_COLUMNS)}) "
        f"{union('rm_members', t.MEMBER_COLUMNS)} ORDER BY mid",
    ]
    return big, small


def merge_schemas(conn: Connection, schemas: Sequence[str], head: int) -> None:
    """:func:`merge` on PostgreSQL: the view tables dropped and made anew, without the indexes
    the caller builds, and filled from the workers' ``schemas``, in one transaction that takes
    the schema lock (other processes read the old view until it commits)."""
    big, small = _statements(schemas)
    with write_transaction(conn, schema_lock=True):
        t.drop_view_tables(conn)
        for table in BIG:
            conn.execute(CreateTable(_shadow(table)))
        for statement in big:
            conn.exec_driver_sql(statement)
        for table in BIG:
            conn.exec_driver_sql(f"ALTER TABLE {table.name}__new RENAME TO {table.name}")
        t.create_view_tables(conn)  # the small tables, with their indexes
        for statement in small:
            conn.exec_driver_sql(statement)
        conn.execute(
            insert(t.tracking).values(
                name=TRACKING_NAME, position=head, schema_version=VIEW_SCHEMA_VERSION
            )
        )


def merge_files(conn: Connection, files: Sequence[Path], head: int) -> None:
    """Replace the view with the workers' rows at position ``head``, in one transaction that
    takes the write lock first: until it commits, other processes read the old view and
    catch it up as usual (their pages are applied again after the merge, from ``head`` on).
    The cooperative's rows, which every worker wrote, come from the first worker."""
    names = [f"w{i}" for i in range(len(files))]
    conn.commit()  # SQLite attaches a file outside a transaction only
    for name, file in zip(names, files, strict=True):
        conn.exec_driver_sql(f"ATTACH DATABASE ? AS {name}", (str(file),))
    try:
        big, small = _statements(names)
        with write_transaction(conn):
            for table in BIG:
                shadow = _shadow(table)
                shadow.drop(conn, checkfirst=True)
                conn.execute(CreateTable(shadow))
            for statement in big:
                conn.exec_driver_sql(statement)
            t.drop_view_tables(conn)
            for table in BIG:
                conn.exec_driver_sql(f"ALTER TABLE {table.name}__new RENAME TO {table.name}")
            # The other tables, with their indexes (those of the tables above exist now, and
            # are left to the caller).
            t.create_view_tables(conn)
            for statement in small:
                conn.exec_driver_sql(statement)
            conn.execute(
                insert(t.tracking).values(
                    name=TRACKING_NAME, position=head, schema_version=VIEW_SCHEMA_VERSION
                )
            )
    finally:
        conn.commit()
        for name in names:
            conn.exec_driver_sql(f"DETACH DATABASE {name}")
        conn.commit()
