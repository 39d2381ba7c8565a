"""The sweeps of the rules kept after a write (:mod:`scop_ledger.readmodel.sweeps`), so that
the next question as known now finds one: at the end of ``import`` (after its commit) and in
the web server after each write (in the background, after the answer). A single write of the
CLI keeps none: the next question that needs the sweep computes and keeps it (a sweep over a
long history takes about as long as the question, and most writes are followed by other
writes, not by that question)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scop_ledger.app.session import Session


def keep_sweeps(session: Session, slugs: Sequence[str] | None = None) -> None:
    """Sweep the rules of ``slugs`` (default: the session's cooperative, else every one) as
    known now and keep the sweeps whose kept one no longer holds. A read-only store, or a
    view that cannot answer, keeps nothing; a failure keeps nothing and is not raised (the
    writes are already recorded; the next question sweeps afresh)."""
    from scop_ledger.app.queries import Query
    from scop_ledger.readmodel.snapshot import NoCooperative
    from scop_ledger.readmodel.sources import ViewReader

    if session.settings.read_only:
        return
    try:
        with Query(session, None, None, one_coop=False) as q:
            reader = q.reader
            if not isinstance(reader, ViewReader):
                return
            chosen = session.settings.coop
            for slug in slugs or ([chosen] if chosen else q.slugs()):
                try:
                    reader.sweep(slug, None, q.known_at, only_keep=True)
                except NoCooperative:
                    continue
    except Exception:  # keeping is an optimisation: nothing is lost without it
        return
