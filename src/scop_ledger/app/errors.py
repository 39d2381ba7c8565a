"""What an error means for the user: its exit code and one-line message (docs/CONTRACT.md).

Every front end asks :func:`classify`; it consults only the modules already loaded, so that
an error on the light query path does not import SQLAlchemy.
"""

from __future__ import annotations

import sys

from scop_ledger.i18n import _


def classify(error: BaseException) -> tuple[int, str] | None:
    """The exit code and one-line message for an error a user may meet, or None for a bug."""
    from scop_ledger.domain.errors import LedgerError
    from scop_ledger.store.db import Unavailable

    if isinstance(error, LedgerError):
        return error.exit_code, error.message
    if isinstance(error, UnicodeEncodeError) and error.reason == "surrogates not allowed":
        # Undecodable bytes in an argument, a variable or a file name (Python keeps them as
        # lone surrogates): the text fields refuse them; this catches any other place.
        return 2, _("an argument or file name is not valid UTF-8 text")
    if isinstance(error, Unavailable):
        return error.exit_code, str(error)
    if isinstance(error, OSError) and error.filename is not None:
        # A file named on the command line (--out, an anchors file) that cannot be written
        # or read: its name, shortened, and the system's reason.
        from scop_ledger.domain.values import show

        reason = error.strerror or type(error).__name__
        return 2, _("{file}: {reason}").format(file=show(str(error.filename), 80), reason=reason)
    store = sys.modules.get("scop_ledger.store.engine")
    if store is not None and isinstance(error, store.StoreError):
        return error.exit_code, str(error)
    database_errors: list[type[BaseException]] = []
    for module, name in (
        ("sqlalchemy.exc", "SQLAlchemyError"),
        ("eventsourcing.persistence", "PersistenceError"),
        ("psycopg", "Error"),
        ("sqlite3", "Error"),
    ):
        loaded = sys.modules.get(module)
        if loaded is not None:
            database_errors.append(getattr(loaded, name))
    if isinstance(error, tuple(database_errors)):
        text = first_line(error)
        if "does not exist" in text or "no such table" in text:
            return 3, _(
                "store unavailable: this store holds no ledger yet (run 'scop-ledger init')"
            )
        if "locked" in text or "lock timeout" in text:
            return 3, _("store locked: {reason}").format(reason=text)
        return 3, _("store unavailable: {reason}").format(reason=text)
    return None


def first_line(error: BaseException) -> str:
    """The error's message, its first line only (its type's name when it has none)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
