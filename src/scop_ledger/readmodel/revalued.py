"""The view and a change of the share's nominal value (``change-share-value``, see
domain/share_values.py).

Every member holding shares on the change's date gets a state row on that date (version 0:
before the member's own entries of that day, action ``change-share-value``) with the holding in
shares of the new value, so that any question as of a date reads shares of the value then in
force. A change recorded after each member's last entry converts each cached fold and adds its
row; a back-dated change, or the reversal of a change, recomputes the members' rows from its
date, as a back-dated member entry does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, func, select

from scop_ledger.domain.cooperative import Cooperative, effective_entries
from scop_ledger.domain.member import Member
from scop_ledger.domain.member import effective_entries as member_entries
from scop_ledger.domain.share_values import ACTION, Conversion, advance, schedule
from scop_ledger.domain.statutes import Terms
from scop_ledger.readmodel import schema as t
from scop_ledger.readmodel.times import micros


def coop_terms(
    applier: Any, conn: Connection, oid: UUID, cid: int, terms: Terms
) -> tuple[Terms, tuple[int, ...]]:
    """The cooperative's terms (from its registration's ``terms``) with its share value
    changes applied so far, and the entry id (seq) of each change."""
    versions: dict[int, int] = dict(
        list(
            conn.execute(
                select(t.entries.c.version, t.entries.c.seq).where(
                    t.entries.c.cid == cid, t.entries.c.mid.is_(None), t.entries.c.action == ACTION
                )
            ).tuples()
        )
    )
    if not versions:
        return terms, ()
    last = conn.execute(
        select(func.max(t.entries.c.version)).where(
            t.entries.c.cid == cid, t.entries.c.mid.is_(None)
        )
    ).scalar_one()
    coop: Any = applier.load(oid, int(last))
    changes = [e for e in effective_entries(coop.log) if e.ACTION == ACTION]
    terms = Terms.of(coop.registration, schedule(changes))
    return terms, tuple(versions[e.originator_version] for e in changes)


def coop_entry(applier: Any, conn: Connection, event: Any, coop: Any) -> None:
    """A cooperative entry: a change of the share value, or the reversal of one, changes its
    members' holdings; any other entry changes nothing here."""
    changed = isinstance(event, Cooperative.ShareValueChanged)
    if not changed and not isinstance(event, Cooperative.EntryReversed):
        return
    oid: UUID = event.originator_id
    if changed:
        on = event.on
    else:
        before: Any = applier.load(oid, event.originator_version - 1)
        targets = [e for e in before.log if e.originator_version in event.versions]
        if not any(isinstance(e, Cooperative.ShareValueChanged) for e in targets):
            return
        on = min(e.on for e in targets)
    applier.writer.flush(conn)
    uuids = conn.execute(select(t.members.c.uuid).where(t.members.c.cid == coop.cid)).scalars()
    # Each member's fold as it stands before this entry (with the terms before it).
    members = [(UUID(uuid), _cached(applier, conn, UUID(uuid))) for uuid in list(uuids)]
    registered = Terms(coop.terms.share_value, coop.terms.registered_on)
    coop.terms, coop.seqs = coop_terms(applier, conn, oid, coop.cid, registered)
    in_order = changed and coop.terms.share_values[-1] == (event.on, event.share_value)
    known = micros(event.timestamp)
    for uuid, member in members:
        member.fold.terms = coop.terms
        if in_order and (member.last is None or member.last < (on, 0)):
            state = member.fold.state
            for step in advance(member.fold, on):
                applier.writer.states.append(
                    conversion_row(applier, member, coop, step, state, known)
                )
            member.last = (on, 0)
        else:
            recompute(applier, conn, member, uuid, (on, 0), known)
    applier.writer.flush(conn)


def _cached(applier: Any, conn: Connection, oid: UUID) -> Any:
    """The member's cache entry (loaded from its stream on a miss)."""
    found = applier._members.get(oid.int)
    if found is not None:
        return found
    mid = conn.execute(select(t.members.c.mid).where(t.members.c.uuid == str(oid))).scalar_one()
    version = conn.execute(
        select(func.max(t.entries.c.version)).where(t.entries.c.mid == mid)
    ).scalar_one()
    return applier._member(conn, oid, int(version or 1) + 1)


def recompute(
    applier: Any,
    conn: Connection,
    member: Any,
    oid: UUID,
    first: tuple[date, int],
    known: int,
) -> None:
    """Close the member's rows from ``first`` on and write them anew with the terms now."""
    version = conn.execute(
        select(func.max(t.entries.c.version)).where(t.entries.c.mid == member.mid)
    ).scalar_one()
    if version is None:
        return
    aggregate: Any = applier.load(oid, int(version))
    assert isinstance(aggregate, Member)
    effective = member_entries(applier.viewable(conn, oid, aggregate.log))
    seqs: dict[int, int] = dict(
        list(
            conn.execute(
                select(t.entries.c.version, t.entries.c.seq).where(t.entries.c.mid == member.mid)
            ).tuples()
        )
    )
    applier.writer.close_states(conn, member.mid, first, known)
    applier._refold(conn, member, effective, first, seqs, known)


def converter(
    applier: Any,
    member: Any,
    coop: Any,
    fold: Any,
    first: tuple[date, int],
    known: int,
) -> Callable[[date], list[tuple[Any, ...]]]:
    """For a refold: the state rows of ``fold``'s conversions up to a date, from ``first`` on."""

    def rows(until: date) -> list[tuple[Any, ...]]:
        if not coop.terms.share_values:
            return []
        return [
            conversion_row(applier, member, coop, step, fold.state, known)
            for step in advance(fold, until)
            if (step.on, 0) >= first
        ]

    return rows


def caught_up(fold: Any, position: tuple[date, int] | None, terms: Terms) -> Any:
    """A member's fold rebuilt from its entries (a cache miss): converted through the changes
    the view already holds rows for (all of ``terms``'); its last position (:func:`last`)."""
    advance(fold, date.max)
    return last(position, terms)


def last(position: tuple[date, int] | None, terms: Terms) -> tuple[date, int] | None:
    """A member's last position in the view: its last entry's, or its last conversion's."""
    if terms.share_values and (position is None or position < (terms.share_values[-1][0], 0)):
        return (terms.share_values[-1][0], 0)
    return position


def conversion_row(
    applier: Any,
    member: Any,
    coop: Any,
    step: Conversion,
    state: Any,
    known: int,
) -> tuple[Any, ...]:
    """The state row of a holding converted on a change's date (``state``: just after)."""
    state = replace(state, shares=step.after)
    values = applier.refunds.values(state) if state.refunds else ()
    on = applier.writer.day(step.on)
    row: tuple[Any, ...] = applier.state_row(
        member, step, coop.seqs[step.index], known, state, values, on
    )
    return row
