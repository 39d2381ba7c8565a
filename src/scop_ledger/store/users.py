"""The people who may log in to the browser to write (``scop-ledger users add``): a name and a
password hash (argon2, made by ``app.users``), in a table of their own beside the events. The
events never hold them: the history, the export and the hash chain know nothing of logins."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, MetaData, String, Table, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from scop_ledger.store.engine import schema_change

metadata = MetaData()
USERS = Table(
    "scop_ledger_users",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("password_hash", String(500), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


class UserExists(Exception):
    """A user of that name is already in the store."""


def add_user(engine: Engine, name: str, password_hash: str) -> None:
    """Store ``name`` with its hash (the table made on first use); :class:`UserExists` when
    the name is taken."""
    with schema_change(engine) as conn:
        if not inspect(conn).has_table(USERS.name):
            metadata.create_all(conn)
        try:
            conn.execute(
                USERS.insert().values(
                    name=name, password_hash=password_hash, created_at=datetime.now(UTC)
                )
            )
        except IntegrityError:
            raise UserExists(name) from None


def password_hash(engine: Engine, name: str) -> str | None:
    """The stored hash of ``name``, or None (no such user, or no user at all yet)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(USERS.name):
            return None
        found = conn.execute(select(USERS.c.password_hash).where(USERS.c.name == name))
        value = found.scalar_one_or_none()
        return None if value is None else str(value)
