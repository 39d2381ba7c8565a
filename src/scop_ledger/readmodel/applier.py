"""Applying entries to the view, one at a time, through a page writer (readmodel/writer.py).

Each member entry adds one state row (the member's state just after it). Entries mostly arrive in
date order, so the member's fold is stepped once. A back-dated entry or a reversal closes the
member's rows from the affected point on (``known_to``) and writes their recomputed successors.
What it remembers between pages holds while no other process moves the view (then: ``reset``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import EventSourcingError
from eventsourcing.utils import TopicError
from sqlalchemy import Connection, delete, func, select

from scop_ledger.domain.cooperative import Cooperative, cooperative_id
from scop_ledger.domain.member import Member, effective_entries
from scop_ledger.domain.member_fold import MemberFold, MemberState
from scop_ledger.domain.statutes import Terms
from scop_ledger.readmodel import deltas as dl
from scop_ledger.readmodel import revalued
from scop_ledger.readmodel import schema as t
from scop_ledger.readmodel.hooks import Hooks
from scop_ledger.readmodel.refunds import RefundRow, RefundValues, add_step
from scop_ledger.readmodel.times import micros
from scop_ledger.readmodel.writer import PageWriter
from scop_ledger.store.unreadable import unreadable

if TYPE_CHECKING:
    from scop_ledger.store.eventstore import EventStore


@dataclass
class CachedCoop:
    cid: int
    slug: str
    terms: Terms
    seqs: tuple[int, ...] = ()  # the entry id of each of the terms' share value changes


@dataclass
class CachedMember:
    mid: int
    cid: int
    person: str
    fold: MemberFold
    last: tuple[date, int] | None
    gone: date | None = None
    # The person's refunds over their timeline: (first date, refunds from then on) each time
    # they change; and the rows of the last, open-ended step (valid_to null) as now known.
    refund_steps: list[tuple[date, RefundValues]] = field(default_factory=list)
    open_refunds: list[RefundRow] = field(default_factory=list)
    # The JSON of the refunds last written to a state row, with the values it was made from.
    refunds_json: tuple[RefundValues, str] | None = None
    # What the member's last row in the view holds (the predecessor of the next row written).
    prior: dl.Contribution = dl.NOTHING
    # The category change a loss of status of the member would merge with (deltas.merging).
    pending: dl.Pending = None


class Applier:
    """Applies decoded entries (see the module's docstring)."""

    def __init__(self, ledger: EventStore, writer: PageWriter, hooks: Hooks) -> None:
        self.ledger = ledger
        self.writer = writer
        self.refunds = writer.refunds
        self.hooks = hooks
        self.reset()

    def reset(self) -> None:
        """Forget every cache."""
        self._coops: dict[UUID, CachedCoop] = {}
        # By the id's integer: a UUID hashes and compares in Python, an int in C.
        self._members: dict[int, CachedMember] = {}
        self._next_cid: int | None = None
        self._next_mid: int | None = None
        # The versions set aside as unviewable, by aggregate id (None: not read yet).
        self._unviewable: dict[str, set[int]] | None = None

    def coop_event(self, conn: Connection, seq: int, event: Any) -> None:
        oid: UUID = event.originator_id
        if isinstance(event, Cooperative.Registered):
            cid = self._new_cid(conn)
            self.writer.coop(conn, cid, seq, event)
            self._coops[oid] = CachedCoop(cid, event.slug, Terms.of(event))
        coop = self.coop(conn, oid)
        day = self.writer.day
        self.writer.entry(seq, coop.cid, None, event, micros(event.timestamp), day(event.on))
        if isinstance(event, Cooperative.EntryReversed):
            self.writer.flush(conn)
            self._mark_reversed(conn, coop.cid, None, seq, event)
            self.forgive(conn, oid, event.versions)
        revalued.coop_entry(self, conn, event, coop)

    def member_event(self, conn: Connection, seq: int, event: Any) -> None:
        oid: UUID = event.originator_id
        if isinstance(event, Member.Registered):
            self._registered(conn, event)
            return
        w = self.writer
        member = self._members.get(oid.int) or self._member(conn, oid, event.originator_version)
        known = micros(event.timestamp)
        on = w.day(event.on)
        w.entry(seq, member.cid, member.mid, event, known, on)
        if isinstance(event, Member.EntryReversed):
            w.flush(conn)
            self._mark_reversed(conn, member.cid, member.mid, seq, event)
            self.forgive(conn, oid, event.versions)
            self._recompute(conn, member, oid, event.originator_version, known, event.versions)
            return
        position = (event.on, event.originator_version)
        if member.last is None or position > member.last:
            member.fold.apply(event)
            member.last = position
            s = member.fold.state
            values = self.refunds.values(s) if s.refunds else ()
            w.states.append(self.state_row(member, event, seq, known, s, values, on))
            if (member.gone is None) == (not s.employed and not s.partner):
                self._set_gone(member, None if member.gone is not None else event.on, known)
            if values:
                self.refunds.step(member, event.on, values, known)
        else:
            w.flush(conn)
            self._recompute(conn, member, oid, event.originator_version, known, [])

    def _registered(self, conn: Connection, event: Any) -> None:
        """A member registered: its row, and its cache entry."""
        oid: UUID = event.originator_id
        coop = self.coop(conn, cooperative_id(event.coop))
        member_id = self.hooks.member_id
        mid = self._new_mid(conn) if member_id is None else member_id(oid)
        self.writer.members.append(
            (mid, str(oid), coop.cid, event.person, micros(event.timestamp), None, None)
        )
        self._members[oid.int] = CachedMember(
            mid,
            coop.cid,
            event.person,
            MemberFold(event.person, coop.terms, strict=False),
            revalued.last(None, coop.terms),
        )

    def _mark_reversed(
        self, conn: Connection, cid: int, mid: int | None, seq: int, event: Any
    ) -> None:
        if self.hooks.before_lookup is not None:
            self.hooks.before_lookup(conn)
        self.writer.mark_reversed(conn, cid, mid, event.versions, seq, event.timestamp)

    def _recompute(
        self,
        conn: Connection,
        member: CachedMember,
        oid: UUID,
        version: int,
        known: int,
        reversed_versions: list[int],
    ) -> None:
        """Close the member's rows from the first affected entry on, and write their
        recomputed successors (a back-dated entry, or a reversal)."""
        if self.hooks.before_lookup is not None:
            self.hooks.before_lookup(conn)
        aggregate: object = self.load(oid, version)
        assert isinstance(aggregate, Member)
        effective = effective_entries(self.viewable(conn, oid, aggregate.log))
        if reversed_versions:
            gone = [e for e in aggregate.log if e.originator_version in reversed_versions]
            first = min((e.on, e.originator_version) for e in gone)
        else:
            newest = aggregate.log[-1]
            first = (newest.on, newest.originator_version)
        rows = conn.execute(
            select(t.entries.c.version, t.entries.c.seq).where(t.entries.c.mid == member.mid)
        )
        seqs: dict[int, int] = {version: seq for version, seq in rows}
        self.writer.close_states(conn, member.mid, first, known)
        self._refold(conn, member, effective, first, seqs, known)
        self.writer.flush(conn)

    def _refold(
        self,
        conn: Connection,
        member: CachedMember,
        effective: Sequence[Any],
        first: tuple[date, int],
        seqs: dict[int, int],
        known: int,
    ) -> None:
        """Fold the member's ``effective`` entries anew: the state rows from ``first`` on, all
        the refund rows, and when the person is gone."""
        coop = self.coop_by_cid(conn, member.cid)
        fold = MemberFold(member.person, coop.terms, strict=False)
        # The rows from ``first`` on are closed: the member's last one is now the one before.
        member.prior, member.pending = dl.last_row(conn, member.mid)
        last: tuple[date, int] | None = None
        steps: list[tuple[date, RefundValues]] = []
        # From when the person is neither employed nor a partner through the end (None when
        # active at the end of the timeline).
        inactive_since: date | None = None
        day = self.writer.day
        convert = revalued.converter(self, member, coop, fold, first, known)
        for entry in effective:
            self.writer.states += convert(entry.on)
            fold.apply(entry)
            last = (entry.on, entry.originator_version)
            if fold.state.employed or fold.state.partner:
                inactive_since = None
            elif inactive_since is None:
                inactive_since = entry.on
            values = self.refunds.values(fold.state)
            if last >= first:
                seq = seqs[entry.originator_version]
                self.writer.states.append(
                    self.state_row(member, entry, seq, known, fold.state, values, day(entry.on))
                )
            add_step(steps, entry.on, values)
        self.writer.states += convert(date.max)
        member.fold = fold
        member.last = revalued.last(last, coop.terms)
        self.refunds.rewrite(conn, member, steps, known)
        if inactive_since != member.gone:
            self._set_gone(member, inactive_since, known)

    def _set_gone(self, member: CachedMember, gone: date | None, known: int) -> None:
        member.gone = gone
        self.writer.gone[member.mid] = (self.writer.day(gone), known if gone is not None else None)

    def state_row(
        self,
        member: CachedMember,
        entry: Any,
        seq: int,
        known: int,
        s: MemberState,
        refund_values: RefundValues,
        on: Any,
    ) -> tuple[Any, ...]:
        """A row of ``rm_states`` in ``schema.STATE_INSERTED`` order: the member's state, its
        refunds (:func:`~scop_ledger.readmodel.deltas.refunds_json`), its deltas and moves."""
        cause = getattr(entry, "cause", None) or getattr(entry, "reason", None)
        refunds = dl.refunds_json(member, refund_values)
        paid_back = sum(r[5] for r in refund_values) if refund_values else 0
        now = (s.employed, s.partner, s.shares, t.cents(s.paid), refunds, paid_back)
        change = dl.deltas(member.prior, now) + dl.moved(member, now, entry.ACTION, on, seq)
        member.prior = now
        flag = self.writer.flag
        return (
            member.mid,
            member.cid,
            on,
            entry.originator_version,
            seq,
            entry.ACTION,
            cause,
            known,
            s.name,
            flag(s.employed),
            self.writer.day(s.employed_since),
            flag(s.partner),
            flag(s.legal_person),
            s.shares,
            now[3],
            refunds,
            *change,
        )

    def history_row(self, conn: Connection, seq: int, event: Any) -> None:
        """The ``rm_entries`` row of an entry set aside, when the view can hold that much, so
        that ``history`` lists it (its details are its stored JSON) and marks its reversal."""
        self.writer.begin(conn)
        uuid = event.originator_id
        if isinstance(event, Member.Registered):
            return
        if isinstance(event, Member.Event):
            found = conn.execute(
                select(t.members.c.mid, t.members.c.cid).where(t.members.c.uuid == str(uuid))
            ).first()
            if found is None:
                return
            mid, cid = found
        else:
            mid, cid = None, self.coop(conn, uuid).cid
        known, on = micros(event.timestamp), self.writer.day(event.on)
        self.writer.entry(seq, cid, mid, event, known, on)
        self.writer.flush(conn)

    # ------------------------------------------------------------------ set aside

    def viewable(self, conn: Connection, oid: UUID, log: Sequence[Any]) -> list[Any]:
        """The aggregate's entries without those set aside as unviewable."""
        if self._unviewable is None:
            self._unviewable = {}
            for uuid, version in conn.execute(select(t.unviewable.c.uuid, t.unviewable.c.version)):
                self._unviewable.setdefault(str(uuid), set()).add(int(version))
        skip = self._unviewable.get(str(oid))
        if not skip:
            return list(log)
        return [e for e in log if e.originator_version not in skip]

    def forgive(self, conn: Connection, oid: UUID, versions: Sequence[int]) -> None:
        """A reversal of entries set aside: they no longer need showing."""
        self.writer.flush(conn)
        self._unviewable = None
        conn.execute(
            delete(t.unviewable).where(
                t.unviewable.c.uuid == str(oid), t.unviewable.c.version.in_(list(versions))
            )
        )

    def forget_unviewable(self) -> None:
        """An entry was set aside: read them again when needed."""
        self._unviewable = None

    # ------------------------------------------------------------------ caches

    def load(self, oid: UUID, version: int) -> object:
        """The aggregate at ``version``; an entry of it that cannot be read raises
        :class:`UnreadableEntry` (the entry being applied is then set aside)."""
        try:
            return self.ledger.repository.get(oid, version=version)
        except (TopicError, EventSourcingError, AttributeError) as error:
            raise unreadable(error, "") from None

    def coop(self, conn: Connection, oid: UUID) -> CachedCoop:
        found = self._coops.get(oid)
        if found is None:
            c = t.coops.c
            columns = (c.cid, c.slug, c.share_value_cents, c.registered_on)
            row = conn.execute(select(*columns).where(c.uuid == str(oid))).one()
            terms = Terms(Decimal(row.share_value_cents).scaleb(-2), row.registered_on)
            terms, seqs = revalued.coop_terms(self, conn, oid, row.cid, terms)
            found = CachedCoop(row.cid, row.slug, terms, seqs)
            self._coops[oid] = found
        return found

    def coop_by_cid(self, conn: Connection, cid: int) -> CachedCoop:
        for coop in self._coops.values():
            if coop.cid == cid:
                return coop
        uuid = conn.execute(select(t.coops.c.uuid).where(t.coops.c.cid == cid)).scalar_one()
        return self.coop(conn, UUID(uuid))

    def _member(self, conn: Connection, oid: UUID, version: int) -> CachedMember:
        """The member's cache entry, rebuilt from its stream up to ``version - 1`` on a miss."""
        found = self._members.get(oid.int)
        if found is not None:
            return found
        self.writer.flush(conn)
        row = conn.execute(
            select(
                t.members.c.mid,
                t.members.c.cid,
                t.members.c.person,
                t.members.c.gone_on,
            ).where(t.members.c.uuid == str(oid))
        ).one()
        coop = self.coop_by_cid(conn, row.cid)
        fold = MemberFold(row.person, coop.terms, strict=False)
        last = None
        steps: list[tuple[date, RefundValues]] = []
        if version > 2:
            aggregate: object = self.load(oid, version - 1)
            assert isinstance(aggregate, Member)
            for entry in effective_entries(self.viewable(conn, oid, aggregate.log)):
                fold.apply(entry)
                last = (entry.on, entry.originator_version)
                add_step(steps, entry.on, self.refunds.values(fold.state))
        last = revalued.caught_up(fold, last, coop.terms)
        found = CachedMember(row.mid, row.cid, row.person, fold, last, row.gone_on)
        found.prior, found.pending = dl.last_row(conn, row.mid)
        found.refund_steps = steps
        if steps and steps[-1][1]:
            found.open_refunds = [RefundRow(None, stored=True)]  # stored by an earlier page
        self._members[oid.int] = found
        return found

    def _new_cid(self, conn: Connection) -> int:
        if self._next_cid is None:
            self._next_cid = int(
                conn.execute(select(func.coalesce(func.max(t.coops.c.cid), 0))).scalar_one()
            )
        self._next_cid += 1
        return self._next_cid

    def _new_mid(self, conn: Connection) -> int:
        """The id of a member registered now, unless the hooks give one: the next one."""
        if self._next_mid is None:
            self._next_mid = int(
                conn.execute(select(func.coalesce(func.max(t.members.c.mid), 0))).scalar_one()
            )
        self._next_mid += 1
        return self._next_mid
