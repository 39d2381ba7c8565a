"""The application's reads: each question of the CLI (and of any other front end) as one call
on a :class:`~scop_ledger.app.session.Session`, answered as a typed result.

:class:`Query` makes the one choice of where the answers come from: the view, caught up first
(fast), or the events themselves (``readmodel.sources``), when a read-only store's view lags
behind or when the recorded times of the log cannot say what was known at the moment asked
about. Notes for the user (answering from the events, an entry the view cannot show) go out
through the session's ``note``; the catch-up's progress through its ``progress``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from scop_ledger.i18n import N_, _, day
from scop_ledger.readmodel import queries as answers

if TYPE_CHECKING:
    from scop_ledger.app.session import Session
    from scop_ledger.readmodel.compliance import Compliance, Factsheet, Roll, Timeline
    from scop_ledger.readmodel.history import HistoryEntry
    from scop_ledger.readmodel.paging import RegisterPage
    from scop_ledger.readmodel.queries import Capital, Members, Refunds, Votes
    from scop_ledger.readmodel.register import Register
    from scop_ledger.readmodel.snapshot import Snapshot
    from scop_ledger.readmodel.sources import EventReader, Reader, RuleFacts, ViewReader
    from scop_ledger.store.db import DB

LAGS = N_(
    "note: the view lags behind the events and the store is read-only: "
    "answering from the events (slower)"
)


class Query:
    """One point-in-time question: where its answers come from, the cooperative, the two
    times (``known_at`` may be moved between questions: ``diff`` asks at two moments)."""

    def __init__(
        self,
        session: Session,
        as_of: date | None,
        known_at: datetime | None,
        *,
        one_coop: bool = True,
        explicit: bool = False,
    ) -> None:
        from scop_ledger.readmodel.access import open_view, unviewable_note
        from scop_ledger.settings import chosen_coop

        self.session = session
        self.as_of = as_of or date.today()
        self.known_at = known_at or datetime.now(UTC)
        self._view: DB | None = open_view(
            session.settings, session.ledger, session.progress(_("catching up"))
        )
        self._now = known_at is None and not explicit
        self._out_of_time: dict[datetime, bool] = {}
        self._readers: dict[bool, Reader] = {}
        if self._view is None:
            session.note(_(LAGS))
        else:
            note = unviewable_note(self._view)
            if note:
                session.note(note)
        self.slug = chosen_coop(session.settings.coop, self.slugs) if one_coop else ""

    def __enter__(self) -> Query:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType
    ) -> None:
        self.close()

    @property
    def reader(self) -> Reader:
        """The view, or the events when the question is answered from them: the view lags in
        read-only mode, or, as known at a past moment, an entry recorded after that moment
        precedes in the log one that claims an earlier time. ``--known-at T`` means the
        entries of the log up to the first one recorded after T, whatever times later entries
        claim; the view reads recorded times, which say the same only while they never go
        backwards along the log (``verify`` names the entry where they do)."""
        level = self._level()
        found = self._readers.get(level)
        if found is None:
            found = self._readers[level] = self._view_reader() if level else self._events()
        return found

    def _view_reader(self) -> ViewReader:
        from scop_ledger.readmodel.sources import ViewReader

        assert self._view is not None
        settings = self.session.settings
        keeper = None if settings.read_only else settings.url
        return ViewReader(self._view, self.session.ledger, keeper, held=settings.url)

    def _events(self) -> EventReader:
        from scop_ledger.readmodel.sources import EventReader

        return EventReader(self.session.ledger())

    def _level(self) -> bool:
        """Whether the view answers as known at ``known_at``."""
        view = self._view
        if view is None or self._now:
            return view is not None
        known_at = self.known_at
        if known_at not in self._out_of_time:
            from scop_ledger.readmodel.history import out_of_time

            found = out_of_time(view, known_at)
            self._out_of_time[known_at] = found is not None
            if found is not None:
                self.session.note(
                    _(
                        "note: entry {entry} claims a recorded time at or before {moment} but "
                        "comes after entry {before}, recorded after it (run verify): answering "
                        "from the log's order, from the events (slower)"
                    ).format(entry=found[1], moment=known_at.isoformat(), before=found[0])
                )
        return not self._out_of_time[known_at]

    @property
    def view(self) -> DB | None:
        """The view's connection when the answers come from it (level with the events, as
        known now), else None."""
        return self._view if self._now and self._view is not None else None

    def slugs(self) -> list[str]:
        """Every cooperative in the store, in registration order."""
        return self.reader.slugs()

    def snapshot(
        self, slug: str | None = None, *, only: str = "all", person: str | None = None
    ) -> Snapshot:
        """The point-in-time snapshot; ``only`` narrows it to what a question needs (see
        :func:`scop_ledger.readmodel.snapshot.snapshot_from_view`), ``person`` to one person."""
        return self.reader.snapshot(
            slug or self.slug, self.as_of, self.known_at, only=only, person=person
        )

    def refunds(self) -> Refunds:
        return self.reader.refunds(self.slug, self.as_of, self.known_at)

    def register(self) -> Register:
        return self.reader.register(self.slug, self.as_of, self.known_at)

    def history(self, person: str | None = None) -> list[HistoryEntry]:
        """Every entry (of ``person``, or all) as known at the moment, in the order recorded."""
        return self.reader.history(self.slug, person, self.known_at)

    def rules(self, slug: str | None = None) -> RuleFacts:
        """What the rules read of the cooperative (see :mod:`scop_ledger.readmodel.compliance`)."""
        return self.reader.rules(slug or self.slug)

    def close(self) -> None:
        if self._view is not None:
            self._view.close()


# ------------------------------------------------------------------ the questions


def capital(session: Session, as_of: date | None, known_at: datetime | None) -> Capital:
    """The share capital and who holds it."""
    with Query(session, as_of, known_at) as q:
        return answers.capital(q.snapshot(only="active"))


def votes(session: Session, as_of: date | None, known_at: datetime | None) -> Votes:
    """The votes, external partners' weighted under the cap."""
    with Query(session, as_of, known_at) as q:
        return answers.votes(q.snapshot(only="active"))


def refunds(session: Session, as_of: date | None, known_at: datetime | None) -> Refunds:
    """The refunds owed after exits and withdrawals."""
    with Query(session, as_of, known_at) as q:
        return q.refunds()


def members(
    session: Session, as_of: date | None, known_at: datetime | None, *, eligible: bool = False
) -> Members:
    """Every person known to the ledger (``eligible``: only employees eligible for admission)."""
    from scop_ledger.readmodel.queries import partner_numbers

    with Query(session, as_of, known_at) as q:
        numbers = partner_numbers(q.reader.admissions(q.slug, q.as_of, q.known_at))
        return answers.members(q.snapshot(only="people"), numbers, only_eligible=eligible)


def person(session: Session, as_of: date | None, known_at: datetime | None, who: str) -> Snapshot:
    """One person's state (a snapshot of them alone: no member when the ledger has no such
    person as of the date)."""
    with Query(session, as_of, known_at) as q:
        return q.snapshot(person=who)


def register(session: Session, as_of: date | None, known_at: datetime | None) -> Register:
    """The register of share movements."""
    with Query(session, as_of, known_at) as q:
        return q.register()


def register_page(
    session: Session,
    as_of: date | None,
    known_at: datetime | None,
    window: tuple[int, int | None],
    person: str | None = None,
) -> RegisterPage:
    """The movements of the register (``person``'s only, when given) at positions ``window``
    (start from 0, how many; None: every one from start), and how many it has: what
    :func:`register` has at those positions, without making the others. As known now, the
    whole register's movements by date are kept in the store and reused until the cooperative
    records another entry (:mod:`scop_ledger.readmodel.placing`)."""
    with Query(session, as_of, known_at) as q:
        if q.view is not None and person is None:
            from scop_ledger.readmodel.paging import register_page_now

            store = (session.settings.url, not session.settings.read_only)
            page = register_page_now(q.view, q.slug, (q.as_of, q.known_at), window, store)
            if page is not None:
                return page
        return q.reader.register_page(q.slug, q.as_of, q.known_at, window, person)


@dataclass(frozen=True)
class History:
    """``history``'s answer: the cooperative, the moment, every entry known then."""

    coop: str
    known_at: datetime
    entries: list[HistoryEntry]


def history(session: Session, person: str | None, known_at: datetime | None) -> History:
    """Every entry (of ``person``, or all), reversed ones included, in the order recorded."""
    with Query(session, None, known_at) as q:
        return History(q.slug, q.known_at, q.history(person))


@dataclass(frozen=True)
class HistoryPage(History):
    """Entries ``start`` (from 0) onwards of the ``total`` the history has."""

    start: int = 0
    total: int = 0


def history_page(
    session: Session,
    person: str | None,
    known_at: datetime | None,
    window: tuple[int, int],
    actions: tuple[str, ...] | None = None,
    until: date | None = None,
) -> HistoryPage:
    """The entries of :func:`history` (only those of ``actions``, dated up to ``until``, when
    given) at positions ``window`` (start from 0, how many), and how many there are."""
    with Query(session, None, known_at) as q:
        total, entries = q.reader.history_page(q.slug, person, q.known_at, window, actions, until)
        return HistoryPage(q.slug, q.known_at, entries, window[0], total)


@dataclass(frozen=True)
class Coops:
    """``coops``' answer: each cooperative's headline figures."""

    as_of: date
    known_at: datetime
    coops: list[dict[str, Any]]


def slugs(session: Session) -> list[str]:
    """Every cooperative in the store, in registration order (no figures: see :func:`coops`)."""
    with Query(session, None, None, one_coop=False) as q:
        return q.slugs()


def coops(session: Session, as_of: date | None, known_at: datetime | None) -> Coops:
    """Every cooperative in the store (registered as known at the moment) with its headline
    figures as of the date. As known now, each cooperative's row is kept in the store and
    reused until it records another entry (:mod:`scop_ledger.readmodel.headlines`)."""
    from scop_ledger.readmodel import headlines
    from scop_ledger.readmodel.snapshot import NoCooperative

    with Query(session, as_of, known_at, one_coop=False) as q:
        view = q.view if known_at is None else None
        ids: dict[str, int] = {}
        kept: dict[int, dict[str, Any]] = {}
        at = 0
        if view is not None:
            at = headlines.position(view)
            ids, kept = headlines.coop_ids(view), headlines.kept(view, q.as_of)
        out, fresh = [], []
        for slug in q.slugs():
            cid = ids.get(slug)
            row = None if cid is None else kept.get(cid)
            if row is None:
                try:
                    row = _headline(q, slug)
                except NoCooperative:
                    continue  # registered after known_at
                if cid is not None:
                    fresh.append((cid, row))
            out.append(row)
        if fresh and not session.settings.read_only:
            headlines.keep_apart(session.settings.url, q.as_of, at, fresh)
        return Coops(q.as_of, q.known_at, out)


def _headline(q: Query, slug: str) -> dict[str, Any]:
    """One cooperative's row of ``coops``."""
    from scop_ledger.readmodel.compliance import compliance as rules
    from scop_ledger.readmodel.headlines import headline

    s = q.snapshot(slug, only="active")
    return headline(
        s, answers.capital(s), answers.votes(s), rules(q.rules(slug), q.as_of, q.known_at)
    )


def compliance(session: Session, as_of: date | None, known_at: datetime | None) -> Compliance:
    """Every rule of the cooperative's profile as of the date."""
    from scop_ledger.readmodel.compliance import compliance as rules

    with Query(session, as_of, known_at) as q:
        return rules(q.rules(), q.as_of, q.known_at)


def timeline(
    session: Session,
    as_of: date | None,
    known_at: datetime | None,
    since: date | None,
    rules: tuple[str, ...],
) -> Timeline:
    """Each rule's status over the period ``since`` (default: the registration) to ``as_of``
    (of ``rules`` only, when given)."""
    from scop_ledger.domain.errors import InvalidValue
    from scop_ledger.domain.rules.registry import rule_ids
    from scop_ledger.readmodel.compliance import timeline as over

    known = rule_ids()
    for rule in rules:
        if rule not in known:
            raise InvalidValue(
                _("unknown rule {rule} (one of: {rules})").format(
                    rule=repr(rule), rules=", ".join(known)
                )
            )
    with Query(session, as_of, known_at) as q:
        if since is not None and since > q.as_of:
            raise InvalidValue(
                _("--from {since} is after --as-of {as_of}").format(
                    since=day(since), as_of=day(q.as_of)
                )
            )
        return over(q.rules(), q.as_of, q.known_at, since, rules)


def factsheet(session: Session, year: int, known_at: datetime | None) -> Factsheet:
    """The annual fact sheet, as of the end of the financial year ``year``."""
    from scop_ledger.domain.dates import year_end
    from scop_ledger.readmodel.compliance import factsheet as sheet

    with Query(session, None, known_at) as q:
        fiscal_year_end = q.reader.coop(q.slug, q.known_at).fiscal_year_end
        q.as_of = year_end(fiscal_year_end, year)
        return sheet(q.snapshot(), year)


def roll(
    session: Session,
    on: date | None,
    known_at: datetime | None,
    present: Sequence[str] | None = None,
    proxies: Mapping[str, str] | None = None,
) -> Roll:
    """The general meeting's roll on ``on``: every partner, their college and vote weight, and
    the law's limits on proxies; given the partners ``present`` (and ``proxies``: partner ->
    the partner present holding their proxy), the meeting's votes under the cap of a tenth
    (a :class:`~scop_ledger.readmodel.meeting.MeetingRoll`)."""
    from scop_ledger.readmodel.compliance import roll as meeting_roll

    with Query(session, on, known_at) as q:
        if present is None:
            return meeting_roll(q.snapshot(only="active"))
        from scop_ledger.readmodel.meeting import meeting_roll as attended

        return attended(q.snapshot(only="active"), present, proxies or {})
