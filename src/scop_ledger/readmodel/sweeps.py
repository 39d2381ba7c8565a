"""Each cooperative's sweep of the rules, kept between questions (``rm_sweeps``).

``compliance``, ``timeline`` and the browser's pages sweep the cooperative's whole history
(:func:`~scop_ledger.domain.rules.runs.runs`). As known now (at or after the recording of the
cooperative's last entry), one sweep to a far horizon answers every date up to it: its
evaluations dated up to D, combined, are the runs a sweep to D finds
(:func:`~scop_ledger.domain.rules.runs.combine`) — from the latest date of the cooperative's
own entries on (statutes, forms, mandates: before it, the statutes in force on D may differ
from those of the horizon). The horizon is the 31 December thirty years after the later of
today and that latest date.

Kept per cooperative: the evaluations (JSON, :mod:`~scop_ledger.readmodel.checkjson`), the
figures the share charts read on each date (:data:`~scop_ledger.domain.rules.runs.Point`) and
each date's change of the totals, with the view's position when computed and the recording
time of the cooperative's last entry then; reused while they hold
(:mod:`~scop_ledger.readmodel.kept`). The statutes are folded again from the cooperative's
own entries (few). As known at a past moment, the sweep kept now answers from the earliest
date the entries recorded since change, when they are all members' (:func:`resumed`). Any
other question (a date outside the span, a row that no longer holds) is swept afresh. A
read-only store reads the rows a writable one kept, and keeps none.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import orjson

from scop_ledger.domain.rules.facts import Check, Status
from scop_ledger.readmodel.kept import Held, code_key, holds, keep_apart, last_recorded
from scop_ledger.readmodel.times import micros

if TYPE_CHECKING:
    from scop_ledger.domain.cooperative_fold import CoopState
    from scop_ledger.domain.rules.facts import Facts, Params
    from scop_ledger.domain.rules.runs import Evaluation, Point, Run
    from scop_ledger.domain.rules.tally import DayChange
    from scop_ledger.store.db import DB

TABLE = "rm_sweeps"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (cid INTEGER NOT NULL, code VARCHAR(64) NOT NULL, "
    "position BIGINT NOT NULL, latest BIGINT NOT NULL, horizon VARCHAR(10) NOT NULL, "
    "sweep TEXT NOT NULL, checks TEXT NOT NULL, PRIMARY KEY (cid, code))"
)
UPSERT = (
    f"INSERT INTO {TABLE} (cid, code, position, latest, horizon, sweep, checks) "
    "VALUES (:cid, :code, :position, :latest, :horizon, :sweep, :checks) "
    "ON CONFLICT (cid, code) DO UPDATE SET position = excluded.position, "
    "latest = excluded.latest, horizon = excluded.horizon, sweep = excluded.sweep, "
    "checks = excluded.checks"
)
YEARS = 30
DAY = timedelta(days=1)
# The statuses, written as their place here.
STATUSES = list(Status)
ORDER = {status: k for k, status in enumerate(STATUSES)}


@dataclass(frozen=True)
class Sweep:
    """A sweep's answer to a date: the statutes, the cooperative's own entries' state, each
    rule's runs, and the share charts' figures on each date the facts may change."""

    params: Params
    coop: CoopState
    runs: list[Run]
    points: list[Point]


def swept(params: Params, coop: CoopState, facts: Iterable[Facts], until: date) -> Sweep:
    """The sweep of ``facts`` to ``until``."""
    from scop_ledger.domain.rules.runs import point, runs

    every = list(facts)
    return Sweep(params, coop, runs(params, every, until), [point(f) for f in every])


def folded(log: list[Any], until: date, known_at: datetime) -> CoopState:
    """The state of the cooperative's own entries ``log`` up to ``until``."""
    from scop_ledger.domain.cooperative import Cooperative, effective_entries
    from scop_ledger.domain.cooperative_fold import replay_cooperative as fold

    registration = next(e for e in log if isinstance(e, Cooperative.Registered))
    entries = [e for e in effective_entries(log, known_at) if e.on <= until]
    return fold(registration, entries, strict=False)


def horizon(start: date, today: date) -> date:
    """How far a kept sweep goes."""
    return date(max(start.year, today.year) + YEARS, 12, 31)


def latest(db: DB, cid: int) -> int:
    """The recording time (microseconds) of the cooperative's last recorded entry."""
    found = db.scalar("SELECT max(recorded_at) FROM rm_entries WHERE cid = :cid", {"cid": cid})
    return 0 if found is None else int(found)


def _row(db: DB, cid: int, until: date, known_at: datetime | None, data: bool) -> list[Any] | None:
    """The kept row of cooperative ``cid`` (position, latest, horizon[, sweep, checks]) if it
    answers ``until`` as known at ``known_at`` (None: as known now, see :func:`_fits`)."""
    if not db.has_table(TABLE):
        return None
    key = {"cid": cid, "k": code_key()}
    where = f"FROM {TABLE} WHERE cid = :cid AND code = :k"
    rows = db.rows(f"SELECT position, latest, horizon {where}", key)
    if not rows:
        return None
    at, last, end = rows[0]
    if not _fits(db, cid, (int(at), int(last), date.fromisoformat(end)), until, known_at):
        return None
    if not data:
        return list(rows[0])
    found = db.rows(f"SELECT sweep, checks {where} AND position = :at", {**key, "at": at})
    return [*rows[0], *found[0]] if found else None


def _fits(
    db: DB, cid: int, kept: tuple[int, int, date], until: date, known_at: datetime | None
) -> bool:
    """Whether a sweep of cooperative ``cid`` kept when the view stood at ``at``, with its
    last entry recorded at ``last`` (micros), to the horizon ``end``, answers ``until`` as
    known at ``known_at`` (None: as the view knows now, whatever the time: :func:`resumed`).
    The cooperative's last entry must be recorded no later than the time it keeps: a row
    kept by another store once at the same address (its tables dropped, not this one) is not
    taken."""
    at, last, end = kept
    if known_at is not None and micros(known_at) < last:
        return False
    return until <= end and last_recorded(db, cid) <= last and holds(db, cid, at)


@dataclass(frozen=True)
class _Held:
    """A sweep this process made or read: the view's position, the recording time of the
    cooperative's last entry and the horizon, as kept (:func:`keep`), and the sweep itself."""

    kept: tuple[int, int, date]
    found: list[Evaluation]
    points: list[Point]
    days: list[DayChange]

    def cut(self, params: Params, coop: CoopState, until: date) -> Sweep:
        """The sweep to ``until``: the evaluations dated up to it, combined."""
        return self.before(until + DAY).sweep(params, coop, until)

    def before(self, end: date) -> _Kept:
        """What it holds dated before ``end``."""
        upto = bisect_left(self.found, end, key=itemgetter(1))
        return _Kept(
            ((i, on, c.status, c.value, c) for i, on, c in self.found[:upto]),
            self.points[: bisect_left(self.points, end, key=itemgetter(0))],
            self.days[: bisect_left(self.days, end, key=itemgetter(0))],
            _same,
        )


def _same(check: Any) -> Check:
    return check  # type: ignore[no-any-return]


@dataclass(frozen=True)
class _Kept:
    """A kept sweep's evaluations, share charts' figures and changes of the totals dated
    before a date, each evaluation as (rule index, date, status, value, what ``check`` makes
    its check of), read once."""

    found: Iterable[tuple[int, date, Status, str | None, Any]]
    points: list[Point]
    days: list[DayChange]
    check: Callable[[Any], Check]

    def sweep(self, params: Params, coop: CoopState, until: date) -> Sweep:
        """The sweep to ``until`` (these being every evaluation dated up to it)."""
        from scop_ledger.domain.rules.runs import combine

        return Sweep(params, coop, combine(params, self.found, until, self.check), self.points)


# The sweeps made in this process: a read-only store (a server's default) keeps none in the
# store, and is asked again and again.
_held: Held[_Held] = Held(16)


def _held_for(
    db: DB, key: tuple[str, int] | None, until: date, known_at: datetime | None
) -> _Held | None:
    """The sweep held for ``key`` (store, cooperative id) if it answers ``until`` as known
    at ``known_at``."""
    found = None if key is None else _held.get(db, key)
    if found is None or key is None or not _fits(db, key[1], found.kept, until, known_at):
        return None
    return found


def stored(db: DB, cid: int, until: date, known_at: datetime | None) -> dict[str, Any] | None:
    """The sweep kept for cooperative ``cid`` if it answers ``until`` as known at
    ``known_at`` (None: as known now)."""
    row = _row(db, cid, until, known_at, data=True)
    if row is None:
        return None
    found: dict[str, Any] = orjson.loads(row[3])
    found["checks"] = row[4]
    return found


def answer(params: Params, coop: CoopState, data: dict[str, Any], until: date) -> Sweep:
    """The sweep to ``until`` from a kept sweep's ``data`` (its evaluations dated up to it):
    only the checks that begin or end a run are read."""
    return _before(data, until + DAY, totals=False).sweep(params, coop, until)


def _before(data: dict[str, Any], end: date, *, totals: bool = True) -> _Kept:
    """What a kept sweep's ``data`` holds dated before ``end`` (without the changes of the
    totals unless ``totals``)."""
    from scop_ledger.readmodel.checkjson import check_of

    limit = end.toordinal()
    days, at, checks = data["o"], data["n"], data["checks"]
    upto = bisect_left(days, limit)
    statuses = [STATUSES[s] for s in data["s"][:upto]]
    found = zip(
        data["i"][:upto],
        map(date.fromordinal, days[:upto]),
        statuses,
        data["v"],
        range(upto),
        strict=False,
    )

    def check(k: Any) -> Check:
        if isinstance(k, Check):  # evaluated afresh (:func:`resumed`)
            return k
        return check_of(orjson.loads(checks[at[k] : at[k + 1]]))

    flat = data["p"]
    changes = orjson.loads(data["d"]) if totals else []
    points = [
        (date.fromordinal(flat[k]), flat[k + 1], flat[k + 2], flat[k + 3], flat[k + 4])
        for k in range(0, len(flat), 5)
        if flat[k] < limit
    ]
    changed = [
        (date.fromordinal(changes[k]), *changes[k + 1 : k + 6])
        for k in range(0, len(changes), 6)
        if changes[k] < limit
    ]
    return _Kept(found, points, changed, check)


def data_of(found: list[Evaluation], points: list[Point], days: list[DayChange]) -> tuple[str, str]:
    """A sweep's evaluations and figures as the JSON kept: the evaluations as columns (rule
    index, date, status, value, where its check begins in the second text), the share charts'
    figures and each date's change of the totals (:func:`resumed` reads them), and the checks
    one after the other (only those a question needs are read)."""
    from scop_ledger.readmodel.checkjson import check_data

    checks = [orjson.dumps(check_data(c)).decode() for _i, _on, c in found]
    at = [0]
    for text in checks:
        at.append(at[-1] + len(text))
    columns = {
        "i": [i for i, _on, _c in found],
        "o": [on.toordinal() for _i, on, _c in found],
        "s": [ORDER[c.status] for _i, _on, c in found],
        "v": [c.value for _i, _on, c in found],
        "n": at,
        "p": [x for p in points for x in (p[0].toordinal(), *p[1:])],
        # Read by a question as known at a past moment only: left as a text, not parsed else.
        "d": orjson.dumps([x for d in days for x in (d[0].toordinal(), *d[1:])]).decode(),
    }
    return orjson.dumps(columns).decode(), "".join(checks)


def keep(db: DB, cid: int, at: int, last: int, end: date, data: tuple[str, str]) -> None:
    """Keep a sweep computed when the view stood at ``at``, on a writable connection."""
    if not db.has_table(TABLE):
        db.write(DDL, [])
    row = {"cid": cid, "code": code_key(), "position": at, "latest": last}
    db.write(UPSERT, [{**row, "horizon": end.isoformat(), "sweep": data[0], "checks": data[1]}])


def kept_or_new(
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
    """The sweep to ``until`` as known at ``known_at`` from the one kept, or from a sweep to
    the horizon (then kept on ``keeper``, the store's address, unless None); None when no
    kept sweep can answer (see the module's docstring). ``coop``: the cooperative's view id,
    its own entries' state up to ``until``, the latest date of those entries, and the view's
    position read before them (:func:`~scop_ledger.readmodel.kept.position`).
    ``only_keep``: sweep and keep only when the kept sweep no longer holds (the answer is then
    not wanted). ``held``: the store's address, under which this process holds the sweeps it
    made (None: holds none)."""
    from scop_ledger.domain.rules import Params

    cid, state, start, at = coop
    if until < start:
        return None
    params = Params.of(state)
    key = None if held is None else (held, cid)
    if keeper is not None and only_keep:
        if _row(db, cid, until, known_at, data=False) is not None:
            return None
    else:
        found = _held_for(db, key, until, known_at)
        if found is not None:
            if keeper is not None and _row(db, cid, until, known_at, data=False) is None:
                _keep_apart(keeper, cid, found)  # held by a process that could not keep it
            return found.cut(params, state, until)
        data = stored(db, cid, until, known_at)
        if data is not None:
            return answer(params, state, data, until)
    end = horizon(start, date.today())
    if until > end or last_recorded(db, cid) > micros(known_at):  # as known at a past moment
        return None
    last = latest(db, cid)
    if last > micros(known_at):  # an entry claims a later time than one after it
        return None
    made = (cid, params, state)
    return _sweep_and_keep(db, made, (at, last, end), until, known_at, (keeper, key))


def _sweep_and_keep(
    db: DB,
    coop: tuple[int, Params, CoopState],
    kept: tuple[int, int, date],
    until: date,
    known_at: datetime,
    keeping: tuple[str | None, tuple[str, int] | None],
) -> Sweep:
    from scop_ledger.domain.rules.runs import evaluations, point
    from scop_ledger.readmodel.tallies import days_from_view, facts_from_days

    cid, params, state = coop
    end = kept[2]
    keeper, key = keeping
    days = days_from_view(db, cid, end, known_at)
    facts = list(facts_from_days(db, cid, (params, state), days, end, known_at))
    found = list(evaluations(params, facts))
    made = _Held(kept, found, [point(f) for f in facts], days)
    if key is not None:
        _held.put(db, key, made)
    if keeper is not None:
        _keep_apart(keeper, cid, made)
    return made.cut(params, state, until)


def _keep_apart(keeper: str, cid: int, made: _Held) -> None:
    """Keep ``made`` in the store at ``keeper``, on a connection of its own."""
    try:
        data = data_of(made.found, made.points, made.days)
    except TypeError:  # a value JSON cannot hold: not kept, the answer stands
        return
    at, last, end = made.kept
    keep_apart(keeper, lambda w: keep(w, cid, at, last, end, data))


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
    made = _held_for(db, key, until, None)
    if made is not None:
        kept = made.before(end)
    else:
        data = stored(db, cid, until, None)
        if data is None:
            return None
        kept = _before(data, end)
    if until < first:
        return kept.sweep(params, state, until)
    days = kept.days + days_from_view(db, cid, until, known_at, first)
    facts = list(facts_from_days(db, cid, (params, state), days, until, known_at, since=first))
    again = ((i, on, c.status, c.value, c) for i, on, c in evaluations(params, facts))
    points = kept.points + [point(f) for f in facts]
    return _Kept(chain(kept.found, again), points, days, kept.check).sweep(params, state, until)
