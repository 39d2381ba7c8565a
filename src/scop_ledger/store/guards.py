"""The append-only guards: triggers that refuse ``UPDATE`` and ``DELETE`` (and ``TRUNCATE`` on
PostgreSQL) on the events table, whoever connects."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from scop_ledger.settings import EVENTS_TABLE
from scop_ledger.store.engine import pg_schema_lock


def install_append_only_guards(engine: Engine, table: str = EVENTS_TABLE) -> None:
    """Refuse UPDATE and DELETE (and TRUNCATE) on ``table`` at the database level, and on
    SQLite an insert that would replace a stored row (``INSERT OR REPLACE``, ``REPLACE``: the
    replaced row is deleted without firing the DELETE trigger). On PostgreSQL, a login that
    does not own the table (the least-privilege set-up of docs/store.md) finds the guards its
    owner installed and leaves them as they are."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            # CREATE … IF NOT EXISTS checks and creates in one statement, under the write lock.
            for op in ("UPDATE", "DELETE"):
                conn.execute(
                    text(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} "
                        f"BEFORE {op} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                    )
                )
            # An appended row has a new id and a new (record, version): two index look-ups.
            conn.execute(
                text(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table} "
                    f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
                    f"OR EXISTS (SELECT 1 FROM {table} WHERE originator_id = NEW.originator_id "
                    f"AND originator_version = NEW.originator_version) "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: a stored row cannot "
                    f"be replaced'); END"
                )
            )
        elif engine.dialect.name == "postgresql":
            if not _pg_owns(conn, table):
                return
            pg_schema_lock(conn)
            conn.execute(
                text(
                    "CREATE OR REPLACE FUNCTION scop_ledger_append_only() RETURNS trigger "
                    "AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ "
                    "LANGUAGE plpgsql"
                )
            )
            for name, spec in (
                (f"{table}_no_update_delete", "BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW"),
                (f"{table}_no_truncate", "BEFORE TRUNCATE ON {t} FOR EACH STATEMENT"),
            ):
                exists = conn.execute(
                    text(
                        "SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                        "WHERE t.tgname = :name AND c.oid = to_regclass(:table)"
                    ),
                    {"name": name, "table": table},
                ).first()
                if not exists:
                    conn.execute(
                        text(
                            f"CREATE TRIGGER {name} {spec.format(t=table)} "
                            "EXECUTE FUNCTION scop_ledger_append_only()"
                        )
                    )


def _pg_owns(conn: Connection, table: str) -> bool:
    """Whether this login may install the guards on ``table``: it owns it (or is a
    superuser). A least-privilege login finds them installed by the owner."""
    found = conn.execute(
        text(
            "SELECT pg_has_role(current_user, c.relowner, 'USAGE') "
            "FROM pg_class c WHERE c.oid = to_regclass(:table)"
        ),
        {"table": table},
    ).scalar()
    return found is None or bool(found)
