"""Where a read's answers come from: one interface, :class:`Reader`, and its two
implementations. :class:`ViewReader` reads the view tables (level with the events: fast);
:class:`EventReader` folds the stored events with the domain's own functions (the oracle, and
the answer when a read-only store's view lags behind). Both give the same answers
(tests/readmodel/test_view.py); the application picks one (``app.queries.Query``).

Modules here are imported on the light query path (``capital``): the heavier ones (history,
register, compliance, the event store) only inside the methods that need them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from scop_ledger import i18n
from scop_ledger.i18n import _
from scop_ledger.readmodel import snapshot as snap
from scop_ledger.readmodel.times import micros
from scop_ledger.settings import EVENTS_TABLE

if TYPE_CHECKING:
    from scop_ledger.domain.cooperative_fold import CoopState
    from scop_ledger.domain.rules import Params
    from scop_ledger.domain.rules.facts import Facts
    from scop_ledger.domain.rules.sweep import Run
    from scop_ledger.readmodel.between import Between
    from scop_ledger.readmodel.history import HistoryEntry
    from scop_ledger.readmodel.paging import RegisterPage
    from scop_ledger.readmodel.queries import Admission, Refunds
    from scop_ledger.readmodel.register import Register
    from scop_ledger.readmodel.snapshot import CoopInfo, Snapshot
    from scop_ledger.readmodel.sweeps import Sweep
    from scop_ledger.store.db import DB
    from scop_ledger.store.eventstore import EventStore


class Reader(ABC):
    """The questions a read asks of one store, each about one cooperative (``slug``) as of a
    date and as known at a moment."""

    @abstractmethod
    def slugs(self) -> list[str]:
        """Every cooperative in the store, in registration order."""

    @abstractmethod
    def coop(self, slug: str, known_at: datetime) -> CoopInfo:
        """The cooperative's statutes as known at ``known_at`` (NoCooperative if unknown)."""

    @abstractmethod
    def snapshot(
        self,
        slug: str,
        as_of: date,
        known_at: datetime,
        *,
        only: str = "all",
        person: str | None = None,
    ) -> Snapshot:
        """Every member's state (``person``'s only, when given); ``only="active"`` may leave
        out people neither employed nor partners on ``as_of`` (:func:`snap.snapshot_from_view`)."""

    @abstractmethod
    def refunds(self, slug: str, as_of: date, known_at: datetime) -> Refunds:
        """The refunds owed."""

    @abstractmethod
    def history(self, slug: str, person: str | None, known_at: datetime) -> list[HistoryEntry]:
        """Every entry (of ``person``, or all), reversed ones included, in the order recorded."""

    @abstractmethod
    def register(self, slug: str, as_of: date, known_at: datetime) -> Register:
        """The register of share movements."""

    def register_page(
        self,
        slug: str,
        as_of: date,
        known_at: datetime,
        window: tuple[int, int | None],
        person: str | None = None,
    ) -> RegisterPage:
        """How many movements the register (``person``'s only, when given) has, and those at
        positions ``window`` (start from 0, how many or None: all). Here: the whole, cut."""
        from scop_ledger.readmodel.paging import cut

        return cut(self.register(slug, as_of, known_at), window, person)

    def history_page(
        self,
        slug: str,
        person: str | None,
        known_at: datetime,
        window: tuple[int, int],
        actions: tuple[str, ...] | None = None,
        until: date | None = None,
    ) -> tuple[int, list[HistoryEntry]]:
        """How many entries :meth:`history` has (of ``actions``, up to ``until``, when given),
        and those at positions ``window`` (start from 0, how many). Here: the whole, cut."""
        from scop_ledger.readmodel.history import cut

        return cut(self.history(slug, person, known_at), window, actions, until)

    def recorded_between(self, slug: str, t1: datetime, t2: datetime) -> Between:
        """The entries known at ``t2`` and not at ``t1`` (earlier), and the date of those they
        reverse (:mod:`~scop_ledger.readmodel.between`). Here: the two whole histories'."""
        from scop_ledger.readmodel.between import difference

        return difference(self.history(slug, None, t2), self.history(slug, None, t1))

    @abstractmethod
    def admissions(self, slug: str, as_of: date, known_at: datetime) -> list[Admission]:
        """Every admission up to ``as_of``, in (date, entry) order: the register of partners."""

    @abstractmethod
    def facts(
        self, slug: str, until: date, known_at: datetime
    ) -> tuple[Params, CoopState, Iterator[Facts]]:
        """The cooperative's statutes, its own entries' state, and its facts on every date
        they may change, from the registration to ``until``."""

    def sweep(self, slug: str, until: date, known_at: datetime) -> Sweep | None:
        """The sweep of the rules to ``until`` from one kept (:mod:`~scop_ledger.readmodel.sweeps`),
        or None: here, none is kept."""
        return None

    def rules(self, slug: str) -> RuleFacts:
        """What the rules read of one cooperative (compliance, timeline, the review pack)."""
        return RuleFacts(self, slug)


class RuleFacts:
    """One cooperative's rule facts, from a :class:`Reader`."""

    def __init__(self, reader: Reader, slug: str) -> None:
        self.reader, self.slug = reader, slug

    def facts(self, until: date, known_at: datetime) -> tuple[Params, CoopState, Iterator[Facts]]:
        """See :meth:`Reader.facts`; a date before the registration is refused."""
        params, coop, facts = self.reader.facts(self.slug, until, known_at)
        if until < params.registered_on:
            from scop_ledger.domain.errors import Refused

            raise Refused(
                _("{date} is before the cooperative's registration on {registered}").format(
                    date=i18n.day(until), registered=i18n.day(params.registered_on)
                )
            )
        return params, coop, facts

    def runs(
        self, until: date, known_at: datetime, since: date | None = None
    ) -> tuple[Params, CoopState, list[Run]]:
        """Each rule's runs of one status, from the registration to ``until`` (evaluated
        from ``since`` on only, when given: :func:`~scop_ledger.domain.rules.sweep.runs`)."""
        from scop_ledger.domain.rules.sweep import runs

        if since is None:
            found = self.sweep(until, known_at)
            return found.params, found.coop, found.runs
        params, coop, facts = self.facts(until, known_at)
        return params, coop, runs(params, facts, until, since)

    def sweep(self, until: date, known_at: datetime) -> Sweep:
        """The sweep of the rules from the registration to ``until``: from the one kept when
        it answers (:mod:`~scop_ledger.readmodel.sweeps`), else afresh. Every answer of the
        rules as known now comes through here."""
        from scop_ledger.readmodel.sweeps import swept

        found = self.reader.sweep(self.slug, until, known_at)
        if found is not None:
            return found
        params, coop, facts = self.facts(until, known_at)
        return swept(params, coop, facts, until)


# ---------------------------------------------------------------------- from the view

# The cooperative's own entries (no member: ``mid`` null) known at :t. ``+e.cid`` keeps SQLite
# off the (cid, seq) index, which would read every entry of the cooperative: the entries
# without a member are few, found by the (mid, version) index.
COOP_ENTRIES_SQL = f"""
SELECT ev.originator_id, ev.originator_version, ev.topic, ev.state
FROM rm_entries e JOIN {EVENTS_TABLE} ev ON ev.id = e.seq
WHERE e.mid IS NULL AND +e.cid = :cid AND e.recorded_at <= :t
ORDER BY e.seq
"""


class ViewReader(Reader):
    """Answers from the view tables (level with the events). ``ledger`` opens the event store,
    on first use only: the cooperative's own entries (few) are decoded from their stored
    state for the rules. ``keeper``: the store's address, to keep sweeps of the rules on
    (:mod:`~scop_ledger.readmodel.sweeps`); None keeps none (a read-only store). ``held``:
    the store's address, under which this process holds the sweeps it makes (None: none)."""

    def __init__(
        self,
        db: DB,
        ledger: Callable[[], EventStore],
        keeper: str | None = None,
        *,
        held: str | None = None,
    ) -> None:
        self.db, self._ledger, self.keeper, self.held = db, ledger, keeper, held

    def slugs(self) -> list[str]:
        return [str(r[0]) for r in self.db.rows("SELECT slug FROM rm_coops ORDER BY cid")]

    def coop(self, slug: str, known_at: datetime) -> CoopInfo:
        return snap.coop_from_view(self.db, slug, known_at)[1]

    def snapshot(
        self,
        slug: str,
        as_of: date,
        known_at: datetime,
        *,
        only: str = "all",
        person: str | None = None,
    ) -> Snapshot:
        return snap.snapshot_from_view(self.db, slug, as_of, known_at, only=only, person=person)

    def refunds(self, slug: str, as_of: date, known_at: datetime) -> Refunds:
        from scop_ledger.readmodel.queries import refunds_of

        coop, owed = snap.refunds_from_view(self.db, slug, as_of, known_at)
        return refunds_of(coop, as_of, known_at, owed)

    def history(self, slug: str, person: str | None, known_at: datetime) -> list[HistoryEntry]:
        from scop_ledger.readmodel.history import history_from_view

        return history_from_view(self.db, slug, person, known_at)

    def recorded_between(self, slug: str, t1: datetime, t2: datetime) -> Between:
        from scop_ledger.readmodel.between import between_from_view

        return between_from_view(self.db, slug, t1, t2)

    def register(self, slug: str, as_of: date, known_at: datetime) -> Register:
        from scop_ledger.readmodel.register import register_from_view

        return register_from_view(self.db, slug, as_of, known_at)

    def register_page(
        self,
        slug: str,
        as_of: date,
        known_at: datetime,
        window: tuple[int, int | None],
        person: str | None = None,
    ) -> RegisterPage:
        from scop_ledger.readmodel.paging import register_page_from_view

        return register_page_from_view(self.db, slug, as_of, known_at, window, person)

    def history_page(
        self,
        slug: str,
        person: str | None,
        known_at: datetime,
        window: tuple[int, int],
        actions: tuple[str, ...] | None = None,
        until: date | None = None,
    ) -> tuple[int, list[HistoryEntry]]:
        from scop_ledger.readmodel.history import history_page_from_view

        return history_page_from_view(self.db, slug, person, known_at, window, actions, until)

    def admissions(self, slug: str, as_of: date, known_at: datetime) -> list[Admission]:
        from scop_ledger.readmodel.register import admissions_from_view

        return admissions_from_view(self.db, slug, as_of, known_at)

    def facts(
        self, slug: str, until: date, known_at: datetime
    ) -> tuple[Params, CoopState, Iterator[Facts]]:
        from scop_ledger.domain.rules import Params
        from scop_ledger.readmodel.tallies import facts_from_view

        coop = self.coop_state(slug, until, known_at)
        params = Params.of(coop)
        return params, coop, facts_from_view(self.db, slug, params, coop, until, known_at)

    def coop_state(self, slug: str, until: date, known_at: datetime) -> CoopState:
        """The cooperative's own entries (forms, mandates, reviews, allocations) up to
        ``until`` as known at ``known_at``: read from the view's entries, folded with the
        domain's function (no aggregate is loaded)."""
        from scop_ledger.readmodel.sweeps import folded

        cid, _coop = snap.coop_from_view(self.db, slug, known_at)
        return folded(self._coop_log(cid, known_at), until, known_at)

    def sweep(
        self, slug: str, until: date | None, known_at: datetime, *, only_keep: bool = False
    ) -> Sweep | None:
        """See :meth:`Reader.sweep`; with ``only_keep``, the sweep is kept unless the one kept
        holds, and not answered (``until`` None: the earliest date a kept sweep answers)."""
        from scop_ledger.readmodel.kept import position
        from scop_ledger.readmodel.resume import answered
        from scop_ledger.readmodel.sweeps import folded

        at = position(self.db)  # before anything is read: a later entry makes the row stale
        cid, _coop = snap.coop_from_view(self.db, slug, known_at)
        log = self._coop_log(cid, known_at)
        start = max(e.on for e in log)  # reversals' dates too: never later than need be
        until = start if until is None else until
        if until < start:
            return None
        coop = (cid, folded(log, until, known_at), start, at)
        return answered(
            self.db, slug, coop, until, known_at, self.keeper, held=self.held, only_keep=only_keep
        )

    def _coop_log(self, cid: int, known_at: datetime) -> list[Any]:
        """The cooperative's own entries known at ``known_at``, decoded."""
        from scop_ledger.domain.cooperative import Cooperative  # noqa: F401 (its topics)
        from scop_ledger.store.decoding import decoder, plain_decoder

        # Without opening the store when its mapper is the default one (most of the import
        # time of ``compliance`` and ``timeline`` was the writing path's libraries).
        decode = plain_decoder() or decoder(self._ledger().mapper)
        return [
            decode(oid, version, topic, bytes(state))
            for oid, version, topic, state in self.db.rows(
                COOP_ENTRIES_SQL, {"cid": cid, "t": micros(known_at)}
            )
        ]


# ---------------------------------------------------------------------- from the events


class EventReader(Reader):
    """The oracle: every answer folded from the stored events with the domain's functions.
    Slow (each question reads the whole log) but independent of the view tables. As known at
    a moment, the ledger knew the entries of its log up to the first one recorded after it."""

    def __init__(self, ledger: EventStore) -> None:
        self.ledger = ledger

    def slugs(self) -> list[str]:
        return [c.slug for c in self.ledger.cooperatives()]

    def coop(self, slug: str, known_at: datetime) -> CoopInfo:
        registration = self.ledger.cooperative(slug).registration
        if registration.timestamp > known_at:
            raise snap.NoCooperative(slug)
        return snap.coop_info(registration)

    def snapshot(
        self,
        slug: str,
        as_of: date,
        known_at: datetime,
        *,
        only: str = "all",
        person: str | None = None,
    ) -> Snapshot:
        return snap.snapshot_from_events(self.ledger, slug, as_of, known_at, person)

    def refunds(self, slug: str, as_of: date, known_at: datetime) -> Refunds:
        from scop_ledger.readmodel.queries import refunds

        return refunds(self.snapshot(slug, as_of, known_at))

    def history(self, slug: str, person: str | None, known_at: datetime) -> list[HistoryEntry]:
        from scop_ledger.readmodel.history import history_from_events

        return history_from_events(self.ledger, slug, person, known_at)

    def register(self, slug: str, as_of: date, known_at: datetime) -> Register:
        from scop_ledger.readmodel.register import register_from_events

        return register_from_events(self.ledger, slug, as_of, known_at)

    def admissions(self, slug: str, as_of: date, known_at: datetime) -> list[Admission]:
        from scop_ledger.readmodel.register import admissions_of

        return admissions_of(self.register(slug, as_of, known_at))

    def facts(
        self, slug: str, until: date, known_at: datetime
    ) -> tuple[Params, CoopState, Iterator[Facts]]:
        from scop_ledger.domain.cooperative import effective_entries
        from scop_ledger.domain.cooperative_fold import replay_cooperative
        from scop_ledger.domain.rules import Params
        from scop_ledger.domain.rules.sweep import facts_over
        from scop_ledger.readmodel.tallies import rows_from_events

        logs = snap.member_logs(self.ledger, slug, known_at)
        own = [e for e in effective_entries(logs.coop_log, known_at) if e.on <= until]
        coop = replay_cooperative(logs.registration, own, strict=False)
        params = Params.of(coop)
        rows: Any = rows_from_events(logs, until, known_at)
        return params, coop, facts_over(params, coop, rows, until)
