"""Getting a level view for a query: catch it up first (the pull loop), or, in read-only mode
when it lags behind the events, answer from the events themselves (the oracle)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from scop_ledger.i18n import _, ngettext
from scop_ledger.readmodel.version import TRACKING_NAME, VIEW_SCHEMA_VERSION
from scop_ledger.settings import EVENTS_TABLE
from scop_ledger.store.db import DB, Unavailable, connect

if TYPE_CHECKING:
    from scop_ledger.settings import Settings
    from scop_ledger.store.eventstore import EventStore

EVENTS = EVENTS_TABLE


def view_lag(db: DB) -> int | None:
    """Notifications the view has not applied, or None when the view tables are missing."""
    if not db.has_table(EVENTS):
        raise Unavailable(
            _("store unavailable: this store holds no ledger yet (run 'scop-ledger init')")
        )
    head = int(db.scalar(f"SELECT COALESCE(MAX(id), 0) FROM {EVENTS}") or 0)
    if not db.has_table("rm_tracking"):
        return None
    found = db.rows(
        f"SELECT position, schema_version FROM rm_tracking WHERE name = '{TRACKING_NAME}'"
    )
    if not found or found[0][1] != VIEW_SCHEMA_VERSION:
        return None
    return max(0, head - int(found[0][0]))


def open_view(
    settings: Settings,
    ledger: Callable[[], EventStore],
    progress: Callable[[int, int], None] | None = None,
) -> DB | None:
    """A connection on a view that is level with the events, or None when the store is
    read-only and its view lags (the caller then answers from the events)."""
    db = connect(settings.url, read_only=True, recover=not settings.read_only)
    lag = view_lag(db)
    if lag == 0:
        return db
    if settings.read_only:
        db.close()
        return None
    catch_up(ledger(), progress)
    return db


def catch_up(ledger: EventStore, progress: Callable[[int, int], None] | None = None) -> int:
    """Make the view if needed, and apply what it has not applied yet; the number applied."""
    from scop_ledger.readmodel.projector import Projector
    from scop_ledger.readmodel.rebuild import ensure_view

    projector = Projector(ledger)
    ensure_view(projector)
    if progress is None:
        return projector.catch_up()
    total = projector.lag()
    return projector.catch_up(lambda n: progress(n, total))


def unviewable_note(db: DB) -> str | None:
    """One line naming the entries the view set aside because it cannot hold them (see
    projector.VIEW_ERRORS), the first by its id, or None when there are none."""
    if not db.has_table("rm_unviewable"):
        return None
    rows = db.rows("SELECT seq, label, reason FROM rm_unviewable ORDER BY seq LIMIT 1")
    if not rows:
        return None
    seq, label, reason = rows[0]
    more = int(db.scalar("SELECT COUNT(*) FROM rm_unviewable") or 1) - 1
    if not more:
        return _(
            "warning: entry {seq} ({label}) cannot be shown: {reason}; "
            "reverse it (scop-ledger reverse {seq} --reason ...)"
        ).format(seq=seq, label=label, reason=_(reason))
    return ngettext(
        "warning: entry {seq} ({label}) cannot be shown: {reason}; "
        "reverse it (scop-ledger reverse {seq} --reason ...) (and {count} more entry alike)",
        "warning: entry {seq} ({label}) cannot be shown: {reason}; "
        "reverse it (scop-ledger reverse {seq} --reason ...) (and {count} more entries alike)",
        more,
    ).format(seq=seq, label=label, reason=_(reason), count=more)
