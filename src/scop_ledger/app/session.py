"""A front end's session with one store: the settings, and the ledger opened on first use. The
CLI makes one per invocation; the queries (:mod:`scop_ledger.app.queries`) and the writes run
on it. Light on purpose: the ledger (SQLAlchemy, eventsourcing) is imported only when opened."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scop_ledger.app.ledger import Ledger
    from scop_ledger.settings import Settings


Note = Callable[[str], None]
# A progress bar for a label: a step function (done, total), or None for no bar.
Progress = Callable[[str], Callable[[int, int], None] | None]


def _quiet(line: str) -> None:
    """Notes nobody reads (a session made without a front end: tests, scripts)."""


def _no_bar(label: str) -> None:
    return None


class Session:
    """The settings, the ledger opened on first use (closed by :meth:`close`), and how the
    front end shows what the application tells on the way: ``note`` takes one line for the
    user (a warning, where an answer comes from), ``progress`` makes a progress bar."""

    def __init__(
        self, settings: Settings, *, note: Note = _quiet, progress: Progress = _no_bar
    ) -> None:
        self.settings = settings
        self.note = note
        self.progress = progress
        self._ledger: Ledger | None = None

    def ledger(self, *, create: bool = False) -> Ledger:
        if self._ledger is None:
            from scop_ledger.app.ledger import Ledger

            self._ledger = Ledger(self.settings, create=create)
        return self._ledger

    def coop(self) -> str:
        """The cooperative the session is about, from the events (see
        :func:`scop_ledger.settings.chosen_coop`)."""
        return self.ledger().resolve_coop(self.settings.coop)

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
