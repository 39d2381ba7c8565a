"""A point-in-time snapshot of a cooperative: who was what, holding what, as of a date and as
known at a moment. Two sources build the same snapshot: the view tables (fast), and a pure fold
over the events (the oracle, and the read-only fallback when the view lags behind).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from scop_ledger.domain import statutes
from scop_ledger.domain.errors import NotFound
from scop_ledger.domain.statutes import vote_cap
from scop_ledger.domain.values import partner_category
from scop_ledger.i18n import _
from scop_ledger.readmodel.times import micros
from scop_ledger.settings import EVENTS_TABLE
from scop_ledger.store.db import DB, as_date
from scop_ledger.store.gc import collector_paused

if TYPE_CHECKING:
    from scop_ledger.store.eventstore import EventStore


@dataclass(frozen=True)
class CoopInfo:
    slug: str
    name: str
    legal_form: str
    share_value: Decimal
    profile: str
    refund_delay_years: int
    boot_until: date | None
    review_every_years: int
    fiscal_year_end: str
    registered_on: date
    vote_cap: Decimal | None = statutes.EXTERNAL_VOTE_CAP


@dataclass(slots=True)
class RefundView:
    since: date
    cause: str
    amount: Decimal
    partial: bool
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid


@dataclass(slots=True)
class MemberView:
    person: str
    name: str | None
    employed: bool
    employed_since: date | None
    partner: bool
    legal_person: bool
    shares: int
    paid: Decimal
    refunds: tuple[RefundView, ...] = ()

    @property
    def category(self) -> str | None:
        return partner_category(self.partner, self.employed)


@dataclass(frozen=True)
class Snapshot:
    coop: CoopInfo
    as_of: date
    known_at: datetime
    members: tuple[MemberView, ...] = field(default_factory=tuple)

    @property
    def partners(self) -> list[MemberView]:
        return [m for m in self.members if m.partner]


class NoCooperative(NotFound):
    def __init__(self, slug: str) -> None:
        super().__init__(
            _("no cooperative {slug} in this store (as known at that moment)").format(
                slug=repr(slug)
            )
        )


# ---------------------------------------------------------------------- from the view

COOP_SQL = """
SELECT slug, name, legal_form, share_value_cents, profile, refund_delay_years, boot_until,
       review_every_years, fiscal_year_end, registered_on, cid, vote_cap
FROM rm_coops WHERE slug = :slug AND registered_at <= :t
"""

MEMBERS_SQL = """
SELECT m.person, s.name, s.employed, s.employed_since, s.partner, s.legal_person, s.shares,
       s.paid_cents, {refunds}
FROM rm_members m
JOIN rm_states s ON s.id = (
    SELECT s2.id FROM rm_states s2
    WHERE s2.mid = m.mid AND s2.on_date <= :d AND s2.known_from <= :t
      AND (s2.known_to IS NULL OR s2.known_to > :t)
    ORDER BY s2.on_date DESC, s2.version DESC
    LIMIT 1)
WHERE m.cid = :cid AND m.first_at <= :t {active}
ORDER BY m.person
"""
# People neither employed nor partners for good as of :d, as known at :t, have no say in
# capital or votes: skip them before seeking their state row.
ACTIVE_ONLY = "AND NOT (m.gone_on IS NOT NULL AND m.gone_on <= :d AND m.gone_at <= :t)"
# "people": everyone, their refunds left unread (the members list shows none).
FILTERS = {"all": "", "active": ACTIVE_ONLY, "people": ""}


# The latest change of the share value (domain/share_values.py) in force on :d, known at :t.
VALUE_SQL = f"""
SELECT ev.state FROM rm_entries e JOIN {EVENTS_TABLE} ev ON ev.id = e.seq
WHERE e.mid IS NULL AND +e.cid = :cid AND e.action = 'change-share-value' AND e.on_date <= :d
  AND e.recorded_at <= :t AND (e.reversed_at IS NULL OR e.reversed_at > :t)
ORDER BY e.on_date DESC, e.version DESC
"""


def coop_from_view(
    db: DB, slug: str, known_at: datetime, as_of: date | None = None
) -> tuple[int, CoopInfo]:
    """The cooperative's statutes; with ``as_of``, its share value in force on that date."""
    found = db.rows(COOP_SQL, {"slug": slug, "t": micros(known_at)})
    if not found:
        raise NoCooperative(slug)
    r = found[0]
    cid, coop = _coop_row(r)
    if as_of is not None:
        changed = db.rows(VALUE_SQL, {"cid": cid, "d": as_of, "t": micros(known_at)})
        if changed:
            state = json.loads(bytes(changed[0][0]))["share_value"]
            value = Decimal(state["_data_"] if isinstance(state, dict) else state)
            coop = replace(coop, share_value=value)
    return cid, coop


def _coop_row(r: Any) -> tuple[int, CoopInfo]:
    return r[10], CoopInfo(
        slug=r[0],
        name=r[1],
        legal_form=r[2],
        share_value=Decimal(r[3]).scaleb(-2),
        profile=r[4],
        refund_delay_years=r[5],
        boot_until=as_date(r[6]),
        review_every_years=r[7],
        fiscal_year_end=r[8],
        registered_on=as_date(r[9]) or date.min,
        vote_cap=None if r[11] is None else Decimal(r[11]),
    )


@collector_paused()
def snapshot_from_view(
    db: DB,
    slug: str,
    as_of: date,
    known_at: datetime,
    *,
    only: str = "all",
    person: str | None = None,
) -> Snapshot:
    """Every member's state as of ``as_of``, as known at ``known_at``. ``only="active"`` may
    leave out people neither employed nor partners on that date (enough for capital and
    votes); ``person``: only that person. Refunds have their own table:
    :func:`refunds_from_view`."""
    cid, coop = coop_from_view(db, slug, known_at, as_of)
    # Capital, votes and the members list never look at refunds: leave their JSON unread.
    refunds = "NULL" if only in ("active", "people") else "s.refunds"
    params: dict[str, Any] = {"cid": cid, "d": as_of, "t": micros(known_at)}
    active = FILTERS[only]
    if person is not None:  # one person's (their page)
        active += " AND m.person = :person"
        params["person"] = person
    sql = MEMBERS_SQL.format(active=active, refunds=refunds)
    rows = db.rows(sql, params)
    members = tuple(
        MemberView(
            person=r[0],
            name=r[1],
            employed=bool(r[2]),
            employed_since=as_date(r[3]),
            partner=bool(r[4]),
            legal_person=bool(r[5]),
            shares=int(r[6]),
            paid=Decimal(r[7]).scaleb(-2),
            refunds=_refunds(r[8]),
        )
        for r in rows
    )
    return Snapshot(coop, as_of, known_at, members)


# The rows valid on :d as known at :t. Each OR of the two conditions is split into its own
# branch, so that each reads one range of the covering index rm_refunds_coop (cid, known_to,
# valid_to, …): a question about now reads only the rows still known and still open-ended,
# not the whole history of every refund.
REFUNDS_SQL = "\nUNION ALL\n".join(
    "SELECT person, since, cause, amount_cents, partial, paid_cents, refund FROM rm_refunds "
    f"WHERE cid = :cid AND {known} AND {valid} AND valid_from <= :d AND known_from <= :t"
    for known in ("known_to IS NULL", "known_to > :t")
    for valid in ("valid_to IS NULL", "valid_to > :d")
)


@collector_paused()
def refunds_from_view(
    db: DB, slug: str, as_of: date, known_at: datetime
) -> tuple[CoopInfo, list[tuple[str, date, str, int, bool, int]]]:
    """Every refund owed as of ``as_of`` as known at ``known_at``, by since then person:
    (person, since, cause, amount in cents, partial, paid in cents), read from
    ``rm_refunds`` in one scan of its covering index."""
    cid, coop = coop_from_view(db, slug, known_at)
    rows = db.rows(REFUNDS_SQL, {"cid": cid, "d": as_of, "t": micros(known_at)})
    # Sorted here, not by the database: a PostgreSQL collation may order names otherwise.
    rows.sort(key=lambda r: (r[1], r[0], r[6]))
    days: dict[Any, date] = {}
    owed = []
    for person, since, cause, amount, partial, paid, _refund in rows:
        day = days.get(since)
        if day is None:
            day = days[since] = as_date(since) or date.min
        owed.append((person, day, cause, amount, bool(partial), paid))
    return coop, owed


def _refunds(text: str | None) -> tuple[RefundView, ...]:
    if not text:
        return ()
    return tuple(
        RefundView(
            since=date.fromisoformat(since),
            cause=cause,
            amount=Decimal(amount).scaleb(-2),
            partial=bool(partial),
            paid=Decimal(paid).scaleb(-2),
        )
        for _version, since, cause, amount, partial, paid, _shares in json.loads(text)
    )


# ---------------------------------------------------------------------- from the events


@dataclass
class MemberLogs:
    """One cooperative's entries as known at a moment, read from the events: its registration
    and own entries, every member's entries, and each member entry's id in the log."""

    registration: Any
    coop_log: list[Any]
    persons: dict[Any, str]
    logs: dict[Any, list[Any]]
    seqs: dict[tuple[Any, int], int]

    @property
    def terms(self) -> Any:
        """The terms, with the share value changes of the entries known (domain/share_values)."""
        from scop_ledger.domain.cooperative import effective_entries
        from scop_ledger.domain.share_values import schedule
        from scop_ledger.domain.statutes import Terms

        return Terms.of(self.registration, schedule(effective_entries(self.coop_log)))

    @property
    def change_seqs(self) -> list[int]:
        """The entry id (seq) of each of :attr:`terms`' share value changes, in their order."""
        from scop_ledger.domain.cooperative import effective_entries
        from scop_ledger.domain.share_values import ACTION

        changes = [e for e in effective_entries(self.coop_log) if e.ACTION == ACTION]
        return [self.seqs[(e.originator_id, e.originator_version)] for e in changes]

    def effective(self, oid: Any, known_at: datetime, until: date) -> list[Any]:
        """The member's entries that count, as known at ``known_at``, dated up to ``until``."""
        from scop_ledger.domain.member import effective_entries

        return [e for e in effective_entries(self.logs[oid], known_at) if e.on <= until]


def member_logs(ledger: EventStore, slug: str, known_at: datetime) -> MemberLogs:
    """Read the log once for one cooperative's entries and its members' entries: the log up to
    the first entry recorded after ``known_at`` (what the ledger knew at that moment)."""
    from scop_ledger.domain.cooperative import Cooperative, cooperative_id
    from scop_ledger.domain.member import Member

    coop_uuid = cooperative_id(slug)
    registration: Any = None
    coop_log: list[Any] = []
    logs: dict[Any, list[Any]] = {}
    persons: dict[Any, str] = {}
    seqs: dict[tuple[Any, int], int] = {}
    for notification in ledger.notifications():
        event: Any = ledger.mapper.to_domain_event(notification)
        if event.timestamp > known_at:
            break  # known at that moment: the log up to the first entry recorded after it
        if isinstance(event, Member.Registered):
            if event.coop == slug:
                persons[event.originator_id] = event.person
                logs[event.originator_id] = []
        elif isinstance(event, Member.Entry):
            if event.originator_id in logs:
                logs[event.originator_id].append(event)
                seqs[(event.originator_id, event.originator_version)] = notification.id
        elif event.originator_id == coop_uuid:
            coop_log.append(event)
            seqs[(coop_uuid, event.originator_version)] = notification.id
            if isinstance(event, Cooperative.Registered):
                registration = event
    if registration is None:
        raise NoCooperative(slug)
    return MemberLogs(registration, coop_log, persons, logs, seqs)


def snapshot_from_events(
    ledger: EventStore, slug: str, as_of: date, known_at: datetime, person: str | None = None
) -> Snapshot:
    """The oracle: fold every stored event, with the domain's own functions, into a snapshot
    (of ``person`` only, when given). Slow (it reads the whole log) but independent of the
    view tables."""
    from scop_ledger.domain.member_fold import replay

    found = member_logs(ledger, slug, known_at)
    registration, terms = found.registration, found.terms
    coop = replace(coop_info(registration), share_value=terms.value_on(as_of))
    terms = terms.until(as_of)
    members = []
    for oid in found.logs:
        entries = found.effective(oid, known_at, as_of)
        if not entries or person not in (None, found.persons[oid]):
            continue
        s = replay(found.persons[oid], entries, terms, strict=False)
        members.append(
            MemberView(
                person=s.person,
                name=s.name,
                employed=s.employed,
                employed_since=s.employed_since,
                partner=s.partner,
                legal_person=s.legal_person,
                shares=s.shares,
                paid=s.paid,
                refunds=tuple(
                    RefundView(r.since, r.cause, r.amount, r.partial, r.paid) for r in s.refunds
                ),
            )
        )
    members.sort(key=lambda m: m.person)
    return Snapshot(coop, as_of, known_at, tuple(members))


def coop_info(registration: Any) -> CoopInfo:
    """The registration's statutes, as the queries read them."""
    return CoopInfo(
        slug=registration.slug,
        name=registration.name,
        legal_form=registration.legal_form,
        share_value=registration.share_value,
        profile=registration.profile,
        refund_delay_years=registration.refund_delay_years,
        boot_until=registration.boot_until,
        review_every_years=registration.review_every_years,
        fiscal_year_end=registration.fiscal_year_end,
        registered_on=registration.on,
        vote_cap=vote_cap(
            registration.profile, registration.scop_thresholds, registration.external_vote_cap
        ),
    )
