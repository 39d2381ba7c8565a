"""Recording one command, as every front end does it: refuse on a read-only store, write, catch
the view up in the write's transaction, and collect the warnings the user should read.

:func:`record` returns an :class:`Outcome`: what was recorded, and the warning lines (rules the
entry put into breach, a date far ahead, entries the view cannot show), as data that the front
end shows as it likes (the CLI prints them on stderr).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.engine import Connection

from scop_ledger.app import commands as cmd
from scop_ledger.app.ledger import Ledger, Recorded, ensure_writable
from scop_ledger.domain.values import far_ahead
from scop_ledger.settings import Settings


class LedgerSession(Protocol):
    """What :func:`record` needs of a front end's session: its settings, and its ledger
    opened on first use (``create``: make the store when there is none yet)."""

    @property
    def settings(self) -> Settings: ...

    def ledger(self, *, create: bool = False) -> Ledger: ...


@dataclass(frozen=True)
class Outcome:
    """What :func:`record` did: the entry ``recorded``, and ``warnings``, one line each."""

    recorded: Recorded
    warnings: tuple[str, ...]


def record(session: LedgerSession, command: cmd.Command) -> Outcome:
    """Record ``command``; raise a :class:`LedgerError` (or a store error) and write nothing
    when it is refused. ``init`` creates the store if needed."""
    ensure_writable(session.settings)
    ledger = session.ledger(create=isinstance(command, cmd.Init))
    warnings: list[str] = []
    if not isinstance(command, cmd.Init):
        ledger.before_commit = breaches_into(warnings, ledger)
    try:
        recorded = ledger.execute(command)
    finally:
        ledger.before_commit = None
    ahead = far_ahead(command.on)
    if ahead is not None:
        warnings.append(ahead)
    note = unviewable_note(session.settings)
    if note:
        warnings.append(note)
    return Outcome(recorded, tuple(warnings))


def breaches_into(warnings: list[str], ledger: Ledger) -> Callable[[int, int, Connection], None]:
    """A ``before_commit`` hook for the ledger: the warnings for each rule the write's
    entries put into breach as of their date (reality happened, so they stay recorded), read
    from the view in the write's own transaction, into ``warnings``. Computing them can fail
    only before the commit: a command that fails has recorded nothing."""
    from scop_ledger.readmodel.compliance import new_breaches
    from scop_ledger.store.db import DB

    def check(first: int, last: int, conn: Connection) -> None:
        raw: Any = conn.connection.dbapi_connection
        db = DB(raw, conn.dialect.name)
        slug = ledger.resolve_coop(ledger.settings.coop)
        warnings.extend(new_breaches(ledger, db, slug, first, last))

    return check


def unviewable_note(settings: Settings) -> str | None:
    """The one line naming the entries the view cannot hold, or None when there are none."""
    from scop_ledger.readmodel import access
    from scop_ledger.store.db import connect

    db = connect(settings.url)
    try:
        return access.unviewable_note(db)
    finally:
        db.close()
