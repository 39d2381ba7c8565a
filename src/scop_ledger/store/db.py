"""A light DB-API connection for the query path: the standard library's sqlite3, or psycopg.

Importing SQLAlchemy is slow; a point-in-time question should not pay for it.
SQL here is written with ``:name`` parameters and converted for psycopg.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from scop_ledger.i18n import _
from scop_ledger.settings import lock_timeout, pg_timeouts, quiet_driver_log, sqlite_uri

_NAMED = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")


class Unavailable(Exception):
    """The store cannot be opened for reading (exit 3)."""

    exit_code = 3


class DB:
    """One connection; ``rows`` runs a query with ``:name`` parameters."""

    def __init__(self, connection: Any, dialect: str) -> None:
        self.connection = connection
        self.dialect = dialect

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        params = dict(params or {})
        if self.dialect == "postgresql":
            sql = _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
        else:
            params = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        except Exception as error:
            if self.dialect == "sqlite" and "readonly database" in str(error):
                raise Unavailable(
                    _(
                        "store unavailable: a write was interrupted (a journal file lies beside "
                        "the store); open it once without --read-only so SQLite rolls it back"
                    )
                ) from None
            raise
        finally:
            cursor.close()

    def write(self, sql: str, many: list[dict[str, Any]]) -> None:
        """Run a statement that returns nothing once per parameter set, and commit (on a
        connection opened with ``read_only=False``)."""
        if self.dialect == "postgresql":
            sql = _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
        cursor = self.connection.cursor()
        try:
            if many:
                cursor.executemany(sql, many)
            else:
                cursor.execute(sql)
        finally:
            cursor.close()
        self.connection.commit()

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def has_table(self, name: str) -> bool:
        if self.dialect == "postgresql":
            return bool(self.scalar("SELECT to_regclass(:name) IS NOT NULL", {"name": name}))
        return bool(
            self.scalar(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name", {"name": name}
            )
        )

    def close(self) -> None:
        self.connection.close()


def connect(url: str, *, read_only: bool = True, recover: bool = True) -> DB:
    """Open ``url`` (``sqlite:///…`` or ``postgresql[+psycopg]://…``) for reading.

    A writer killed mid-transaction leaves SQLite a hot journal that only a writable connection
    can roll back; with ``recover`` (not the user's ``--read-only``), a SQLite file with a
    journal beside it is opened writable, so the first read rolls the interrupted write back."""
    scheme = url.split(":", 1)[0]
    if scheme.startswith("sqlite"):
        import sqlite3

        path = url.split(":///", 1)[1] if ":///" in url else ""
        path = path.split("?", 1)[0]
        if not path or path == ":memory:":
            raise Unavailable(_("an in-memory SQLite store cannot be read from another process"))
        if not Path(path).exists():
            raise Unavailable(
                _("no ledger at {path}: run 'scop-ledger init' first").format(path=path)
            )
        journal = Path(f"{path}-journal")
        mode = "ro" if read_only and not (recover and journal.exists()) else "rw"
        try:
            lite = sqlite3.connect(sqlite_uri(path, mode), uri=True, timeout=lock_timeout())
        except sqlite3.Error as error:
            raise Unavailable(_("store unavailable: {reason}").format(reason=error)) from None
        return DB(lite, "sqlite")
    if scheme.startswith(("postgresql", "postgres")):
        import psycopg

        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        query["options"] = f"{query.get('options', '')} {pg_timeouts()}".strip()
        if read_only:
            query["options"] = (
                f"{query.get('options', '')} -c default_transaction_read_only=on".strip()
            )
        conninfo = urlunsplit(
            ("postgresql", parts.netloc, parts.path, urlencode(query, quote_via=quote), "")
        )
        quiet_driver_log()
        try:
            conn = psycopg.connect(conninfo, connect_timeout=5, autocommit=True)
        except psycopg.Error as error:
            text = (
                str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            )
            raise Unavailable(_("store unavailable: {reason}").format(reason=text)) from None
        return DB(conn, "postgresql")
    raise Unavailable(
        _("unsupported store {scheme}: use sqlite:/// or postgresql://").format(scheme=repr(scheme))
    )


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
