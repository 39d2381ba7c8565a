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

    def before(self, end: date) -> Kept:
        """What it holds dated before ``end``."""
        upto = bisect_left(self.found, end, key=itemgetter(1))
        return Kept(
            ((i, on, c.status, c.value, c) for i, on, c in self.found[:upto]),
            self.points[: bisect_left(self.points, end, key=itemgetter(0))],
            self.days[: bisect_left(self.days, end, key=itemgetter(0))],
            _same,
        )


def _same(check: Any) -> Check:
    return check  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Kept:
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


def held_for(
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
    return kept_before(data, until + DAY, totals=False).sweep(params, coop, until)


def kept_before(data: dict[str, Any], end: date, *, totals: bool = True) -> Kept:
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
    return Kept(found, points, changed, check)


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
        "p": flat_points(points),
        "d": flat_days(days),
    }
    return orjson.dumps(columns).decode(), "".join(checks)


def flat_points(points: list[Point]) -> list[int]:
    """The share charts' figures as kept: one list, five numbers a date."""
    return [x for p in points for x in (p[0].toordinal(), *p[1:])]


def flat_days(days: list[DayChange]) -> str:
    """Each date's change of the totals as kept: six numbers a date, in a JSON text of its own
    (read by a question as known at a past moment only: not parsed else)."""
    return orjson.dumps([x for d in days for x in (d[0].toordinal(), *d[1:])]).decode()


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
    bring_up: Callable[..., dict[str, Any] | None] | None = None,
) -> Sweep | None:
    """The sweep to ``until`` as known at ``known_at`` from the one kept, or from a sweep to
    the horizon (then kept on ``keeper``, the store's address, unless None); None when no
    kept sweep can answer (see the module's docstring). ``coop``: the cooperative's view id,
    its own entries' state up to ``until``, the latest date of those entries, and the view's
    position read before them (:func:`~scop_ledger.readmodel.kept.position`).
    ``only_keep``: sweep and keep only when the kept sweep no longer holds (the answer is then
    not wanted). ``held``: the store's address, under which this process holds the sweeps it
    made (None: holds none). ``bring_up``: what makes the data kept from a row that no longer
    holds, if it can (:func:`~scop_ledger.readmodel.resume.brought_up`)."""
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
        found = held_for(db, key, until, known_at)
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
    if keeper is not None and bring_up is not None:  # from the row kept before a few entries
        data = bring_up(db, made, (at, last, end), known_at)
        if data is not None:
            _keep_apart_data(keeper, cid, (at, last, end), data)
            return answer(params, state, data, until)
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


def _keep_apart_data(
    keeper: str, cid: int, kept: tuple[int, int, date], data: dict[str, Any]
) -> None:
    """Keep the sweep ``data`` (as :func:`stored` reads it) at ``keeper``."""
    columns = {k: v for k, v in data.items() if k != "checks"}
    text = (orjson.dumps(columns).decode(), data["checks"])
    at, last, end = kept
    keep_apart(keeper, lambda w: keep(w, cid, at, last, end, text))
