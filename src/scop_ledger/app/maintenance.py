"""Keeping the view: rebuild it from the events."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scop_ledger.i18n import N_, _

if TYPE_CHECKING:
    from scop_ledger.app.session import Session


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild did: the events applied, the seconds it took, and the line naming the
    entries the view cannot hold (None when there are none)."""

    events: int
    seconds: float
    unviewable: str | None

    @property
    def rate(self) -> float:
        """Events applied per second."""
        return self.events / self.seconds if self.seconds else 0.0


def rebuild(session: Session, workers: int | None) -> Rebuilt:
    """Rebuild the view tables from the events, on ``workers`` processes (None: as suits the
    store, see :func:`scop_ledger.readmodel.rebuild.rebuild`), with the session's progress bar."""
    from scop_ledger.app.ledger import ensure_writable
    from scop_ledger.app.recording import unviewable_note
    from scop_ledger.readmodel.projector import Projector
    from scop_ledger.readmodel.rebuild import rebuild as rebuild_view

    ensure_writable(session.settings, N_("the view cannot be rebuilt"))
    ledger = session.ledger()
    projector = Projector(ledger)
    total = ledger.recorder.max_notification_id() or 0
    step = session.progress(_("rebuilding"))
    started = time.perf_counter()
    applied = rebuild_view(projector, None if step is None else lambda n: step(n, total), workers)
    seconds = time.perf_counter() - started
    return Rebuilt(applied, seconds, unviewable_note(session.settings))
