"""How to reach the store and who records: light on purpose (no SQLAlchemy), so that the query
path starts fast."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_URL = "sqlite:///scop-ledger.db"
# The stored events' table: eventsourcing names it after the application ("ledger").
EVENTS_TABLE = "ledger_events"


@dataclass(frozen=True)
class Settings:
    """How to reach the store and who records."""

    url: str = DEFAULT_URL
    coop: str | None = None
    user: str = "unknown"
    read_only: bool = False


def chosen_coop(asked: str | None, slugs: Callable[[], list[str]]) -> str:
    """The cooperative a command means: the one ``--coop`` names (``asked``), else the only one
    of the store's ``slugs()``."""
    if asked is not None:
        return asked
    from scop_ledger.domain.errors import InvalidValue, NotFound
    from scop_ledger.i18n import _

    found = slugs()
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(_("this store holds no cooperative yet: run 'scop-ledger init' first"))
    raise InvalidValue(
        _("this store holds {count} cooperatives ({slugs}): pass --coop").format(
            count=len(found), slugs=", ".join(found)
        )
    )


def default_user() -> str:
    """The OS login name, for ``recorded_by``."""
    for var in ("SCOP_LEDGER_USER", "USER", "LOGNAME", "USERNAME"):
        value = os.environ.get(var)
        if value:
            return value
    try:
        import getpass

        return getpass.getuser()
    except (OSError, KeyError):  # pragma: no cover - no passwd entry
        return "unknown"


# How long a command waits for a lock another process holds before it gives up (exit 3), in
# seconds, on both back ends: SQLite's busy timeout; PostgreSQL's lock_timeout, which also
# bounds the wait for the schema's advisory lock. SCOP_LEDGER_LOCK_TIMEOUT overrides it.
LOCK_TIMEOUT = 30.0
LOCK_TIMEOUT_ENV = "SCOP_LEDGER_LOCK_TIMEOUT"


def lock_timeout() -> float:
    """:data:`LOCK_TIMEOUT`, or the seconds ``SCOP_LEDGER_LOCK_TIMEOUT`` gives (a bad value
    is ignored: the default stands)."""
    given = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    try:
        seconds = float(given) if given else LOCK_TIMEOUT
    except ValueError:
        return LOCK_TIMEOUT
    return seconds if 0 < seconds <= 86400 else LOCK_TIMEOUT


def pg_timeouts() -> str:
    """PostgreSQL's session options for :func:`lock_timeout`: its ``lock_timeout``, and an
    ``idle_in_transaction_session_timeout`` ten times as long (a process stopped in the middle
    of a transaction frees its locks)."""
    ms = int(lock_timeout() * 1000)
    return f"-c lock_timeout={ms} -c idle_in_transaction_session_timeout={ms * 10}"


def sqlite_uri(path: str, mode: str) -> str:
    """The ``file:`` URI of the SQLite file at ``path`` opened in ``mode`` (``ro``, ``rw``):
    the path percent-escaped, so that a ``#``, ``?`` or ``%`` in it names the file rather than
    starting the URI's fragment or query (``co#op.db`` opened ``co``)."""
    from pathlib import Path
    from urllib.parse import quote

    return f"file:{quote(str(Path(path).resolve()))}?mode={mode}"


def quiet_driver_log() -> None:
    """psycopg logs, on stderr when nothing else handles it, that it ignored an error while
    discarding a pipeline a failed statement aborted (the error itself is raised and reported
    in one line): a handler of its own keeps that noise off the user's screen."""
    logger = logging.getLogger("psycopg")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
