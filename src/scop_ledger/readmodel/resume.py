"""The rules' sweep as known at another moment than the one kept, from the kept sweep
(:mod:`~scop_ledger.readmodel.sweeps`), when only members' entries were recorded in between.

Let ``d0`` be the earliest date of those members' state rows known at one moment and not at
the other (:func:`changed_from`: a back-dated entry's date, a reversed entry's). Before
``d0`` the state rows known at both moments are the same, hence the facts, the evaluations,
the charts' figures and each date's change of the totals: those are the kept ones. From
``d0`` on, the facts are made as known at the moment asked (the dates before it stepped
through without making their facts) and every rule is evaluated again on the first of them:
a rule evaluated again on the same facts gives an equal check, which its run already holds.

- :func:`resumed`: as known at a past moment, from the sweep kept now (``diff``'s earlier
  moment, ``--known-at``);
- :func:`brought_up`: as known now, from the row kept before a few members' entries (the
  first question after a single write), kept again.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime
from itertools import chain
from typing import TYPE_CHECKING, Any

import orjson

from scop_ledger.readmodel.kept import code_key
from scop_ledger.readmodel.sweeps import (
    DAY,
    ORDER,
    TABLE,
    Kept,
    Sweep,
    flat_days,
    flat_points,
    held_for,
    kept_before,
    kept_or_new,
    stored,
)
from scop_ledger.readmodel.times import micros

if TYPE_CHECKING:
    from scop_ledger.domain.cooperative_fold import CoopState
    from scop_ledger.domain.rules.facts import Params
    from scop_ledger.store.db import DB


def answered(
    db: DB,
    slug: str,
    coop: tuple[int, CoopState, date, int],
    until: date,
    known_at: datetime,
    keeper: str | None,
    *,
    held: str | None = None,
    only_keep: bool = False,
) -> Sweep | None:
    """:func:`~scop_ledger.readmodel.sweeps.kept_or_new`, a row that no longer holds brought
    up when it can (:func:`brought_up`); as known at a past moment, :func:`resumed`."""
    found = kept_or_new(
        db, slug, coop, until, known_at, keeper, held=held, only_keep=only_keep, bring_up=brought_up
    )
    if found is None and not only_keep:
        found = resumed(db, coop, until, known_at, held=held)
    return found


# The cooperative's entries from the last back, a page at a time: (seq, member id or null for
# the cooperative's own, recorded time).
LAST_ENTRIES_SQL = (
    "SELECT seq, mid, recorded_at FROM rm_entries WHERE cid = :cid AND seq < :below "
    "ORDER BY seq DESC LIMIT :n"
)
# The earliest date of these members' rows known at :t and no longer, or known since.
CHANGED_SQL = (
    "SELECT MIN(on_date) FROM rm_states WHERE mid IN ({mids}) "
    "AND (known_from > :t OR known_to > :t)"
)
# Beyond so many entries recorded after the moment, the sweep is made afresh.
RESUMED_AT_MOST = 20_000


def changed_from(db: DB, cid: int, known_at: datetime) -> date | None:
    """The earliest date on which the member rows known now differ from those known at
    ``known_at`` (``date.max``: on none), when every entry recorded since is a member's; None
    when one is the cooperative's own (statutes, forms, mandates, share value, ...) or there
    are too many. The view must answer as known at ``known_at`` (``history.out_of_time``
    None): the entries recorded after it are then the last ones of the log."""
    t = micros(known_at)
    mids: set[int] = set()
    below, n, seen = 2**62, 64, 0
    while seen < RESUMED_AT_MOST:
        page = db.rows(LAST_ENTRIES_SQL, {"cid": cid, "below": below, "n": n})
        for seq, mid, recorded in page:
            if int(recorded) <= t:
                break
            if mid is None:
                return None
            mids.add(int(mid))
            below, seen = int(seq), seen + 1
        else:
            if len(page) == n:  # more before
                n = min(8 * n, 4096)
                continue
        break
    else:
        return None
    return _earliest(db, mids, t)


def _earliest(db: DB, mids: set[int], t: int) -> date:
    """The earliest date of the state rows of members ``mids`` known at ``t`` (micros) and no
    longer, or known since (``date.max``: none)."""
    found: list[date] = []
    ordered = sorted(mids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        asked: dict[str, Any] = {"t": t, **{f"m{i}": mid for i, mid in enumerate(chunk)}}
        marks = ", ".join(f":m{i}" for i in range(len(chunk)))
        on = db.scalar(CHANGED_SQL.format(mids=marks), asked)
        if on is not None:
            found.append(on if isinstance(on, date) else date.fromisoformat(on))
    return min(found, default=date.max)


def resumed(
    db: DB,
    coop: tuple[int, CoopState, date, int],
    until: date,
    known_at: datetime,
    *,
    held: str | None = None,
) -> Sweep | None:
    """The sweep to ``until`` as known at ``known_at``, a moment before some entries of the
    cooperative were recorded, from the sweep kept as known now (held by this process or
    kept in the store); None when it cannot answer (then sweep afresh).

    When every entry recorded since is a member's, the rows before the earliest date ``d0``
    they change (:func:`changed_from`) are those known then, hence the facts, the
    evaluations, the share charts' figures and the changes of the totals dated before
    ``d0``: those are the kept ones. From ``d0`` on the facts are made as known at
    ``known_at`` (stepped through the dates before it without being made, from the kept
    changes of the totals and the rows of the people followed), and every rule is evaluated
    again on the first of them: a rule evaluated again on the same facts gives an equal
    check, which its run already holds. ``coop``: as :func:`kept_or_new` takes it, as known
    at ``known_at``; the statutes are those known now, the cooperative's own entries being
    the same."""
    from scop_ledger.domain.rules import Params
    from scop_ledger.domain.rules.runs import evaluations, point
    from scop_ledger.readmodel.tallies import days_from_view, facts_from_days

    cid, state, start, _at = coop
    params = Params.of(state)
    if until < start:
        return None
    first = changed_from(db, cid, known_at)
    if first is None or first <= params.registered_on:
        return None
    key = None if held is None else (held, cid)
    end = min(first, until + DAY)  # what is kept before it holds as known at ``known_at``
    made = held_for(db, key, until, None)
    if made is not None:
        kept = made.before(end)
    else:
        data = stored(db, cid, until, None)
        if data is None:
            return None
        kept = kept_before(data, end)
    if until < first:
        return kept.sweep(params, state, until)
    days = kept.days + days_from_view(db, cid, until, known_at, first)
    facts = list(facts_from_days(db, cid, (params, state), days, until, known_at, since=first))
    again = ((i, on, c.status, c.value, c) for i, on, c in evaluations(params, facts))
    points = kept.points + [point(f) for f in facts]
    return Kept(chain(kept.found, again), points, days, kept.check).sweep(params, state, until)


# The cooperative's entries after a position in the log, at most so many.
AFTER_SQL = (
    "SELECT mid, recorded_at FROM rm_entries WHERE cid = :cid AND seq > :at ORDER BY seq LIMIT :n"
)


def brought_up(
    db: DB,
    coop: tuple[int, Params, CoopState],
    kept: tuple[int, int, date],
    known_at: datetime,
) -> dict[str, Any] | None:
    """The sweep to the horizon as known at ``known_at`` (now), as :func:`stored` reads it,
    from the row kept before the cooperative's last entries when they are all members' (a
    single write, a few): its evaluations, charts' figures and changes of the totals dated
    before the earliest date those entries change, then the facts from that date on as
    known now, evaluated; else None. ``kept``: the view's position, the recording time of
    the cooperative's last entry and the horizon, now."""
    cid, params, _state = coop
    if not db.has_table(TABLE):
        return None
    asked = {"cid": cid, "k": code_key()}
    where = f"FROM {TABLE} WHERE cid = :cid AND code = :k"
    rows = db.rows(f"SELECT position, latest, horizon {where}", asked)
    if not rows or date.fromisoformat(rows[0][2]) != kept[2]:
        return None
    at, last = int(rows[0][0]), int(rows[0][1])
    if db.scalar("SELECT count(*) FROM rm_unviewable WHERE seq > :at", {"at": at}):
        return None
    since = db.rows(AFTER_SQL, {"cid": cid, "at": at, "n": RESUMED_AT_MOST + 1})
    if not since or len(since) > RESUMED_AT_MOST:
        return None
    # Each recorded after the row's time (else the rows they changed may not show it).
    if any(mid is None or int(recorded) <= last for mid, recorded in since):
        return None
    first = _earliest(db, {int(mid) for mid, _recorded in since}, last)
    if first <= params.registered_on or first > kept[2]:
        return None
    found = db.rows(f"SELECT sweep, checks {where} AND position = :at", {**asked, "at": at})
    if not found:
        return None
    data: dict[str, Any] = {**orjson.loads(found[0][0]), "checks": found[0][1]}
    return _spliced(db, coop, data, first, kept[2], known_at)


def _spliced(
    db: DB,
    coop: tuple[int, Params, CoopState],
    data: dict[str, Any],
    first: date,
    end: date,
    known_at: datetime,
) -> dict[str, Any] | None:
    """A kept sweep's ``data`` before ``first``, then the evaluations, figures and changes
    of the totals from ``first`` to ``end`` as known at ``known_at`` (None: a value JSON
    cannot hold)."""
    from scop_ledger.domain.rules.runs import evaluations, point
    from scop_ledger.readmodel.checkjson import check_data
    from scop_ledger.readmodel.tallies import days_from_view, facts_from_days

    cid, params, state = coop
    before = kept_before(data, first)
    days = before.days + days_from_view(db, cid, end, known_at, first)
    facts = list(facts_from_days(db, cid, (params, state), days, end, known_at, since=first))
    again = list(evaluations(params, facts))
    try:
        texts = [orjson.dumps(check_data(c)).decode() for _i, _on, c in again]
    except TypeError:
        return None
    upto = bisect_left(data["o"], first.toordinal())
    starts = data["n"][: upto + 1]
    for text in texts:
        starts.append(starts[-1] + len(text))
    return {
        "i": data["i"][:upto] + [i for i, _on, _c in again],
        "o": data["o"][:upto] + [on.toordinal() for _i, on, _c in again],
        "s": data["s"][:upto] + [ORDER[c.status] for _i, _on, c in again],
        "v": data["v"][:upto] + [c.value for _i, _on, c in again],
        "n": starts,
        "p": flat_points(before.points + [point(f) for f in facts]),
        "d": flat_days(days),
        "checks": data["checks"][: starts[upto]] + "".join(texts),
    }
